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


# --- Labelled challenges against the stored catalogue (evaluate_matching, fit_matching_weights)


def read_challenges(path) -> list[dict]:
    """The challenges of a JSON-lines file; ValueError says what is wrong and where."""
    import json
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        raise ValueError(f"No such file: {path}")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON ({error.msg}).") from error
        if not isinstance(row, dict) or "id" not in row or "challenge" not in row:
            raise ValueError(f"{path}:{number}: a challenge needs an id and a challenge.")
        rows.append(row)
    if not rows:
        raise ValueError(f"{path} holds no challenges.")
    return rows


def challenge_query(row: Mapping[str, Any]):
    from .engine.needs import query_from_needs

    # Only the challenge's own fields reach the engine: never its labels.
    unlabelled = {key: value for key, value in row.items() if key != "relevance"}
    return query_from_needs(challenge_needs(unlabelled))


class Corpus:
    """The active profiles indexed with their embeddings, and the challenges as queries."""

    def __init__(self, rows: list[dict]):
        from . import embedding
        from .engine.index import ProfileIndex
        from .search import engine_profiles

        self.profiles = engine_profiles()
        if not self.profiles:
            raise ValueError("No expertise profiles: run `manage.py load_catalogue` first.")
        embedding.embed_passages(embedding.passages_of(self.profiles))  # only what is new
        self.index = ProfileIndex.build(self.profiles)
        self.index.with_meaning(embedding.meaning_index(self.profiles))
        self.rows = rows
        self.queries = {row["id"]: challenge_query(row) for row in rows}
        model = self.index.meaning.model if self.index.meaning else ""
        self.vectors = {
            cid: embedding.challenge_vector(query.text, model) if model else None
            for cid, query in self.queries.items()
        }

    @property
    def labelled(self) -> list[dict]:
        return [row for row in self.rows if row.get("relevance")]

    def grades(self, row: Mapping[str, Any]) -> dict[str, int]:
        return {pid: int(grade) for pid, grade in row["relevance"].items()}

    def cross_validated(self, folds: int, seed: int):
        """The labelled challenges as arrays, and {challenge id: the fit made without its
        fold}; ValueError if `folds` is not a number of folds these challenges allow."""
        from .engine import fitting

        challenges = self.fitting_challenges()
        if not 2 <= folds <= len(challenges):
            raise ValueError(
                f"--folds must be between 2 and the number of labelled challenges "
                f"({len(challenges)}), not {folds}."
            )
        return challenges, fitting.cross_validate(challenges, folds, seed)

    def fitting_challenges(self):
        """The labelled challenges as arrays for `engine.fitting`."""
        from .engine import fitting
        from .engine.ranking import signals_for

        position = {pid: i for i, pid in enumerate(self.index.ids)}
        challenges = []
        for row in self.labelled:
            found = signals_for(self.index, self.queries[row["id"]], self.vectors[row["id"]])
            challenges.append(
                fitting.Challenge(
                    id=row["id"],
                    values=found.values,
                    capped=found.capped,
                    eligible=found.eligible,
                    grades={
                        position[pid]: grade
                        for pid, grade in self.grades(row).items()
                        if pid in position
                    },
                )
            )
        return challenges
