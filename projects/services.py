"""Projects made from accepted requests, and the work that follows: milestones, funding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching import services as request_services
from matching.models import FundingProgram, IntroductionRequest
from matching.selectors import assignable_people, can_manage_institution
from ocip.accounts.mfa import require_mfa

from . import selectors
from .credentials import multikey, sealing
from .models import FundingApplication, Milestone, Project, ProjectMember, SigningKey


def _estimated_amount(request: IntroductionRequest, program: FundingProgram) -> Decimal | None:
    """The match run's estimate for this program (its upper bound), if it made one."""
    funding = request.match_run.funding if request.match_run else {}
    for assessed in funding.get("programs", []):
        if assessed.get("slug") == program.slug:
            high = (assessed.get("estimate") or {}).get("amount_high")
            return Decimal(str(high)) if high is not None else None
    return None


@transaction.atomic
def project_start(
    *,
    actor,
    request: IntroductionRequest,
    expected_version: int | None,
    title: str,
    scope: str,
    lead,
    start_date: date,
    programs: list[FundingProgram],
) -> Project:
    """Accept the request and create its project, in one transaction."""
    request_services.require_request_action(actor, request, "accept")
    if not title.strip() or not scope.strip():
        raise ValidationError(_("A project needs a title and a scope."))
    if not assignable_people(request.institution).filter(pk=lead.pk).exists():
        raise ValidationError(
            {
                "lead": _("The lead must be a researcher or staff member of %(name)s.")
                % {"name": request.institution.name}
            }
        )
    request_services.request_accept(actor=actor, request=request, expected_version=expected_version)
    project = Project.objects.create(
        request=request,
        company_id=request.company_id,
        institution_id=request.institution_id,
        title=title.strip(),
        scope=scope.strip(),
        lead=lead,
        start_date=start_date,
        created_by=actor,
    )
    ProjectMember.objects.create(
        project=project, user=lead, role=ProjectMember.Role.LEAD, joined_at=timezone.now()
    )
    if request.requested_by_id:
        ProjectMember.objects.create(
            project=project,
            user_id=request.requested_by_id,
            role=ProjectMember.Role.BUSINESS,
            joined_at=timezone.now(),
        )
    FundingApplication.objects.bulk_create(
        FundingApplication(
            project=project, program=program, amount=_estimated_amount(request, program)
        )
        for program in dict.fromkeys(programs)
    )
    return project


def _require_project_editor(actor, project: Project) -> None:
    if not selectors.can_edit_project(user=actor, project=project):
        raise PermissionDenied(_("Only the project's lead and research office can change it."))
    if can_manage_institution(user=actor, institution=project.institution):
        require_mfa(actor)  # research-office staff act with two factors, as on requests


@transaction.atomic
def milestone_add(*, actor, project: Project, title: str, due_date: date | None) -> Milestone:
    _require_project_editor(actor, project)
    if not title.strip():
        raise ValidationError({"title": _("Name the milestone.")})
    return Milestone.objects.create(project=project, title=title.strip(), due_date=due_date)


@transaction.atomic
def milestone_set_done(*, actor, milestone: Milestone, done: bool) -> Milestone:
    _require_project_editor(actor, milestone.project)
    if done and milestone.done_at is not None:
        return milestone  # already done: keep the day it was done
    milestone.done_at = timezone.now() if done else None
    milestone.save(update_fields=["done_at"])
    return milestone


@transaction.atomic
def funding_application_update(
    *, actor, application: FundingApplication, status: str, amount: Decimal | None
) -> FundingApplication:
    _require_project_editor(actor, application.project)
    if status not in FundingApplication.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    application.status = status
    application.amount = amount
    application.save(update_fields=["status", "amount", "updated_at"])
    return application


@transaction.atomic
def funding_application_add(
    *, actor, project: Project, program: FundingProgram, amount: Decimal | None
) -> FundingApplication:
    _require_project_editor(actor, project)
    if project.funding_applications.filter(program=program).exists():
        raise ValidationError({"program": _("The project already pursues this program.")})
    return FundingApplication.objects.create(
        project=project,
        program=program,
        amount=amount if amount is not None else _estimated_amount(project.request, program),
    )


# --- Credential signing keys ------------------------------------------------------------------


def _sealing_secret() -> str:
    if not settings.OCIP_SIGNING_KEYS_SECRET:
        raise ImproperlyConfigured("Set OCIP_SIGNING_KEYS_SECRET to issue credentials.")
    return sealing.derived_secret(settings.OCIP_SIGNING_KEYS_SECRET)


def _new_signing_key(**owner) -> SigningKey:
    key = Ed25519PrivateKey.generate()
    return SigningKey.objects.create(
        public_multibase=multikey.public_multibase(key.public_key()),
        sealed_private_key=sealing.seal(key, _sealing_secret()),
        **owner,
    )


def signing_key_for(*, institution=None, company=None) -> tuple[SigningKey, Ed25519PrivateKey]:
    """The key that signs for the institution (or company) now, made on first use, and its
    private half unsealed. Two first uses at once: the constraint keeps one, both use it."""
    owner = {"institution": institution} if institution is not None else {"company": company}
    current = SigningKey.objects.filter(retired_at__isnull=True, **owner).first()
    if current is None:
        try:
            with transaction.atomic():
                current = _new_signing_key(**owner)
        except IntegrityError:
            current = SigningKey.objects.get(retired_at__isnull=True, **owner)
    return current, sealing.unseal(current.sealed_private_key, _sealing_secret())


@transaction.atomic
def signing_key_rotate(*, actor, institution) -> SigningKey:
    """A new key signs for the institution from now on; the old one is retired but stays in the
    DID document, so the credentials it signed keep verifying."""
    if not can_manage_institution(user=actor, institution=institution):
        raise PermissionDenied(_("Only this institution's research office can do this."))
    require_mfa(actor)
    SigningKey.objects.select_for_update().filter(
        institution=institution, retired_at__isnull=True
    ).update(retired_at=timezone.now())
    return _new_signing_key(institution=institution)
