"""Forms of the project team's micro-credential work: which micro-credentials the project
awards, its students' evidence, their assessment against a rubric, the business's endorsement."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocip.accounts.forms import InvitationForm
from ocip.formatting import current_language

from . import evidence_files, selectors
from .models import CredentialDefinition, Project
from .presentation import person_name


class DefinitionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CredentialDefinition) -> str:
        return _("%(title)s (version %(version)s)") % {
            "title": obj.title(current_language()),
            "version": obj.version,
        }


class ProjectDefinitionsForm(forms.Form):
    definitions = DefinitionChoiceField(
        label=gettext_lazy("Micro-credentials students can earn on this project"),
        queryset=CredentialDefinition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy(
            "The published micro-credentials of the institution. One a student was already "
            "assessed against stays attached."
        ),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definitions"].queryset = selectors.published_definitions(  # type: ignore[attr-defined]
            project.institution
        ).order_by("title_en", "pk")
        if not self.is_bound:
            self.initial.setdefault(
                "definitions", list(project.credential_definitions.values_list("pk", flat=True))
            )


class StudentInviteForm(InvitationForm):
    """The email and the language of the invitation, as for colleagues."""


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_name(obj)


class EvidenceForm(forms.Form):
    student = StudentChoiceField(
        label=gettext_lazy("Student"), queryset=get_user_model().objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    url = forms.URLField(
        label=gettext_lazy("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("Where the work can be seen. Give a link, a file or both."),
    )
    file = forms.FileField(label=gettext_lazy("File"), required=False, widget=forms.FileInput)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = (  # type: ignore[attr-defined]
            get_user_model()
            .objects.filter(pk__in=selectors.project_students(project).values("user"))
            .order_by("first_name", "last_name", "email")
        )
        upload = self.fields["file"]
        upload.widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in evidence_files.ALLOWED
        )
        upload.help_text = _(
            "Optional. Accepted types: %(types)s; up to %(limit)s. The file is kept private to "
            "the project: the team, the business and the student."
        ) % {
            "types": evidence_files.allowed_names(),
            "limit": filesizeformat(settings.OCIP_EVIDENCE_MAX_BYTES),
        }


class EvidenceShareForm(forms.Form):
    # A hidden "1" or "0": the form says which state to set, so a double submit cannot undo it.
    shareable = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AssessmentForm(forms.Form):
    """A level (radio group) and an optional comment per rubric criterion, and an overall
    comment. The fields are named level_<n> and comment_<n>, n the criterion's index."""

    comment = forms.CharField(
        label=gettext_lazy("Overall comment (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            index = row["index"]
            self.fields[f"level_{index}"] = forms.TypedChoiceField(
                label=row["name"],
                coerce=int,
                widget=forms.RadioSelect,
                choices=[
                    (
                        level["index"],
                        _("%(level)s (passes)") % {"level": level["name"]}
                        if level["passes"]
                        else _("%(level)s (does not pass)") % {"level": level["name"]},
                    )
                    for level in row["levels"]
                ],
                error_messages={"required": _("Choose the level reached.")},
            )
            self.fields[f"comment_{index}"] = forms.CharField(
                label=_("Comment on “%(criterion)s” (optional)") % {"criterion": row["name"]},
                max_length=2000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*(name for name in self.fields if name != "comment"), "comment"])

    @staticmethod
    def initial_from(assessment) -> dict:
        if assessment is None:
            return {}
        initial: dict = {"comment": assessment.comment}
        for index, level in enumerate(assessment.levels):
            initial[f"level_{index}"] = level
        for index, text in enumerate(assessment.criterion_comments):
            initial[f"comment_{index}"] = text
        return initial

    def criteria(self) -> list[dict]:
        """Each criterion with its bound fields, for the template's fieldsets."""
        return [
            {
                "row": row,
                "level": self[f"level_{row['index']}"],
                "comment": self[f"comment_{row['index']}"],
            }
            for row in self.rows
        ]

    def levels(self) -> list[int]:
        return [self.cleaned_data[f"level_{row['index']}"] for row in self.rows]

    def criterion_comments(self) -> list[str]:
        return [self.cleaned_data[f"comment_{row['index']}"] for row in self.rows]


class EndorseForm(forms.Form):
    ENDORSE, DECLINE = "endorse", "decline"

    decision = forms.ChoiceField(
        label=gettext_lazy("Do you endorse this work?"),
        choices=[
            (ENDORSE, gettext_lazy("Endorse: we vouch for this work")),
            (DECLINE, gettext_lazy("Do not endorse")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether you endorse it.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Required if you do not endorse it: say why. If you endorse it, your comment goes "
            "into the student's credential with your endorsement."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.DECLINE and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why you do not endorse it."))
        return cleaned
