"""The figures of the review dashboards: counted by queries, medians and rates in plain Python.

A request counts in the period it was created in; a project in the period it started in. A
referral closes one request (counted as referred where it was sent from) and opens another
(counted where it arrived), so a chain of two institutions is two requests received. A
credential counts in the period it was issued in (as revoked if it is revoked today), where it
was issued; a pathway completion in the period it was completed in, at the pathway's institution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise

from matching import workflow
from matching.business_days import business_days_between
from matching.models import Institution, IntroductionRequest
from matching.selectors import can_manage_institution

from .models import FundingApplication, IssuedCredential, PathwayCompletion, Project
from .selectors import expected_applications

# Every state, always in this order, so a state with no request still shows as 0.
STATUS_ORDER = workflow.STATUSES
DECIDED = (workflow.ACCEPTED, workflow.DECLINED, workflow.REFERRED)
EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    """From `start` (None: since the first request) to `end`, both days included."""

    start: date | None
    end: date

    def _bounds(self) -> tuple[datetime | None, datetime]:
        def midnight(day: date) -> datetime:
            return timezone.make_aware(datetime.combine(day, time.min))

        start = midnight(self.start) if self.start else None
        return start, midnight(self.end + timedelta(days=1))

    def _within(self, items: QuerySet, field: str) -> QuerySet:
        """The items whose moment `field` falls in the period (in local days)."""
        start, end = self._bounds()
        items = items.filter(**{f"{field}__lt": end})
        return items.filter(**{f"{field}__gte": start}) if start else items

    def requests(self, requests: QuerySet[IntroductionRequest]) -> QuerySet[IntroductionRequest]:
        return self._within(requests, "created_at")

    def credentials(self, credentials: QuerySet[IssuedCredential]) -> QuerySet[IssuedCredential]:
        return self._within(credentials, "issued_at")

    def completions(self, completions: QuerySet[PathwayCompletion]) -> QuerySet[PathwayCompletion]:
        return self._within(completions, "completed_at")

    def projects(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        projects = projects.filter(start_date__lte=self.end)
        return projects.filter(start_date__gte=self.start) if self.start else projects


# --- Who sees which figures ------------------------------------------------------------------


def dashboard_requests(*, user, institution: Institution | None) -> QuerySet[IntroductionRequest]:
    """The requests a dashboard counts: an institution's, for its research office and platform
    staff; every request on the platform dashboard, for platform staff only."""
    if institution is None:
        allowed = user.is_authenticated and user.is_platform_staff
        return IntroductionRequest.objects.all() if allowed else IntroductionRequest.objects.none()
    if not can_manage_institution(user=user, institution=institution):
        return IntroductionRequest.objects.none()
    return IntroductionRequest.objects.filter(institution=institution)


def dashboard_projects(*, user, institution: Institution | None) -> QuerySet[Project]:
    if institution is None:
        allowed = user.is_authenticated and user.is_platform_staff
        return Project.objects.all() if allowed else Project.objects.none()
    if not can_manage_institution(user=user, institution=institution):
        return Project.objects.none()
    return Project.objects.filter(institution=institution)


def _platform_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_platform_staff)


def dashboard_credentials(*, user, institution: Institution | None) -> QuerySet[IssuedCredential]:
    """The credentials a dashboard counts, micro-credentials and stacked ones alike: those an
    institution issued, for its research office and platform staff; every one on the platform
    dashboard, for platform staff only."""
    if institution is None:
        if _platform_staff(user):
            return IssuedCredential.objects.all()
        return IssuedCredential.objects.none()
    if not can_manage_institution(user=user, institution=institution):
        return IssuedCredential.objects.none()
    return IssuedCredential.objects.filter(institution=institution)


def dashboard_completions(*, user, institution: Institution | None) -> QuerySet[PathwayCompletion]:
    """The pathway completions a dashboard counts: of an institution's pathways, for its
    research office and platform staff; every one on the platform dashboard, for platform
    staff only."""
    if institution is None:
        if _platform_staff(user):
            return PathwayCompletion.objects.all()
        return PathwayCompletion.objects.none()
    if not can_manage_institution(user=user, institution=institution):
        return PathwayCompletion.objects.none()
    return PathwayCompletion.objects.filter(pathway__institution=institution)


# --- Pure helpers ----------------------------------------------------------------------------


def median(values: Iterable[float]) -> float | None:
    """The median, or None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide by (shown as “—”, not 0 %)."""
    return part / whole if whole else None


def response_hours(created: datetime, responded: datetime) -> float:
    return (responded - created).total_seconds() / 3600


def response_business_days(created: datetime, responded: datetime) -> int:
    """Ontario business days from the day it arrived to the day of the first response."""
    return business_days_between(timezone.localdate(created), timezone.localdate(responded))


def sla_outcome(
    created: datetime,
    responded: datetime | None,
    closed: datetime | None,
    *,
    now: datetime,
    days: int,
) -> bool | None:
    """True if answered before the service-level flag (under `days` business days), False if
    answered later or left waiting that long, None while it may still be answered in time.

    Same rule as matching.services.requests_check_service_levels, which flags a request on
    the business day its wait reaches `days`.
    """
    if responded is not None:
        return response_business_days(created, responded) < days
    waited_until = closed or now
    if response_business_days(created, waited_until) >= days:
        return False
    return None


# --- Figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timings:
    answered: int
    median_hours: float | None
    median_business_days: float | None
    sla_days: int
    sla_met: int
    sla_known: int  # requests answered, or left waiting past the flag

    @property
    def sla_rate(self) -> float | None:
        return rate(self.sla_met, self.sla_known)


def timings(
    rows: Iterable[tuple[datetime, datetime | None, datetime | None]], *, now: datetime
) -> Timings:
    """From (created, first response, closed) rows: the medians over the answered requests
    and the share answered within the service level."""
    days = settings.OCIP_REQUEST_FLAG_DAYS
    hours, business_days = [], []
    met = known = 0
    for created, responded, closed in rows:
        if responded is not None:
            hours.append(response_hours(created, responded))
            business_days.append(response_business_days(created, responded))
        outcome = sla_outcome(created, responded, closed, now=now, days=days)
        if outcome is not None:
            known += 1
            met += outcome
    return Timings(
        answered=len(hours),
        median_hours=median(hours),
        median_business_days=median(business_days),
        sla_days=days,
        sla_met=met,
        sla_known=known,
    )


@dataclass(frozen=True)
class Figures:
    received: int
    by_status: list[tuple[str, str | Promise, int]]  # (status, label, count), STATUS_ORDER
    decline_reasons: list[tuple[str, str | Promise, int]]  # (reason, label, count)
    escalated: int
    timings: Timings
    projects: int
    funding: Decimal  # CAD

    def count(self, status: str) -> int:
        return next(count for value, _label, count in self.by_status if value == status)

    @property
    def decided(self) -> int:
        return sum(self.count(status) for status in DECIDED)

    @property
    def accepted(self) -> int:
        return self.count(workflow.ACCEPTED)

    @property
    def declined(self) -> int:
        return self.count(workflow.DECLINED)

    @property
    def referred(self) -> int:
        return self.count(workflow.REFERRED)

    @property
    def acceptance_rate(self) -> float | None:
        return rate(self.accepted, self.decided)

    @property
    def referral_rate(self) -> float | None:
        return rate(self.referred, self.decided)


STATUS_COUNTS = {
    "received": Count("pk"),
    "escalated": Count("pk", filter=Q(sla_escalated_at__isnull=False)),
    **{status: Count("pk", filter=Q(status=status)) for status in STATUS_ORDER},
}


def funding_leveraged(projects: QuerySet[Project]) -> Decimal:
    """The amounts the projects seek or won, less the applications that were declined."""
    total = expected_applications(
        FundingApplication.objects.filter(project__in=projects)
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def figures(
    requests: QuerySet[IntroductionRequest],
    projects: QuerySet[Project],
    *,
    now: datetime | None = None,
) -> Figures:
    """The dashboard's figures for these requests and projects (already scoped and filtered
    by period)."""
    now = now or timezone.now()
    counts = requests.aggregate(**STATUS_COUNTS)
    reasons = dict(
        requests.filter(status=workflow.DECLINED)
        .order_by()
        .values_list("decline_reason")
        .annotate(count=Count("pk"))
    )
    status_labels = dict(IntroductionRequest.Status.choices)
    return Figures(
        received=counts["received"],
        by_status=[(status, status_labels[status], counts[status]) for status in STATUS_ORDER],
        decline_reasons=[
            (reason, label, reasons.get(reason, 0))
            for reason, label in IntroductionRequest.DeclineReason.choices
        ],
        escalated=counts["escalated"],
        timings=timings(
            requests.values_list("created_at", "first_response_at", "closed_at").order_by(),
            now=now,
        ),
        projects=projects.count(),
        funding=funding_leveraged(projects),
    )


@dataclass(frozen=True)
class InstitutionRow:
    institution: Institution
    received: int
    accepted: int
    decided: int
    escalated: int
    median_hours: float | None
    median_business_days: float | None
    projects: int
    funding: Decimal

    @property
    def acceptance_rate(self) -> float | None:
        return rate(self.accepted, self.decided)


def institution_rows(
    requests: QuerySet[IntroductionRequest], projects: QuerySet[Project]
) -> list[InstitutionRow]:
    """One row per institution with requests or projects here, the busiest first. A few
    grouped queries, whatever the number of institutions."""
    counts = {
        row["institution"]: row
        for row in requests.order_by()
        .values("institution")
        .annotate(
            received=Count("pk"),
            accepted=Count("pk", filter=Q(status=workflow.ACCEPTED)),
            decided=Count("pk", filter=Q(status__in=DECIDED)),
            escalated=Count("pk", filter=Q(sla_escalated_at__isnull=False)),
        )
    }
    hours: dict[int, list[float]] = defaultdict(list)
    business_days: dict[int, list[int]] = defaultdict(list)
    answered = requests.filter(first_response_at__isnull=False).order_by()
    for institution_id, created, responded in answered.values_list(
        "institution", "created_at", "first_response_at"
    ):
        assert responded is not None  # filtered above
        hours[institution_id].append(response_hours(created, responded))
        business_days[institution_id].append(response_business_days(created, responded))
    started = dict(projects.order_by().values_list("institution").annotate(count=Count("pk")))
    funding = dict(
        expected_applications(FundingApplication.objects.filter(project__in=projects))
        .order_by()
        .values_list("project__institution")
        .annotate(total=Sum("amount"))
    )
    rows = []
    for pk, institution in Institution.objects.in_bulk(set(counts) | set(started)).items():
        count = counts.get(pk, {})
        rows.append(
            InstitutionRow(
                institution=institution,
                received=count.get("received", 0),
                accepted=count.get("accepted", 0),
                decided=count.get("decided", 0),
                escalated=count.get("escalated", 0),
                median_hours=median(hours[pk]),
                median_business_days=median(business_days[pk]),
                projects=started.get(pk, 0),
                funding=funding.get(pk) or Decimal("0"),
            )
        )
    return sorted(rows, key=lambda row: (-row.received, -row.projects, row.institution.name))


@dataclass(frozen=True)
class CredentialFigures:
    issued: int
    revoked: int  # of those issued, the ones revoked today
    students: int  # distinct students who received at least one
    pathways_completed: int


CREDENTIAL_COUNTS = {
    "issued": Count("pk"),
    "revoked": Count("pk", filter=Q(revoked_at__isnull=False)),
    "students": Count("student", distinct=True),
}


def credential_figures(
    credentials: QuerySet[IssuedCredential], completions: QuerySet[PathwayCompletion]
) -> CredentialFigures:
    """The micro-credential figures for these credentials and completions (already scoped and
    filtered by period): one aggregate query and one count."""
    counts = credentials.order_by().aggregate(**CREDENTIAL_COUNTS)
    return CredentialFigures(
        issued=counts["issued"],
        revoked=counts["revoked"],
        students=counts["students"],
        pathways_completed=completions.order_by().count(),
    )


@dataclass(frozen=True)
class CredentialRow:
    institution: Institution
    issued: int
    revoked: int
    students: int
    pathways_completed: int


def credential_rows(
    credentials: QuerySet[IssuedCredential], completions: QuerySet[PathwayCompletion]
) -> list[CredentialRow]:
    """One row per institution that issued a credential or whose pathway was completed, the
    busiest first. Three queries, whatever the number of institutions."""
    counts = {
        row["institution"]: row
        for row in credentials.order_by().values("institution").annotate(**CREDENTIAL_COUNTS)
    }
    completed = dict(
        completions.order_by().values_list("pathway__institution").annotate(count=Count("pk"))
    )
    rows = []
    for pk, institution in Institution.objects.in_bulk(set(counts) | set(completed)).items():
        count = counts.get(pk, {})
        rows.append(
            CredentialRow(
                institution=institution,
                issued=count.get("issued", 0),
                revoked=count.get("revoked", 0),
                students=count.get("students", 0),
                pathways_completed=completed.get(pk, 0),
            )
        )
    return sorted(
        rows, key=lambda row: (-row.issued, -row.pathways_completed, row.institution.name)
    )


def request_rows(requests: QuerySet[IntroductionRequest]) -> QuerySet[IntroductionRequest]:
    """The requests for an export, oldest first, with what each row names (never notes or
    messages)."""
    return (
        requests.select_related("institution", "profile")
        .prefetch_related(
            Prefetch(
                "referrals",
                queryset=IntroductionRequest.objects.select_related("institution", "profile"),
            )
        )
        .order_by("created_at", "pk")
    )
