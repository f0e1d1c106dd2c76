"""The design reference page: every component of static/css/ocip.css, shown with its markup,
for the staff who write templates. The examples are real components, not pictures of them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# Colour tokens and the contrast each text colour has on white (checked with the WCAG formula
# in tests/test_design_reference.py).
COLOUR_TOKENS = [
    ("--ink", "#1b1f24", _("Text")),
    ("--muted", "#4a5562", _("Secondary text, hints")),
    ("--brand", "#0b5394", _("Links, primary buttons, focus of attention")),
    ("--brand-dark", "#073763", _("Hover")),
    ("--ok", "#1e6b34", _("Success, eligible, valid")),
    ("--warn", "#7a4d00", _("Warning, waiting, to check")),
    ("--danger", "#a4161a", _("Errors, serious actions, revoked")),
    ("--line", "#7b8794", _("Borders of fields and cards")),
]


class ExampleForm(forms.Form):
    """One control of every kind, at the size every form of ours uses."""

    name = forms.CharField(label=_("Company name"), help_text=_("As registered."))
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), widget=forms.TextInput(attrs={"type": "tel"}))
    start = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    staff = forms.IntegerField(label=_("Employees in Ontario"), min_value=0)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", "—"), ("east", _("Eastern")), ("north", _("Northern"))]
    )
    students = forms.ChoiceField(
        label=_("Would you welcome students on the project?"),
        choices=[("yes", _("Yes")), ("no", _("No, we would rather work with staff only"))],
        widget=forms.RadioSelect,
    )
    areas = forms.MultipleChoiceField(
        label=_("Capability areas"),
        choices=[
            ("ai", _("Artificial intelligence and data")),
            ("manufacturing", _("Advanced manufacturing, including automation and robotics")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    challenge = forms.CharField(label=_("Your challenge"), widget=forms.Textarea)
    evidence = forms.FileField(label=_("Evidence file"), required=False)
