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
    """The institution's research office, and the lead researcher while they belong to it."""
    if not user.is_authenticated:
        return False
    roles = set(
        InstitutionMembership.objects.filter(
            user=user, institution_id=project.institution_id
        ).values_list("role", flat=True)
    )
    if InstitutionMembership.Role.OFFICE_STAFF in roles:
        return True
    return project.lead_id == user.pk and InstitutionMembership.Role.RESEARCHER in roles


def expected_applications(applications: QuerySet[FundingApplication]):
    """The applications whose amounts count as funding expected: all but the declined ones.
    The project's page, its API and the review dashboards all count through this."""
    return applications.exclude(status=FundingApplication.Status.DECLINED)


def project_funding_total(project: Project) -> Decimal:
    """The funding the project expects, in CAD."""
    total = expected_applications(project.funding_applications.all()).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal(0)
