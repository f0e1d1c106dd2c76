"""The diagnostic's questionnaire: versioned data files, frozen when published.

Pure Python (no Django), so the scoring module and tests read it the same way the site does.
A definition is a plain dict (see questionnaires/v1.yaml); `Questionnaire` is a read-only view.
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
CURRENT_VERSION = 1
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
    return definition


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
