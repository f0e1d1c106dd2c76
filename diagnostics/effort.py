"""How long the diagnostic takes: the one estimate behind every duration the site promises.

A reading-and-answering model, not a stopwatch: the words a step shows, read at a reading speed,
seconds per answer by kind of question, and the challenge written at a composing speed. Only the
questions a typical business is shown count: the skip logic is applied to TYPICAL_PATH, the
answers that decide which questions apply. `manage.py diagnostic_effort` prints the details;
the home page, the dashboard and the start page say `promised_minutes()`.

Pure Python (no Django), like the questionnaire it reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .questionnaire import (
    CURRENT_VERSION,
    RADIO_LIMIT,
    Questionnaire,
    load_definition,
    localized,
)

SECONDS_PER_ANSWER = {  # (quick, careful): a click, or a number someone may have to look up
    "choice": (3, 6),
    "boolean": (3, 6),
    "scale": (4, 8),
    "multi_choice": (5, 10),
    "integer": (5, 15),
    "money": (6, 20),
    "short_text": (5, 10),
    "text": (0, 0),  # counted as writing
}
READING_WPM = (300, 200)  # skimming, reading every option
CHALLENGE_WORDS, OUTCOME_WORDS, COMPOSING_WPM = 100, 25, 25
LANGUAGES = ("en", "fr")

# The answers that decide which questions a typical business sees: an incorporated Ontario
# company with a research question (the longer path: adopting existing technology skips the
# SR&ED details), wanting students, new to its market, readiness level 4 (a "no" at rung 5).
# Every other question is shown, as it is until answered.
TYPICAL_PATH: dict[str, Any] = {
    "organization_type": "for_profit",
    "incorporated": True,
    "has_ontario_operations": True,
    "novelty": "market",
    "rd_aim": "experimental-development",
    "wants_students": True,
    "trl_1": True,
    "trl_2": True,
    "trl_3": True,
    "trl_4": True,
    "trl_5": False,
    "rd_uncertainty": True,
    "rd_advance": True,
}


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def input_count(question: Mapping[str, Any]) -> int:
    """The form controls a question shows (each radio button and check box counts)."""
    kind = question["type"]
    if kind == "choice":
        options = len(question.get("options", []))
        if options > RADIO_LIMIT:
            return 1  # a drop-down
        return options + (0 if question.get("required") else 1)  # + "I don't know"
    if kind == "multi_choice":
        return len(question.get("options", []))
    if kind == "boolean":
        return 3  # yes, no, I don't know
    if kind == "scale":
        return len(question["anchors"]) + 1  # + "Not sure"
    return 1


@dataclass(frozen=True)
class StepEffort:
    number: int
    title: str
    questions: int
    inputs: int
    words: int
    seconds: tuple[float, float]  # quick, careful


@dataclass(frozen=True)
class Effort:
    steps: list[StepEffort]
    written_words: int
    writing_seconds: float

    @property
    def questions(self) -> int:
        return sum(step.questions for step in self.steps)

    @property
    def inputs(self) -> int:
        return sum(step.inputs for step in self.steps)

    @property
    def minutes(self) -> tuple[float, float]:
        return (
            sum(step.seconds[0] for step in self.steps) / 60,
            sum(step.seconds[1] for step in self.steps) / 60,
        )


def estimate(
    questionnaire: Questionnaire,
    *,
    language: str = "en",
    answers: Mapping[str, Any] | None = TYPICAL_PATH,
    challenge_words: int = CHALLENGE_WORDS,
    outcome_words: int = OUTCOME_WORDS,
    composing_wpm: int = COMPOSING_WPM,
) -> Effort:
    """The effort of each step for the questions `answers` leave shown (None: every question)."""
    skipped = questionnaire.skipped_questions(answers) if answers is not None else set()
    written = challenge_words + outcome_words
    writing_seconds = 60 * written / composing_wpm
    steps = []
    for number, step in enumerate(questionnaire.steps, start=1):
        shown = [q for q in step["questions"] if q["id"] not in skipped]
        texts = [localized(step["title"], language), localized(step.get("intro"), language)]
        seconds = [0.0, 0.0]
        for question in shown:
            texts += [
                localized(question["label"], language),
                localized(question.get("help"), language),
            ]
            texts += [localized(option, language) for option in question.get("options", [])]
            texts += [localized(anchor, language) for anchor in question.get("anchors", [])]
            for i in (0, 1):
                seconds[i] += SECONDS_PER_ANSWER[question["type"]][i]
        if any(q["type"] == "text" for q in shown):
            seconds = [s + writing_seconds for s in seconds]
        count = sum(words(text) for text in texts)
        for i in (0, 1):
            seconds[i] += 60 * count / READING_WPM[i]
        steps.append(
            StepEffort(
                number=number,
                title=localized(step["title"], language),
                questions=len(shown),
                inputs=sum(input_count(q) for q in shown),
                words=count,
                seconds=(seconds[0], seconds[1]),
            )
        )
    return Effort(steps=steps, written_words=written, writing_seconds=writing_seconds)


def promised_minutes_for(questionnaire: Questionnaire) -> int:
    """The duration to promise ("about N minutes"): halfway between the quick and the careful
    reader on the typical path, in the slower language, rounded up to a whole minute."""
    return math.ceil(
        max(sum(estimate(questionnaire, language=language).minutes) / 2 for language in LANGUAGES)
    )


@cache
def promised_minutes(version: int | None = None) -> int:
    """`promised_minutes_for` the current questionnaire (or `version`), read once a process."""
    return promised_minutes_for(Questionnaire(load_definition(version or CURRENT_VERSION)))
