"""The diagnostic's questionnaire: versioned data files, frozen when published.

Pure Python (no Django), so the scoring module and tests read it the same way the site does.
A definition is a plain dict (see questionnaires/v2.yaml); `Questionnaire` is a read-only view.

Skip logic is data too: a question's `show_if` names an earlier question and the answers under
which it applies (see `condition_holds`). `Questionnaire.skipped_questions` decides, from stored
answers, which questions do not apply; the wizard, the API, the scoring and the effort estimate
all ask it, so a skipped question is "not applicable" everywhere, never a missing answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from ocip import taxonomy

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
CURRENT_VERSION = 2
QUESTION_TYPES = {
    "choice",
    "multi_choice",
    "boolean",
    "integer",
    "money",
    "short_text",
    "text",
    "scale",
}
RADIO_LIMIT = 6  # longer single-choice lists are drop-downs
# show_if operators: `equals` / `in` hold when the stored answer is (one of) the value(s);
# `not_equals` / `not_in` hold when it is not, so "I don't know" (None) keeps the question.
CONDITION_OPERATORS = ("equals", "not_equals", "in", "not_in")
# Questions another one may depend on: a single answer, compared as stored.
CONTROLLER_TYPES = {"boolean", "choice"}


def has_version(version: int) -> bool:
    return version >= 1 and (QUESTIONNAIRE_DIR / f"v{version}.yaml").is_file()


def load_definition(version: int = CURRENT_VERSION) -> dict[str, Any]:
    """Read a version's file and resolve its `options_from` lists, so the result is frozen."""
    with open(QUESTIONNAIRE_DIR / f"v{version}.yaml", encoding="utf-8") as handle:
        definition = yaml.safe_load(handle)
    if definition.get("version") != version:
        raise ValueError(
            f"questionnaires/v{version}.yaml declares version {definition.get('version')}"
        )
    for step in definition["steps"]:
        for question in step["questions"]:
            if question["type"] not in QUESTION_TYPES:
                raise ValueError(f"{question['id']}: unknown question type {question['type']!r}")
            source = question.pop("options_from", None)
            if source:
                question["options"] = _options_from(source)
    _check_conditions(definition)
    return definition


def _check_conditions(definition: Mapping[str, Any]) -> None:
    """Every show_if names an earlier single-answer question and one known operator."""
    seen: dict[str, Mapping[str, Any]] = {}
    for step in definition["steps"]:
        for question in step["questions"]:
            for condition in conditions(question):
                controller = seen.get(str(condition.get("question")))
                if controller is None:
                    raise ValueError(
                        f"{question['id']}: show_if must name an earlier question, "
                        f"not {condition.get('question')!r}"
                    )
                if controller["type"] not in CONTROLLER_TYPES:
                    raise ValueError(
                        f"{question['id']}: show_if on a {controller['type']} question"
                    )
                operators = [op for op in CONDITION_OPERATORS if op in condition]
                if len(operators) != 1 or set(condition) != {"question", operators[0]}:
                    raise ValueError(f"{question['id']}: show_if needs exactly one operator")
            if "when_skipped" in question and not conditions(question):
                raise ValueError(f"{question['id']}: when_skipped without show_if")
            seen[question["id"]] = question


def _options_from(source: str) -> list[dict[str, str]]:
    if source == "regions":
        return [{"value": name, "en": name, "fr": name} for name in taxonomy.regions()]
    return [
        {"value": slug, "en": labels["en"], "fr": labels["fr"]}
        for slug, labels in taxonomy.taxonomy()[source].items()
    ]


def checksum(definition: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(definition, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def localized(texts: Mapping[str, str] | None, language: str) -> str:
    """The `language` text of an {"en": ..., "fr": ...} mapping, English as the fallback."""
    if not texts:
        return ""
    return texts.get(language) or texts.get("en", "")


def conditions(question: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A question's show_if as a list of conditions, all of which must hold (none: always)."""
    show_if = question.get("show_if")
    if not show_if:
        return []
    return list(show_if) if isinstance(show_if, list) else [show_if]


def _same(a: Any, b: Any) -> bool:
    """Equal as stored answers: True is not 1 and False is not 0."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def condition_values(condition: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """("in" or "not_in", the values compared), whichever operator the condition uses."""
    for operator in CONDITION_OPERATORS:
        if operator in condition:
            value = condition[operator]
            values = list(value) if operator in ("in", "not_in") else [value]
            return ("in" if operator in ("equals", "in") else "not_in"), values
    raise ValueError(f"no operator in {condition!r}")


def condition_holds(condition: Mapping[str, Any], answer: Any) -> bool:
    """Whether a stored `answer` (None: "I don't know" or left blank) meets the condition."""
    operator, values = condition_values(condition)
    listed = any(_same(answer, value) for value in values)
    return listed if operator == "in" else not listed


class Questionnaire:
    """A published definition, with the lookups the wizard and the scoring need."""

    def __init__(self, definition: Mapping[str, Any]):
        self.definition = definition
        self.version: int = definition["version"]
        self.steps: list[Mapping[str, Any]] = list(definition["steps"])

    @property
    def step_count(self) -> int:
        return len(self.steps)

    def step(self, number: int) -> Mapping[str, Any]:
        """Steps are numbered from 1, as users see them."""
        if not 1 <= number <= self.step_count:
            raise KeyError(number)
        return self.steps[number - 1]

    def questions(self) -> Iterator[Mapping[str, Any]]:
        for step in self.steps:
            yield from step["questions"]

    @cached_property
    def by_id(self) -> dict[str, Mapping[str, Any]]:
        return {question["id"]: question for question in self.questions()}

    def option_label(self, question_id: str, value: Any, language: str) -> str:
        for option in self.by_id[question_id].get("options", []):
            if str(option["value"]) == str(value):
                return localized(option, language)
        return str(value)

    def trl_ladder(self) -> list[tuple[int, str]]:
        """(level, question id) of the readiness ladder, lowest level first."""
        return sorted(
            (question["trl_level"], question["id"])
            for question in self.questions()
            if "trl_level" in question
        )

    def maturity_dimensions(self) -> list[Mapping[str, Any]]:
        return list(self.definition.get("maturity_dimensions", []))

    def maturity_items(self, dimension: str) -> list[str]:
        return [
            question["id"]
            for question in self.questions()
            if question["type"] == "scale" and question.get("dimension") == dimension
        ]

    def skipped_questions(self, answers: Mapping[str, Any]) -> set[str]:
        """The questions that do not apply, given stored `answers`.

        In questionnaire order, a question is skipped when a question its show_if names is
        skipped, or has a stored answer (None included) that fails the condition. A question
        whose controlling question has no stored answer yet (its step was never saved) is not
        skipped: it is shown until an answer says otherwise.
        """
        skipped: set[str] = set()
        for question in self.questions():
            for condition in conditions(question):
                controller = condition["question"]
                if controller in skipped or (
                    controller in answers and not condition_holds(condition, answers[controller])
                ):
                    skipped.add(question["id"])
                    break
        return skipped

    def applicable_answers(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """`answers` without those to skipped questions (a changed answer can skip later ones)."""
        skipped = self.skipped_questions(answers)
        return {qid: value for qid, value in answers.items() if qid not in skipped}

    def implied_answers(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The `when_skipped` value of each question skipped by its own condition: what the
        answer that skipped it implies (not incorporated: not a CCPC). A question skipped only
        because the question it depends on was skipped implies nothing."""
        skipped = self.skipped_questions(answers)
        implied = {}
        for question in self.questions():
            if question["id"] not in skipped or "when_skipped" not in question:
                continue
            controllers = {condition["question"] for condition in conditions(question)}
            if not controllers & skipped:
                implied[question["id"]] = question["when_skipped"]
        return implied

    def shown_questions(self, answers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The questions that apply, in order (all of them when nothing is answered yet)."""
        skipped = self.skipped_questions(answers)
        return [question for question in self.questions() if question["id"] not in skipped]

    def step_number_of(self, question_id: str) -> int:
        for number, step in enumerate(self.steps, start=1):
            if any(question["id"] == question_id for question in step["questions"]):
                return number
        raise KeyError(question_id)
