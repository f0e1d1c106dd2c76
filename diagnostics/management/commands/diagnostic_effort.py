"""Estimate how long the diagnostic takes a person, step by step, from what each step shows.

The model and the typical path are in diagnostics/effort.py, which the pages that promise a
duration read too: the number printed last is the one the home page and the dashboard show.
Run it after changing the questionnaire; the issue notes report its figures.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from diagnostics import effort
from diagnostics.questionnaire import CURRENT_VERSION, Questionnaire, load_definition


class Command(BaseCommand):
    help = (
        "Estimate the diagnostic's completion time per step (reading + answering + writing), "
        "for the questions a typical business is shown."
    )

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", choices=list(effort.LANGUAGES))
        parser.add_argument("--questionnaire", type=int, default=CURRENT_VERSION, dest="q_version")
        parser.add_argument(
            "--every-question",
            action="store_true",
            help="Count every question, as if none were skipped.",
        )
        parser.add_argument("--challenge-words", type=int, default=effort.CHALLENGE_WORDS)
        parser.add_argument("--outcome-words", type=int, default=effort.OUTCOME_WORDS)
        parser.add_argument("--composing-wpm", type=int, default=effort.COMPOSING_WPM)

    def handle(self, *args, **options) -> None:
        questionnaire = Questionnaire(load_definition(options["q_version"]))
        result = effort.estimate(
            questionnaire,
            language=options["language"],
            answers=None if options["every_question"] else effort.TYPICAL_PATH,
            challenge_words=options["challenge_words"],
            outcome_words=options["outcome_words"],
            composing_wpm=options["composing_wpm"],
        )
        path = "every question" if options["every_question"] else "typical path"
        self.stdout.write(f"Questionnaire v{questionnaire.version}, {path}")
        self.stdout.write(
            f"{'step':34} {'questions':>9} {'inputs':>6} {'words':>6} {'minutes':>12}"
        )
        for step in result.steps:
            title = f"{step.number}. {step.title}"
            self.stdout.write(
                f"{title:34} {step.questions:>9} {step.inputs:>6} {step.words:>6} "
                f"{step.seconds[0] / 60:>5.1f} – {step.seconds[1] / 60:>4.1f}"
            )
        quick, careful = result.minutes
        self.stdout.write(
            f"Total: {result.questions} questions, {result.inputs} inputs, {quick:.1f} to "
            f"{careful:.1f} minutes, of which {result.writing_seconds / 60:.1f} writing "
            f"{result.written_words} words at {options['composing_wpm']} words a minute."
        )
        said = (
            "Promised on the home page and the dashboard"
            if questionnaire.version == CURRENT_VERSION
            else "Not the current version; it would promise"
        )
        self.stdout.write(
            f"{said}: about {effort.promised_minutes_for(questionnaire)} minutes (halfway "
            "between quick and careful on the typical path, slower language, rounded up)."
        )
