"""Reads of institution data, always scoped to the person asking."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ocip.accounts.invitations import hash_token, pending_filter

from .models import (
    ExpertiseProfile,
    Institution,
    InstitutionInvitation,
    InstitutionMembership,
    MatchRun,
)


def institutions_for(user) -> QuerySet[Institution]:
    """Institutions whose profile and people `user` may see: their own, or all for staff."""
    if not user.is_authenticated:
        return Institution.objects.none()
    if user.is_platform_staff:
        return Institution.objects.all()
    return Institution.objects.filter(memberships__user=user).distinct()


def institution_membership(*, user, institution: Institution) -> InstitutionMembership | None:
    if not user.is_authenticated:
        return None
    return InstitutionMembership.objects.filter(user=user, institution=institution).first()


def memberships_of(user) -> QuerySet[InstitutionMembership]:
    if not user.is_authenticated:
        return InstitutionMembership.objects.none()
    return InstitutionMembership.objects.filter(user=user).select_related("institution")


def user_is_office_staff(user) -> bool:
    """True for research-office staff of any institution (a role that requires MFA)."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_ocip_is_office_staff", None)
    if cached is None:
        cached = InstitutionMembership.objects.filter(
            user=user, role=InstitutionMembership.Role.OFFICE_STAFF
        ).exists()
        user._ocip_is_office_staff = cached
    return cached


def can_manage_institution(*, user, institution: Institution) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_platform_staff:
        return True
    return InstitutionMembership.objects.filter(
        user=user, institution=institution, role=InstitutionMembership.Role.OFFICE_STAFF
    ).exists()


def institution_members(*, user, institution: Institution) -> QuerySet[InstitutionMembership]:
    """The people of an institution: for its research office and platform staff only."""
    if not can_manage_institution(user=user, institution=institution):
        return InstitutionMembership.objects.none()
    return InstitutionMembership.objects.filter(institution=institution).select_related("user")


def institution_open_invitations(
    *, user, institution: Institution
) -> QuerySet[InstitutionInvitation]:
    if not can_manage_institution(user=user, institution=institution):
        return InstitutionInvitation.objects.none()
    return (
        InstitutionInvitation.objects.filter(institution=institution)
        .filter(pending_filter())
        .select_related("invited_by")
    )


def institution_invitation_by_token(token: str) -> InstitutionInvitation | None:
    return (
        InstitutionInvitation.objects.select_related("institution", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def can_edit_expertise(*, user, institution: Institution, profile=None) -> bool:
    """Platform staff; the institution's research office; a researcher for their own profile
    (and to add profiles of their own institution)."""
    if not user.is_authenticated:
        return False
    if can_manage_institution(user=user, institution=institution):
        return True
    is_researcher = InstitutionMembership.objects.filter(
        user=user, institution=institution, role=InstitutionMembership.Role.RESEARCHER
    ).exists()
    if profile is None:
        return is_researcher
    return is_researcher and profile.owner_id == user.pk


def expertise_editable_by(user) -> QuerySet[ExpertiseProfile]:
    """The profiles `user` may edit."""
    if not user.is_authenticated:
        return ExpertiseProfile.objects.none()
    if user.is_platform_staff:
        return ExpertiseProfile.objects.all()
    offices = InstitutionMembership.objects.filter(
        user=user, role=InstitutionMembership.Role.OFFICE_STAFF
    ).values("institution")
    return ExpertiseProfile.objects.filter(
        Q(institution__in=offices)
        | Q(
            owner=user,
            institution__memberships__user=user,
            institution__memberships__role=InstitutionMembership.Role.RESEARCHER,
        )
    ).distinct()


def expertise_profile_visible(external_id: str) -> ExpertiseProfile | None:
    """Active profiles are public to signed-in users: they are what the platform matches on."""
    return (
        ExpertiseProfile.objects.filter(external_id=external_id, is_active=True)
        .select_related("institution")
        .first()
    )


def match_runs_for(user) -> QuerySet[MatchRun]:
    """Match runs of the diagnostics `user` may see (their companies' own)."""
    from diagnostics.selectors import diagnostics_for

    return MatchRun.objects.filter(diagnostic__in=diagnostics_for(user))


def latest_match_run(*, user, diagnostic_id: int) -> MatchRun | None:
    return match_runs_for(user).filter(diagnostic_id=diagnostic_id).order_by("-sequence").first()
