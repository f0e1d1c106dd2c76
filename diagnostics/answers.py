"""The diagnostic's steps as forms: one form per questionnaire step, built from its data.

The wizard, the API and submission all validate answers through these forms. A form leaves out
the questions that the diagnostic's other answers skip (questionnaire.skipped_questions), and
drops, after cleaning, those that its own answers skip: a skipped question is never required
and its answer is never kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .questionnaire import RADIO_LIMIT, Questionnaire, condition_values, conditions, localized

BOOLEAN_TO_FORM = {True: "yes", False: "no", None: "unknown"}
FORM_TO_BOOLEAN = {value: key for key, value in BOOLEAN_TO_FORM.items()}
MONEY_SEPARATORS = re.compile(r"[\s$\u00a0\u202f]")
THOUSANDS = re.compile(r"^\d{1,3}([,.]\d{3})+$")


class MoneyField(forms.IntegerField):
    """Whole dollars; accepts "$40,000", "40 000 $" and "40000"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = MONEY_SEPARATORS.sub("", value)
            if THOUSANDS.match(value):
                value = re.sub(r"[,.]", "", value)
        return super().to_python(value)


def _field(
    question: Mapping[str, Any], language: str, *, required: bool, suggestions
) -> forms.Field:
    kind = question["type"]
    common: dict[str, Any] = {
        "label": localized(question["label"], language),
        "help_text": localized(question.get("help"), language),
        "required": required,
    }
    options: list[tuple[str, Any]] = [
        (str(o["value"]), localized(o, language)) for o in question.get("options", [])
    ]
    if kind == "choice":
        if len(options) > RADIO_LIMIT:
            return forms.ChoiceField(choices=[("", _("Not answered"))] + options, **common)
        if not required:
            options.append(("", _("I don't know")))
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == "multi_choice":
        if suggestions:
            options = [
                (
                    value,
                    _("%(label)s (suggested: %(terms)s)")
                    % {"label": label, "terms": ", ".join(f"“{t}”" for t in suggestions[value])},
                )
                if value in suggestions
                else (value, label)
                for value, label in options
            ]
        field = forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
        if question.get("max_choices"):
            field.validators.append(_max_choices(question["max_choices"]))
        return field
    if kind == "boolean":
        choices = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("I don't know"))]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == "scale":
        anchors = [
            (str(n), f"{n} – {localized(a, language)}")
            for n, a in enumerate(question["anchors"], 1)
        ]
        return forms.ChoiceField(
            choices=[*anchors, ("", _("Not sure"))], widget=forms.RadioSelect, **common
        )
    if kind in ("integer", "money"):
        field_class = MoneyField if kind == "money" else forms.IntegerField
        return field_class(
            min_value=question.get("min"),
            max_value=question.get("max"),
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if kind == "text":
        return forms.CharField(
            min_length=question.get("min_length"),
            max_length=question["max_length"],
            widget=forms.Textarea(attrs={"rows": 8 if question.get("min_length") else 3}),
            **common,
        )
    return forms.CharField(max_length=question["max_length"], **common)  # short_text


def _max_choices(limit: int):
    def validate(values):
        if len(values) > limit:
            raise ValidationError(
                _("Choose at most %(limit)d.") % {"limit": limit}, code="max_choices"
            )

    return validate


def _stored(question: Mapping[str, Any], value: Any) -> Any:
    """A cleaned form value as stored: booleans, ints, lists, text; None when unknown."""
    kind = question["type"]
    if kind == "boolean":
        return FORM_TO_BOOLEAN.get(value) if value else None
    if kind == "scale":
        return int(value) if value else None
    if kind == "multi_choice":
        return list(value or [])
    if kind in ("text", "short_text", "choice"):
        return value or None
    return value


def _form_values(controller: Mapping[str, Any], values: list[Any]) -> list[str]:
    """Stored answers as the values a controlling question's inputs carry ("" when none)."""
    shown: list[str] = []
    for value in values:
        if controller["type"] == "boolean":
            shown.append(BOOLEAN_TO_FORM[value])
        if value is None:
            shown.append("")  # nothing picked is unknown too
        elif controller["type"] != "boolean":
            shown.append(str(value))
    return shown


class StepForm(forms.Form):
    """The questions of one step that apply. `partial` relaxes required answers (going back,
    saving). `answers` are the diagnostic's stored answers: they decide which questions apply
    (see questionnaire.skipped_questions); a question skipped by them has no field at all."""

    def __init__(
        self,
        *args,
        questionnaire: Questionnaire,
        number: int,
        language: str,
        partial: bool = False,
        suggestions: Mapping[str, tuple[str, ...]] | None = None,
        answers: Mapping[str, Any] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.step = questionnaire.step(number)
        self.context_answers = dict(answers or {})
        skipped = questionnaire.skipped_questions(self.context_answers)
        self.questions = {q["id"]: q for q in self.step["questions"] if q["id"] not in skipped}
        self.partial = partial
        self.skipped_here: set[str] = set()
        for qid, question in self.questions.items():
            required = bool(question.get("required")) and not partial
            if conditions(question):
                required = False  # checked in clean(), once it is known whether it applies
            self.fields[qid] = _field(
                question, language, required=required, suggestions=suggestions
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        given = {
            qid: _stored(self.questions[qid], cleaned[qid])
            for qid in self.questions
            if qid in cleaned
        }
        skipped = self.questionnaire.skipped_questions({**self.context_answers, **given})
        self.skipped_here = skipped & set(self.questions)
        for qid in self.skipped_here:
            self.errors.pop(qid, None)
            cleaned.pop(qid, None)
        for qid, question in self.questions.items():
            if (
                conditions(question)
                and question.get("required")
                and not self.partial
                and qid not in self.skipped_here
                and qid in cleaned
                and given.get(qid) in (None, "", [])
            ):
                self.add_error(qid, self.fields[qid].error_messages["required"])
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The cleaned answers as stored, for the questions that apply."""
        return {
            qid: _stored(question, self.cleaned_data.get(qid))
            for qid, question in self.questions.items()
            if qid not in self.skipped_here
        }

    def reopened(self) -> list[str]:
        """Questions of this step that the new answers make apply but that this form did not
        ask (a "no" on the readiness ladder changed to "yes"): the step must be shown again."""
        merged = {**self.context_answers, **self.answers()}
        skipped = self.questionnaire.skipped_questions(merged)
        return [
            q["id"]
            for q in self.step["questions"]
            if q["id"] not in skipped and q["id"] not in self.questions
        ]

    def rows(self) -> list[dict[str, Any]]:
        """The fields in order, each with its show_if_json, for the step template."""
        return [{"field": self[qid], "show_if": self.show_if_json(qid)} for qid in self.fields]

    def show_if_json(self, qid: str) -> str:
        """The conditions on other questions of this page, for the page's script to show or
        hide the question as they are answered: [{"question", "op": in|not_in, "values"}]."""
        rules = []
        for condition in conditions(self.questions[qid]):
            controller = self.questions.get(condition["question"])
            if controller is None:
                continue  # answered on an earlier step: already decided on the server
            operator, values = condition_values(condition)
            rules.append(
                {
                    "question": condition["question"],
                    "op": operator,
                    "values": _form_values(controller, values),
                }
            )
        return json.dumps(rules) if rules else ""


def stored_step_form(
    questionnaire: Questionnaire,
    number: int,
    answers: Mapping[str, Any],
    *,
    language: str,
    partial: bool = False,
    context: Mapping[str, Any] | None = None,
) -> StepForm:
    """A bound StepForm holding stored (or JSON) answers, to validate them as the wizard does.

    `answers` also decide which questions apply. With `context` (the diagnostic's stored
    answers, when `answers` are one step's new ones, as the API receives them), the other
    steps' answers come from it and this step's questions left out of `answers` count as
    unanswered.
    """
    stored = answers
    if context is not None:
        step_ids = {question["id"]: None for question in questionnaire.step(number)["questions"]}
        stored = {**context, **step_ids, **answers}
    return StepForm(
        answers_as_form_data(questionnaire, number, answers),
        questionnaire=questionnaire,
        number=number,
        language=language,
        partial=partial,
        answers=stored,
    )


# The JSON an answer of each question type takes through the API; null means "don't know" or
# "not answered" where the wizard offers that, and a text question is left out to leave it empty.
_JSON_ANSWERS = {
    "text": (_("Give text (a JSON string)."), lambda v: isinstance(v, str)),
    "short_text": (_("Give text (a JSON string)."), lambda v: isinstance(v, str)),
    "choice": (
        _("Give one option value (a JSON string), or null."),
        lambda v: v is None or isinstance(v, str),
    ),
    "boolean": (_("Give true, false or null."), lambda v: v is None or isinstance(v, bool)),
    "integer": (
        _("Give a whole number (a JSON integer), or null."),
        lambda v: v is None or _is_integer(v),
    ),
    "money": (
        _("Give a whole number of dollars (a JSON integer), or null."),
        lambda v: v is None or _is_integer(v),
    ),
    "scale": (
        _("Give a whole number (a JSON integer), or null."),
        lambda v: v is None or _is_integer(v),
    ),
    "multi_choice": (
        _("Give a list of option values (JSON strings)."),
        lambda v: isinstance(v, list) and all(isinstance(item, str) for item in v),
    ),
}


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def json_answer_errors(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, str]:
    """Answers (by question id) whose JSON type does not fit their question: the API refuses
    them before the step's form reads them, so nothing is read as text that was not text."""
    errors = {}
    for qid, value in answers.items():
        message, fits = _JSON_ANSWERS[questionnaire.by_id[qid]["type"]]
        if not fits(value):
            errors[qid] = str(message)
    return errors


def answers_as_form_data(questionnaire: Questionnaire, number: int, answers: Mapping[str, Any]):
    """Stored (or JSON) answers of one step in the shape a StepForm reads."""
    data: dict[str, Any] = {}
    for question in questionnaire.step(number)["questions"]:
        qid = question["id"]
        if qid not in answers:
            continue
        value = answers[qid]
        if question["type"] == "boolean" and (value is None or isinstance(value, bool)):
            data[qid] = BOOLEAN_TO_FORM[value]
        elif question["type"] == "multi_choice":
            data[qid] = value if isinstance(value, list) else [value]
        elif value is None:
            data[qid] = ""
        else:
            data[qid] = value if isinstance(value, str) else str(value)
    return data
