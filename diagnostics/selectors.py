"""Reads of company data, always scoped to the person asking."""

from __future__ import annotations

from django.db.models import QuerySet

from ocip.accounts.invitations import hash_token, pending_filter

from .models import Company, CompanyInvitation, CompanyMembership, Diagnostic


def companies_for(user) -> QuerySet[Company]:
    """The companies `user` may see: their own, or all of them for platform staff."""
    if not user.is_authenticated:
        return Company.objects.none()
    if user.is_platform_staff:
        return Company.objects.all()
    return Company.objects.filter(memberships__user=user).distinct()


def company_membership(*, user, company: Company) -> CompanyMembership | None:
    if not user.is_authenticated:
        return None
    return CompanyMembership.objects.filter(user=user, company=company).first()


def company_members(*, user, company: Company) -> QuerySet[CompanyMembership]:
    return CompanyMembership.objects.filter(
        company=company, company__in=companies_for(user)
    ).select_related("user")


def company_open_invitations(*, user, company: Company) -> QuerySet[CompanyInvitation]:
    return (
        CompanyInvitation.objects.filter(company=company, company__in=companies_for(user))
        .filter(pending_filter())
        .select_related("invited_by")
    )


def memberships_of(user) -> QuerySet[CompanyMembership]:
    if not user.is_authenticated:
        return CompanyMembership.objects.none()
    return CompanyMembership.objects.filter(user=user).select_related("company")


def company_invitation_by_token(token: str) -> CompanyInvitation | None:
    """The invitation a token opens. Holding the token is what grants the right to see it."""
    return (
        CompanyInvitation.objects.select_related("company", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def companies_of_member(user) -> QuerySet[Company]:
    """Companies whose diagnostics `user` may see: members only (platform staff are not)."""
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user)


def diagnostics_for(user) -> QuerySet[Diagnostic]:
    """Diagnostics are private to the company's members. Research offices will see one only
    through a request addressed to them."""
    return Diagnostic.objects.filter(company__in=companies_of_member(user)).select_related(
        "company", "questionnaire", "needs_profile"
    )


def company_diagnostics(*, user, company: Company) -> QuerySet[Diagnostic]:
    return diagnostics_for(user).filter(company=company)


def company_draft(*, user, company: Company) -> Diagnostic | None:
    return (
        company_diagnostics(user=user, company=company)
        .filter(status=Diagnostic.Status.DRAFT)
        .first()
    )
