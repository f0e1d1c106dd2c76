"""Estimate how long the diagnostic takes a person, step by step, from what each step shows.

A reading-and-answering model, not a stopwatch: words to read at a reading speed, seconds per
answer by kind, and the challenge written at a composing speed. Run it after changing the
questionnaire; the issue notes report its figures.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand

from diagnostics.questionnaire import CURRENT_VERSION, Questionnaire, load_definition, localized

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


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


class Command(BaseCommand):
    help = "Estimate the diagnostic's completion time per step (reading + answering + writing)."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", choices=["en", "fr"])
        parser.add_argument("--challenge-words", type=int, default=100)
        parser.add_argument("--outcome-words", type=int, default=25)
        parser.add_argument("--composing-wpm", type=int, default=25)

    def handle(self, *args, **options) -> None:
        language = options["language"]
        questionnaire = Questionnaire(load_definition(CURRENT_VERSION))
        written = options["challenge_words"] + options["outcome_words"]
        writing_seconds = 60 * written / options["composing_wpm"]
        totals = [0.0, 0.0]
        self.stdout.write(f"{'step':32} {'questions':>9} {'words':>6} {'minutes':>12}")
        for number, step in enumerate(questionnaire.steps, start=1):
            texts = [localized(step["title"], language), localized(step.get("intro"), language)]
            seconds = [0.0, 0.0]
            for question in step["questions"]:
                texts += [
                    localized(question["label"], language),
                    localized(question.get("help"), language),
                ]
                texts += [localized(option, language) for option in question.get("options", [])]
                texts += [localized(anchor, language) for anchor in question.get("anchors", [])]
                for i in (0, 1):
                    seconds[i] += SECONDS_PER_ANSWER[question["type"]][i]
            if any(q["type"] == "text" for q in step["questions"]):
                seconds = [s + writing_seconds for s in seconds]
            count = sum(words(text) for text in texts)
            for i in (0, 1):
                seconds[i] += 60 * count / READING_WPM[i]
                totals[i] += seconds[i]
            title = f"{number}. {localized(step['title'], language)}"
            self.stdout.write(
                f"{title:32} {len(step['questions']):>9} {count:>6} "
                f"{seconds[0] / 60:>5.1f} – {seconds[1] / 60:>4.1f}"
            )
        self.stdout.write(
            f"Total: {totals[0] / 60:.1f} to {totals[1] / 60:.1f} minutes, of which "
            f"{writing_seconds / 60:.1f} writing {written} words at {options['composing_wpm']} "
            "words a minute."
        )
