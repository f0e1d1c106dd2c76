"""Writes to companies and their members. Each function checks who is acting."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ocip.accounts import invitations
from ocip.accounts.mfa import require_mfa

from .models import Company, CompanyInvitation, CompanyMembership
from .selectors import company_membership

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
