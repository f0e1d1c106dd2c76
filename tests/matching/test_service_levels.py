"""Service levels: a request with no first response is flagged (the office and the assignee
reminded, the business told it waits on the institution), then escalated to platform staff,
counted in Ontario business days, with controlled time. Running the check again, by the
command or the Celery task, changes nothing."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command

from matching import services
from matching.models import IntroductionRequest, RequestEvent
from matching.services import (
    request_ask_info,
    request_assign,
    request_message,
    request_withdraw,
    requests_check_service_levels,
)
from matching.tasks import requests_check_service_levels as check_task
from ocip.notifications.models import Notification

from ..factories import UserFactory
from .test_request_services import ask, build_world

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def world(db, settings):
    settings.OCIP_REQUEST_FLAG_DAYS = 3
    settings.OCIP_REQUEST_ESCALATE_DAYS = 5
    return build_world()


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """Run the check at a Toronto wall-clock time, emails included; returns its counts."""

    def run_at(*when, how="service"):
        with (
            time_machine.travel(datetime(*when, tzinfo=TORONTO), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            if how == "service":
                return requests_check_service_levels()
            if how == "command":
                out = StringIO()
                call_command("check_request_service_levels", stdout=out)
                return out.getvalue().strip()
            assert how == "task"
            return check_task.delay()

    return run_at


def asked_at(world, *when, profile="a1") -> IntroductionRequest:
    with time_machine.travel(datetime(*when, tzinfo=TORONTO), tick=False):
        return ask(world, profile)


def fresh(request) -> IntroductionRequest:
    return IntroductionRequest.objects.get(pk=request.pk)


def sla_events(request) -> list[tuple[str, str]]:
    return list(
        request.events.filter(kind__startswith="sla_").values_list("kind", "note").order_by("pk")
    )


def test_the_long_weekend_of_good_friday_does_not_count(world, check):
    # Thursday before Good Friday. Business days after it: Good Friday no, Easter Monday
    # (not statutory in Ontario) 1, Tuesday 2, Wednesday 3.
    request = asked_at(world, 2026, 4, 2, 16, 30)
    for when in [(2026, 4, 3, 17), (2026, 4, 6, 9), (2026, 4, 7, 23, 59)]:
        assert check(*when) == {"flagged": 0, "escalated": 0}
    assert sla_events(request) == []
    assert check(2026, 4, 8, 0, 1) == {"flagged": 1, "escalated": 0}
    assert sla_events(request) == [("sla_flagged", "3")]
    assert check(2026, 4, 9, 12) == {"flagged": 0, "escalated": 0}
    assert check(2026, 4, 10, 12) == {"flagged": 0, "escalated": 1}
    assert sla_events(request) == [("sla_flagged", "3"), ("sla_escalated", "5")]
    request.refresh_from_db()
    assert request.sla_flagged_at == datetime(2026, 4, 8, 0, 1, tzinfo=TORONTO)
    assert request.sla_escalated_at == datetime(2026, 4, 10, 12, tzinfo=TORONTO)
    assert (request.status, request.version, request.first_response_at) == ("submitted", 1, None)


def test_days_are_counted_in_ontario_time(world, check):
    # Wednesday 21:00 in Toronto is already Thursday in UTC: Thursday, Friday and Monday
    # are the three business days, so Monday flags it, not Tuesday.
    asked_at(world, 2026, 5, 6, 21)
    assert check(2026, 5, 8, 23) == {"flagged": 0, "escalated": 0}
    assert check(2026, 5, 11, 8) == {"flagged": 1, "escalated": 0}


def test_flagging_reminds_the_institution_and_tells_the_business(world, check):
    request = asked_at(world, 2026, 3, 2, 10)  # a Monday
    # Assigning is not a response: the clock keeps running, and the assignee is reminded too.
    with time_machine.travel(datetime(2026, 3, 2, 11, tzinfo=TORONTO), tick=False):
        request_assign(
            actor=world.office["a"],
            request=request,
            expected_version=1,
            assignee=world.researcher["a"],
        )
    mail.outbox.clear()
    assert check(2026, 3, 5, 9) == {"flagged": 1, "escalated": 0}

    flagged = request.events.get(kind="sla_flagged")
    assert (flagged.actor, flagged.from_status, flagged.to_status) == (
        None,
        "in_review",
        "in_review",
    )
    told = {n.user: n for n in Notification.objects.filter(key=f"request-event-{flagged.pk}")}
    institution = {
        world.office["a"],
        world.office2["a"],
        world.office_without_mfa,
        world.researcher["a"],
    }
    business = {world.owner, world.colleague}
    assert set(told) == institution | business
    for user in institution:
        assert told[user].text.startswith("Reminder: the request of Acme for Lab A1")
        assert "3 business days" in told[user].text
    for user in business:
        assert "waiting on the institution (3 business days)" in told[user].text
    assert all(n.path == request.get_absolute_url() for n in told.values())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in told)


def test_escalation_goes_to_active_platform_staff_only(world, check):
    retired = UserFactory(email="retired@ocip.example", is_staff=True, is_active=False)
    request = asked_at(world, 2026, 3, 2, 10)
    check(2026, 3, 5, 9)
    mail.outbox.clear()
    assert check(2026, 3, 9, 9) == {"flagged": 0, "escalated": 1}
    escalated = request.events.get(kind="sla_escalated")
    told = Notification.objects.filter(key=f"request-event-{escalated.pk}")
    assert [n.user for n in told] == [world.staff]
    assert retired not in {n.user for n in told}
    assert told[0].text == (
        "Escalation: the request of Acme to Institution A has had no response for 5 business days."
    )
    assert [m.to for m in mail.outbox] == [[world.staff.email]]


def test_a_check_that_did_not_run_for_a_while_flags_and_escalates_at_once(world, check):
    request = asked_at(world, 2026, 3, 2, 10)
    assert check(2026, 3, 16, 9) == {"flagged": 1, "escalated": 1}
    assert sla_events(request) == [("sla_flagged", "10"), ("sla_escalated", "10")]


def test_the_thresholds_come_from_settings(world, check, settings):
    settings.OCIP_REQUEST_FLAG_DAYS = 1
    settings.OCIP_REQUEST_ESCALATE_DAYS = 2
    asked_at(world, 2026, 3, 2, 10)
    assert check(2026, 3, 2, 23) == {"flagged": 0, "escalated": 0}
    assert check(2026, 3, 3, 9) == {"flagged": 1, "escalated": 0}
    assert check(2026, 3, 4, 9) == {"flagged": 0, "escalated": 1}


def test_running_the_check_again_in_any_way_changes_nothing(world, check):
    asked_at(world, 2026, 3, 2, 10)
    asked_at(world, 2026, 3, 2, 11, profile="b1")
    before = Notification.objects.count()
    assert check(2026, 3, 9, 9) == {"flagged": 2, "escalated": 2}
    counts = (RequestEvent.objects.count(), Notification.objects.count(), len(mail.outbox))
    assert len(mail.outbox) == Notification.objects.count() - before  # one email each

    assert check(2026, 3, 9, 9) == {"flagged": 0, "escalated": 0}
    assert check(2026, 3, 9, 10, how="command") == "0 request(s) flagged, 0 escalated."
    check(2026, 3, 10, 9, how="task")
    check(2026, 4, 20, 9)
    assert (RequestEvent.objects.count(), Notification.objects.count(), len(mail.outbox)) == counts


def test_the_command_and_the_task_do_the_check(world, check):
    first = asked_at(world, 2026, 3, 2, 10)
    second = asked_at(world, 2026, 3, 3, 10, profile="b1")
    assert check(2026, 3, 5, 9, how="command") == "1 request(s) flagged, 0 escalated."
    assert sla_events(first) == [("sla_flagged", "3")]
    assert sla_events(second) == []
    check(2026, 3, 6, 9, how="task")
    assert sla_events(second) == [("sla_flagged", "3")]
    schedule = django_settings.CELERY_BEAT_SCHEDULE.values()
    assert "matching.tasks.requests_check_service_levels" in {entry["task"] for entry in schedule}


@pytest.mark.parametrize("response", ["message", "ask_info"])
def test_a_request_with_a_first_response_is_never_flagged(world, check, response):
    request = asked_at(world, 2026, 3, 2, 10)
    with time_machine.travel(datetime(2026, 3, 2, 15, tzinfo=TORONTO), tick=False):
        if response == "message":
            request_message(actor=world.office["a"], request=request, body="On it.")
        else:
            request_ask_info(
                actor=world.office["a"], request=request, expected_version=1, question="When?"
            )
    assert check(2026, 4, 30, 9) == {"flagged": 0, "escalated": 0}
    assert sla_events(request) == []


def test_a_response_after_the_flag_stops_the_escalation(world, check):
    request = asked_at(world, 2026, 3, 2, 10)
    check(2026, 3, 5, 9)
    with time_machine.travel(datetime(2026, 3, 6, 9, tzinfo=TORONTO), tick=False):
        request_message(actor=world.office["a"], request=request, body="Sorry for the wait!")
    assert check(2026, 3, 20, 9) == {"flagged": 0, "escalated": 0}
    assert sla_events(request) == [("sla_flagged", "3")]


def test_closed_requests_are_left_alone(world, check):
    # Withdrawn before anyone answered: no first response, but nobody is waiting any more.
    request = asked_at(world, 2026, 3, 2, 10)
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=TORONTO), tick=False):
        request_withdraw(actor=world.owner, request=request, expected_version=1)
    assert check(2026, 3, 20, 9) == {"flagged": 0, "escalated": 0}
    assert sla_events(request) == []
    assert not Notification.objects.filter(user=world.staff).exists()


def test_a_request_closed_while_the_check_runs_is_not_flagged(world, check):
    request = asked_at(world, 2026, 3, 2, 10)
    counting = services.business_days_between

    def withdrawn_meanwhile(start, end):
        # The business withdraws between the check reading the request and claiming it.
        request_withdraw(actor=world.owner, request=fresh(request), expected_version=1)
        return counting(start, end)

    with mock.patch.object(services, "business_days_between", side_effect=withdrawn_meanwhile):
        assert check(2026, 3, 16, 9) == {"flagged": 0, "escalated": 0}
    assert sla_events(request) == []
