"""Reads of projects, scoped to who asks: the business, the institution, the team."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from matching.models import InstitutionMembership

from .models import FundingApplication, Project


def projects_for(user) -> QuerySet[Project]:
    """Projects of `user`'s companies, of the research offices they work in, those they are
    on the team of; every project for platform staff."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_platform_staff:
        return Project.objects.all()
    offices = InstitutionMembership.objects.filter(
        user=user, role=InstitutionMembership.Role.OFFICE_STAFF
    ).values("institution")
    return Project.objects.filter(
        Q(company__memberships__user=user)
        | Q(institution__in=offices)
        | Q(lead=user)
        | Q(members__user=user)
    ).distinct()


def projects_led_by(user) -> QuerySet[Project]:
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(lead=user)


def can_edit_project(*, user, project: Project) -> bool:
    """The lead researcher and the institution's research office."""
    if not user.is_authenticated:
        return False
    if project.lead_id == user.pk:
        return True
    return InstitutionMembership.objects.filter(
        user=user,
        institution_id=project.institution_id,
        role=InstitutionMembership.Role.OFFICE_STAFF,
    ).exists()


def project_funding_total(project: Project) -> Decimal:
    """The funding the project expects: every application's amount except declined ones."""
    total = project.funding_applications.exclude(
        status=FundingApplication.Status.DECLINED
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)
