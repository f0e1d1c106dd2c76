"""The diagnostic's steps as forms: one form per questionnaire step, built from its data.

The wizard, the API and submission all validate answers through these forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .questionnaire import Questionnaire, localized

BOOLEAN_TO_FORM = {True: "yes", False: "no", None: "unknown"}
FORM_TO_BOOLEAN = {value: key for key, value in BOOLEAN_TO_FORM.items()}
RADIO_LIMIT = 6  # longer single-choice lists are drop-downs
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


class StepForm(forms.Form):
    """The questions of one step. `partial` relaxes required answers (going back, saving)."""

    def __init__(
        self,
        *args,
        questionnaire: Questionnaire,
        number: int,
        language: str,
        partial: bool = False,
        suggestions: Mapping[str, tuple[str, ...]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.step = questionnaire.step(number)
        self.questions = {q["id"]: q for q in self.step["questions"]}
        for qid, question in self.questions.items():
            required = bool(question.get("required")) and not partial
            self.fields[qid] = _field(
                question, language, required=required, suggestions=suggestions
            )

    def answers(self) -> dict[str, Any]:
        """The cleaned answers as stored: booleans, ints, lists, text; None when unknown."""
        stored: dict[str, Any] = {}
        for qid, question in self.questions.items():
            value = self.cleaned_data.get(qid)
            kind = question["type"]
            if kind == "boolean":
                stored[qid] = FORM_TO_BOOLEAN.get(value) if value else None
            elif kind == "scale":
                stored[qid] = int(value) if value else None
            elif kind == "multi_choice":
                stored[qid] = list(value or [])
            elif kind in ("text", "short_text", "choice"):
                stored[qid] = value or None
            else:
                stored[qid] = value
        return stored


def stored_step_form(
    questionnaire: Questionnaire,
    number: int,
    answers: Mapping[str, Any],
    *,
    language: str,
    partial: bool = False,
) -> StepForm:
    """A bound StepForm holding stored (or JSON) answers, to validate them as the wizard does."""
    return StepForm(
        answers_as_form_data(questionnaire, number, answers),
        questionnaire=questionnaire,
        number=number,
        language=language,
        partial=partial,
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
