"""One rule, one place: what the request page offers, what the API lists and what the services
allow are the same set, for every state and persona; a project's funding total is the same on
its page, in its API and on the dashboards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse

from matching import services, workflow
from matching.models import IntroductionRequest
from matching.selectors import request_sides
from matching.services import RequestConflict
from projects import selectors as project_selectors
from projects import services as project_services
from tests.factories import add_funding_application
from tests.matching.test_request_services import STATES, ask, build_world

PERSONAS = ("owner", "colleague", "rival", "office", "other_office", "assignee", "staff")


def persona(world, name):
    return {
        "owner": world.owner,
        "colleague": world.colleague,
        "rival": world.rival,
        "office": world.office["a"],
        "other_office": world.office["b"],
        "assignee": world.researcher["a"],
        "staff": world.staff,
    }[name]


def request_in(world, state: str) -> IntroductionRequest:
    """A request of Acme to lab A1, assigned to A's researcher, brought to `state` through the
    services."""
    # The request page explains the match from its signals; the hand-made run has none.
    world.run.matches = [{**match, "signals": []} for match in world.run.matches]
    world.run.save(update_fields=["matches"])
    intro = ask(world, "a1")
    office = world.office["a"]
    services.request_assign(
        actor=office, request=intro, expected_version=intro.version, assignee=world.researcher["a"]
    )
    if state == "submitted":
        # Assigning moved it to review; put it back as a request nobody answered yet.
        IntroductionRequest.objects.filter(pk=intro.pk).update(status=state)
    elif state == "info_requested":
        services.request_ask_info(
            actor=office, request=intro, expected_version=intro.version, question="Budget?"
        )
    elif state == "accepted":
        project_services.project_start(
            actor=office,
            request=intro,
            expected_version=intro.version,
            title="Cycle time",
            scope="Shorter cycles",
            lead=world.researcher["a"],
            start_date=date(2026, 12, 1),
            programs=[],
        )
    elif state == "declined":
        services.request_decline(
            actor=office, request=intro, expected_version=intro.version, reason="no_capacity"
        )
    elif state == "referred":
        services.request_refer(
            actor=office,
            request=intro,
            expected_version=intro.version,
            note="B does this",
            to_institution=world.institutions["b"],
        )
    elif state == "withdrawn":
        services.request_withdraw(actor=world.owner, request=intro, expected_version=None)
    intro.refresh_from_db()
    assert intro.status == state
    return intro


def attempt(world, action: str, actor, intro: IntroductionRequest) -> str:
    """Run the service of `action` and undo it: 'done', 'forbidden' (403) or 'conflict' (409)."""
    calls = {
        "assign": lambda: services.request_assign(
            actor=actor, request=intro, expected_version=None, assignee=world.office2["a"]
        ),
        "message": lambda: services.request_message(actor=actor, request=intro, body="Hello"),
        "note": lambda: services.request_note_add(actor=actor, request=intro, body="Internal"),
        "ask_info": lambda: services.request_ask_info(
            actor=actor, request=intro, expected_version=None, question="When?"
        ),
        "answer": lambda: services.request_answer(
            actor=actor, request=intro, expected_version=None, answer="Now."
        ),
        "accept": lambda: project_services.project_start(
            actor=actor,
            request=intro,
            expected_version=None,
            title="T",
            scope="S",
            lead=world.researcher["a"],
            start_date=date(2026, 12, 1),
            programs=[],
        ),
        "decline": lambda: services.request_decline(
            actor=actor, request=intro, expected_version=None, reason="no_capacity"
        ),
        "refer": lambda: services.request_refer(
            actor=actor,
            request=intro,
            expected_version=None,
            note="C does it",
            to_institution=world.institutions["c"],
        ),
        "withdraw": lambda: services.request_withdraw(
            actor=actor, request=intro, expected_version=None
        ),
    }

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            calls[action]()
            raise Undo
    except Undo:
        return "done"
    except PermissionDenied:
        return "forbidden"
    except RequestConflict:
        return "conflict"
    finally:
        intro.refresh_from_db()


API_NAMES = {"ask-info": "ask_info"}
PAGE_URLS = {action: f"request_{action}" for action in workflow.ACTORS}


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_the_page_the_api_and_the_services_agree_on_what_each_persona_may_do(state):
    world = build_world()
    intro = request_in(world, state)
    for name in PERSONAS:
        user = persona(world, name)
        sides = request_sides(user=user, request=intro)
        allowed = workflow.available_actions(sides, intro.status)
        client = Client()
        client.force_login(user)

        api = client.get(f"/api/v1/requests/{intro.pk}/")
        page = client.get(reverse("request_detail", args=[intro.pk]))
        if api.status_code == 404:
            assert page.status_code == 404, name
            assert not allowed, name
        else:
            assert page.status_code == 200, name
            listed = {API_NAMES.get(action, action) for action in api.json()["actions"]}
            assert listed == allowed, (state, name)
            html = page.content.decode()
            offered = {
                action
                for action, url_name in PAGE_URLS.items()
                if reverse(url_name, args=[intro.pk]) in html
            }
            assert offered == allowed, (state, name)

        for action, actors in workflow.ACTORS.items():
            # Allowed: done. On a side that may act but not in this state: 409. Otherwise 403.
            expected = (
                "done" if action in allowed else "conflict" if sides & actors else "forbidden"
            )
            assert attempt(world, action, user, intro) == expected, (state, name, action)
        assert intro.status == state  # every attempt was undone


@pytest.mark.django_db
def test_a_declined_request_takes_no_message_from_the_business_anywhere():
    """The bug this rule prevents: the page and the API offered the form, the service refused."""
    world = build_world()
    intro = request_in(world, "declined")
    client = Client()
    client.force_login(world.owner)
    page = client.get(reverse("request_detail", args=[intro.pk])).content.decode()
    assert reverse("request_message", args=[intro.pk]) not in page
    assert "message" not in client.get(f"/api/v1/requests/{intro.pk}/").json()["actions"]
    answer = client.post(
        f"/api/v1/requests/{intro.pk}/message/", {"body": "Hello?"}, content_type="application/json"
    )
    assert answer.status_code == 409


@pytest.mark.django_db
def test_a_projects_funding_total_is_the_same_on_its_page_in_its_api_and_on_the_dashboard():
    world = build_world()
    intro = request_in(world, "accepted")
    project = intro.project
    for amount, status in [(50000, "approved"), (40000, "planned"), (50000, "declined")]:
        add_funding_application(project, Decimal(amount), status)
    expected = Decimal("90000")
    assert project_selectors.project_funding_total(project) == expected

    client = Client()
    client.force_login(world.office["a"])
    api = client.get(f"/api/v1/projects/{project.pk}/").json()
    assert Decimal(api["total_estimated_funding"]) == expected
    page = client.get(project.get_absolute_url()).content.decode()
    assert "$90,000" in page and "$140,000" not in page
    dashboard = client.get(
        reverse("institution_dashboard", args=[world.institutions["a"].slug]),
        {"date_from": "", "date_to": ""},
    ).content.decode()
    assert "$90,000" in dashboard
