"""The public funding guide's words for one program, from the data the rules engine reads.

Each program is assessed by the engine itself (`assess_programs`) on no facts at all, and the
assessment is worded by `explain.funding_view`, as on a diagnostic's results page: the rules,
their fact labels and the estimate's basis are the engine's own, never copied here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.translation import gettext as _

from diagnostics import questionnaire
from ocip.formatting import labelled_text, list_text

from .engine.funding import assess_programs
from .explain import funding_view
from .models import FundingProgram


@cache
def _questions() -> dict:
    """The current questionnaire's questions by id (they label the facts the rules read)."""
    definition = questionnaire.load_definition(questionnaire.CURRENT_VERSION)
    return questionnaire.Questionnaire(definition).by_id


def _lead(label: str) -> str:
    """A fact's label before the rule's own words: a question as it is asked ("Where is it
    incorporated?"), any other label followed by a colon ("Label:", "Label :" in French)."""
    label = str(label).strip()
    return label if label.endswith("?") else labelled_text(label, "").rstrip()


def _rules(assessed: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per rule of the program; a rule on the partner kind (evaluated by the engine
    once per kind) lists the kinds of partner it accepts."""
    rules: list[dict[str, Any]] = []
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for rule in assessed["rules"]:
        key = (rule["fact"], rule["why"])
        entry = by_key.get(key)
        if entry is None:
            label = rule["fact_label"]
            entry = {
                "fact": rule["fact"],
                "why": rule["why"],
                # A fact the questionnaire does not ask has no label: show its rule alone.
                "fact_label": "" if label == rule["fact"] else label,
                "lead": _lead(label) if label != rule["fact"] else "",
                "partners": [],
            }
            by_key[key] = entry
            rules.append(entry)
        if rule["partner_label"] and rule["outcome"] == "passed":
            entry["partners"].append(rule["partner_label"])
    for entry in rules:
        entry["partners_text"] = list_text(entry["partners"])
    return rules


def _stacking(program: FundingProgram, language: str) -> list[str]:
    stacking = program.stacking if isinstance(program.stacking, dict) else {}
    sentences = []
    categories = stacking.get("no_stack_with") or []
    if categories:
        labels = [
            str(FundingProgram.Category(c).label) if c in FundingProgram.Category.values else str(c)
            for c in categories
        ]
        sentences.append(
            _("It cannot be combined with other programs of these kinds: %(kinds)s.")
            % {"kinds": list_text(labels)}
        )
    if stacking.get("reduces_sred_base"):
        # The engine's own warning, worded by explain.funding_view as on the results page.
        warning = {"code": "reduces_sred_base", "programs": [program.slug], "detail": {}}
        sentences.extend(
            funding_view({"programs": [], "stacking": [warning]}, {}, language)["stacking"]
        )
    return sentences


def program_guide(program: FundingProgram, language: str) -> dict[str, Any]:
    """Who the program is for, what it pays and how it stacks, in the reader's language."""
    result = assess_programs([program.as_rules()], {}).to_dict()
    worded = funding_view(
        result,
        _questions(),
        language,
        names_in_language={program.slug: (program.name_in(language), program.partner_in(language))},
    )
    assessed = worded["programs"][0] if worded["programs"] else None
    if assessed is None:  # an inactive program: the engine never assesses it
        return {
            "rules": [],
            "basis": "",
            "minimum": None,
            "maximum": None,
            "per_year": False,
            "stacking": [],
        }
    detail = (assessed.get("estimate") or {}).get("detail", {})
    return {
        "rules": _rules(assessed),
        "basis": str(assessed["estimate_basis"]),
        "minimum": detail.get("min"),
        "maximum": detail.get("max"),
        "per_year": bool(detail.get("per_year")),
        "stacking": _stacking(program, language),
    }
