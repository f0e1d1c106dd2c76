"""On PostgreSQL: two people acting on one request at the same moment. Exactly one action
wins; the other is told the request changed, and leaves nothing behind."""

from __future__ import annotations

import threading
from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from matching import services, workflow
from matching.models import IntroductionRequest, RequestEvent
from matching.services import (
    RequestConflict,
    request_decline,
    request_refer,
    request_withdraw,
)
from projects.models import Project
from projects.services import project_start

from ..matching.test_request_services import ask, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(meet_at=(workflow, "next_status"), **actions) -> dict[str, str]:
    """Run each action in its own thread and connection. They wait for each other inside
    their transactions, in `meet_at` (by default just before the conditional update), so they
    truly collide at the write that follows."""
    barrier = threading.Barrier(len(actions), timeout=20)
    module, name = meet_at
    original = getattr(module, name)
    outcomes: dict[str, str] = {}

    def meet_then_go_on(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait()
        return result

    def run(name, action):
        try:
            action()
            outcomes[name] = "ok"
        except (RequestConflict, ValidationError) as refused:
            outcomes[name] = type(refused).__name__
        finally:
            connection.close()

    with mock.patch.object(module, name, side_effect=meet_then_go_on):
        threads = [threading.Thread(target=run, args=item) for item in actions.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return outcomes


def fresh(request) -> IntroductionRequest:
    """The request as one person's page loaded it (each thread gets its own copy)."""
    return IntroductionRequest.objects.get(pk=request.pk)


def start_project(world, request, office):
    return project_start(
        actor=office,
        request=fresh(request),
        expected_version=request.version,
        title="Faster cycle times",
        scope="Fixture redesign for the five-axis cell.",
        lead=world.researcher["a"],
        start_date=date(2026, 5, 1),
        programs=[],
    )


def test_a_decline_and_a_referral_at_once_one_wins():
    world = build_world()
    request = ask(world, "a1")
    outcomes = run_together(
        decline=lambda: request_decline(
            actor=world.office["a"],
            request=fresh(request),
            expected_version=1,
            reason="no_capacity",
        ),
        refer=lambda: request_refer(
            actor=world.office2["a"],
            request=fresh(request),
            expected_version=1,
            note="B runs this cell.",
            to_institution=world.institutions["b"],
        ),
    )
    assert sorted(outcomes.values()) == ["RequestChanged", "ok"]
    request.refresh_from_db()
    assert request.version == 2
    closing = RequestEvent.objects.filter(request=request, kind__in=["declined", "referred"])
    assert closing.count() == 1
    referred = IntroductionRequest.objects.filter(referred_from=request)
    if outcomes["refer"] == "ok":
        assert (request.status, closing.get().actor) == ("referred", world.office2["a"])
        assert referred.count() == 1
    else:
        assert (request.status, closing.get().actor) == ("declined", world.office["a"])
        assert not referred.exists()
    assert connection.vendor == "postgresql"


def test_two_acceptances_at_once_make_one_project():
    world = build_world()
    request = ask(world, "a1")
    outcomes = run_together(
        first=lambda: start_project(world, request, world.office["a"]),
        second=lambda: start_project(world, request, world.office2["a"]),
    )
    assert sorted(outcomes.values()) == ["RequestChanged", "ok"]
    request.refresh_from_db()
    assert (request.status, request.version) == ("accepted", 2)
    assert RequestEvent.objects.filter(request=request, kind="accepted").count() == 1
    assert Project.objects.filter(request=request).count() == 1
    winner = world.office["a"] if outcomes["first"] == "ok" else world.office2["a"]
    assert Project.objects.get().created_by == winner
    assert connection.vendor == "postgresql"


def test_a_withdrawal_racing_an_acceptance_leaves_one_of_them():
    world = build_world()
    request = ask(world, "a1")
    outcomes = run_together(
        withdraw=lambda: request_withdraw(
            actor=world.owner, request=fresh(request), expected_version=1
        ),
        accept=lambda: start_project(world, request, world.office["a"]),
    )
    assert sorted(outcomes.values()) == ["RequestChanged", "ok"]
    request.refresh_from_db()
    assert request.version == 2
    if outcomes["accept"] == "ok":
        assert request.status == "accepted"
        assert Project.objects.count() == 1
    else:
        assert request.status == "withdrawn"
        assert not Project.objects.exists()
    assert RequestEvent.objects.filter(kind__in=["accepted", "withdrawn"]).count() == 1


def test_asking_twice_at_once_makes_one_request():
    # A double click, or two colleagues: both pass the "no open request yet" check together.
    world = build_world()
    outcomes = run_together(
        meet_at=(services, "_open_request_exists"),
        owner=lambda: ask(world, "a1"),
        colleague=lambda: ask(world, "a1", actor=world.colleague),
    )
    assert sorted(outcomes.values()) == ["ValidationError", "ok"]
    assert IntroductionRequest.objects.filter(profile__external_id="a1").count() == 1
    assert RequestEvent.objects.filter(kind="submitted").count() == 1
