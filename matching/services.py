"""Writes to institutions and their members. Research-office and platform staff need MFA."""

from __future__ import annotations

import dataclasses
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ocip.accounts import invitations
from ocip.accounts.mfa import require_mfa
from ocip.api import ConflictError

from .catalogue import read_expertise, read_funding_programs, read_institutions
from .engine.types import SearchUnavailable
from .models import (
    ExpertiseProfile,
    FundingProgram,
    Institution,
    InstitutionInvitation,
    InstitutionMembership,
    MatchRun,
)
from .selectors import can_edit_expertise, can_manage_institution, match_runs_for

logger = logging.getLogger(__name__)

INSTITUTION_PROFILE_FIELDS = ("website", "research_office_email", "description", "languages")


def _require_manager(actor, institution: Institution) -> None:
    """Research-office staff of this institution, or platform staff; both with MFA."""
    if not can_manage_institution(user=actor, institution=institution):
        raise PermissionDenied(_("Only this institution's research office can do this."))
    require_mfa(actor)


@transaction.atomic
def institution_update(*, actor, institution: Institution, **changes) -> Institution:
    _require_manager(actor, institution)
    unknown = set(changes) - set(INSTITUTION_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not institution profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(institution, field, value)
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def institution_invitation_create(
    *, actor, institution: Institution, email: str, role: str, language: str
) -> InstitutionInvitation:
    _require_manager(actor, institution)
    if role not in InstitutionMembership.Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if InstitutionMembership.objects.filter(
        institution=institution, user__email__iexact=email
    ).exists():
        raise ValidationError({"email": _("This person is already a member of the institution.")})
    invitation, token = invitations.issue(
        InstitutionInvitation,
        email=email,
        invited_by=actor,
        language=language,
        institution=institution,
        role=role,
    )
    invitations.send_invitation_email(
        invitation=invitation,
        token=token,
        organization_name=institution.name,
        role_label=invitation.role_label(),
    )
    return invitation


@transaction.atomic
def institution_invitation_revoke(*, actor, invitation: InstitutionInvitation) -> None:
    _require_manager(actor, invitation.institution)
    invitations.revoke(invitation)


@transaction.atomic
def institution_invitation_accept(
    *, user, invitation: InstitutionInvitation
) -> InstitutionMembership:
    invitations.check_usable(invitation, user)
    invitations.claim(invitation, user)
    membership, created = InstitutionMembership.objects.get_or_create(
        institution=invitation.institution, user=user, defaults={"role": invitation.role}
    )
    if not created and membership.role != invitation.role:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def institution_member_remove(*, actor, membership: InstitutionMembership) -> None:
    _require_manager(actor, membership.institution)
    if membership.role == InstitutionMembership.Role.OFFICE_STAFF:
        office = InstitutionMembership.objects.select_for_update().filter(
            institution=membership.institution, role=InstitutionMembership.Role.OFFICE_STAFF
        )
        if len(list(office)) <= 1:
            raise ValidationError(_("An institution keeps at least one research-office member."))
    membership.delete()


@transaction.atomic
def institutions_load_catalogue() -> int:
    """Create or update every institution of the shipped list, keyed by slug."""
    rows = read_institutions()
    for row in rows:
        Institution.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "city": row["city"],
                "region": row["region"],
                "languages": row["languages"],
            },
        )
    return len(rows)


# --- Expertise profiles and funding programs ------------------------------------------------


def _index_changed() -> None:
    """Rebuild the matching index once the change is committed (a no-op if current)."""
    from .tasks import matching_index_rebuild

    transaction.on_commit(matching_index_rebuild.delay)


@transaction.atomic
def expertise_load_catalogue() -> int:
    """Create or update every profile of the shipped expertise.jsonl, keyed by its id."""
    institutions = {institution.slug: institution for institution in Institution.objects.all()}
    rows = read_expertise()
    for row in rows:
        fields = {name: row.get(name) for name in ExpertiseProfile.EDITABLE_FIELDS if name in row}
        ExpertiseProfile.objects.update_or_create(
            external_id=row["id"],
            defaults={**fields, "institution": institutions[row["institution"]]},
        )
    _index_changed()
    return len(rows)


@transaction.atomic
def funding_programs_load_catalogue() -> int:
    rows = read_funding_programs()
    for row in rows:
        FundingProgram.objects.update_or_create(
            slug=row["slug"],
            defaults={
                name: (str(row[name]) if name == "last_verified" else row[name])
                for name in FundingProgram.RULE_FIELDS
                if name in row and name != "slug"
            },
        )
    return len(rows)


def _require_profile_editor(actor, *, institution: Institution, profile=None) -> None:
    if not can_edit_expertise(user=actor, institution=institution, profile=profile):
        raise PermissionDenied(_("You cannot edit this expertise profile."))
    if actor.is_platform_staff or can_manage_institution(user=actor, institution=institution):
        require_mfa(actor)


def _save_profile(profile: ExpertiseProfile, changes: dict) -> ExpertiseProfile:
    unknown = set(changes) - set(ExpertiseProfile.EDITABLE_FIELDS) - {"owner"}
    if unknown:
        raise ValueError(f"Not expertise profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    _index_changed()
    return profile


@transaction.atomic
def expertise_profile_create(*, actor, institution: Institution, **fields) -> ExpertiseProfile:
    _require_profile_editor(actor, institution=institution)
    profile = ExpertiseProfile(
        institution=institution, external_id=f"{institution.slug[:20]}-{uuid.uuid4().hex[:8]}"
    )
    if not actor.is_platform_staff and not can_manage_institution(
        user=actor, institution=institution
    ):
        fields["owner"] = actor  # a researcher's own profile
    return _save_profile(profile, fields)


@transaction.atomic
def expertise_profile_update(*, actor, profile: ExpertiseProfile, **changes) -> ExpertiseProfile:
    profile = ExpertiseProfile.objects.select_for_update().get(pk=profile.pk)
    _require_profile_editor(actor, institution=profile.institution, profile=profile)
    return _save_profile(profile, changes)


# --- Match runs ----------------------------------------------------------------------------

MATCH_RUN_SIZE = 100  # kept per run, so that filters and "more" work on the snapshot
MAX_QUERY_CHARS = 20_000


class MatchRunConflict(ConflictError):
    pass


def _match_snapshot(match, profiles: dict[str, ExpertiseProfile]) -> dict | None:
    profile = profiles.get(match.profile_id)
    if profile is None:  # removed between indexing and now
        return None
    return {
        "profile": profile.external_id,
        "name": profile.name,
        "title": profile.title,
        "kind": profile.kind,
        "institution": profile.institution.slug,
        "institution_name": profile.institution.name,
        "institution_kind": profile.institution.kind,
        "region": profile.institution.region,
        "languages": list(profile.languages or []),
        "score": match.score,
        "signals": [
            {
                "name": signal.name,
                "value": signal.value,
                "weight": signal.weight,
                "detail": signal.detail,
            }
            for signal in match.signals
        ],
    }


def _compute_run(diagnostic) -> dict:
    """The fields of a match run: results, or a failure code the page explains."""
    from diagnostics.text import words

    from .engine.funding import assess_programs
    from .engine.needs import query_from_needs
    from .search import backend

    needs = diagnostic.needs_profile.data
    query = query_from_needs(needs)
    query = dataclasses.replace(query, text=query.text[:MAX_QUERY_CHARS])
    engine = backend()
    fields: dict = {
        "backend": engine.name,
        "query": dataclasses.asdict(query),
        "funding": assess_programs(
            [program.as_rules() for program in FundingProgram.objects.all()],
            needs.get("facts", {}),
            capability_areas=[area["slug"] for area in needs.get("capability_areas", [])],
        ).to_dict(),
    }
    if not words(query.text):
        return fields | {"status": MatchRun.Status.FAILED, "error": "no_text"}
    try:
        fields |= {"index_checksum": engine.checksum(), "profile_count": engine.size()}
        if not fields["profile_count"]:
            return fields | {"status": MatchRun.Status.FAILED, "error": "no_profiles"}
        matches = engine.rank(query, limit=MATCH_RUN_SIZE)
    except SearchUnavailable:
        logger.exception("Matching backend %s did not answer", engine.name)
        return fields | {"status": MatchRun.Status.FAILED, "error": "unavailable"}
    profiles = ExpertiseProfile.objects.select_related("institution").in_bulk(
        [match.profile_id for match in matches], field_name="external_id"
    )
    snapshot = [s for s in (_match_snapshot(m, profiles) for m in matches) if s is not None]
    if not snapshot:
        return fields | {"status": MatchRun.Status.FAILED, "error": "no_matches"}
    return fields | {"status": MatchRun.Status.DONE, "matches": snapshot}


def match_run_for_diagnostic(*, diagnostic_id: int) -> MatchRun | None:
    """The diagnostic's first match run, made if missing: running this twice makes one run."""
    from diagnostics.models import Diagnostic

    diagnostic = Diagnostic.objects.filter(pk=diagnostic_id, status="submitted").first()
    if diagnostic is None:
        return None
    existing = diagnostic.match_runs.order_by("sequence").first()
    if existing:
        return existing
    fields = _compute_run(diagnostic)
    try:
        with transaction.atomic():
            return MatchRun.objects.create(diagnostic=diagnostic, sequence=1, **fields)
    except IntegrityError:  # a concurrent run of the same task won
        return diagnostic.match_runs.get(sequence=1)


def match_run_is_stale(run: MatchRun) -> bool:
    """True when profiles changed since the run (or it failed), so a refresh may differ."""
    from .search import profiles_checksum

    return run.status == MatchRun.Status.FAILED or run.index_checksum != profiles_checksum()


def match_run_refresh(*, actor, run: MatchRun) -> MatchRun:
    """A new snapshot for the same diagnostic; the older runs stay for the record."""
    if not match_runs_for(actor).filter(pk=run.pk).exists():
        raise PermissionDenied(_("You cannot refresh these matches."))
    latest = run.diagnostic.match_runs.order_by("-sequence").first()
    if latest is not None and latest.pk != run.pk:
        raise MatchRunConflict(_("These matches were already refreshed."))
    if not match_run_is_stale(run):
        return run
    fields = _compute_run(run.diagnostic)
    try:
        with transaction.atomic():
            return MatchRun.objects.create(
                diagnostic=run.diagnostic,
                sequence=run.sequence + 1,
                requested_by=actor,
                **fields,
            )
    except IntegrityError as error:
        raise MatchRunConflict(_("These matches were already refreshed.")) from error
