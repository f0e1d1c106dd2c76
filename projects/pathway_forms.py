"""The form of a pathway: its texts in English and in French, the rule, its micro-credentials
(checkboxes grouped by institution, the office's own first) and what it leads to."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ocip.formatting import current_language

from . import selectors
from .models import Pathway
from .selectors import PATHWAY_FIELDS

MAX_COMPONENTS = 20


def _text(label, *, language: str, max_length: int, rows: int = 0, help_text=""):
    attrs = {"lang": language}
    widget = forms.Textarea(attrs={**attrs, "rows": rows}) if rows else forms.TextInput(attrs)
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=widget, help_text=help_text
    )


class PathwayForm(forms.Form):
    """Everything about a pathway; a draft can be saved incomplete, as long as its rule and
    its target hold together."""

    title_en = _text(_("Title in English"), language="en", max_length=200)
    title_fr = _text(_("Title in French"), language="fr", max_length=200)
    description_en = _text(
        _("Description in English"),
        language="en",
        max_length=4000,
        rows=4,
        help_text=_("Who it is for and what a learner gains by following it."),
    )
    description_fr = _text(_("Description in French"), language="fr", max_length=4000, rows=4)
    rule = forms.ChoiceField(
        label=_("What a learner needs"),
        choices=Pathway.Rule.choices,
        widget=forms.RadioSelect,
        initial=Pathway.Rule.ALL,
        error_messages={
            "required": _(
                "Choose whether learners need all of the micro-credentials or a number of them."
            )
        },
    )
    required_count = forms.IntegerField(
        label=_("How many of them, for “a number of these”"),
        required=False,
        min_value=1,
        max_value=MAX_COMPONENTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("For example 2, for any 2 of the micro-credentials chosen below."),
    )
    lineages = forms.MultipleChoiceField(
        label=_("Micro-credentials"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose published micro-credentials from the list."),
        },
    )
    target = forms.ChoiceField(
        label=_("What it leads to"),
        choices=Pathway.Target.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose what the pathway leads to: a program or a stacked micro-credential."
            )
        },
    )
    program_kind = forms.ChoiceField(
        label=_("Kind of program"),
        required=False,
        choices=[("", _("Not chosen yet")), *Pathway.ProgramKind.choices],
    )
    program_name_en = _text(_("Program name in English"), language="en", max_length=200)
    program_name_fr = _text(_("Program name in French"), language="fr", max_length=200)
    program_credit_en = _text(
        _("Credit or advanced standing granted, in English"),
        language="en",
        max_length=2000,
        rows=3,
        help_text=_(
            "What completing the pathway counts for in the program, for example: exemption "
            "from the first-semester research methods course (3 credits)."
        ),
    )
    program_credit_fr = _text(
        _("Credit or advanced standing granted, in French"),
        language="fr",
        max_length=2000,
        rows=3,
    )
    program_url = forms.URLField(
        label=_("Program page"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("The address of the program's page on the institution's site, if any."),
    )
    stacked_lineage = forms.ChoiceField(
        label=_("Stacked micro-credential"),
        required=False,
        help_text=_(
            "One of your institution's published micro-credentials. The platform issues it, "
            "signed like any other, to each learner who completes the pathway."
        ),
    )

    def __init__(self, *args, institution, pathway: Pathway | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution = institution
        self.pathway = pathway
        language = current_language()
        self.offerable = list(selectors.pathway_offerable_definitions())
        self.fields["lineages"].choices = [  # type: ignore[attr-defined]
            (str(definition.lineage), definition.title(language) or str(definition))
            for definition in self.offerable
        ]
        own = [item for item in self.offerable if item.institution_id == institution.pk]
        self.fields["stacked_lineage"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a micro-credential")),
            *((str(item.lineage), item.title(language) or str(item)) for item in own),
        ]
        # Agreement of the micro-credentials already in the pathway, shown by each checkbox.
        self.components = (
            {str(item.lineage): item for item in pathway.components.all()} if pathway else {}
        )

    @staticmethod
    def initial_for(pathway: Pathway) -> dict:
        initial = {name: getattr(pathway, name) for name in PATHWAY_FIELDS}
        initial["stacked_lineage"] = str(pathway.stacked_lineage or "")
        initial["lineages"] = [str(item.lineage) for item in pathway.components.all()]
        return initial

    def clean_lineages(self) -> list[str]:
        chosen = list(dict.fromkeys(self.cleaned_data["lineages"]))
        if len(chosen) > MAX_COMPONENTS:
            raise ValidationError(
                _("Choose at most %(count)s micro-credentials.") % {"count": MAX_COMPONENTS}
            )
        return chosen

    def clean(self):
        data = super().clean() or self.cleaned_data
        if data.get("rule") == Pathway.Rule.ANY:
            count = data.get("required_count")
            if count is None and "required_count" not in self.errors:
                self.add_error(
                    "required_count", _("Say how many of the micro-credentials a learner needs.")
                )
            elif count is not None and "lineages" in data and count > len(data["lineages"]):
                self.add_error(
                    "required_count",
                    _(
                        "A learner cannot need %(count)s of the %(chosen)s micro-credentials "
                        "chosen: lower the number or choose more."
                    )
                    % {"count": count, "chosen": len(data["lineages"])},
                )
        if data.get("target") == Pathway.Target.STACKED:
            stacked = data.get("stacked_lineage")
            if not stacked and "stacked_lineage" not in self.errors:
                self.add_error(
                    "stacked_lineage",
                    _(
                        "Choose the micro-credential that learners who complete the pathway "
                        "receive."
                    ),
                )
            elif stacked and stacked in data.get("lineages", []):
                self.add_error(
                    "stacked_lineage",
                    _(
                        "The stacked micro-credential the pathway leads to cannot also be one "
                        "of the micro-credentials that lead to it."
                    ),
                )
        return data

    def pathway_fields(self) -> dict:
        """The cleaned form as the services' keyword arguments."""
        fields = {name: self.cleaned_data[name] for name in PATHWAY_FIELDS}
        fields["stacked_lineage"] = (
            uuid.UUID(fields["stacked_lineage"]) if fields["stacked_lineage"] else None
        )
        if fields["rule"] == Pathway.Rule.ALL:
            fields["required_count"] = None
        return fields

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal on the field it is about, or above the form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)

    # --- For the template ----------------------------------------------------------------------

    def definition_groups(self) -> list[dict]:
        """The micro-credentials as checkboxes, one group per institution: this institution's
        first, then the others by name. Each option says whether its institution has agreed."""
        language = current_language()
        chosen = set(self["lineages"].value() or [])
        groups: dict[int, dict] = {}
        for definition in self.offerable:
            group = groups.setdefault(
                definition.institution_id,
                {
                    "institution": definition.institution,
                    "own": definition.institution_id == self.institution.pk,
                    "options": [],
                },
            )
            lineage = str(definition.lineage)
            component = self.components.get(lineage)
            group["options"].append(
                {
                    "value": lineage,
                    "label": definition.title(language) or str(definition),
                    "checked": lineage in chosen,
                    "pending": component is not None and component.agreed_at is None,
                    "agreed": component is not None and component.agreed_at is not None,
                }
            )
        ordered = sorted(groups.values(), key=lambda group: not group["own"])
        number = 0
        base = self["lineages"].auto_id
        for index, group in enumerate(ordered):
            group["id"] = f"{base}_group_{index}"
            group["chosen"] = sum(option["checked"] for option in group["options"])
            group["open"] = group["own"] or bool(group["chosen"])
            for option in group["options"]:
                option["id"] = f"{base}_{number}"  # the error summary links to the first
                number += 1
        return ordered
