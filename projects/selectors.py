"""Reads of projects, scoped to who asks: the business, the institution, the team."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum

from matching.models import InstitutionMembership

from .credentials import did_web
from .models import FundingApplication, Project, SigningKey


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


# --- Credential issuers ----------------------------------------------------------------------


def institution_did(institution) -> str:
    """The institution's did:web, under the platform's address (its DID document is served at
    /institutions/<slug>/did.json)."""
    return did_web.did_for(settings.OCIP_BASE_URL, "institutions", institution.slug)


def company_did(company) -> str:
    """A company's did:web: the issuer of its endorsements, signed by the platform for it."""
    return did_web.did_for(settings.OCIP_BASE_URL, "companies", company.slug)


def institution_did_document(institution) -> dict:
    """Public: every key the institution has signed with, oldest first, retired ones included."""
    keys = SigningKey.objects.filter(institution=institution).values_list(
        "public_multibase", flat=True
    )
    return did_web.did_document(institution_did(institution), list(keys))
