"""Writes to institutions and their members. Research-office and platform staff need MFA."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocip.accounts import invitations
from ocip.accounts.mfa import require_mfa

from .catalogue import read_institutions
from .models import Institution, InstitutionInvitation, InstitutionMembership
from .selectors import can_manage_institution

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
