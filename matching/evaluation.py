"""Challenges in the evaluation format turned into needs profiles, as a diagnostic would.

The mapping from a challenge's fields to diagnostic answers (everything else stays unknown):

    challenge, desired_outcome   → the same answers
    sector (NAICS), municipality, region, budget_cash, wants_students → the same answers
    employees                    → fte_ontario
    onsite_needed                → work_location: on_site (true) or remote (false)
    stage_hint                   → the readiness ladder answered "yes" up to the low end of the
                                   stage's TRL range, then left unanswered, so the needs profile's
                                   TRL is that low end and the engine looks two levels up:
                                   idea 1–3, prototype 3–5, lab-tested 4–6, pilot 6–8,
                                   in-production 7–9
    capability areas             → not answered: scoring reads them from the text, as the
                                   wizard pre-ticks them
The `relevance` labels are never read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from diagnostics.questionnaire import Questionnaire, load_definition
from diagnostics.scoring import score

STAGE_TRL_RANGES = {
    "idea": (1, 3),
    "prototype": (3, 5),
    "lab-tested": (4, 6),
    "pilot": (6, 8),
    "in-production": (7, 9),
}
COPIED = (
    "challenge",
    "desired_outcome",
    "sector",
    "municipality",
    "region",
    "budget_cash",
    "wants_students",
)


def challenge_answers(challenge: Mapping[str, Any]) -> dict[str, Any]:
    answers = {key: challenge[key] for key in COPIED if challenge.get(key) is not None}
    if challenge.get("employees") is not None:
        answers["fte_ontario"] = challenge["employees"]
    if challenge.get("onsite_needed") is not None:
        answers["work_location"] = "on_site" if challenge["onsite_needed"] else "remote"
    trl_range = STAGE_TRL_RANGES.get(str(challenge.get("stage_hint")))
    if trl_range:
        for level in range(1, trl_range[0] + 1):
            answers[f"trl_{level}"] = True
    return answers


def challenge_needs(challenge: Mapping[str, Any], questionnaire: Questionnaire | None = None):
    return score(challenge_answers(challenge), questionnaire or Questionnaire(load_definition()))
