"""Writes to companies and their members. Each function checks who is acting."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ocip.accounts import invitations
from ocip.accounts.mfa import require_mfa
from ocip.errors import Conflict

from . import questionnaire, scoring
from .answers import stored_step_form
from .models import (
    Company,
    CompanyInvitation,
    CompanyMembership,
    Diagnostic,
    NeedsProfile,
    Questionnaire,
)
from .selectors import company_membership
from .signals import diagnostic_submitted

logger = logging.getLogger(__name__)

COMPANY_PROFILE_FIELDS = ("name", "website", "city", "description", "preferred_language")


def _unique_slug(name: str) -> str:
    base = slugify(name)[:200] or "company"
    slug, n = base, 1
    while Company.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _require_member(actor, company: Company) -> CompanyMembership | None:
    """The actor's membership; None for platform staff (who must have MFA)."""
    if actor.is_platform_staff:
        require_mfa(actor)
        return None
    membership = company_membership(user=actor, company=company)
    if membership is None:
        raise PermissionDenied(_("You are not a member of this company."))
    return membership


@transaction.atomic
def company_create(*, owner, name: str, **profile: str) -> Company:
    company = Company(name=name.strip(), slug=_unique_slug(name), **profile)
    company.full_clean()
    company.save()
    CompanyMembership.objects.create(company=company, user=owner, role=CompanyMembership.Role.OWNER)
    return company


@transaction.atomic
def company_update(*, actor, company: Company, **changes: str) -> Company:
    _require_member(actor, company)
    unknown = set(changes) - set(COMPANY_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not company profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(company, field, value)
    company.full_clean()
    company.save()
    return company


@transaction.atomic
def company_invitation_create(
    *, actor, company: Company, email: str, language: str
) -> CompanyInvitation:
    _require_member(actor, company)
    if CompanyMembership.objects.filter(company=company, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the company.")})
    invitation, token = invitations.issue(
        CompanyInvitation, email=email, invited_by=actor, language=language, company=company
    )
    invitations.send_invitation_email(
        invitation=invitation,
        token=token,
        organization_name=company.name,
        role_label=invitation.role_label(),
    )
    return invitation


@transaction.atomic
def company_invitation_revoke(*, actor, invitation: CompanyInvitation) -> None:
    _require_member(actor, invitation.company)
    invitations.revoke(invitation)


@transaction.atomic
def company_invitation_accept(*, user, invitation: CompanyInvitation) -> CompanyMembership:
    invitations.check_usable(invitation, user)
    invitations.claim(invitation, user)
    membership, _created = CompanyMembership.objects.get_or_create(
        company=invitation.company, user=user, defaults={"role": CompanyMembership.Role.MEMBER}
    )
    return membership


@transaction.atomic
def company_member_remove(*, actor, membership: CompanyMembership) -> None:
    acting = _require_member(actor, membership.company)
    if acting is not None and acting.role != CompanyMembership.Role.OWNER:
        raise PermissionDenied(_("Only an owner of the company can remove members."))
    if membership.role == CompanyMembership.Role.OWNER:
        owners = CompanyMembership.objects.select_for_update().filter(
            company=membership.company, role=CompanyMembership.Role.OWNER
        )
        if len(list(owners)) <= 1:
            raise ValidationError(_("A company keeps at least one owner."))
    membership.delete()


# --- The innovation diagnostic: start → save steps → submit (→ matching, next issue) ---


class DiagnosticConflict(Conflict):
    """The diagnostic is not in a state that allows this write (HTTP 409)."""


def _require_diagnostic_member(actor, company: Company) -> None:
    """Only the company's own members work on its diagnostics; platform staff included."""
    if company_membership(user=actor, company=company) is None:
        raise PermissionDenied(_("Only members of the company can work on its diagnostics."))


def questionnaire_current() -> Questionnaire:
    """The current version's published row, created the first time it is used."""
    definition = questionnaire.load_definition(questionnaire.CURRENT_VERSION)
    digest = questionnaire.checksum(definition)
    published, _created = Questionnaire.objects.get_or_create(
        version=questionnaire.CURRENT_VERSION,
        defaults={"definition": definition, "checksum": digest},
    )
    if published.checksum != digest:
        # Published questions are frozen: keep serving what was published.
        logger.warning(
            "questionnaires/v%s.yaml changed after publication; copy it to a new version.",
            published.version,
        )
    return published


def valid_answers(form_questionnaire: questionnaire.Questionnaire, answers: dict) -> dict:
    """The answers that still fit this questionnaire (for prefilling from an older one), less
    those to questions that the answers themselves skip in it."""
    kept: dict = {}
    for number in range(1, form_questionnaire.step_count + 1):
        form = stored_step_form(form_questionnaire, number, answers, language="en", partial=True)
        form.is_valid()  # keeps the answers that pass, drops those that no longer fit
        kept.update(
            {k: v for k, v in form.answers().items() if k in answers and k not in form.errors}
        )
    return form_questionnaire.applicable_answers(kept)


def diagnostic_start(*, actor, company: Company) -> tuple[Diagnostic, bool]:
    """The company's draft, or a new one prefilled from its latest submitted diagnostic.

    Returns (diagnostic, created). A company has at most one draft (a database constraint), so
    two people starting at once end up in the same draft.
    """
    _require_diagnostic_member(actor, company)
    draft = Diagnostic.objects.filter(company=company, status=Diagnostic.Status.DRAFT).first()
    if draft is not None:
        return draft, False
    published = questionnaire_current()
    latest = (
        Diagnostic.objects.filter(company=company, status=Diagnostic.Status.SUBMITTED)
        .order_by("-submitted_at")
        .first()
    )
    answers = valid_answers(published.content, latest.answers) if latest else {}
    try:
        with transaction.atomic():
            diagnostic = Diagnostic.objects.create(
                company=company,
                questionnaire=published,
                answers=answers,
                based_on=latest,
                started_by=actor,
            )
    except IntegrityError:
        return Diagnostic.objects.get(company=company, status=Diagnostic.Status.DRAFT), False
    return diagnostic, True


def _load_draft(diagnostic: Diagnostic) -> Diagnostic:
    current = Diagnostic.objects.select_related("questionnaire").get(pk=diagnostic.pk)
    if not current.is_draft:
        raise DiagnosticConflict(
            _(
                "This diagnostic was already submitted and can no longer change. "
                "Start a new one to update your answers."
            )
        )
    return current


def diagnostic_step_save(
    *, actor, diagnostic: Diagnostic, number: int, answers: dict, complete: bool
) -> Diagnostic:
    """Store one step's cleaned answers (from a StepForm).

    `complete` means the step was validated with its required answers, which opens the next
    step. Answers to questions that the new answers skip, on this step or later ones, are
    dropped: they no longer apply. Writes are conditional on the revision read, so a save never
    overwrites a submission or another save it did not see; it re-reads and merges again
    instead.
    """
    _require_diagnostic_member(actor, diagnostic.company)
    for _attempt in range(3):
        current = _load_draft(diagnostic)
        form_questionnaire = current.questionnaire.content
        if not 1 <= number <= form_questionnaire.step_count:
            raise DiagnosticConflict(_("This step does not exist."))
        if number > current.step_reached:
            raise DiagnosticConflict(_("Complete the earlier steps first."))
        step_ids = {q["id"] for q in form_questionnaire.step(number)["questions"]}
        if set(answers) - step_ids:
            raise ValueError(f"Not questions of step {number}: {sorted(set(answers) - step_ids)}")
        step_reached = current.step_reached
        if complete:
            step_reached = max(step_reached, number + 1)
        next_step = min(number + 1, step_reached) if complete else number
        updated = Diagnostic.objects.filter(
            pk=current.pk, status=Diagnostic.Status.DRAFT, revision=current.revision
        ).update(
            answers=form_questionnaire.applicable_answers({**current.answers, **answers}),
            step_reached=step_reached,
            current_step=next_step,
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )
        if updated:
            return Diagnostic.objects.select_related("company", "questionnaire").get(pk=current.pk)
    raise DiagnosticConflict(
        _("Someone else is editing this diagnostic. Reload the page and try again.")
    )


def diagnostic_go_to(*, actor, diagnostic: Diagnostic, number: int) -> None:
    """Remember where the person is, so that "continue" brings them back there."""
    _require_diagnostic_member(actor, diagnostic.company)
    Diagnostic.objects.filter(
        pk=diagnostic.pk, status=Diagnostic.Status.DRAFT, step_reached__gte=number
    ).update(current_step=number)


def diagnostic_missing_answers(diagnostic: Diagnostic) -> dict[int, dict[str, list[str]]]:
    """{step number: {question id: [messages]}} for every answer that blocks submission."""
    form_questionnaire = diagnostic.questionnaire.content
    problems: dict[int, dict[str, list[str]]] = {}
    for number in range(1, form_questionnaire.step_count + 1):
        form = stored_step_form(
            form_questionnaire, number, diagnostic.answers, language=get_language() or "en"
        )
        if not form.is_valid():
            problems[number] = {
                field: [str(error) for error in errors] for field, errors in form.errors.items()
            }
        elif number >= diagnostic.step_reached:
            problems[number] = {"__all__": [str(_("This step has not been completed yet."))]}
    return problems


def diagnostic_submit(*, actor, diagnostic: Diagnostic, revision: int | None = None) -> Diagnostic:
    """Score the answers and freeze the diagnostic with its needs profile, in one transaction.

    `revision` is the version the person reviewed: if a save landed since, they must look again.
    Once committed, `diagnostic_submitted` is sent (matching starts its run on it).
    """
    _require_diagnostic_member(actor, diagnostic.company)
    current = _load_draft(diagnostic)
    if revision is not None and revision != current.revision:
        raise DiagnosticConflict(
            _("Your answers changed since you opened this page. Check them and submit again.")
        )
    problems = diagnostic_missing_answers(current)
    if problems:
        raise ValidationError(
            {
                str(number): [
                    f"{field}: {message}" if field != "__all__" else message
                    for field, messages in errors.items()
                    for message in messages
                ]
                for number, errors in problems.items()
            }
        )
    profile = scoring.score(current.answers, current.questionnaire.content)
    with transaction.atomic():
        updated = Diagnostic.objects.filter(
            pk=current.pk, status=Diagnostic.Status.DRAFT, revision=current.revision
        ).update(
            status=Diagnostic.Status.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=actor,
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            raise DiagnosticConflict(
                _("Your answers changed while you were submitting. Check them and submit again.")
            )
        NeedsProfile.objects.create(
            diagnostic=current,
            scoring_version=profile["scoring_version"],
            trl=profile["trl"],
            rd_stage=profile["rd_stage"] or "",
            sred_band=profile["sred"]["band"],
            capability_areas=[area["slug"] for area in profile["capability_areas"]],
            data=profile,
        )
        transaction.on_commit(
            lambda: diagnostic_submitted.send(sender=Diagnostic, diagnostic_id=current.pk)
        )
    return Diagnostic.objects.select_related("company", "needs_profile").get(pk=current.pk)


@transaction.atomic
def diagnostic_discard(*, actor, diagnostic: Diagnostic) -> None:
    """Delete a draft. Submitted diagnostics are records and stay."""
    _require_diagnostic_member(actor, diagnostic.company)
    deleted, _rows = Diagnostic.objects.filter(
        pk=diagnostic.pk, status=Diagnostic.Status.DRAFT
    ).delete()
    if not deleted:
        raise DiagnosticConflict(_("Only a diagnostic in progress can be deleted."))


def diagnostic_demo_submit(*, actor, company: Company, answers: dict) -> Diagnostic:
    """Fill in and submit a diagnostic in one go, as the demo data does; answers are validated
    step by step like the wizard's."""
    diagnostic, _created = diagnostic_start(actor=actor, company=company)
    form_questionnaire = diagnostic.questionnaire.content
    for number in range(1, form_questionnaire.step_count + 1):
        form = stored_step_form(form_questionnaire, number, answers, language="en")
        if not form.is_valid():
            raise ValidationError({str(number): [str(form.errors)]})
        diagnostic = diagnostic_step_save(
            actor=actor, diagnostic=diagnostic, number=number, answers=form.answers(), complete=True
        )
    return diagnostic_submit(actor=actor, diagnostic=diagnostic)
