import csv
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from diagnostics.models import Company, CompanyMembership
from matching.catalogue import DATA_DIR
from matching.models import (
    Institution,
    InstitutionMembership,
    IntroductionRequest,
    MatchRun,
    RequestEvent,
    RequestMessage,
)
from matching.search import InProcessBackend
from matching.workflow import STATUSES
from ocip.accounts.models import User
from ocip.notifications.models import Notification
from projects import metrics
from projects.models import FundingApplication, Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index():
    """The demo's match runs rank on this test database's profiles, not another test's."""
    InProcessBackend.forget()
    yield
    InProcessBackend.forget()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Company,
            CompanyMembership,
            Institution,
            InstitutionMembership,
            Authenticator,
            MatchRun,
            IntroductionRequest,
            RequestEvent,
            RequestMessage,
            Project,
            FundingApplication,
            Notification,
        )
    }


def test_load_demo_data_is_idempotent_and_loads_the_shipped_institutions():
    call_command("load_demo_data", stdout=StringIO())
    first = _counts()
    call_command("load_demo_data", stdout=StringIO())
    assert _counts() == first
    with (DATA_DIR / "institutions.csv").open(encoding="utf-8") as handle:
        shipped = {row["slug"]: row for row in csv.DictReader(handle)}
    assert set(Institution.objects.values_list("slug", flat=True)) == set(shipped)
    bilingual = Institution.objects.get(slug="ottawa") if "ottawa" in shipped else None
    if bilingual is not None:
        assert set(bilingual.languages) == set(shipped["ottawa"]["languages"].split(";"))
    assert first["User"] == 7
    # The three staff personas are enrolled in TOTP so a tester can log in.
    assert first["Authenticator"] == 3
    assert first["IntroductionRequest"] > 0


def test_demo_requests_show_every_state_a_referral_chain_and_the_service_levels():
    call_command("load_demo_data", stdout=StringIO())
    requests = IntroductionRequest.objects.all()
    assert set(requests.values_list("status", flat=True)) == set(STATUSES)
    assert set(requests.values_list("institution__slug", flat=True)) == {"algonquin", "la-cite"}
    # La Cité referred one to Algonquin, which accepted it and started a project.
    received = requests.get(referred_from__isnull=False)
    assert received.referred_from.status == "referred"
    assert received.referred_from.institution.slug == "la-cite"
    assert (received.institution.slug, received.status) == ("algonquin", "accepted")
    assert received.project.funding_applications.exists()
    # An old unanswered request was flagged and escalated; a recent one was not.
    waiting = requests.filter(status="submitted", first_response_at__isnull=True)
    assert waiting.filter(sla_escalated_at__isnull=False).exists()
    assert waiting.filter(sla_flagged_at__isnull=True).exists()
    # Its history is in the past, consistent, and nobody was emailed about it.
    for request in requests:
        assert request.created_at <= (request.first_response_at or request.created_at)
        assert request.created_at <= (request.closed_at or request.created_at)
        assert request.events.order_by("created_at", "pk").first().kind in (
            "submitted",
            "referral_received",
        )
    assert Notification.objects.exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    figures = metrics.figures(requests, Project.objects.all())
    assert figures.received == requests.count()
    assert figures.timings.answered > 0 and figures.timings.median_hours > 0
    assert figures.decided > 0 and figures.projects == 3
    assert figures.funding > 0


def test_prints_logins_in_dev_only(settings):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "ocip-demo-2026" not in out.getvalue()
    settings.OCIP_ENVIRONMENT = "dev"
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "ocip-demo-2026" in out.getvalue()
    assert "TOTP secret" in out.getvalue()


def test_refuses_production(settings):
    settings.OCIP_ENVIRONMENT = "production"
    with pytest.raises(CommandError):
        call_command("load_demo_data", stdout=StringIO())
    assert Institution.objects.count() == 0
