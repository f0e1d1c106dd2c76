"""Turn a diagnostic's answers into a needs profile. Pure Python: no Django, no database.

`score(answers, questionnaire)` is the whole interface. Answers are the stored values (None or a
missing key means unknown; nothing is defaulted). Questions the questionnaire's skip logic
leaves out are "not applicable", not unknown: they are never listed as facts to find out, and
an answer their skipping implies (`when_skipped`: not incorporated, so not a CCPC) is a fact.
The profile is a plain dict so it can be stored as JSON with the diagnostic and read back
unchanged however this module evolves later: a new SCORING_VERSION never rescores old
diagnostics.

What it computes, and from where:
- technology readiness level: the readiness ladder, stopping at the first "no" or "not sure";
- R&D stage (Frascati, plus adoption): the stated aim, else inferred from uncertainty and TRL;
- SR&ED likelihood: the CRA's 2021 "why" (technological advancement through uncertainty) and
  "how" (systematic investigation) tests, with excluded work, evidence and novelty as modifiers;
- innovation types (Oslo 2018) and capability areas (chosen, else read from the challenge text);
- innovation-management maturity per dimension (mean of the answered 1-5 items) and overall;
- recommendations grouped short / mid / long term, as the CLIC model does;
- warnings for contradictory answers, and the funding facts the business left unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any

import yaml

from .questionnaire import Questionnaire, localized
from .text import detect_language, suggest_capability_areas

SCORING_VERSION = "2026.2"  # 2026.2: skipped questions are not applicable, not unknown
TEXTS_PATH = Path(__file__).resolve().parent / "data" / "scoring_texts.yaml"
TERMS = ("short", "mid", "long")

# The company and project facts the funding rules read (matching/data/funding_programs.yaml).
FUNDING_FACTS = (
    "organization_type",
    "incorporated",
    "province_incorporated",
    "years_incorporated",
    "fte_ontario",
    "fte_global",
    "ccpc",
    "has_cra_business_number",
    "has_canadian_operations",
    "has_ontario_operations",
    "taxable_capital_prior",
    "taxable_income_prior",
)
PROJECT_FACTS = (
    "sector",
    "municipality",
    "region",
    "budget_cash",
    "wants_students",
    "student_levels",
    "work_location",
    "novelty",
    "timeline",
    "ip_ownership",
    "ip_kinds",
)
# Facts most programs test: worth a recommendation when unknown.
DECISIVE_FACTS = ("organization_type", "incorporated", "fte_ontario", "has_canadian_operations")
# Business-process innovation points to expertise even when the text does not say so.
AREAS_FROM_INNOVATION_TYPES = {
    "process-logistics": "supply-chain",
    "process-marketing": "business-strategy",
    "process-ict": "software",
    "process-administration": "business-strategy",
}
MATCHED_CASH_THRESHOLD = 7500  # a Mitacs unit's partner share


@cache
def texts() -> dict[str, Any]:
    with open(TEXTS_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _text(section: str, code: str | int, **fields: Any) -> dict[str, str]:
    """A bilingual text with its {fields} filled in; fields may themselves be bilingual."""
    entry = texts()[section][code]
    return {
        language: entry[language].format(
            **{k: v[language] if isinstance(v, dict) else v for k, v in fields.items()}
        )
        for language in ("en", "fr")
    }


def _join(labels: list[dict[str, str]]) -> dict[str, str]:
    return {language: ", ".join(label[language] for label in labels) for language in ("en", "fr")}


def _question_labels(questionnaire: Questionnaire, ids: list[str]) -> dict[str, str]:
    return _join(
        [
            {
                language: localized(questionnaire.by_id[qid]["label"], language)
                for language in ("en", "fr")
            }
            for qid in ids
            if qid in questionnaire.by_id
        ]
    )


def _option_label(questionnaire: Questionnaire, qid: str, value: Any) -> dict[str, str]:
    return {language: questionnaire.option_label(qid, value, language) for language in ("en", "fr")}


def score(answers: Mapping[str, Any], questionnaire: Questionnaire) -> dict[str, Any]:
    not_applicable = questionnaire.skipped_questions(answers)
    applicable = {
        **{key: value for key, value in answers.items() if key not in not_applicable},
        **questionnaire.implied_answers(answers),
    }
    known = {key: value for key, value in applicable.items() if value is not None and value != ""}
    warnings: list[dict[str, Any]] = []

    facts = _facts(known, warnings)
    trl, trl_note = _trl(known, questionnaire, warnings)
    rd_stage, rd_stage_reason = _rd_stage(known, trl, questionnaire, warnings)
    sred = _sred(known, rd_stage, questionnaire, warnings, not_applicable)
    areas, related_areas = _capability_areas(known)
    maturity = _maturity(known, questionnaire)
    unknown_facts = [
        fact for fact in FUNDING_FACTS if fact not in facts and fact not in not_applicable
    ]
    if unknown_facts:
        warnings.append(
            {
                "code": "unknown_facts",
                "text": _text(
                    "warnings",
                    "unknown_facts",
                    questions=_question_labels(questionnaire, unknown_facts),
                ),
            }
        )
    challenge = str(known.get("challenge", ""))
    profile = {
        "scoring_version": SCORING_VERSION,
        "questionnaire_version": questionnaire.version,
        "challenge": challenge,
        "desired_outcome": str(known.get("desired_outcome", "")),
        "language": detect_language(challenge),
        "facts": {**facts, "rd_stage": rd_stage, "trl_current": trl},
        "unknown_facts": unknown_facts,
        "not_applicable": sorted(not_applicable),
        "trl": trl,
        "trl_meaning": _text("trl_meanings", trl) if trl is not None else None,
        "trl_note": trl_note,
        "rd_stage": rd_stage,
        "rd_stage_meaning": _text("rd_stage_meanings", rd_stage) if rd_stage else None,
        "rd_stage_reason": rd_stage_reason,
        "innovation_types": [str(t) for t in known.get("innovation_types", [])],
        "capability_areas": areas,
        "related_capability_areas": related_areas,
        "sred": sred,
        "maturity": maturity,
        "warnings": warnings,
    }
    profile["facts"] = {k: v for k, v in profile["facts"].items() if v is not None}
    profile["recommendations"] = _recommendations(profile, known, questionnaire)
    return profile


def _facts(known: Mapping[str, Any], warnings: list) -> dict[str, Any]:
    facts = {name: known[name] for name in FUNDING_FACTS + PROJECT_FACTS if name in known}
    if (
        "fte_global" in facts
        and "fte_ontario" in facts
        and facts["fte_global"] < facts["fte_ontario"]
    ):
        warnings.append(
            {
                "code": "fte_global_below_ontario",
                "text": _text(
                    "warnings",
                    "fte_global_below_ontario",
                    fte_global=facts["fte_global"],
                    fte_ontario=facts["fte_ontario"],
                ),
            }
        )
        del facts["fte_global"]
    if facts.get("student_levels") and facts.get("wants_students") is not True:
        if facts.get("wants_students") is False:
            warnings.append(
                {
                    "code": "students_without_wish",
                    "text": _text("warnings", "students_without_wish"),
                }
            )
        del facts["student_levels"]
    if facts.get("work_location"):
        facts["onsite_needed"] = facts["work_location"] in ("on_site", "hybrid")
    return facts


def _trl(known, questionnaire: Questionnaire, warnings: list) -> tuple[int | None, dict | None]:
    """The last "yes" of the ladder before the first "no" (or "not sure", or no answer)."""
    ladder = questionnaire.trl_ladder()
    if not ladder or known.get(ladder[0][1]) is None:
        return None, _text("trl_notes", "unknown")
    trl, note, stop = 0, None, None
    for level, qid in ladder:
        answer = known.get(qid)
        if answer is True:
            trl = level
            continue
        stop = level
        if answer is None:
            note = _text("trl_notes", "stopped_unsure", level=level)
        break
    if stop is not None:
        later = [level for level, qid in ladder if level > stop and known.get(qid) is True]
        if later:
            warnings.append(
                {
                    "code": "trl_yes_after_no",
                    "text": _text(
                        "warnings", "trl_yes_after_no", later=later[0], stop=stop, trl=trl
                    ),
                }
            )
    return trl, note


def _rd_stage(known, trl, questionnaire: Questionnaire, warnings: list):
    aim = known.get("rd_aim")
    uncertainty, advance = known.get("rd_uncertainty"), known.get("rd_advance")
    if aim == "adoption" and uncertainty is True and advance is True:
        warnings.append(
            {
                "code": "adoption_with_uncertainty",
                "text": _text("warnings", "adoption_with_uncertainty"),
            }
        )
    if aim == "basic-research" and trl is not None and trl >= 6:
        warnings.append(
            {
                "code": "basic_research_late_trl",
                "text": _text("warnings", "basic_research_late_trl", trl=trl),
            }
        )
    if aim:
        return aim, _text(
            "rd_stage_reasons", "from_aim", aim=_option_label(questionnaire, "rd_aim", aim)
        )
    if uncertainty is False:
        return "adoption", _text("rd_stage_reasons", "inferred_no_uncertainty")
    if uncertainty is True and trl is not None:
        stage = (
            "adoption"
            if trl >= 8
            else "applied-research"
            if trl <= 2
            else "experimental-development"
        )
        return stage, _text("rd_stage_reasons", "inferred_from_trl", trl=trl)
    return None, _text("rd_stage_reasons", "unknown")


def _sred(
    known, rd_stage, questionnaire: Questionnaire, warnings: list, not_applicable=frozenset()
) -> dict[str, Any]:
    """The 2021 CRA test: both "why" and "how" must hold; each reason says which way it went.
    A test whose questions were skipped (the other one decided) is not reported as unanswered."""
    reasons: list[dict[str, Any]] = []
    uncertainty, advance = known.get("rd_uncertainty"), known.get("rd_advance")
    if uncertainty is False:
        why = False
        reasons.append({"met": False, "text": _text("sred_reasons", "why_no_uncertainty")})
    elif advance is False:
        why = False
        reasons.append({"met": False, "text": _text("sred_reasons", "why_no_advance")})
    elif uncertainty is True and advance is True:
        why = True
        reasons.append({"met": True, "text": _text("sred_reasons", "why_met")})
    else:
        why = None
        reasons.append({"met": None, "text": _text("sred_reasons", "why_unknown")})

    how_answers = {qid: known.get(qid) for qid in ("rd_hypotheses", "rd_systematic")}
    missing = [qid for qid, answer in how_answers.items() if answer is False]
    if missing:
        how: bool | None = False
        labels = _join([texts()["sred_how_items"][qid] for qid in missing])
        reasons.append({"met": False, "text": _text("sred_reasons", "how_missing", missing=labels)})
    elif all(answer is True for answer in how_answers.values()):
        how = True
        reasons.append({"met": True, "text": _text("sred_reasons", "how_met")})
    else:
        how = None
        if not set(how_answers) <= set(not_applicable):
            reasons.append({"met": None, "text": _text("sred_reasons", "how_unknown")})

    # Modifiers: each can lower the band by one, never raise it.
    penalties = 0
    if known.get("rd_records") is False:
        penalties += 1
        reasons.append({"met": False, "text": _text("sred_reasons", "records_missing")})
    if known.get("rd_qualified") is False:
        penalties += 1
        reasons.append({"met": False, "text": _text("sred_reasons", "qualified_missing")})
    if known.get("novelty") == "firm":
        penalties += 1
        reasons.append({"met": False, "text": _text("sred_reasons", "novelty_firm")})
        if advance is True:
            warnings.append(
                {
                    "code": "advance_but_new_to_firm",
                    "text": _text("warnings", "advance_but_new_to_firm"),
                }
            )
    excluded = [value for value in known.get("rd_excluded", []) if value != "none"]
    if excluded:
        if "none" in known.get("rd_excluded", []):
            warnings.append(
                {"code": "excluded_and_none", "text": _text("warnings", "excluded_and_none")}
            )
        labels = _join([_option_label(questionnaire, "rd_excluded", value) for value in excluded])
        reasons.append({"met": False, "text": _text("sred_reasons", "excluded", excluded=labels)})
    if rd_stage == "adoption":
        reasons.append({"met": False, "text": _text("sred_reasons", "adoption")})

    if why is False or how is False or rd_stage == "adoption" or excluded:
        band = "unlikely"
    elif why is None or how is None:
        band = "unknown"
    else:
        band = ("likely", "possible", "unlikely")[min(penalties, 2)]
    return {"band": band, "label": _text("sred_bands", band), "reasons": reasons}


def _capability_areas(known) -> tuple[list[dict[str, Any]], list[str]]:
    """The areas the business kept (or, if it never saw the step, those read from its text)."""
    suggestions = {s.area: s for s in suggest_capability_areas(str(known.get("challenge", "")))}
    if "capability_areas" in known:
        chosen = [str(area) for area in known["capability_areas"]]
        source = "chosen"
    else:
        chosen = list(suggestions)
        source = "text"
    areas = [
        {
            "slug": area,
            "source": source,
            "terms": list(suggestions[area].terms) if area in suggestions else [],
        }
        for area in chosen
    ]
    related = [
        AREAS_FROM_INNOVATION_TYPES[kind]
        for kind in known.get("innovation_types", [])
        if kind in AREAS_FROM_INNOVATION_TYPES and AREAS_FROM_INNOVATION_TYPES[kind] not in chosen
    ]
    return areas, list(dict.fromkeys(related))


def maturity_level(value: float) -> str:
    if value < 2:
        return "beginning"
    if value < 3:
        return "developing"
    if value < 4:
        return "established"
    return "leading"


def _maturity(known, questionnaire: Questionnaire) -> dict[str, Any]:
    dimensions = []
    for dimension in questionnaire.maturity_dimensions():
        items = questionnaire.maturity_items(dimension["id"])
        values = [int(known[qid]) for qid in items if known.get(qid) is not None]
        value = round(mean(values), 2) if values else None
        dimensions.append(
            {
                "id": dimension["id"],
                "label": dict(dimension["label"]),
                "score": value,
                "level": maturity_level(value) if value is not None else None,
                "answered": len(values),
                "items": len(items),
            }
        )
    scored = [d["score"] for d in dimensions if d["score"] is not None]
    overall = round(mean(scored), 2) if scored else None
    return {
        "dimensions": dimensions,
        "overall": overall,
        "overall_level": maturity_level(overall) if overall is not None else None,
        "levels": texts()["maturity_levels"],
    }


def _recommendations(profile, known, questionnaire: Questionnaire) -> dict[str, list[dict]]:
    """Rules over the profile, each naming why it applies; grouped by term, in rule order."""
    chosen: list[tuple[str, dict[str, Any]]] = []
    trl, band, facts = profile["trl"], profile["sred"]["band"], profile["facts"]

    def add(code: str, **fields: Any) -> None:
        chosen.append((code, fields))

    add("scope_with_expert")
    if trl is not None and trl <= 3:
        add("feasibility_study")
    if band in ("likely", "possible"):
        add("keep_records")
    decisive_unknown = [fact for fact in DECISIVE_FACTS if fact not in facts]
    if decisive_unknown:
        add("answer_unknown_facts", questions=_question_labels(questionnaire, decisive_unknown))
    if facts.get("budget_cash", 0) < MATCHED_CASH_THRESHOLD:
        add("set_cash_budget")
    if facts.get("ip_ownership") in (None, "undecided"):
        add("agree_ip_early")
    if facts.get("wants_students") is True:
        add("plan_students")
    if facts.get("incorporated") is False:
        add("incorporate")
    if trl is not None and 4 <= trl <= 6:
        add("prototype_validation")
    if trl is not None and 7 <= trl <= 8:
        add("pilot_and_certify")
    if profile["rd_stage"] == "adoption":
        add("adoption_support")
    weak = [
        d for d in profile["maturity"]["dimensions"] if d["score"] is not None and d["score"] < 3
    ]
    for dimension in sorted(weak, key=lambda d: d["score"])[:2]:
        add(f"maturity_{dimension['id']}")
    if facts.get("novelty") == "world":
        add("patent_strategy")
    if band in ("likely", "possible"):
        add("file_sred")
    if trl is not None and trl >= 7:
        add("commercialize")
    overall = profile["maturity"]["overall"]
    if overall is None or overall < 3:
        add("innovation_routine")
    add("lasting_partnership")

    grouped: dict[str, list[dict]] = {term: [] for term in TERMS}
    for code, fields in chosen:
        entry = texts()["recommendations"].get(code)
        if entry is None:  # a maturity dimension without its own advice
            continue
        grouped[entry["term"]].append(
            {"code": code, "text": _text("recommendations", code, **fields)}
        )
    return grouped
