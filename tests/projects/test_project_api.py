"""The whole loop through the API: business requests, office A declines, office B refers,
office C accepts and a project is created; then the projects endpoints and who sees them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from matching.models import IntroductionRequest
from projects.models import Project
from tests.factories import CompanyMembershipFactory
from tests.matching.test_request_api import act, create_requests, get, post

pytestmark = pytest.mark.django_db

SECRET = "Internal: we are overbooked until spring"


def estimated_programs(run, count=2):
    """Slugs of funding programs the match run estimated an amount for."""
    slugs = [
        program["slug"]
        for program in run.funding["programs"]
        if (program.get("estimate") or {}).get("amount_high") is not None
    ]
    assert len(slugs) >= count
    return slugs[:count]


def accept(client, pk, data):
    return post(client, "api_request_accept", data, pk=pk)


@pytest.fixture
def referred(client, business_owner, review):
    """The business asked A and B; B referred its request to C's first match. Returns C's."""
    requests = create_requests(client, business_owner, review)
    client.force_login(review.offices[1])
    new = act(
        client,
        requests[1].pk,
        "refer",
        {
            "version": 1,
            "to_profile": review.first_match_at(review.institutions[2])["profile"],
            "note": "C has the equipment.",
        },
    )
    client.logout()
    return IntroductionRequest.objects.get(pk=new.json()["id"])


def accept_data(review, version=1, **changes):
    return {
        "version": version,
        "title": "Automated weld inspection",
        "scope": "A vision system that flags bad welds on the line.",
        "lead": review.researchers[2].pk,
        "start_date": "2026-09-01",
        "programs": estimated_programs(review.run),
        **changes,
    }


def test_the_whole_loop_through_the_api(client, business_owner, review):
    office_a, office_b, office_c = review.offices

    # The business asks two institutions.
    request_a, request_b = create_requests(client, business_owner, review)

    # A notes something internal, then declines with a reason.
    client.force_login(office_a)
    assert act(client, request_a.pk, "note", {"body": SECRET}).status_code == 200
    declined = act(
        client,
        request_a.pk,
        "decline",
        {"version": 1, "reason": "no_capacity", "note": "We are full this term."},
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"

    # The business sees why, and nothing internal.
    client.force_login(business_owner)
    seen = get(client, "api_request", pk=request_a.pk)
    assert seen.json()["decline_reason"] == "no_capacity"
    assert seen.json()["decline_note"] == "We are full this term."
    assert "notes" not in seen.json()
    assert SECRET not in seen.content.decode()

    # B refers its request to C's first match: a new request, the chain kept.
    client.force_login(office_b)
    to_profile = review.first_match_at(review.institutions[2])["profile"]
    referred = act(
        client,
        request_b.pk,
        "refer",
        {"version": 1, "to_profile": to_profile, "note": "C has the equipment."},
    )
    assert referred.status_code == 201
    request_c = referred.json()["id"]
    client.force_login(business_owner)
    chain = get(client, "api_request", pk=request_c).json()["chain"]
    assert [(link["id"], link["status"]) for link in chain] == [
        (request_b.pk, "referred"),
        (request_c, "submitted"),
    ]
    statuses = {r["id"]: r["status"] for r in get(client, "api_requests").json()["results"]}
    assert statuses == {request_a.pk: "declined", request_b.pk: "referred", request_c: "submitted"}

    # C accepts: the project is created with its funding applications.
    client.force_login(office_c)
    version = get(client, "api_request", pk=request_c).json()["version"]
    programs = estimated_programs(review.run)
    created = accept(client, request_c, accept_data(review, version=version))
    assert created.status_code == 201, created.json()
    project = created.json()
    assert project["title"] == "Automated weld inspection"
    assert project["lead"]["id"] == review.researchers[2].pk
    assert project["institution"]["slug"] == review.institutions[2].slug
    assert sorted(a["program"] for a in project["funding_applications"]) == sorted(programs)
    assert all(a["status"] == "planned" for a in project["funding_applications"])
    assert get(client, "api_request", pk=request_c).json()["project"] == project["id"]

    # The business follows it.
    client.force_login(business_owner)
    detail = get(client, "api_request", pk=request_c).json()
    assert detail["status"] == "accepted" and detail["project"] == project["id"]
    listed = get(client, "api_projects").json()
    assert [p["id"] for p in listed["results"]] == [project["id"]]
    mine = get(client, "api_project", pk=project["id"])
    assert mine.status_code == 200
    body = mine.json()
    assert {(m["role"], m["name"]) for m in body["team"]} == {
        ("lead", str(review.researchers[2])),
        ("business", str(business_owner)),
    }
    amounts = [Decimal(a["amount"]) for a in body["funding_applications"] if a["amount"]]
    assert amounts and Decimal(body["total_estimated_funding"]) == sum(amounts)
    assert body["milestones"] == []


def test_accepting_refuses_everyone_but_the_office(client, referred, review, business_owner):
    outsider = CompanyMembershipFactory(company__name="Other Co").user
    assert accept(client, referred.pk, accept_data(review)).status_code == 403  # anonymous

    client.force_login(review.offices[2])
    assigned = act(
        client, referred.pk, "assign", {"version": 1, "assignee": review.researchers[2].pk}
    )
    assert assigned.status_code == 200
    data = accept_data(review, version=2)

    for user, expected in [
        (outsider, 404),
        (review.offices[0], 404),  # another institution (never had it)
        (review.offices[1], 404),  # referred it away: no longer theirs
        (review.researchers[0], 404),
        (review.researchers[2], 403),  # assigned: reads it, does not decide
        (business_owner, 403),
    ]:
        client.force_login(user)
        response = accept(client, referred.pk, data)
        assert response.status_code == expected, user
    referred.refresh_from_db()
    assert referred.status == "in_review" and not Project.objects.exists()


def test_a_stale_version_or_a_closed_request_is_a_409(client, referred, review, business_owner):
    client.force_login(review.offices[2])
    act(client, referred.pk, "message", {"body": "We would love to help."})  # version 2 now
    stale = accept(client, referred.pk, accept_data(review, version=1))
    assert stale.status_code == 409
    assert "changed while you were looking" in stale.json()["detail"]
    assert not Project.objects.exists()

    assert accept(client, referred.pk, accept_data(review, version=2)).status_code == 201
    again = accept(client, referred.pk, accept_data(review, version=3))
    assert again.status_code == 409
    assert "“Accepted”: it cannot be accepted now" in again.json()["detail"]
    decline = act(client, referred.pk, "decline", {"version": 3, "reason": "other"})
    assert decline.status_code == 409
    assert "cannot be declined now" in decline.json()["detail"]
    client.force_login(business_owner)
    withdraw = act(client, referred.pk, "withdraw", {"version": 3})
    assert withdraw.status_code == 409
    assert Project.objects.count() == 1
    referred.refresh_from_db()
    assert referred.status == "accepted" and referred.version == 3


def test_accepting_with_bad_input_is_a_400(client, referred, review):
    client.force_login(review.offices[2])
    cases = [
        ({"title": ""}, "title"),
        ({"lead": review.researchers[0].pk}, "lead"),  # another institution's researcher
        ({"lead": "nobody@example.com"}, "lead"),
        ({"programs": ["free-money"]}, "programs"),
        ({"start_date": "next week"}, "start_date"),
        ({"version": None}, "version"),
    ]
    for changes, field in cases:
        response = accept(client, referred.pk, accept_data(review, **changes))
        assert response.status_code == 400, changes
        assert field in response.json(), response.json()
    referred.refresh_from_db()
    assert referred.status == "submitted" and not Project.objects.exists()
    by_email = accept(client, referred.pk, accept_data(review, lead=review.researchers[2].email))
    assert by_email.status_code == 201


def test_projects_are_seen_by_their_people_only(client, referred, review, business_owner):
    client.force_login(review.offices[2])
    project = accept(client, referred.pk, accept_data(review)).json()
    act(client, referred.pk, "note", {"body": SECRET})

    outsider = CompanyMembershipFactory(company__name="Other Co").user
    for user, sees in [
        (business_owner, True),
        (review.offices[2], True),
        (review.researchers[2], True),  # the lead
        (review.offices[0], False),
        (review.offices[1], False),
        (review.researchers[0], False),
        (outsider, False),
    ]:
        client.force_login(user)
        listed = get(client, "api_projects").json()
        assert [p["id"] for p in listed["results"]] == ([project["id"]] if sees else []), user
        detail = get(client, "api_project", pk=project["id"])
        assert detail.status_code == (200 if sees else 404), user
        if sees:
            assert SECRET not in json.dumps(detail.json())
    client.logout()
    assert get(client, "api_projects").status_code == 403
    assert get(client, "api_project", pk=project["id"]).status_code == 403


def test_the_projects_are_in_the_schema(client, business_owner):
    client.force_login(business_owner)
    schema = client.get(reverse("api_schema")).content.decode()
    for path in ("/api/v1/requests/{id}/accept/", "/api/v1/projects/", "/api/v1/projects/{id}/"):
        assert path in schema
