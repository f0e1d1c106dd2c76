"""Projects made from accepted requests, and the work that follows: milestones, funding, and
the micro-credentials their students earn (definitions, invitations, evidence, assessment,
endorsement, issuing, revocation)."""

from __future__ import annotations

import calendar
import dataclasses
import io
import json
import logging
import secrets
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image

from matching import services as request_services
from matching.business_days import add_business_days
from matching.models import FundingProgram, Institution, InstitutionMembership, IntroductionRequest
from matching.selectors import assignable_people, can_manage_institution, office_staff_of
from ocip.accounts import invitations
from ocip.accounts.mfa import require_mfa
from ocip.errors import Conflict
from ocip.notifications.services import notify

from . import esco, evidence_files, selectors
from .credentials import contexts, data_integrity, did_web, documents, framework, multikey, sealing
from .credentials.status_list import StatusList as StatusListBits
from .models import (
    Assessment,
    CredentialDefinition,
    Evidence,
    FundingApplication,
    IssuedCredential,
    Milestone,
    Pathway,
    PathwayCompletion,
    PathwayComponent,
    Project,
    ProjectInvitation,
    ProjectMember,
    SigningKey,
    StatusList,
)

logger = logging.getLogger(__name__)


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


# --- Micro-credential definitions -------------------------------------------------------------


def _require_office(actor, institution) -> None:
    if not can_manage_institution(user=actor, institution=institution):
        raise PermissionDenied(_("Only this institution's research office can do this."))
    require_mfa(actor)


def _clean_definition_fields(fields: dict) -> dict:
    unknown = set(fields) - set(selectors.DEFINITION_FIELDS)
    if unknown:
        raise ValueError(f"Not definition fields: {sorted(unknown)}")
    errors = {}
    unknown_skills = [uri for uri in fields.get("skills", []) if uri not in esco.skills()]
    if unknown_skills:
        errors["skills"] = _("Choose competencies from the ESCO list.")
    if "rubric" in fields and fields["rubric"]:
        problems = framework.rubric_errors(fields["rubric"])
        if problems:
            errors["rubric"] = selectors.rubric_problem_text(problems[0])
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def definition_create(*, actor, institution, **fields) -> CredentialDefinition:
    """A draft micro-credential; it can be saved incomplete and is published when complete."""
    _require_office(actor, institution)
    definition = CredentialDefinition(
        institution=institution, created_by=actor, **_clean_definition_fields(fields)
    )
    definition.full_clean()
    definition.save()
    return definition


@transaction.atomic
def definition_update(*, actor, definition: CredentialDefinition, **fields) -> CredentialDefinition:
    """Change a draft in place. A published version is never changed: the change goes into the
    lineage's draft, made as the next version from the published one if there is none."""
    _require_office(actor, definition.institution)
    _clean_definition_fields(fields)
    if definition.state != CredentialDefinition.State.DRAFT:
        definition = _draft_of(definition)
    for name, value in fields.items():
        setattr(definition, name, value)
    definition.full_clean()
    try:
        with transaction.atomic():
            definition.save()
    except IntegrityError:
        raise Conflict(
            _("Someone else started a new version at the same time. Open it and edit it there.")
        ) from None
    return definition


def _draft_of(definition: CredentialDefinition) -> CredentialDefinition:
    lineage = CredentialDefinition.objects.select_for_update().filter(lineage=definition.lineage)
    versions = list(lineage.order_by("version"))
    draft = next((v for v in versions if v.state == CredentialDefinition.State.DRAFT), None)
    if draft is not None:
        return draft
    draft = CredentialDefinition.objects.get(pk=definition.pk)
    draft.pk = None
    draft._state.adding = True
    draft.version = versions[-1].version + 1
    draft.state = CredentialDefinition.State.DRAFT
    draft.published_at = None
    return draft


BADGE_MAX_BYTES = 1024 * 1024
BADGE_MIN_SIDE, BADGE_MAX_SIDE = 200, 2000


def _clean_badge(data: bytes) -> bytes:
    """An uploaded badge as a fresh PNG: checked (a PNG, square or nearly, of a sensible size)
    and drawn again, so that no chunk of the upload (metadata, a baked credential, anything a
    baker would refuse) is kept."""
    if len(data) > BADGE_MAX_BYTES:
        raise ValidationError({"image": _("Choose a PNG image of 1 MB or less.")})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise ValidationError({"image": _("This file is not a PNG image.")})
            width, height = image.size
            if not (min(width, height) >= BADGE_MIN_SIDE and max(width, height) <= BADGE_MAX_SIDE):
                raise ValidationError(
                    {
                        "image": _("Choose an image from %(low)s to %(high)s pixels on each side.")
                        % {"low": BADGE_MIN_SIDE, "high": BADGE_MAX_SIDE}
                    }
                )
            if not 0.8 <= width / height <= 1.25:
                raise ValidationError(
                    {"image": _("Choose a square image: badges are shown square.")}
                )
            clean = io.BytesIO()
            image.convert("RGBA").save(clean, format="PNG", optimize=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"image": _("This file is not a PNG image.")}) from None
    return clean.getvalue()


@transaction.atomic
def definition_set_image(
    *, actor, definition: CredentialDefinition, data: bytes | None
) -> CredentialDefinition:
    """Give the micro-credential its own badge image (a PNG), or go back to the generated one
    (`data` None). Like any change, it goes into the draft: published versions never change."""
    _require_office(actor, definition.institution)
    clean = _clean_badge(data) if data is not None else None
    try:
        with transaction.atomic():
            if definition.state != CredentialDefinition.State.DRAFT:
                definition = _draft_of(definition)
                definition.save()
            if clean is None:
                definition.image = ""
            else:
                # A random name: the file says nothing of the micro-credential it belongs to.
                definition.image.save(f"{uuid.uuid4().hex}.png", ContentFile(clean), save=False)
            definition.save()
    except IntegrityError:
        raise Conflict(
            _("Someone else started a new version at the same time. Open it and edit it there.")
        ) from None
    return definition


@transaction.atomic
def definition_publish(*, actor, definition: CredentialDefinition) -> CredentialDefinition:
    """Publish a complete draft; the lineage's published version, if any, is superseded."""
    _require_office(actor, definition.institution)
    definition = CredentialDefinition.objects.select_for_update().get(pk=definition.pk)
    if definition.state != CredentialDefinition.State.DRAFT:
        raise Conflict(_("Only a draft can be published; this version already was."))
    missing = selectors.definition_missing(definition)
    if missing:
        raise ValidationError([text for _code, text in missing])
    CredentialDefinition.objects.filter(
        lineage=definition.lineage, state=CredentialDefinition.State.PUBLISHED
    ).update(state=CredentialDefinition.State.SUPERSEDED)
    definition.state = CredentialDefinition.State.PUBLISHED
    definition.published_at = timezone.now()
    definition.save(update_fields=["state", "published_at", "updated_at"])
    # Projects offering an older version offer this one now; an older version stays attached
    # only where students were assessed against it.
    for project in Project.objects.filter(
        credential_definitions__lineage=definition.lineage
    ).distinct():
        older = project.credential_definitions.filter(lineage=definition.lineage).exclude(
            pk=definition.pk
        )
        project.credential_definitions.remove(*older.exclude(assessments__project=project))
        project.credential_definitions.add(definition)
    return definition


@transaction.atomic
def project_set_definitions(*, actor, project: Project, definitions) -> None:
    """The micro-credentials the project's students can earn: published ones of its institution.
    One that students were already assessed against stays."""
    _require_project_editor(actor, project)
    definitions = list(definitions)
    if any(
        d.institution_id != project.institution_id
        or d.state != CredentialDefinition.State.PUBLISHED
        for d in definitions
    ):
        raise ValidationError(
            {
                "definitions": _("Choose published micro-credentials of %(name)s.")
                % {"name": project.institution.name}
            }
        )
    assessed = CredentialDefinition.objects.filter(assessments__project=project).distinct()
    project.credential_definitions.set({*definitions, *assessed})


# --- Students ----------------------------------------------------------------------------------


@transaction.atomic
def student_invite(*, actor, project: Project, email: str, language: str) -> ProjectInvitation:
    _require_project_editor(actor, project)
    email = email.strip()
    if project.members.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already on the project team.")})
    # Those who endorse or issue a student's credential cannot be the student.
    if (
        selectors.company_people(project).filter(email__iexact=email).exists()
        or office_staff_of(project.institution).filter(email__iexact=email).exists()
    ):
        raise ValidationError(
            {
                "email": _(
                    "This person speaks for the business or the research office of this project, "
                    "so they cannot be one of its students."
                )
            }
        )
    invitation, token = invitations.issue(
        ProjectInvitation, email=email, invited_by=actor, language=language, project=project
    )
    invitations.send_invitation_email(
        invitation=invitation,
        token=token,
        organization_name=project.title,
        role_label=invitation.role_label(),
    )
    return invitation


@transaction.atomic
def project_invitation_accept(*, user, invitation: ProjectInvitation) -> ProjectMember:
    """The invited student joins the project and becomes a student of its institution (unless
    they already belong to it in another role)."""
    invitations.check_usable(invitation, user)
    invitations.claim(invitation, user)
    project = invitation.project
    InstitutionMembership.objects.get_or_create(
        institution_id=project.institution_id,
        user=user,
        defaults={"role": InstitutionMembership.Role.STUDENT},
    )
    member, _created = ProjectMember.objects.get_or_create(
        project=project,
        user=user,
        defaults={"role": ProjectMember.Role.STUDENT, "email": user.email},
    )
    if member.joined_at is None:
        member.joined_at = timezone.now()
        member.invited_at = invitation.created_at
        member.save(update_fields=["joined_at", "invited_at"])
    return member


def _require_student_of(project: Project, student) -> None:
    if not project.members.filter(user=student, role=ProjectMember.Role.STUDENT).exists():
        raise ValidationError({"student": _("Choose a student on the project team.")})


# --- Evidence ----------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *, actor, project: Project, student, title: str, description: str, url: str, upload=None
) -> Evidence:
    """Record what a student produced: a link or an uploaded file (type and size checked)."""
    _require_project_editor(actor, project)
    _require_student_of(project, student)
    errors = {}
    if not title.strip():
        errors["title"] = _("Give the evidence a title.")
    if not url and upload is None:
        errors["url"] = _("Give a link or upload a file.")
    file_type = ""
    if upload is not None:
        problem, file_type = evidence_files.check(upload, settings.OCIP_EVIDENCE_MAX_BYTES)
        if problem:
            errors["file"] = problem
    if errors:
        raise ValidationError(errors)
    evidence = Evidence(
        project=project,
        student=student,
        title=title.strip(),
        description=description.strip(),
        url=url,
        file_type=file_type,
        file_size=upload.size if upload is not None else None,
        recorded_by=actor,
    )
    evidence.full_clean(exclude=["file"])  # before the file is written: no orphan on refusal
    if upload is not None:
        evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_set_shareable(*, actor, evidence: Evidence, shareable: bool) -> Evidence:
    """The business decides whether project material may travel in a credential."""
    if (
        not selectors.can_answer_for_company(user=actor, project=evidence.project)
        or actor.pk == evidence.student_id
    ):
        raise PermissionDenied(_("Only the business may agree to share project material."))
    evidence.shareable = shareable
    evidence.shareable_set_by = actor
    evidence.save(update_fields=["shareable", "shareable_set_by"])
    return evidence


# --- Assessment and endorsement -----------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    actor,
    project: Project,
    student,
    definition: CredentialDefinition,
    levels: list[int],
    criterion_comments: list[str],
    comment: str,
) -> Assessment:
    """Assess a student against the rubric; pass or fail follows from its rule. Until a
    credential is issued the assessment may be redone, which asks the business again."""
    _require_project_editor(actor, project)
    _require_student_of(project, student)
    if not project.credential_definitions.filter(pk=definition.pk).exists():
        raise ValidationError(
            {"definition": _("This micro-credential is not part of the project.")}
        )
    first_time = not Assessment.objects.filter(
        project=project, student=student, definition=definition
    ).exists()
    if first_time and definition.state != CredentialDefinition.State.PUBLISHED:
        raise ValidationError(
            {
                "definition": _(
                    "A newer version of this micro-credential is published: assess against it."
                )
            }
        )
    rubric = definition.rubric
    if len(levels) != len(rubric["criteria"]) or any(
        not isinstance(level, int) or not 0 <= level < len(rubric["levels"]) for level in levels
    ):
        raise ValidationError({"levels": _("Choose a level for every criterion.")})
    passed = framework.passes(rubric, levels)
    existing = (
        Assessment.objects.select_for_update()
        .filter(project=project, student=student, definition=definition)
        .first()
    )
    if existing is not None and IssuedCredential.objects.filter(assessment=existing).exists():
        raise Conflict(_("A credential was already issued for this assessment."))
    assessment = existing or Assessment(project=project, student=student, definition=definition)
    assessment.levels = levels
    assessment.criterion_comments = [text.strip() for text in criterion_comments][: len(levels)]
    assessment.comment = comment.strip()
    assessment.passed = passed
    assessment.assessed_by = actor
    assessment.assessed_at = timezone.now()
    assessment.endorsement = (
        Assessment.Endorsement.PENDING if passed else Assessment.Endorsement.NOT_APPLICABLE
    )
    assessment.endorsement_due = (
        add_business_days(timezone.localdate(), settings.OCIP_ENDORSEMENT_DAYS) if passed else None
    )
    assessment.endorsement_comment = ""
    assessment.endorsed_by = None
    assessment.endorsed_at = None
    assessment.version = (existing.version + 1) if existing else 1
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        raise Conflict(
            _("Someone assessed this student at the same time. Read it again.")
        ) from None
    if passed:
        notify(
            users=selectors.company_people(project),
            key=f"assessment-{assessment.pk}-v{assessment.version}",
            message=gettext_noop(
                "%(student)s passed %(credential)s on %(project)s: please endorse it, or say why "
                "you do not."
            ),
            params={
                "student": student.get_full_name() or student.email,
                "credential": definition.title_en,
                "project": project.title,
            },
            url_name="project_detail",
            url_kwargs={"pk": project.pk},
        )
    return assessment


@transaction.atomic
def assessment_endorse(
    *, actor, assessment: Assessment, endorse: bool, comment: str, expected_version: int
) -> Assessment:
    """The business endorses a passed assessment, or declines with a comment."""
    if (
        not selectors.can_answer_for_company(user=actor, project=assessment.project)
        or actor.pk == assessment.student_id
    ):
        raise PermissionDenied(_("Only the project's business can endorse its students."))
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.version != expected_version:
        raise Conflict(_("The assessment changed since you opened it. Read it again."))
    refusal = selectors.endorsement_refusal(assessment)
    if refusal:
        raise Conflict(refusal)
    if not comment.strip() and not endorse:
        raise ValidationError({"comment": _("Say why you do not endorse it.")})
    assessment.endorsement = (
        Assessment.Endorsement.ENDORSED if endorse else Assessment.Endorsement.DECLINED
    )
    assessment.endorsement_comment = comment.strip()
    assessment.endorsed_by = actor
    assessment.endorsed_at = timezone.now()
    assessment.save(
        update_fields=["endorsement", "endorsement_comment", "endorsed_by", "endorsed_at"]
    )
    return assessment


# --- Issuing and revoking -----------------------------------------------------------------------


def _sign(document: dict, *, key, method: str, created: str) -> dict:
    return data_integrity.sign(
        document,
        key=key,
        verification_method=method,
        created=created,
        loader=selectors.credential_loader(),
    )


def _iso(moment) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _months_later(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it has fewer days)."""
    year, month = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + year, month + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _canonical_text(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def _sign_status_list(status_list: StatusList) -> None:
    key, private = signing_key_for(institution=status_list.institution)
    did = selectors.institution_did(status_list.institution)
    listing = StatusListBits(status_list.size, bytes(status_list.bits))
    unsigned = documents.status_list_credential(
        url=selectors.status_list_url(status_list),
        issuer_id=did,
        encoded_list=listing.encode(),
        valid_from=_iso(timezone.now()),
    )
    signed = _sign(
        unsigned,
        key=private,
        method=did_web.key_id(did, key.public_multibase),
        created=_iso(timezone.now()),
    )
    status_list.signed_text = _canonical_text(signed)


def _status_entry_for(institution) -> tuple[StatusList, int]:
    """A free entry of the institution's current status list, chosen at random so that an
    entry's position says nothing about when its credential was issued (as the W3C
    Recommendation advises)."""
    # The institution's row is the lock: two first credentials would both make list 1.
    Institution.objects.select_for_update().filter(pk=institution.pk).first()
    status_list = (
        StatusList.objects.select_for_update()
        .filter(institution=institution, next_index__lt=models.F("size"))
        .order_by("number")
        .first()
    )
    if status_list is None:
        number = (
            StatusList.objects.filter(institution=institution).aggregate(top=Max("number"))["top"]
            or 0
        ) + 1
        size = StatusListBits().size
        status_list = StatusList(
            institution=institution, number=number, size=size, bits=bytes(size // 8)
        )
        _sign_status_list(status_list)
        status_list.save()
        status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
    taken = set(status_list.entries.values_list("status_index", flat=True))
    index = secrets.randbelow(status_list.size)
    while index in taken:
        index = secrets.randbelow(status_list.size)
    status_list.next_index += 1
    status_list.save(update_fields=["next_index", "updated_at"])
    return status_list, index


@transaction.atomic
def credential_issue(*, actor, assessment: Assessment) -> IssuedCredential:
    """Sign the passed assessment's credential with the institution's key, once: a second
    attempt returns the first. Endorsed assessments carry the business's endorsement; the office
    may issue without one when the business declined or let the deadline pass."""
    project = assessment.project
    _require_office(actor, project.institution)
    if actor.pk == assessment.student_id:
        raise PermissionDenied(_("No one issues their own credential."))
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    existing = IssuedCredential.objects.filter(assessment=assessment).first()
    if existing is not None:
        return existing
    stage = selectors.assessment_stage(assessment, False, timezone.localdate())
    if stage == "not_passed":
        raise Conflict(_("Only a passed assessment leads to a credential."))
    if stage not in selectors.ISSUABLE:
        raise Conflict(
            _("The business has until %(date)s to endorse this assessment.")
            % {"date": date_format(assessment.endorsement_due or timezone.localdate())}
        )
    student = assessment.student
    if not student.email:
        raise ValidationError(_("The student has no email address to issue the credential to."))
    credential = _new_credential(
        student=student,
        institution=project.institution,
        definition=assessment.definition,
        assessment=assessment,
        endorsed=stage == "endorsed",
        issued_by=actor,
    )
    notify(
        users=[student],
        key=f"credential-issued-{credential.pk}",
        message=gettext_noop("Your micro-credential %(credential)s was issued."),
        params={"credential": assessment.definition.title(credential.language)},
        url_name="student_credentials",
    )
    _check_pathways_after_commit(student)
    return credential


def _check_pathways_after_commit(student) -> None:
    from . import tasks  # tasks call services: imported here to keep the import graph one-way

    # Robust: the work that triggered it is committed whatever the check does; the daily
    # sweep (pathways_complete_all) catches what a failed check left.
    transaction.on_commit(lambda: tasks.pathways_complete_for.delay(student.pk), robust=True)


def pathways_complete_all(*, pathway: Pathway | None = None) -> int:
    """Run the completion check for every learner who holds enough of a published pathway's
    micro-credentials (of `pathway`, or of every published one); one learner's failure does
    not stop the others. Returns how many completions were recorded."""
    candidates: set[int] = set()
    for item in [pathway] if pathway else selectors.published_pathways():
        candidates.update(selectors.pathway_students_to_check(item))
    recorded = 0
    for student in get_user_model().objects.filter(pk__in=candidates, is_active=True):
        try:
            recorded += len(pathways_complete_for(student=student))
        except Exception:
            logger.exception("Completing pathways failed for learner %s.", student.pk)
    return recorded


def _new_credential(*, student, institution, definition, **fields) -> IssuedCredential:
    """An issued credential's record with its status entry, validity and signed text."""
    status_list, index = _status_entry_for(institution)
    credential = IssuedCredential(
        institution=institution,
        student=student,
        definition=definition,
        status_list=status_list,
        status_index=index,
        language=student.language or settings.LANGUAGE_CODE,
        issued_at=timezone.now().replace(microsecond=0),
        **fields,
    )
    if definition.validity_months:
        credential.valid_until = _months_later(credential.issued_at, definition.validity_months)
    credential.signed_text = _canonical_text(_signed_document(credential))
    credential.save()
    return credential


@transaction.atomic
def pathways_complete_for(*, student) -> list[PathwayCompletion]:
    """Record each published pathway the student has now completed, once, and issue its stacked
    micro-credential (signed like any other) with a notification. Safe to run twice: the
    completion is unique per pathway and student, and the student's row is locked."""
    type(student).objects.select_for_update().filter(pk=student.pk).first()
    held = selectors.held_lineages(student)
    done = set(PathwayCompletion.objects.filter(student=student).values_list("pathway", flat=True))
    completions = []
    for pathway in (
        selectors.published_pathways()
        .filter(pk__in=selectors.counting_components().filter(lineage__in=held).values("pathway"))
        .exclude(pk__in=done)
    ):
        if not selectors.pathway_progress(pathway, held).complete:
            continue
        definition = None
        if pathway.target == Pathway.Target.STACKED:
            definition = selectors.current_definitions([pathway.stacked_lineage]).get(
                str(pathway.stacked_lineage)
            )
            if definition is None or not student.email:
                # Not recorded: the completion would stand without its credential for good.
                logger.warning("Pathway %s cannot issue to learner %s.", pathway.pk, student.pk)
                continue
        completion = PathwayCompletion.objects.create(pathway=pathway, student=student)
        title = pathway.title(student.language or settings.LANGUAGE_CODE)
        if definition is not None:
            completion.credential = _new_credential(
                student=student,
                institution=pathway.institution,
                definition=definition,
                pathway=pathway,
                endorsed=False,
            )
            completion.save(update_fields=["credential"])
            _check_pathways_after_commit(student)  # a stacked one may count toward others
        notify(
            users=[student],
            key=f"pathway-completed-{completion.pk}",
            message=gettext_noop("You completed the pathway %(pathway)s.")
            if completion.credential is None
            else gettext_noop(
                "You completed the pathway %(pathway)s: its micro-credential was issued."
            ),
            params={"pathway": title},
            url_name="student_credentials",
        )
        completions.append(completion)
    return completions


def _signed_document(credential: IssuedCredential) -> dict:
    """The credential, signed, all of it in the student's language."""
    with translation.override(credential.language):
        return _signed_document_in_language(credential)


def _signed_document_in_language(credential: IssuedCredential) -> dict:
    institution = credential.institution
    credential_id = selectors.credential_url(credential)
    issued = _iso(credential.issued_at)
    if credential.assessment_id is None:
        achievement, award, endorsements = _stacked_parts(credential, credential_id, issued)
    else:
        achievement, award, endorsements = _assessed_parts(credential, credential_id, issued)
    unsigned = documents.achievement_credential(
        issuer=selectors.credential_issuer(institution),
        achievement=achievement,
        award=award,
        extension_context=contexts.eu_extension_url(settings.OCIP_BASE_URL),
        status=documents.StatusEntry(
            list_url=selectors.status_list_url(credential.status_list),
            index=credential.status_index,
        ),
        endorsements=endorsements,
    )
    key, private = signing_key_for(institution=institution)
    did = selectors.institution_did(institution)
    return _sign(
        unsigned, key=private, method=did_web.key_id(did, key.public_multibase), created=issued
    )


def _award(credential: IssuedCredential, credential_id: str, issued: str, **parts):
    return documents.Award(
        credential_id=credential_id,
        recipient_email=credential.student.email,
        salt=secrets.token_hex(16),
        valid_from=issued,
        valid_until=_iso(credential.valid_until) if credential.valid_until else None,
        **parts,
    )


def _assessed_parts(credential: IssuedCredential, credential_id: str, issued: str):
    """A micro-credential: the rubric's results, the shareable evidence and the business's
    endorsement."""
    assessment = credential.assessment
    assert assessment is not None  # a micro-credential comes from its assessment
    project = assessment.project
    endorsements = []
    if credential.endorsed:
        company = project.company
        key, private = signing_key_for(company=company)
        company_did = selectors.company_did(company)
        endorsement = documents.endorsement_credential(
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            endorser=documents.Issuer(id=company_did, name=company.name),
            name=_("Endorsement by %(company)s") % {"company": company.name},
            endorsed_id=credential_id,
            comment=assessment.endorsement_comment
            or _("%(company)s endorses this work on %(project)s.")
            % {"company": company.name, "project": project.title},
            valid_from=_iso(assessment.endorsed_at),
        )
        endorsements.append(
            _sign(
                endorsement,
                key=private,
                method=did_web.key_id(company_did, key.public_multibase),
                created=issued,
            )
        )
    award = _award(
        credential,
        credential_id,
        issued,
        results=selectors.results_of(assessment),
        evidence=tuple(
            documents.Evidence(name=item.title, description=item.description, url=item.url)
            for item in project.evidence.filter(student=credential.student, shareable=True)
        ),
    )
    achievement = selectors.achievement_of(assessment.definition, credential.language)
    return achievement, award, endorsements


def _stacked_parts(credential: IssuedCredential, credential_id: str, issued: str):
    """A stacked micro-credential: its achievement names the pathway's micro-credentials as
    alignments; its evidence is the learner's own credentials that completed the pathway."""
    pathway = credential.pathway
    assert pathway is not None  # a stacked credential comes from its pathway
    language = credential.language
    achievement = selectors.achievement_of(credential.definition, language)
    stacks = tuple(
        documents.StackedPart(url=selectors.achievement_url(part), name=part.title(language))
        for part in selectors.pathway_parts(pathway)
    )
    counted = selectors.counting_credentials(credential.student, pathway)
    award = _award(
        credential,
        credential_id,
        issued,
        evidence=tuple(
            documents.Evidence(
                name=held.definition.title(language),
                description=_("Issued by %(institution)s on %(date)s")
                % {
                    "institution": held.institution.name,
                    "date": date_format(held.issued_at, "DATE_FORMAT"),
                },
                url=selectors.credential_url(held),
            )
            for held in counted
        ),
    )
    # Earned by the pathway's rule, not by an assessment: the criteria say the rule and name
    # the parts, and there is no rubric.
    rule = _("Awarded for completing the pathway %(pathway)s: %(rule)s (%(parts)s).") % {
        "pathway": pathway.title(language),
        "rule": selectors.pathway_rule_text(pathway, len(stacks)).lower(),
        "parts": "; ".join(part.name for part in stacks),
    }
    outcomes = credential.definition.localized("outcomes", language)
    achievement = dataclasses.replace(
        achievement,
        stacks=stacks,
        rubric=(),
        criteria="\n".join(part for part in (rule, outcomes) if part),
    )
    return achievement, award, []


@transaction.atomic
def credential_revoke(*, actor, credential: IssuedCredential, reason: str) -> IssuedCredential:
    """Set the credential's bit in its status list and sign the list again: every verification
    then says revoked."""
    _require_office(actor, credential.institution)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the credential is revoked.")})
    credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
    if credential.revoked_at is not None:
        raise Conflict(_("This credential is already revoked."))
    status_list = StatusList.objects.select_for_update().get(pk=credential.status_list_id)
    listing = StatusListBits(status_list.size, bytes(status_list.bits))
    listing.set(credential.status_index, True)
    status_list.bits = bytes(listing.bits)
    _sign_status_list(status_list)
    status_list.save(update_fields=["bits", "signed_text", "updated_at"])
    credential.revoked_at = timezone.now()
    credential.revoked_reason = reason.strip()
    credential.revoked_by = actor
    credential.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    notify(
        users=[credential.student],
        key=f"credential-revoked-{credential.pk}",
        message=gettext_noop("Your micro-credential %(credential)s was revoked."),
        params={"credential": credential.definition.title(credential.language)},
        url_name="student_credentials",
    )
    return credential


@transaction.atomic
def credential_set_shared(*, actor, credential: IssuedCredential, shared: bool) -> IssuedCredential:
    """Only the student decides whether their credential has a public page."""
    if credential.student_id != actor.pk:
        raise PermissionDenied(_("Only the credential's holder can share it."))
    credential.shared = shared
    credential.save(update_fields=["shared"])
    return credential


# --- Pathways (Micro-credentials Plus): the research office's side -----------------------------
# Every write locks the pathway's row first, so that an agreement, a change of its
# micro-credentials and publishing it happen one after the other.


def _locked_pathway(pathway: Pathway) -> Pathway:
    return Pathway.objects.select_for_update().select_related("institution").get(pk=pathway.pk)


def _require_draft(pathway: Pathway) -> None:
    if pathway.state != Pathway.State.DRAFT:
        raise Conflict(
            _("Only a draft pathway can be changed. A published one can only be closed.")
        )


def _as_lineage(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _clean_pathway_fields(institution, values: dict) -> dict:
    """The pathway's fields as saved: texts stripped, the count emptied for "all of these" and
    the stacked micro-credential for a program. A draft can be incomplete, but its rule and
    target must hold together (the database says so too)."""
    unknown = set(values) - set(selectors.PATHWAY_FIELDS)
    if unknown:
        raise ValueError(f"Not pathway fields: {sorted(unknown)}")
    values = {
        name: value.strip() if isinstance(value, str) else value for name, value in values.items()
    }
    errors = {}
    rule = values.get("rule")
    count = values.get("required_count")
    if rule not in Pathway.Rule.values:
        errors["rule"] = _(
            "Choose whether learners need all of the micro-credentials or a number of them."
        )
    elif rule == Pathway.Rule.ALL:
        values["required_count"] = None
    elif isinstance(count, bool) or not isinstance(count, int) or count < 1:
        errors["required_count"] = _("Say how many of the micro-credentials a learner needs.")
    target = values.get("target")
    if target not in Pathway.Target.values:
        errors["target"] = _(
            "Choose what the pathway leads to: a program or a stacked micro-credential."
        )
    elif target == Pathway.Target.PROGRAM:
        values["stacked_lineage"] = None
    else:
        lineage = _as_lineage(values.get("stacked_lineage"))
        if (
            lineage is None
            or not selectors.published_definitions(institution).filter(lineage=lineage).exists()
        ):
            errors["stacked_lineage"] = _(
                "Choose a published micro-credential of %(name)s: learners who complete the "
                "pathway receive it."
            ) % {"name": institution.name}
        values["stacked_lineage"] = lineage
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def pathway_create(*, actor, institution, **fields) -> Pathway:
    """A draft pathway of the institution. It can be saved incomplete; its micro-credentials
    are set with pathway_set_components, and it is published when complete."""
    _require_office(actor, institution)
    values = _clean_pathway_fields(institution, {"rule": Pathway.Rule.ALL, **fields})
    pathway = Pathway(institution=institution, created_by=actor, **values)
    pathway.full_clean()
    pathway.save()
    return pathway


@transaction.atomic
def pathway_update(*, actor, pathway: Pathway, **fields) -> Pathway:
    """Change a draft pathway; a published one is never changed, only closed."""
    _require_office(actor, pathway.institution)
    pathway = _locked_pathway(pathway)
    _require_draft(pathway)
    current = {name: getattr(pathway, name) for name in selectors.PATHWAY_FIELDS}
    for name, value in _clean_pathway_fields(pathway.institution, {**current, **fields}).items():
        setattr(pathway, name, value)
    pathway.full_clean()
    pathway.save()
    return pathway


def _pathway_name(pathway: Pathway) -> str:
    return pathway.title_en or pathway.title_fr or _("Untitled pathway")


@transaction.atomic
def pathway_set_components(*, actor, pathway: Pathway, lineages) -> list:
    """The draft pathway's micro-credentials: lineages with a published version, of any
    institution. The institution's own count at once; another institution's count once its
    research office agrees, and that office is asked. One kept keeps its agreement."""
    _require_office(actor, pathway.institution)
    pathway = _locked_pathway(pathway)
    _require_draft(pathway)
    found = list(dict.fromkeys(_as_lineage(item) for item in lineages))
    wanted = [item for item in found if item is not None]
    published = {
        definition.lineage: definition
        for definition in CredentialDefinition.objects.filter(
            lineage__in=wanted, state=CredentialDefinition.State.PUBLISHED
        ).select_related("institution")
    }
    if len(wanted) < len(found) or any(item not in published for item in wanted):
        raise ValidationError({"lineages": _("Choose published micro-credentials from the list.")})
    if pathway.stacked_lineage in published:
        raise ValidationError(
            {
                "lineages": _(
                    "The stacked micro-credential the pathway leads to cannot also be one of "
                    "the micro-credentials that lead to it."
                )
            }
        )
    kept = set(pathway.components.filter(lineage__in=wanted).values_list("lineage", flat=True))
    pathway.components.exclude(lineage__in=wanted).delete()
    now = timezone.now()
    for lineage in wanted:
        if lineage in kept:
            continue
        definition = published[lineage]
        own = definition.institution_id == pathway.institution_id
        component = PathwayComponent.objects.create(
            pathway=pathway,
            lineage=lineage,
            institution=definition.institution,
            agreed_at=now if own else None,
            agreed_by=actor if own else None,
        )
        if not own:
            notify(
                users=office_staff_of(definition.institution),
                key=f"pathway-component-{component.pk}-asked",
                message=gettext_noop(
                    "%(institution)s asks to include your micro-credential %(credential)s in "
                    "its pathway %(pathway)s. Agree or refuse on your pathways page."
                ),
                params={
                    "institution": pathway.institution.name,
                    "credential": definition.title_en or definition.title_fr,
                    "pathway": _pathway_name(pathway),
                },
                url_name="pathway_list",
                url_kwargs={"slug": definition.institution.slug},
            )
    return list(pathway.components.all())


@transaction.atomic
def pathway_component_agree(
    *, actor, component: PathwayComponent, agree: bool
) -> PathwayComponent | None:
    """The research office of the micro-credential's institution agrees to it counting toward
    another institution's draft pathway, or refuses, which takes it out of the pathway. The
    pathway's office is told either way. Agreeing twice is agreeing once."""
    _require_office(actor, component.institution)
    pathway = Pathway.objects.select_for_update().get(pk=component.pathway_id)
    found = (
        PathwayComponent.objects.select_related("institution", "pathway__institution")
        .filter(pk=component.pk)
        .first()
    )
    if found is None:
        raise Conflict(
            _("This is no longer asked: the micro-credential was taken out of the pathway.")
        )
    component = found
    if agree and component.agreed_at is not None:
        return component
    if pathway.state != Pathway.State.DRAFT:
        raise Conflict(_("The pathway is no longer a draft: this can no longer be answered."))
    definition = selectors.current_definitions([component.lineage]).get(str(component.lineage))
    params = {
        "institution": component.institution.name,
        "credential": (definition.title_en or definition.title_fr) if definition else "",
        "pathway": _pathway_name(pathway),
    }
    page = {"slug": pathway.institution.slug, "pk": pathway.pk}
    if agree:
        component.agreed_at = timezone.now()
        component.agreed_by = actor
        component.save(update_fields=["agreed_at", "agreed_by"])
        notify(
            users=office_staff_of(pathway.institution),
            key=f"pathway-component-{component.pk}-agreed",
            message=gettext_noop(
                "%(institution)s agreed to include its micro-credential %(credential)s in your "
                "pathway %(pathway)s."
            ),
            params=params,
            url_name="pathway_detail",
            url_kwargs=page,
        )
        return component
    key = f"pathway-component-{component.pk}-refused"
    component.delete()
    notify(
        users=office_staff_of(pathway.institution),
        key=key,
        message=gettext_noop(
            "%(institution)s refused to include its micro-credential %(credential)s in your "
            "pathway %(pathway)s, so it was taken out of the pathway."
        ),
        params=params,
        url_name="pathway_detail",
        url_kwargs=page,
    )
    return None


@transaction.atomic
def pathway_publish(*, actor, pathway: Pathway) -> Pathway:
    """Publish a complete draft: its micro-credentials are marked MC+ from now on, and the
    learners who already hold enough of them complete it (after the commit, by the task)."""
    _require_office(actor, pathway.institution)
    pathway = _locked_pathway(pathway)
    if pathway.state != Pathway.State.DRAFT:
        raise Conflict(_("Only a draft pathway can be published; this one already was."))
    problems = selectors.pathway_missing(pathway)
    if problems:
        raise ValidationError(problems)
    pathway.state = Pathway.State.PUBLISHED
    pathway.published_at = timezone.now()
    pathway.save(update_fields=["state", "published_at", "updated_at"])
    from . import tasks

    transaction.on_commit(lambda: tasks.pathway_complete_for_holders.delay(pathway.pk), robust=True)
    return pathway


@transaction.atomic
def pathway_close(*, actor, pathway: Pathway) -> Pathway:
    """Close a published pathway for good: no learner completes it any more and its
    micro-credentials are no longer MC+ for it. Completions and stacked credentials stay."""
    _require_office(actor, pathway.institution)
    pathway = _locked_pathway(pathway)
    if pathway.state != Pathway.State.PUBLISHED:
        raise Conflict(_("Only a published pathway can be closed."))
    pathway.state = Pathway.State.CLOSED
    pathway.save(update_fields=["state", "updated_at"])
    return pathway
