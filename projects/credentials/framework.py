"""The elements a micro-credential must state before it is published (pure).

Two lists apply: eCampusOntario's micro-credential principles and framework (issuing body,
competencies, learning outcomes, summative assessment, transcriptable credit, how partners
endorse it) and the EU Council Recommendation on micro-credentials, Annex I, mandatory
elements (title, country, awarding body, learning outcomes, notional workload, level, type of
assessment, form of participation, quality assurance). Text elements are needed in English and
in French. The credential-level elements (the learner, the date of issue, the partner's
endorsement) are checked when a credential is issued, not here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Element:
    code: str
    sources: tuple[str, ...]  # "ecampusontario", "eu", "openbadges"
    fields: tuple[str, ...]  # the definition fields that state it


# In the order a form shows them.
ELEMENTS: tuple[Element, ...] = (
    Element("title", ("eu",), ("title_en", "title_fr")),
    # Open Badges 3.0 requires every achievement to have a description.
    Element("description", ("openbadges",), ("description_en", "description_fr")),
    Element("country", ("eu",), ("country",)),
    Element("awarding_body", ("ecampusontario", "eu"), ("awarding_body",)),
    Element("outcomes", ("ecampusontario", "eu"), ("outcomes_en", "outcomes_fr")),
    Element("competencies", ("ecampusontario",), ("skills",)),
    Element("assessment", ("ecampusontario",), ("rubric",)),
    Element("assessment_type", ("eu",), ("assessment_type_en", "assessment_type_fr")),
    Element("workload", ("eu",), ("workload_hours",)),
    Element("credit", ("ecampusontario",), ("credit_value", "on_transcript")),
    Element("level", ("eu",), ("eqf_level", "level_note_en", "level_note_fr")),
    Element("participation", ("eu",), ("participation",)),
    Element("quality_assurance", ("eu",), ("quality_assurance_en", "quality_assurance_fr")),
    Element(
        "partner_endorsement",
        ("ecampusontario",),
        ("partner_endorsement_en", "partner_endorsement_fr"),
    ),
)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _both(facts: Mapping[str, Any], field: str) -> bool:
    return all(_text(facts.get(f"{field}_{language}")) for language in LANGUAGES)


def rubric_errors(rubric: Any) -> list[str]:
    """What is wrong with a rubric: codes, empty when it can assess a learner."""
    if not isinstance(rubric, Mapping):
        return ["rubric_missing"]
    criteria, levels = rubric.get("criteria"), rubric.get("levels")
    errors = []
    for name, rows in (("criteria", criteria), ("levels", levels)):
        if not isinstance(rows, Sequence) or not rows:
            errors.append(f"rubric_no_{name}")
        elif not all(
            isinstance(row, Mapping) and all(_text(row.get(lang)) for lang in LANGUAGES)
            for row in rows
        ):
            errors.append(f"rubric_{name}_untranslated")
    if isinstance(levels, Sequence) and levels and len(levels) < 2:
        errors.append("rubric_one_level")
    pass_level = rubric.get("pass_level")
    if (
        not isinstance(pass_level, int)
        or isinstance(pass_level, bool)
        or not (isinstance(levels, Sequence) and 0 <= pass_level < len(levels))
    ):
        errors.append("rubric_no_pass_rule")
    return errors


def missing_elements(facts: Mapping[str, Any]) -> list[str]:
    """The codes of the ELEMENTS a definition does not state yet, in form order."""
    present = {
        "title": _both(facts, "title"),
        "description": _both(facts, "description"),
        "country": _text(facts.get("country")),
        "awarding_body": _text(facts.get("awarding_body")),
        "outcomes": _both(facts, "outcomes"),
        "competencies": bool(facts.get("skills")),
        "assessment": not rubric_errors(facts.get("rubric")),
        "assessment_type": _both(facts, "assessment_type"),
        "workload": (facts.get("workload_hours") or 0) > 0,
        "credit": facts.get("credit_value") is not None and bool(facts.get("on_transcript")),
        "level": facts.get("eqf_level") is not None or _both(facts, "level_note"),
        "participation": _text(facts.get("participation")),
        "quality_assurance": _both(facts, "quality_assurance"),
        "partner_endorsement": _both(facts, "partner_endorsement"),
    }
    return [element.code for element in ELEMENTS if not present[element.code]]


def passes(rubric: Mapping[str, Any], levels: Sequence[int]) -> bool:
    """The rubric's rule: every criterion reached at least the pass level."""
    criteria = rubric["criteria"]
    if len(levels) != len(criteria):
        raise ValueError("one level per criterion")
    top = len(rubric["levels"]) - 1
    if any(not isinstance(level, int) or not 0 <= level <= top for level in levels):
        raise ValueError("a level outside the rubric")
    return all(level >= rubric["pass_level"] for level in levels)
