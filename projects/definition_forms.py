"""The form of a micro-credential definition: every field in English and in French, grouped as
the page shows them, with the rubric typed as lines and built into its JSON here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from matching.forms import LinesField
from ocip import taxonomy
from ocip.formatting import current_language

from . import esco
from .credentials import framework
from .models import CredentialDefinition
from .selectors import DEFINITION_FIELDS

MAX_CRITERIA = 20
MAX_LEVELS = 10
TRANSVERSAL = "transversal"  # the ESCO subset's area for skills any project can show
RUBRIC_FIELDS = (
    "rubric_criteria_en",
    "rubric_criteria_fr",
    "rubric_levels_en",
    "rubric_levels_fr",
    "rubric_pass_level",
)


def _text(label, *, language: str, max_length: int, rows: int = 0, help_text=""):
    attrs = {"lang": language}
    widget = forms.Textarea(attrs={**attrs, "rows": rows}) if rows else forms.TextInput(attrs)
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=widget, help_text=help_text
    )


def _lines(label, *, language: str, max_items: int, help_text=""):
    return LinesField(
        label=label,
        max_items=max_items,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4, "lang": language}),
    )


def _number(label, *, max_digits: int, decimal_places: int, help_text):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=max_digits,
        decimal_places=decimal_places,
        localize=True,  # 1,5 in French, 1.5 in English
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=help_text,
    )


def sources_text(sources) -> str:
    """Which framework asks for an element, in plain words."""
    sources = set(sources)
    if sources == {"ecampusontario", "eu"}:
        return str(_("Asked for by eCampusOntario and the EU (Annex I)."))
    if sources == {"ecampusontario"}:
        return str(_("Asked for by eCampusOntario."))
    if sources == {"eu"}:
        return str(_("Asked for by the EU (Annex I)."))
    if sources == {"openbadges"}:
        return str(_("Needed by Open Badges 3.0: every credential describes its achievement."))
    return str(_("Optional: not needed to publish."))


ELEMENT_SOURCES = {element.code: element.sources for element in framework.ELEMENTS}


@dataclass(frozen=True)
class Section:
    key: str  # the fieldset's id is section-<key>
    legend: str | Promise
    help: str | Promise
    fields: tuple[str, ...]
    elements: tuple[str, ...]  # the framework elements it states


SECTIONS = (
    Section(
        "title",
        _("Title"),
        _("The name learners, employers and transcripts will see."),
        ("title_en", "title_fr"),
        ("title",),
    ),
    Section(
        "description",
        _("Description"),
        _("A few sentences on what it recognises and who it is for."),
        ("description_en", "description_fr"),
        ("description",),
    ),
    Section(
        "outcomes",
        _("Learning outcomes"),
        _(
            "What a learner who earns it can do: one outcome per line, in the same order in both "
            "languages."
        ),
        ("outcomes_en", "outcomes_fr"),
        ("outcomes",),
    ),
    Section(
        "criteria",
        _("Criteria for earning it"),
        _("What a learner has to do to earn it, in a few sentences."),
        ("criteria_en", "criteria_fr"),
        (),
    ),
    Section(
        "competencies",
        _("Competencies"),
        _(
            "The ESCO skills a learner shows by earning it. They are grouped by capability area: "
            "open an area to choose its skills."
        ),
        ("skills",),
        ("competencies",),
    ),
    Section(
        "assessment",
        _("Assessment rubric"),
        _(
            "Each criterion is assessed at one of the levels. Give the criteria and the levels in "
            "both languages, in the same order. Fill in the whole rubric, or leave all of it empty "
            "for now."
        ),
        RUBRIC_FIELDS,
        ("assessment",),
    ),
    Section(
        "assessment_type",
        _("Type of assessment"),
        _("How learners are assessed, and whether the assessment is supervised."),
        ("assessment_type_en", "assessment_type_fr", "supervision"),
        ("assessment_type",),
    ),
    Section(
        "workload",
        _("Workload and credit"),
        _("How much work it takes, and what it counts for on a transcript."),
        ("workload_hours", "credit_value", "on_transcript"),
        ("workload", "credit"),
    ),
    Section(
        "level",
        _("Level"),
        _(
            "Give the EQF level, or choose “Not applicable” and say in both languages what level "
            "it is at."
        ),
        ("eqf_level", "level_note_en", "level_note_fr"),
        ("level",),
    ),
    Section(
        "participation",
        _("Form of participation"),
        _("Where the learning happens."),
        ("participation",),
        ("participation",),
    ),
    Section(
        "prerequisites",
        _("Prerequisites"),
        _("What a learner needs before starting, if anything."),
        ("prerequisites_en", "prerequisites_fr"),
        (),
    ),
    Section(
        "quality_assurance",
        _("Quality assurance"),
        _("Who checks the quality of this micro-credential, and how."),
        ("quality_assurance_en", "quality_assurance_fr"),
        ("quality_assurance",),
    ),
    Section(
        "partner_endorsement",
        _("Endorsement by partners"),
        _(
            "How the business partner confirms a learner's work, for example by endorsing each "
            "assessment."
        ),
        ("partner_endorsement_en", "partner_endorsement_fr"),
        ("partner_endorsement",),
    ),
    Section(
        "validity",
        _("Validity"),
        _("How long the credential stays valid after it is issued."),
        ("validity_months",),
        (),
    ),
)
# The form section where each framework element is filled in (the institution's own elements
# are on its profile).
ELEMENT_SECTION = {code: section.key for section in SECTIONS for code in section.elements}


def section_sources(section: Section) -> str:
    return sources_text(
        source for code in section.elements for source in ELEMENT_SOURCES.get(code, ())
    )


def area_label(area: str, language: str) -> str:
    if area == TRANSVERSAL:
        return str(_("Transversal skills, for any project"))
    return taxonomy.label("capability_areas", area, language)


class DefinitionForm(forms.Form):
    """Every field of a definition. It can be saved incomplete, as a draft; the rubric is
    all there, or not there at all."""

    title_en = _text(_("Title in English"), language="en", max_length=200)
    title_fr = _text(_("Title in French"), language="fr", max_length=200)
    description_en = _text(_("Description in English"), language="en", max_length=4000, rows=4)
    description_fr = _text(_("Description in French"), language="fr", max_length=4000, rows=4)
    outcomes_en = _text(
        _("Learning outcomes in English, one per line"), language="en", max_length=4000, rows=5
    )
    outcomes_fr = _text(
        _("Learning outcomes in French, one per line"), language="fr", max_length=4000, rows=5
    )
    criteria_en = _text(
        _("Criteria for earning it, in English"), language="en", max_length=4000, rows=4
    )
    criteria_fr = _text(
        _("Criteria for earning it, in French"), language="fr", max_length=4000, rows=4
    )
    skills = forms.MultipleChoiceField(
        label=_("Competencies (ESCO skills)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose competencies from the ESCO list.")},
    )
    rubric_criteria_en = _lines(
        _("Rubric criteria in English, one per line"), language="en", max_items=MAX_CRITERIA
    )
    rubric_criteria_fr = _lines(
        _("Rubric criteria in French, one per line"), language="fr", max_items=MAX_CRITERIA
    )
    rubric_levels_en = _lines(
        _("Levels in English, one per line, lowest first"),
        language="en",
        max_items=MAX_LEVELS,
        help_text=_("At least two, for example: Beginning, Proficient, Exemplary."),
    )
    rubric_levels_fr = _lines(
        _("Levels in French, one per line, lowest first"), language="fr", max_items=MAX_LEVELS
    )
    rubric_pass_level = forms.IntegerField(
        label=_("Level needed to pass"),
        required=False,
        min_value=1,
        max_value=MAX_LEVELS,
        help_text=_(
            "The position of the lowest level that passes, counting the lowest level as "
            "1. Every criterion must reach it."
        ),
    )
    assessment_type_en = _text(
        _("Type of assessment in English"),
        language="en",
        max_length=300,
        help_text=_("For example: project work assessed against a rubric."),
    )
    assessment_type_fr = _text(_("Type of assessment in French"), language="fr", max_length=300)
    supervision = forms.ChoiceField(
        label=_("Supervision and identity verification"),
        required=False,
        choices=[("", _("Not chosen yet")), *CredentialDefinition.Supervision.choices],
    )
    workload_hours = _number(
        _("Workload in hours"),
        max_digits=6,
        decimal_places=1,
        help_text=_(
            "The hours a typical learner spends on it, everything included, for example 45."
        ),
    )
    credit_value = _number(
        _("Credit value"),
        max_digits=5,
        decimal_places=2,
        help_text=_("The credits it counts for, for example 0.5."),
    )
    on_transcript = forms.BooleanField(
        label=_("It is recorded on the learner's transcript"), required=False
    )
    eqf_level = forms.TypedChoiceField(
        label=_("EQF level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Not applicable")), *((str(n), str(n)) for n in range(1, 9))],
        help_text=_("The level in the European Qualifications Framework, from 1 to 8."),
    )
    level_note_en = _text(
        _("Level in English"),
        language="en",
        max_length=300,
        help_text=_(
            "Needed when no EQF level applies, for example: Ontario college certificate level."
        ),
    )
    level_note_fr = _text(_("Level in French"), language="fr", max_length=300)
    participation = forms.ChoiceField(
        label=_("Form of participation"),
        required=False,
        choices=[("", _("Not chosen yet")), *CredentialDefinition.Participation.choices],
    )
    prerequisites_en = _text(_("Prerequisites in English"), language="en", max_length=2000, rows=3)
    prerequisites_fr = _text(_("Prerequisites in French"), language="fr", max_length=2000, rows=3)
    quality_assurance_en = _text(
        _("Quality assurance in English"), language="en", max_length=2000, rows=3
    )
    quality_assurance_fr = _text(
        _("Quality assurance in French"), language="fr", max_length=2000, rows=3
    )
    partner_endorsement_en = _text(
        _("Endorsement by partners in English"), language="en", max_length=2000, rows=3
    )
    partner_endorsement_fr = _text(
        _("Endorsement by partners in French"), language="fr", max_length=2000, rows=3
    )
    validity_months = forms.IntegerField(
        label=_("Validity in months"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=_("Leave it empty if it does not expire."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(uri, uri) for uri in esco.skills()]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(definition: CredentialDefinition) -> dict:
        initial = {name: getattr(definition, name) for name in DEFINITION_FIELDS}
        rubric = initial.pop("rubric") or {}
        for part in ("criteria", "levels"):
            for language in ("en", "fr"):
                initial[f"rubric_{part}_{language}"] = "\n".join(
                    str(row.get(language, "")) for row in rubric.get(part, [])
                )
        pass_level = rubric.get("pass_level")
        if isinstance(pass_level, int) and not isinstance(pass_level, bool):
            initial["rubric_pass_level"] = pass_level + 1
        return initial

    def clean_skills(self) -> list[str]:
        return list(dict.fromkeys(self.cleaned_data["skills"]))

    def clean(self):
        data = super().clean() or self.cleaned_data
        if not any(name in self.errors for name in RUBRIC_FIELDS):
            data["rubric"] = self._rubric(data)
        return data

    def _rubric(self, data) -> dict:
        """The rubric's JSON, or {} when none is given; a half-given one is an error."""
        criteria_en, criteria_fr = data["rubric_criteria_en"], data["rubric_criteria_fr"]
        levels_en, levels_fr = data["rubric_levels_en"], data["rubric_levels_fr"]
        pass_level = data["rubric_pass_level"]
        if not (criteria_en or criteria_fr or levels_en or levels_fr or pass_level is not None):
            return {}
        for name, rows in (
            ("rubric_criteria_en", criteria_en),
            ("rubric_criteria_fr", criteria_fr),
        ):
            if not rows:
                self.add_error(name, _("Give at least one criterion, one per line."))
        if criteria_en and criteria_fr and len(criteria_en) != len(criteria_fr):
            self.add_error(
                "rubric_criteria_fr",
                ngettext(
                    "%(en)s criterion in English but %(fr)s in French: give each one in both "
                    "languages, in the same order.",
                    "%(en)s criteria in English but %(fr)s in French: give each one in both "
                    "languages, in the same order.",
                    len(criteria_en),
                )
                % {"en": len(criteria_en), "fr": len(criteria_fr)},
            )
        for name, rows in (("rubric_levels_en", levels_en), ("rubric_levels_fr", levels_fr)):
            if len(rows) < 2:
                self.add_error(name, _("Give at least two levels, one per line, lowest first."))
        if len(levels_en) >= 2 and len(levels_fr) >= 2 and len(levels_en) != len(levels_fr):
            self.add_error(
                "rubric_levels_fr",
                ngettext(
                    "%(en)s level in English but %(fr)s in French: give each one in both "
                    "languages, in the same order.",
                    "%(en)s levels in English but %(fr)s in French: give each one in both "
                    "languages, in the same order.",
                    len(levels_en),
                )
                % {"en": len(levels_en), "fr": len(levels_fr)},
            )
        if pass_level is None:
            self.add_error(
                "rubric_pass_level", _("Say which level every criterion must reach to pass.")
            )
        elif len(levels_en) >= 2 and pass_level > len(levels_en):
            self.add_error(
                "rubric_pass_level",
                _("Choose a level from 1 to %(count)s: the rubric has %(count)s levels.")
                % {"count": len(levels_en)},
            )
        if any(name in self.errors for name in RUBRIC_FIELDS):
            return {}
        return {
            "criteria": [
                {"en": en, "fr": fr} for en, fr in zip(criteria_en, criteria_fr, strict=True)
            ],
            "levels": [{"en": en, "fr": fr} for en, fr in zip(levels_en, levels_fr, strict=True)],
            "pass_level": pass_level - 1,
        }

    def definition_fields(self) -> dict:
        """The cleaned form as the services' keyword arguments."""
        return {name: self.cleaned_data[name] for name in DEFINITION_FIELDS}

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal on the field it is about (the rubric's on its first line)."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                field = "rubric_criteria_en" if name == "rubric" else name
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)

    # --- For the template ----------------------------------------------------------------------

    def sections(self) -> list[dict]:
        """The fieldsets, in order; `visible_fields` lets includes/form_fields.html draw each."""
        return [
            {
                "key": section.key,
                "legend": section.legend,
                "help": section.help,
                "sources": section_sources(section),
                "is_skills": section.fields == ("skills",),
                "visible_fields": [self[name] for name in section.fields],
                "hidden_fields": [],
                "has_errors": any(self[name].errors for name in section.fields),
            }
            for section in SECTIONS
        ]

    def skill_groups(self) -> list[dict]:
        """The ESCO skills as checkboxes, one group per capability area; a skill listed in two
        areas shows in its first, so that each has one checkbox."""
        language = current_language()
        chosen = set(self["skills"].value() or [])
        groups: list[dict[str, Any]] = []
        for area, items in esco.by_area(language):
            options = [
                {
                    "uri": uri,
                    "label": label,
                    "translated": esco.is_platform_translation(uri, language),
                    "checked": uri in chosen,
                }
                for uri, label in items
                if esco.skills()[uri]["capability_areas"][0] == area
            ]
            if options:
                groups.append(
                    {"area": area, "label": area_label(area, language), "options": options}
                )
        # The skills any project can show first, then the areas by name.
        groups.sort(key=lambda group: (group["area"] != TRANSVERSAL, group["label"].casefold()))
        number = 0
        base = self["skills"].auto_id
        for index, group in enumerate(groups):
            group["id"] = f"{base}_area_{index}"
            group["chosen"] = sum(option["checked"] for option in group["options"])
            group["open"] = bool(group["chosen"]) or (index == 0 and bool(self["skills"].errors))
            for option in group["options"]:
                option["id"] = f"{base}_{number}"  # the error summary links to the first
                number += 1
        return groups
