from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ocip.accounts.forms import InvitationForm

from .models import ExpertiseProfile, Institution, InstitutionMembership


class InstitutionForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Institution
        fields = ["website", "research_office_email", "languages", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class InstitutionInvitationForm(InvitationForm):
    role = forms.ChoiceField(label=_("Role"), choices=InstitutionMembership.Role.choices)
    field_order = ["email", "role", "language"]


def _taxonomy_choices(vocabulary: str) -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    from ocip.taxonomy import label, taxonomy

    language = (get_language() or "en")[:2]
    return [(slug, label(vocabulary, slug, language)) for slug in taxonomy()[vocabulary]]


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    def __init__(self, *, max_items: int = 30, **kwargs):
        self.max_items = max_items
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
        if len(lines) > self.max_items:
            raise forms.ValidationError(_("At most %(count)s lines.") % {"count": self.max_items})
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("Each line can have at most 300 characters."))
        return lines


STUDENT_LEVELS = [
    ("college", _("College")),
    ("undergraduate", _("Undergraduate")),
    ("masters", _("Master's")),
    ("doctoral", _("Doctoral")),
    ("postdoctoral", _("Postdoctoral fellow")),
]
TRL_CHOICES = [("", "—")] + [(str(level), str(level)) for level in range(1, 10)]


class ExpertiseProfileForm(forms.ModelForm):
    keywords = LinesField(label=_("Keywords (one per line)"), max_items=20)
    equipment = LinesField(label=_("Equipment (one per line)"))
    past_projects = LinesField(label=_("Past projects (one per line)"), max_items=10)
    sectors = LinesField(
        label=_("Sectors: NAICS codes, one per line (for example 31-33 or 54)"), max_items=10
    )
    capability_areas = forms.MultipleChoiceField(
        label=_("Capability areas"), widget=forms.CheckboxSelectMultiple, required=False
    )
    rd_stages = forms.MultipleChoiceField(
        label=_("Stages of R&D"), widget=forms.CheckboxSelectMultiple, required=False
    )
    innovation_types = forms.MultipleChoiceField(
        label=_("Kinds of innovation"), widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    student_levels = forms.MultipleChoiceField(
        label=_("Student levels"),
        choices=STUDENT_LEVELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ExpertiseProfile
        fields = list(ExpertiseProfile.EDITABLE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "trl_min": forms.Select(choices=TRL_CHOICES),
            "trl_max": forms.Select(choices=TRL_CHOICES),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("capability_areas", "rd_stages", "innovation_types"):
            self.fields[name].choices = _taxonomy_choices(name)  # type: ignore[attr-defined]
        self.fields["capacity"].widget.attrs["max"] = 50

    def clean_sectors(self):
        sectors = self.cleaned_data["sectors"]
        for code in sectors:
            if not all(part.isdigit() and 2 <= len(part) <= 6 for part in code.split("-")):
                raise forms.ValidationError(
                    _("“%(code)s” is not a NAICS code such as 54 or 31-33.") % {"code": code}
                )
        return sectors

    def clean(self):
        data = super().clean() or {}
        low, high = data.get("trl_min"), data.get("trl_max")
        if low and high and low > high:
            self.add_error("trl_max", _("The highest level cannot be below the lowest."))
        if data.get("capacity") is not None and data["capacity"] > 50:
            self.add_error("capacity", _("At most 50 projects at once."))
        return data


class MatchFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label=_("Kind of institution"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Institution.Kind.choices,
    )
    region = forms.MultipleChoiceField(
        label=_("Region"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.MultipleChoiceField(
        label=_("Working language"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=settings.LANGUAGES,
    )

    def __init__(self, *args, **kwargs):
        from ocip.taxonomy import regions

        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(n, n) for n in regions()]  # type: ignore[attr-defined]

    def keep(self, match: dict) -> bool:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("kind") and match["institution_kind"] not in data["kind"]:
            return False
        if data.get("region") and match["region"] not in data["region"]:
            return False
        return not (data.get("language") and not set(data["language"]) & set(match["languages"]))
