"""The project team's micro-credential pages: the micro-credentials a project awards, its
students' invitations and evidence, their assessment, the business's endorsement and the
office's issuing. The services decide who may do what; these views turn their refusals into
answers (403, 409, or the form again with what to fix)."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matching.selectors import can_manage_institution
from ocip.accounts.views import add_service_error, form_page
from ocip.errors import Conflict
from ocip.formatting import current_language

from . import selectors, services
from .models import Assessment, IssuedCredential, Project
from .presentation import person_name
from .team_forms import (
    AssessmentForm,
    EndorseForm,
    EvidenceForm,
    EvidenceShareForm,
    ProjectDefinitionsForm,
    StudentInviteForm,
)

DEFINITIONS_PREFIX = "credentials"
INVITE_PREFIX = "invite"


def _project(request, pk) -> Project:
    """The project, if the user can see it at all (404 otherwise, as on the project page)."""
    return get_object_or_404(
        selectors.projects_for(request.user).select_related("company", "institution", "lead"),
        pk=pk,
    )


def _require_editor(request, project: Project) -> None:
    if not selectors.can_edit_project(user=request.user, project=project):
        raise PermissionDenied(_("Only the project's lead and research office can change it."))


def _student_url(project: Project, student_id: int) -> str:
    return f"{project.get_absolute_url()}#student-{student_id}"


def _problem(request, project: Project, *, title: str, message: str, status: int):
    return render(
        request,
        "projects/team/problem.html",
        {"project": project, "title": title, "message": message},
        status=status,
    )


# --- The section of the project page ----------------------------------------------------------


def team_context(request, project: Project) -> dict:
    """What the "Students and micro-credentials" section of the project page shows the user:
    everything to the project's editors, the students' evidence and passed assessments to the
    business, their own work to a student; nothing to anyone else."""
    user = request.user
    can_edit = selectors.can_edit_project(user=user, project=project)
    is_business = selectors.can_answer_for_company(user=user, project=project)
    members = list(
        selectors.project_students(project).order_by(
            "user__first_name", "user__last_name", "user__email"
        )
    )
    is_student = any(member.user_id == user.pk for member in members)
    if not (can_edit or is_business or is_student):
        return {"team": None}
    is_office = can_manage_institution(user=user, institution=project.institution)
    language = current_language()
    today = timezone.localdate()
    definitions = list(project.credential_definitions.order_by("title_en", "pk"))
    evidence = list(selectors.evidence_visible_to(user=user, project=project))
    assessments = {
        (assessment.student_id, assessment.definition_id): assessment
        for assessment in selectors.assessments_visible_to(user=user, project=project)
    }
    credentials = {
        credential.assessment_id: credential
        for credential in IssuedCredential.objects.filter(assessment__project=project)
    }
    shown = members if (can_edit or is_business) else [m for m in members if m.user_id == user.pk]
    students = []
    for member in shown:
        student = member.user
        assert student is not None  # project_students() keeps joined members only
        results = []
        for definition in definitions:
            assessment = assessments.get((student.pk, definition.pk))
            credential = credentials.get(assessment.pk) if assessment else None
            state = selectors.assessment_stage(assessment, credential is not None, today)
            if not can_edit and not is_student and state in ("not_assessed", "not_passed"):
                continue  # the business answers for passed work only
            without_endorsement = state in selectors.WITHOUT_ENDORSEMENT
            results.append(
                {
                    "definition": definition,
                    "title": definition.title(language),
                    "assessment": assessment,
                    "credential": credential,
                    "state": state,
                    "can_assess": can_edit and credential is None,
                    "can_endorse": is_business and state in selectors.ENDORSABLE,
                    "may_issue": is_office and state in selectors.ISSUABLE,
                    "without_endorsement": without_endorsement,
                }
            )
        students.append(
            {
                "user": student,
                "name": person_name(student),
                "evidence": [item for item in evidence if item.student_id == student.pk],
                "results": results,
            }
        )
    mc_plus = selectors.mc_plus_lineages(item.lineage for item in definitions)
    team = {
        "can_edit": can_edit,
        "is_office": is_office,
        "is_business": is_business,
        "is_student": is_student,
        "definitions": [
            {
                "definition": definition,
                "title": definition.title(language),
                "mc_plus": str(definition.lineage) in mc_plus,
            }
            for definition in definitions
        ],
        "students": students,
        "endorsement_days": settings.OCIP_ENDORSEMENT_DAYS,
        "invitation_days": settings.OCIP_INVITATION_DAYS,
    }
    if can_edit:
        has_published = selectors.published_definitions(project.institution).exists()
        team["has_published"] = has_published
        if has_published:
            team["definitions_form"] = ProjectDefinitionsForm(
                prefix=DEFINITIONS_PREFIX, project=project
            )
        team["invite_form"] = StudentInviteForm(
            prefix=INVITE_PREFIX, initial={"language": language}
        )
        team["invitations"] = selectors.pending_student_invitations(project).order_by("email")
    return {"team": team}


# --- Micro-credentials and students -----------------------------------------------------------


@login_required
@require_http_methods(["POST"])
def project_definitions(request, pk):
    project = _project(request, pk)
    _require_editor(request, project)
    form = ProjectDefinitionsForm(request.POST, prefix=DEFINITIONS_PREFIX, project=project)
    if form.is_valid():
        chosen = list(form.cleaned_data["definitions"])
        try:
            services.project_set_definitions(
                actor=request.user, project=project, definitions=chosen
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The project's micro-credentials were saved."))
            kept = project.credential_definitions.exclude(pk__in=[d.pk for d in chosen])
            language = current_language()
            for definition in kept:
                messages.info(
                    request,
                    _("“%(credential)s” stays: a student was already assessed against it.")
                    % {"credential": definition.title(language)},
                )
            return redirect(f"{project.get_absolute_url()}#credentials-heading")
    return form_page(
        request,
        form,
        title=_("Micro-credentials of %(project)s") % {"project": project.title},
        submit_label=_("Save the micro-credentials"),
        cancel_url=project.get_absolute_url(),
        status=400,
    )


@login_required
@require_http_methods(["POST"])
def student_invite(request, pk):
    project = _project(request, pk)
    _require_editor(request, project)
    form = StudentInviteForm(request.POST, prefix=INVITE_PREFIX)
    if form.is_valid():
        try:
            invitation = services.student_invite(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect(f"{project.get_absolute_url()}#students-heading")
    return form_page(
        request,
        form,
        title=_("Invite a student to %(project)s") % {"project": project.title},
        intro=_("They will get an email with a link that works once, for %(days)s days.")
        % {"days": settings.OCIP_INVITATION_DAYS},
        submit_label=_("Send invitation"),
        cancel_url=project.get_absolute_url(),
        status=400,
    )


# --- Evidence -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request, pk):
    project = _project(request, pk)
    _require_editor(request, project)
    posted = request.method == "POST"
    initial = {}
    if not posted and request.GET.get("student", "").isdigit():
        initial["student"] = int(request.GET["student"])
    form = EvidenceForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        project=project,
        initial=initial,
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = services.evidence_add(
                actor=request.user,
                project=project,
                student=data["student"],
                title=data["title"],
                description=data["description"],
                url=data["url"],
                upload=data["file"] or None,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was added to the evidence of %(student)s.")
                % {"title": evidence.title, "student": person_name(evidence.student)},
            )
            return redirect(_student_url(project, evidence.student_id))
    return render(
        request,
        "projects/team/evidence_form.html",
        {
            "project": project,
            "form": form,
            "has_students": form.fields["student"].queryset.exists(),  # type: ignore[attr-defined]
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def evidence_file(request, pk, evidence_pk):
    """The uploaded file, to the people who may see the evidence; always as a download, with
    the type checked at upload, so that a browser never renders project material inline."""
    project = _project(request, pk)
    evidence = get_object_or_404(
        selectors.evidence_visible_to(user=request.user, project=project), pk=evidence_pk
    )
    if not evidence.file:
        raise Http404
    storage = evidence.file.storage
    try:
        handle = storage.open(evidence.file.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=PurePosixPath(evidence.file.name).name,
        content_type=evidence.file_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["POST"])
def evidence_share(request, pk, evidence_pk):
    project = _project(request, pk)
    evidence = get_object_or_404(
        selectors.evidence_visible_to(user=request.user, project=project), pk=evidence_pk
    )
    form = EvidenceShareForm(request.POST)
    shareable = form.is_valid() and form.cleaned_data["shareable"]
    services.evidence_set_shareable(actor=request.user, evidence=evidence, shareable=shareable)
    messages.success(
        request,
        (
            _("“%(title)s” is shared: it goes into the credential of %(student)s.")
            if shareable
            else _("“%(title)s” is not shared: it stays within the project.")
        )
        % {"title": evidence.title, "student": person_name(evidence.student)},
    )
    return redirect(f"{project.get_absolute_url()}#evidence-{evidence.pk}")


# --- Assessment, endorsement, issuing -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assessment_form(request, pk, student_pk, definition_pk):
    """Assess a student (by their user id) against one of the project's micro-credentials."""
    project = _project(request, pk)
    _require_editor(request, project)
    member = get_object_or_404(selectors.project_students(project), user_id=student_pk)
    student = member.user
    definition = get_object_or_404(project.credential_definitions, pk=definition_pk)
    language = current_language()
    existing = Assessment.objects.filter(
        project=project, student=student, definition=definition
    ).first()
    credential = IssuedCredential.objects.filter(assessment=existing).first() if existing else None
    rows = selectors.rubric_rows(definition, language)
    levels = (definition.rubric or {}).get("levels", [])
    pass_index = (definition.rubric or {}).get("pass_level", 0)
    pass_level = levels[pass_index].get(language) or levels[pass_index].get("en", "")
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        rows=rows,
        initial=AssessmentForm.initial_from(existing),
    )
    context = {
        "project": project,
        "student": student,
        "student_name": person_name(student),
        "definition": definition,
        "credential_title": definition.title(language),
        "assessment": existing,
        "credential": credential,
        "pass_level": pass_level,
        "endorsement_days": settings.OCIP_ENDORSEMENT_DAYS,
        "evidence": project.evidence.filter(student=student),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                actor=request.user,
                project=project,
                student=student,
                definition=definition,
                levels=form.levels(),
                criterion_comments=form.criterion_comments(),
                comment=form.cleaned_data["comment"],
            )
        except Conflict as error:
            context["problem"] = error.message
            return render(request, "projects/team/assessment_form.html", context, status=409)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            names = {
                "student": context["student_name"],
                "credential": context["credential_title"],
                "company": project.company.name,
                "days": settings.OCIP_ENDORSEMENT_DAYS,
                "date": date_format(assessment.endorsement_due)
                if assessment.endorsement_due
                else "",
            }
            if assessment.passed:
                text = _(
                    "Passed: %(student)s reached the level needed on every criterion of "
                    "“%(credential)s”. %(company)s is asked to endorse it within %(days)s "
                    "business days, by %(date)s; then the research office can issue the "
                    "credential."
                )
            else:
                text = _(
                    "Not passed: %(student)s did not reach the level needed on every criterion "
                    "of “%(credential)s”, so no credential follows. You can assess again until "
                    "a credential is issued."
                )
            messages.success(request, text % names)
            return redirect(_student_url(project, student_pk))
    return render(
        request,
        "projects/team/assessment_form.html",
        context,
        status=400 if form.errors else 200,
    )


def _assessment_summary(assessment: Assessment, language: str) -> list[dict]:
    """Each criterion with the level reached and the assessor's comment on it."""
    rows = selectors.rubric_rows(assessment.definition, language)
    comments = list(assessment.criterion_comments) + [""] * len(rows)
    summary = []
    for row, level in zip(rows, assessment.levels, strict=False):
        reached = row["levels"][level] if 0 <= level < len(row["levels"]) else None
        summary.append(
            {
                "criterion": row["name"],
                "level": reached["name"] if reached else "",
                "passes": bool(reached and reached["passes"]),
                "comment": comments[row["index"]],
            }
        )
    return summary


@login_required
@require_http_methods(["GET", "POST"])
def assessment_endorse(request, pk, assessment_pk):
    """The business endorses a passed assessment, or says why it does not."""
    project = _project(request, pk)
    if not selectors.can_answer_for_company(user=request.user, project=project):
        raise PermissionDenied(_("Only the project's business can endorse its students."))
    assessment = get_object_or_404(
        selectors.assessments_visible_to(user=request.user, project=project).select_related(
            "assessed_by", "endorsed_by"
        ),
        pk=assessment_pk,
    )
    language = current_language()
    credential = IssuedCredential.objects.filter(assessment=assessment).first()

    def page(form, *, problem: str = "", status: int = 200):
        return render(
            request,
            "projects/team/endorse_form.html",
            {
                "project": project,
                "assessment": assessment,
                "student_name": person_name(assessment.student),
                "credential_title": assessment.definition.title(language),
                "summary": _assessment_summary(assessment, language),
                "evidence": project.evidence.filter(student=assessment.student),
                "credential": credential,
                "form": form if not selectors.endorsement_refusal(assessment) else None,
                "problem": problem,
            },
            status=status,
        )

    if request.method == "GET":
        return page(EndorseForm(initial={"version": assessment.version}))
    refusal = selectors.endorsement_refusal(assessment)
    if refusal:
        return page(None, problem=refusal, status=409)
    form = EndorseForm(request.POST)
    if not form.is_valid():
        return page(form, status=400)
    try:
        assessment = services.assessment_endorse(
            actor=request.user,
            assessment=assessment,
            endorse=form.cleaned_data["decision"] == EndorseForm.ENDORSE,
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except Conflict as error:
        assessment.refresh_from_db()
        return page(
            EndorseForm(initial={"version": assessment.version}),
            problem=error.message,
            status=409,
        )
    except ValidationError as error:
        add_service_error(form, error)
        return page(form, status=400)
    names = {
        "student": person_name(assessment.student),
        "credential": assessment.definition.title(language),
    }
    if assessment.endorsement == Assessment.Endorsement.ENDORSED:
        text = _(
            "You endorsed the work of %(student)s for “%(credential)s”. The research office can "
            "now issue the credential, with your endorsement."
        )
    else:
        text = _(
            "You did not endorse the work of %(student)s for “%(credential)s”. The project team "
            "sees your comment; the research office may issue the credential without your "
            "endorsement."
        )
    messages.success(request, text % names)
    return redirect(_student_url(project, assessment.student_id))


@login_required
@require_http_methods(["POST"])
def credential_issue(request, pk, assessment_pk):
    """The research office signs the credential of a passed assessment, once."""
    project = _project(request, pk)
    assessment = get_object_or_404(
        project.assessments.select_related("student", "definition"), pk=assessment_pk
    )
    already = IssuedCredential.objects.filter(assessment=assessment).first()
    try:
        credential = services.credential_issue(actor=request.user, assessment=assessment)
    except Conflict as error:
        return _problem(
            request,
            project,
            title=_("The credential cannot be issued yet"),
            message=error.message,
            status=409,
        )
    except ValidationError as error:
        return _problem(
            request,
            project,
            title=_("The credential cannot be issued"),
            message=" ".join(error.messages),
            status=400,
        )
    if already is not None:
        messages.info(
            request,
            _("This credential was already issued on %(date)s; it was not issued again.")
            % {"date": date_format(timezone.localtime(credential.issued_at).date())},
        )
    else:
        messages.success(
            request,
            _("The credential “%(credential)s” was issued to %(student)s.")
            % {
                "credential": assessment.definition.title(current_language()),
                "student": person_name(assessment.student),
            },
        )
    return redirect(_student_url(project, assessment.student_id))
