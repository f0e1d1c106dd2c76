"""The review dashboards: their figures on data with known answers, who may see them (page and
CSV), what the CSV holds and leaves out, and the French page."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from diagnostics.services import diagnostic_start
from matching.models import (
    ExpertiseProfile,
    InstitutionMembership,
    IntroductionRequest,
    RequestMessage,
    RequestNote,
)
from ocip.charts import count_scale
from projects import metrics
from projects.models import Project
from tests.factories import InstitutionMembershipFactory, add_funding_application, enrol_totp

TORONTO = ZoneInfo("America/Toronto")
NOW = datetime(2026, 3, 13, 12, 0, tzinfo=TORONTO)  # a Friday; no holiday in these weeks
MARCH = "?date_from=2026-03-01&date_to=2026-03-13"
_numbers = count(1)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TORONTO)


def make_request(
    world,
    status: str,
    created: datetime,
    *,
    responded: datetime | None = None,
    closed: datetime | None = None,
    reason: str = "",
    escalated: bool = False,
    institution=None,
    profile_name: str = "",
) -> IntroductionRequest:
    """A request in `status`, built directly with the dates the test needs."""
    institution = institution or world.institution
    number = next(_numbers)
    profile = ExpertiseProfile.objects.create(
        external_id=f"dash-{number}",
        institution=institution,
        kind="researcher",
        name=profile_name or f"Researcher {number}",
        languages=["en"],
    )
    if status in ("accepted", "declined", "referred", "withdrawn"):
        closed = closed or responded or created
    request = IntroductionRequest.objects.create(
        company=world.company,
        diagnostic=world.diagnostic,
        institution=institution,
        profile=profile,
        requested_by=world.owner,
        message="We need help with our machining scrap.",
        status=status,
        decline_reason=reason,
        sector="31-33",
        score=0.5,
        closed_at=closed,
    )
    IntroductionRequest.objects.filter(pk=request.pk).update(
        created_at=created, first_response_at=responded, sla_escalated_at=NOW if escalated else None
    )
    request.refresh_from_db()
    return request


def make_project(world, request, start: date, applications=()) -> Project:
    project = Project.objects.create(
        request=request,
        company=world.company,
        institution=request.institution,
        title="Less scrap",
        scope="Find why parts fail inspection.",
        lead=world.researcher,
        start_date=start,
    )
    for amount, status in applications:
        add_funding_application(project, amount, status)
    return project


@pytest.fixture
def world(business_owner, company, institution, office_staff):
    other = InstitutionMembershipFactory(
        user__email="office@other.example",
        institution__slug="other-college",
        institution__name="Other College",
        role=InstitutionMembership.Role.OFFICE_STAFF,
    )
    enrol_totp(other.user)
    researcher = InstitutionMembershipFactory(
        institution=institution, role=InstitutionMembership.Role.RESEARCHER
    ).user
    student = InstitutionMembershipFactory(
        institution=institution, role=InstitutionMembership.Role.STUDENT
    ).user
    diagnostic, _created = diagnostic_start(actor=business_owner, company=company)
    return SimpleNamespace(
        owner=business_owner,
        company=company,
        diagnostic=diagnostic,
        institution=institution,
        office=office_staff,
        other_institution=other.institution,
        other_office=other.user,
        researcher=researcher,
        student=student,
    )


@pytest.fixture
def march(world):
    """A week of requests at `institution` with known answers (see test_figures_...)."""
    accepted = make_request(world, "accepted", at(2), responded=at(3))  # 24 h, 1 business day
    make_request(
        world, "declined", at(2, 10), responded=at(6, 10), reason="no_capacity"
    )  # 96 h, 4 business days: late
    make_request(world, "referred", at(3), responded=at(4, 21))  # 36 h, 1 business day
    make_request(world, "submitted", at(2), escalated=True)  # never answered: late
    make_request(world, "submitted", at(12))  # 1 business day so far: too soon to say
    make_request(world, "withdrawn", at(2), closed=at(3))  # withdrawn after 1 day: no verdict
    make_project(
        world,
        accepted,
        date(2026, 3, 9),
        [
            (Decimal("10000"), "planned"),
            (Decimal("5000.50"), "approved"),
            (Decimal("20000"), "declined"),
            (None, "submitted"),
        ],
    )
    return accepted


def period_figures(world, start=date(2026, 3, 1), end=date(2026, 3, 13), institution=None):
    period = metrics.Period(start=start, end=end)
    requests = IntroductionRequest.objects.all()
    projects = Project.objects.all()
    if institution is not None:
        requests = requests.filter(institution=institution)
        projects = projects.filter(institution=institution)
    return metrics.figures(period.requests(requests), period.projects(projects), now=NOW)


# --- Pure helpers ----------------------------------------------------------------------------


def test_median_and_rate():
    assert metrics.median([]) is None
    assert metrics.median([3, 1, 2]) == 2
    assert metrics.median([4, 1, 3, 2]) == 2.5
    assert metrics.rate(1, 4) == 0.25
    assert metrics.rate(0, 0) is None


def test_service_level_outcome_follows_the_flag_rule():
    monday = at(2)
    assert metrics.sla_outcome(monday, at(4, 17), None, now=NOW, days=3) is True  # Wednesday
    assert metrics.sla_outcome(monday, at(5, 8), None, now=NOW, days=3) is False  # flag day
    assert metrics.sla_outcome(at(12), None, None, now=NOW, days=3) is None  # may still make it
    assert metrics.sla_outcome(monday, None, None, now=NOW, days=3) is False  # still waiting
    assert metrics.sla_outcome(monday, None, at(3), now=NOW, days=3) is None  # withdrawn early


def test_count_scale_has_round_steps():
    assert count_scale(0) == (1, [0, 1])
    assert count_scale(3) == (3, [0, 1, 2, 3])
    assert count_scale(7) == (8, [0, 2, 4, 6, 8])
    assert count_scale(26) == (30, [0, 10, 20, 30])


# --- Figures ---------------------------------------------------------------------------------


def test_figures_on_known_data(world, march):
    figures = period_figures(world)
    assert figures.received == 6
    assert [(status, n) for status, _label, n in figures.by_status] == [
        ("submitted", 2),
        ("in_review", 0),
        ("info_requested", 0),
        ("accepted", 1),
        ("declined", 1),
        ("referred", 1),
        ("withdrawn", 1),
    ]
    timings = figures.timings
    assert timings.answered == 3
    assert timings.median_hours == 36  # of 24, 96 and 36
    assert timings.median_business_days == 1  # of 1, 4 and 1
    # Answered in time: 2 (1 business day each) of 4 with a verdict (+ the late answer and the
    # one never answered); the recent and the withdrawn ones do not count either way.
    assert (timings.sla_met, timings.sla_known, timings.sla_rate) == (2, 4, 0.5)
    assert figures.decided == 3
    assert figures.acceptance_rate == pytest.approx(1 / 3)
    assert figures.referral_rate == pytest.approx(1 / 3)
    assert {reason: n for reason, _label, n in figures.decline_reasons} == {
        "outside_expertise": 0,
        "no_capacity": 1,
        "too_early": 0,
        "too_late": 0,
        "budget_mismatch": 0,
        "other": 0,
    }
    assert figures.escalated == 1
    assert figures.projects == 1
    # 10,000 planned + 5,000.50 approved; the declined 20,000 and the unknown amount left out.
    assert figures.funding == Decimal("15000.50")


def test_rates_are_none_when_nothing_was_decided(world):
    make_request(world, "submitted", at(2))
    make_request(world, "withdrawn", at(3))
    figures = period_figures(world)
    assert figures.decided == 0
    assert figures.acceptance_rate is None
    assert figures.referral_rate is None
    assert figures.timings.median_hours is None
    assert figures.funding == Decimal("0")


def test_period_counts_requests_and_projects_at_its_edges(world):
    inside = [
        make_request(world, "accepted", datetime(2026, 3, 2, 0, 0, tzinfo=TORONTO)),
        make_request(world, "accepted", datetime(2026, 3, 6, 23, 59, 59, tzinfo=TORONTO)),
    ]
    outside = [
        make_request(world, "accepted", datetime(2026, 3, 1, 23, 59, 59, tzinfo=TORONTO)),
        make_request(world, "accepted", datetime(2026, 3, 7, 0, 0, tzinfo=TORONTO)),
    ]
    for request, start in zip(
        inside + outside,
        [date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 1), date(2026, 3, 7)],
        strict=True,
    ):
        make_project(world, request, start, [(Decimal("100"), "planned")])
    period = metrics.Period(start=date(2026, 3, 2), end=date(2026, 3, 6))
    assert set(period.requests(IntroductionRequest.objects.all())) == set(inside)
    assert {p.request for p in period.projects(Project.objects.all())} == set(inside)
    figures = period_figures(world, date(2026, 3, 2), date(2026, 3, 6))
    assert (figures.received, figures.projects, figures.funding) == (2, 2, Decimal("200"))
    since_ever = metrics.Period(start=None, end=date(2026, 3, 6))
    assert since_ever.requests(IntroductionRequest.objects.all()).count() == 3


def test_institution_rows_of_the_platform(world, march):
    make_request(
        world,
        "declined",
        at(4),
        responded=at(4, 12),
        reason="other",
        institution=world.other_institution,
    )
    make_request(world, "submitted", at(5), institution=world.other_institution, escalated=True)
    period = metrics.Period(start=date(2026, 3, 1), end=date(2026, 3, 13))
    rows = metrics.institution_rows(
        period.requests(IntroductionRequest.objects.all()), period.projects(Project.objects.all())
    )
    first, second = rows
    assert first.institution == world.institution
    assert (first.received, first.accepted, first.decided, first.escalated) == (6, 1, 3, 1)
    assert (first.median_hours, first.median_business_days) == (36, 1)
    assert (first.projects, first.funding) == (1, Decimal("15000.50"))
    assert second.institution == world.other_institution
    assert (second.received, second.decided, second.acceptance_rate) == (2, 1, 0)
    assert (second.median_hours, second.projects, second.funding) == (3, 0, Decimal("0"))


# --- Who sees the dashboards -----------------------------------------------------------------

FORMATS = ["", "&format=csv"]


def dashboard_url(world) -> str:
    return reverse("institution_dashboard", args=[world.institution.slug]) + MARCH


@pytest.mark.parametrize("fmt", FORMATS)
def test_institution_dashboard_permissions(client, world, platform_staff, fmt):
    url = dashboard_url(world) + fmt
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    expected = [
        (world.office, 200),
        (platform_staff, 200),
        (world.researcher, 403),
        (world.student, 403),
        (world.other_office, 404),  # cannot see the institution at all
        (world.owner, 404),
    ]
    for user, status in expected:
        client.force_login(user)
        assert client.get(url).status_code == status, user.email


@pytest.mark.parametrize("fmt", FORMATS)
def test_platform_dashboard_is_for_platform_staff(client, world, platform_staff, fmt):
    url = reverse("platform_dashboard") + MARCH + fmt
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    for user in (world.office, world.other_office, world.researcher, world.owner):
        client.force_login(user)
        assert client.get(url).status_code == 403, user.email
    client.force_login(platform_staff)
    assert client.get(url).status_code == 200


# --- The pages -------------------------------------------------------------------------------


def test_institution_page_shows_charts_tables_and_only_its_own_figures(client, world, march):
    make_request(world, "accepted", at(4), institution=world.other_institution)
    client.force_login(world.office)
    html = client.get(dashboard_url(world)).content.decode()
    assert 'role="img" aria-labelledby="status-chart-title"' in html
    assert 'role="img" aria-labelledby="reason-chart-title"' in html
    # The chart's numbers are in a table too, every state in order, zeros included.
    rows = re.findall(
        r'<tr><th scope="row"[^>]*>([^<]+)</th><td data-label="Requests">(\d+)</td></tr>', html
    )
    assert rows[:7] == [
        ("Waiting for the institution", "2"),
        ("In review", "0"),
        ("Waiting for the business", "0"),
        ("Accepted", "1"),
        ("Declined", "1"),
        ("Referred", "1"),
        ("Withdrawn", "1"),
    ]
    assert "<caption>Requests received in the period, by state</caption>" in html
    assert "33%" in html  # acceptance and referral: 1 of 3 decided
    assert "$15,001" in html  # 15,000.50 to the dollar
    assert "Other College" not in html
    assert "?date_from=2026-03-01&amp;date_to=2026-03-13&amp;format=csv" in html


def test_rates_show_a_dash_not_zero_when_nothing_was_decided(client, world):
    make_request(world, "submitted", at(2))
    client.force_login(world.office)
    html = client.get(dashboard_url(world)).content.decode()
    rate = html.split("Acceptance rate</dt>")[1].split("</dd>")[0]
    assert "—" in rate
    assert "no request was decided" in rate
    assert "%" not in rate


def test_empty_period_says_so(client, world):
    client.force_login(world.office)
    html = client.get(dashboard_url(world)).content.decode()
    assert "No request was received in this period." in html
    assert "No request received in this period was declined." in html


def test_default_period_is_the_last_90_days(client, world):
    now = timezone.now()
    make_request(world, "submitted", now - timedelta(days=10))
    make_request(world, "accepted", now - timedelta(days=120))
    client.force_login(world.office)
    response = client.get(reverse("institution_dashboard", args=[world.institution.slug]))
    assert response.context["figures"].received == 1
    today = timezone.localdate()
    assert response.context["period"] == metrics.Period(today - timedelta(days=89), today)
    everything = client.get(
        reverse("institution_dashboard", args=[world.institution.slug])
        + f"?date_from=&date_to={today.isoformat()}"
    )
    assert everything.context["figures"].received == 2


def test_a_period_that_ends_before_it_starts_is_refused(client, world):
    client.force_login(world.office)
    response = client.get(
        reverse("institution_dashboard", args=[world.institution.slug])
        + "?date_from=2026-03-13&date_to=2026-03-01"
    )
    assert response.status_code == 400
    assert "The end of the period must not be before its start." in response.content.decode()
    assert "figures" not in response.context


def test_platform_page_lists_institutions(client, world, platform_staff, march):
    make_request(world, "submitted", at(5), institution=world.other_institution, escalated=True)
    client.force_login(platform_staff)
    html = client.get(reverse("platform_dashboard") + MARCH).content.decode()
    assert "Requests escalated to platform staff" in html
    table = html.split('id="institutions-heading"')[1]
    assert table.index("College") < table.index("Other College")  # busiest first
    other_dashboard = reverse("institution_dashboard", args=["other-college"])
    assert f'href="{other_dashboard}?date_from=2026-03-01&amp;date_to=2026-03-13"' in table


def test_french_page_renders_with_svg_numbers_intact(client, world, march):
    client.force_login(world.office)
    response = client.get(
        f"/fr/manage/institutions/{world.institution.slug}/dashboard/" + MARCH,
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "36,0" in html  # the median in hours, with a French decimal comma
    # SVG coordinates keep their dot whatever the language, or the chart breaks.
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert re.search(r'width="\d+\.\d"', svg)
    assert not re.search(r'="\d+,\d', svg)


# --- CSV -------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_csv_has_the_figures_and_one_row_per_request_without_notes(client, world, march):
    note_on = IntroductionRequest.objects.filter(institution=world.institution).first()
    RequestNote.objects.create(request=note_on, author=world.office, body="INTERNAL-NOTE-TEXT")
    RequestMessage.objects.create(
        request=note_on, author=world.owner, from_business=True, body="PRIVATE-MESSAGE-TEXT"
    )
    make_request(world, "submitted", at(20, month=2))  # before the period
    formula = make_request(world, "submitted", at(10), profile_name="=HYPERLINK(1)")
    client.force_login(world.office)
    response = client.get(dashboard_url(world) + "&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="ocip-dashboard-college-2026-03-01-2026-03-13.csv"'
    )
    lines = read_csv(response)
    text = "\n".join(",".join(line) for line in lines)
    assert "INTERNAL-NOTE-TEXT" not in text
    assert "PRIVATE-MESSAGE-TEXT" not in text
    figures = dict(line for line in lines if len(line) == 2)
    assert figures["Requests received"] == "7"
    assert figures["Acceptance rate (%)"] == "33.3"
    assert figures["Estimated funding leveraged (CAD)"] == "15000.50"
    header = lines.index(
        [
            "Request",
            "Created on",
            "Status",
            "Institution",
            "Expertise",
            "Sector",
            "Match score",
            "First response (hours)",
            "Closed on",
            "Decline reason",
            "Referred to",
        ]
    )
    requests = lines[header + 1 :]
    assert len(requests) == 7
    ids = IntroductionRequest.objects.filter(created_at__gte=at(1, 0)).values_list("pk", flat=True)
    assert {int(row[0]) for row in requests} == set(ids)
    declined = next(row for row in requests if row[2] == "Declined")
    assert declined[1] == "2026-03-02"
    assert declined[7] == "96.0"
    assert declined[9] == "No capacity this term"
    assert next(row for row in requests if row[0] == str(formula.pk))[4] == "'=HYPERLINK(1)"


def test_csv_names_where_a_request_was_referred(client, world, platform_staff):
    referred = make_request(world, "referred", at(3), responded=at(4))
    received = make_request(world, "submitted", at(4), institution=world.other_institution)
    IntroductionRequest.objects.filter(pk=received.pk).update(referred_from=referred)
    client.force_login(platform_staff)
    lines = read_csv(client.get(reverse("platform_dashboard") + MARCH + "&format=csv"))
    row = next(line for line in lines if line and line[0] == str(referred.pk))
    assert row[10] == f"{received.profile.name} (Other College)"
    assert lines[lines.index([]) + 1][:2] == ["Institution", "Requests received"]
