"""Introduction requests through the API: every endpoint, every persona, every refusal."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination

from matching.models import InstitutionMembership, IntroductionRequest, RequestEvent, RequestNote
from tests.diagnostics.conftest import completed_draft
from tests.factories import CompanyMembershipFactory, InstitutionMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Internal: their CFO sounded unsure about the budget"


def post(client, name, data=None, **kwargs):
    return client.post(reverse(name, kwargs=kwargs), data or {}, content_type="application/json")


def get(client, name, query=None, **kwargs):
    return client.get(reverse(name, kwargs=kwargs), query or {})


def act(client, pk, action, data=None):
    return post(client, "api_request_action", data, pk=pk, action=action)


def create_requests(client, business_owner, review, count=2):
    """The business asks for introductions to the first match at each of `count` institutions."""
    client.force_login(business_owner)
    response = post(
        client,
        "api_match_run_requests",
        {
            "profiles": [review.first_match_at(i)["profile"] for i in review.institutions[:count]],
            "message": "We need help automating our welding line.",
            "hopes": ["project", "funding"],
            "contact_preference": "phone",
            "contact_phone": "613-555-0100",
        },
        pk=review.run.diagnostic_id,
    )
    assert response.status_code == 201, response.json()
    return [IntroductionRequest.objects.get(pk=item["id"]) for item in response.json()]


@pytest.fixture
def requests(client, business_owner, review):
    """Two requests of the business: to institution A and to institution B."""
    made = create_requests(client, business_owner, review)
    client.logout()
    return made


@pytest.fixture
def outsider(db):
    """A business owner of another company."""
    return CompanyMembershipFactory(company__name="Other Co").user


def test_the_business_creates_requests_and_follows_them(
    client, business_owner, review, monkeypatch
):
    created = create_requests(client, business_owner, review)
    first = get(client, "api_request", pk=created[0].pk).json()
    assert first["status"] == "submitted" and first["version"] == 1
    assert first["target"] == {
        "profile": review.first_match_at(review.institutions[0])["profile"],
        "profile_name": review.first_match_at(review.institutions[0])["name"],
        "institution": review.institutions[0].slug,
        "institution_name": review.institutions[0].name,
    }
    assert first["hopes"] == ["project", "funding"]
    assert first["contact"] == {"preference": "phone", "phone": "613-555-0100"}
    assert [event["kind"] for event in first["timeline"]] == ["submitted"]
    assert first["actions"] == ["message", "withdraw"]

    listed = get(client, "api_match_run_requests", pk=review.run.diagnostic_id).json()
    assert listed["count"] == 2
    assert [item["id"] for item in listed["results"]] == [created[1].pk, created[0].pk]
    mine = get(client, "api_requests", {"side": "business"}).json()
    assert mine["count"] == 2
    only_a = get(client, "api_requests", {"institution": review.institutions[0].slug}).json()
    assert [item["id"] for item in only_a["results"]] == [created[0].pk]
    assert get(client, "api_requests", {"side": "institution"}).json()["count"] == 0
    assert get(client, "api_requests", {"status": "declined"}).json()["count"] == 0
    assert get(client, "api_requests", {"status": "lost"}).status_code == 400
    assert get(client, "api_requests", {"side": "everyone"}).status_code == 400

    monkeypatch.setattr(PageNumberPagination, "page_size", 1)
    first_page = get(client, "api_requests").json()
    assert first_page["count"] == 2 and first_page["next"]
    assert [item["id"] for item in first_page["results"]] == [created[1].pk]
    second_page = get(client, "api_requests", {"page": 2}).json()
    assert [item["id"] for item in second_page["results"]] == [created[0].pk]


def test_the_office_queue_holds_its_own_institutions_requests_only(client, requests, review):
    client.force_login(review.offices[0])
    queue = get(client, "api_requests", {"side": "institution"}).json()
    assert [item["id"] for item in queue["results"]] == [requests[0].pk]
    assert queue["results"][0]["company"]["name"] == "Acme"
    assert get(client, "api_requests", {"side": "business"}).json()["count"] == 0
    assert get(client, "api_requests", {"status": "submitted"}).json()["count"] == 1


def test_creating_requests_refuses_bad_input(client, business_owner, review):
    client.force_login(business_owner)
    profile = review.first_match_at(review.institutions[0])["profile"]
    base = {"profiles": [profile], "message": "Hello", "contact_preference": "email"}
    cases = [
        ({**base, "profiles": []}, "profiles"),
        ({**base, "profiles": ["not-a-match"]}, "profiles"),
        ({**base, "message": "  "}, "message"),
        ({**base, "hopes": ["world peace"]}, "hopes"),
        ({**base, "contact_preference": "pigeon"}, "contact_preference"),
        ({**base, "contact_preference": "phone"}, "contact_phone"),
    ]
    for data, field in cases:
        response = post(client, "api_match_run_requests", data, pk=review.run.diagnostic_id)
        assert response.status_code == 400, data
        assert field in response.json(), response.json()
    assert not IntroductionRequest.objects.exists()

    assert (
        post(client, "api_match_run_requests", base, pk=review.run.diagnostic_id).status_code == 201
    )
    again = post(client, "api_match_run_requests", base, pk=review.run.diagnostic_id)
    assert again.status_code == 400
    assert "already have an open request" in again.json()["profiles"][0]
    assert IntroductionRequest.objects.count() == 1


def test_a_diagnostic_without_matches_is_a_409(client, business_owner, company):
    draft = completed_draft(business_owner, company)
    client.force_login(business_owner)
    response = post(
        client,
        "api_match_run_requests",
        {"profiles": ["x"], "message": "Hello"},
        pk=draft.pk,
    )
    assert response.status_code == 409
    assert "Submit this diagnostic first" in response.json()["detail"]


def test_every_endpoint_refuses_anonymous_and_outsiders(client, requests, review, outsider):
    pk = requests[0].pk
    diagnostic = review.run.diagnostic_id
    urls = [
        ("get", reverse("api_match_run_requests", kwargs={"pk": diagnostic})),
        ("post", reverse("api_match_run_requests", kwargs={"pk": diagnostic})),
        ("get", reverse("api_request", kwargs={"pk": pk})),
        *(
            ("post", reverse("api_request_action", kwargs={"pk": pk, "action": action}))
            for action in ("assign", "message", "note", "ask-info", "answer")
        ),
        *(
            ("post", reverse("api_request_action", kwargs={"pk": pk, "action": action}))
            for action in ("decline", "refer", "withdraw")
        ),
    ]
    for method, url in [*urls, ("get", reverse("api_requests"))]:
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 403, (method, url)

    # Another company, another institution's office, that office's researcher: as if the
    # request did not exist.
    for user in (outsider, review.offices[1], review.researchers[0], review.researchers[1]):
        client.force_login(user)
        for method, url in urls:
            response = getattr(client, method)(
                url,
                {"version": 1, "body": "hi", "reason": "other"},
                content_type="application/json",
            )
            assert response.status_code == 404, (user, method, url)
        assert get(client, "api_requests").json()["count"] == (
            1 if user == review.offices[1] else 0  # B's own request only
        )
    requests[0].refresh_from_db()
    assert requests[0].status == "submitted" and requests[0].version == 1
    assert not requests[0].messages.exists() and not requests[0].notes.exists()


def test_an_unknown_action_is_a_404(client, requests, review):
    client.force_login(review.offices[0])
    response = client.post(
        f"/api/v1/requests/{requests[0].pk}/frobnicate/", {}, content_type="application/json"
    )
    assert response.status_code == 404


def test_the_assigned_researcher_reads_notes_and_writes_but_cannot_decide(client, requests, review):
    request = requests[0]
    researcher = review.researchers[0]
    client.force_login(review.offices[0])
    assigned = act(client, request.pk, "assign", {"version": 1, "assignee": researcher.email})
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json()["assigned_to"] == {"id": researcher.pk, "name": str(researcher)}
    assert assigned.json()["status"] == "in_review" and assigned.json()["version"] == 2
    assert act(client, request.pk, "note", {"body": SECRET}).status_code == 200

    client.force_login(researcher)
    assert get(client, "api_requests", {"side": "institution"}).json()["count"] == 1
    detail = get(client, "api_request", pk=request.pk).json()
    assert [note["body"] for note in detail["notes"]] == [SECRET]
    assert detail["actions"] == ["message", "note"]
    noted = act(client, request.pk, "note", {"body": "Fits our welding cell."})
    assert noted.status_code == 200
    assert [note["body"] for note in noted.json()["notes"]] == [SECRET, "Fits our welding cell."]
    messaged = act(client, request.pk, "message", {"body": "Could we visit next week?"})
    assert messaged.status_code == 200
    assert messaged.json()["messages"][-1]["body"] == "Could we visit next week?"

    version = messaged.json()["version"]
    refused = [
        ("assign", {"version": version, "assignee": researcher.email}),
        ("ask-info", {"version": version, "question": "Budget?"}),
        ("decline", {"version": version, "reason": "no_capacity"}),
        ("refer", {"version": version, "to_institution": review.institutions[1].slug, "note": "x"}),
        ("answer", {"version": version, "answer": "x"}),
        ("withdraw", {"version": version}),
    ]
    for action, data in refused:
        response = act(client, request.pk, action, data)
        assert response.status_code == 403, action
        assert response.json()["detail"]
    request.refresh_from_db()
    assert request.status == "in_review" and request.version == version


def test_the_business_never_sees_internal_notes_or_the_assignee(
    client, requests, review, business_owner
):
    request = requests[0]
    client.force_login(review.offices[0])
    act(client, request.pk, "assign", {"version": 1, "assignee": review.researchers[0].pk})
    act(client, request.pk, "note", {"body": SECRET})
    asked = act(client, request.pk, "ask-info", {"version": 2, "question": "What is your budget?"})
    assert asked.status_code == 200 and asked.json()["status"] == "info_requested"

    client.force_login(business_owner)
    responses = [
        get(client, "api_request", pk=request.pk),
        get(client, "api_requests"),
        get(client, "api_match_run_requests", pk=review.run.diagnostic_id),
        act(client, request.pk, "message", {"body": "Happy to share more."}),
        act(client, request.pk, "answer", {"version": 3, "answer": "About $50,000."}),
    ]
    for response in responses:
        assert response.status_code == 200, response.json()
        text = json.dumps(response.json())
        assert SECRET not in text and str(review.researchers[0]) not in text
    detail = responses[-1].json()
    assert "notes" not in detail and "assigned_to" not in detail
    assert detail["status"] == "in_review"
    assert [event["kind"] for event in detail["timeline"]] == [
        "submitted",
        "info_requested",
        "message",
        "answered",
    ]
    assert all(event["actor"] is None for event in detail["timeline"])
    assert detail["timeline"][1]["note"] == "What is your budget?"
    assert [m["from_business"] for m in detail["messages"]] == [False, True, True]

    # The office's timeline has the internal events and who acted.
    client.force_login(review.offices[0])
    office_view = get(client, "api_request", pk=request.pk).json()
    assert [event["kind"] for event in office_view["timeline"]][1] == "assigned"
    assert office_view["timeline"][1]["actor"] == str(review.offices[0])


def test_a_stale_version_is_a_409_and_changes_nothing(client, requests, review):
    request = requests[0]
    client.force_login(review.offices[0])
    assert (
        act(client, request.pk, "message", {"body": "Thanks, we are looking."}).status_code == 200
    )
    events = RequestEvent.objects.filter(request=request).count()
    stale = act(client, request.pk, "decline", {"version": 1, "reason": "no_capacity"})
    assert stale.status_code == 409
    assert "changed while you were looking" in stale.json()["detail"]
    request.refresh_from_db()
    assert request.status == "in_review" and request.version == 2 and request.decline_reason == ""
    assert RequestEvent.objects.filter(request=request).count() == events
    for action, data in [
        ("assign", {"version": 1, "assignee": review.researchers[0].email}),
        ("ask-info", {"version": 1, "question": "Budget?"}),
        ("refer", {"version": 1, "to_institution": review.institutions[2].slug, "note": "x"}),
    ]:
        assert act(client, request.pk, action, data).status_code == 409, action
    assert IntroductionRequest.objects.count() == 2
    request.refresh_from_db()
    assert request.version == 2 and request.assigned_to is None


def test_illegal_transitions_are_a_409_with_a_clear_message(
    client, requests, review, business_owner
):
    request = requests[0]
    client.force_login(business_owner)
    answer = act(client, request.pk, "answer", {"version": 1, "answer": "Unasked"})
    assert answer.status_code == 409
    assert "cannot be answered now" in answer.json()["detail"]

    client.force_login(review.offices[0])
    declined = act(client, request.pk, "decline", {"version": 1, "reason": "too_early"})
    assert declined.status_code == 200 and declined.json()["actions"] == ["note"]
    for action, data, message in [
        ("decline", {"version": 2, "reason": "other"}, "cannot be declined now"),
        ("ask-info", {"version": 2, "question": "Budget?"}, "cannot be sent a question now"),
        (
            "refer",
            {"version": 2, "to_institution": review.institutions[2].slug, "note": "x"},
            "cannot be referred now",
        ),
        ("message", {"body": "One more thing"}, "messages cannot be sent"),
    ]:
        response = act(client, request.pk, action, data)
        assert response.status_code == 409, action
        assert message in response.json()["detail"], response.json()

    client.force_login(business_owner)
    withdrawn = act(client, request.pk, "withdraw", {"version": 2})
    assert withdrawn.status_code == 409
    assert "“Declined”" in withdrawn.json()["detail"]
    request.refresh_from_db()
    assert request.status == "declined" and request.version == 2


def test_invalid_input_is_a_400_by_field(client, requests, review):
    pk = requests[0].pk
    outsider_researcher = UserFactory(email="someone@elsewhere.example")
    client.force_login(review.offices[0])
    cases = [
        ("assign", {"assignee": review.researchers[0].email}, "version"),
        ("assign", {"version": 1, "assignee": review.researchers[1].email}, "assignee"),
        ("assign", {"version": 1, "assignee": outsider_researcher.pk}, "assignee"),
        ("decline", {"version": 1, "reason": "bored"}, "reason"),
        ("decline", {"version": 1}, "reason"),
        ("refer", {"version": 1, "note": "x"}, "non_field_errors"),
        (
            "refer",
            {
                "version": 1,
                "note": "x",
                "to_institution": review.institutions[1].slug,
                "to_profile": review.first_match_at(review.institutions[2])["profile"],
            },
            "non_field_errors",
        ),
        ("refer", {"version": 1, "note": "x", "to_profile": "nobody"}, "to_profile"),
        ("refer", {"version": 1, "note": "x", "to_institution": "nowhere"}, "to_institution"),
        ("refer", {"version": 1, "to_institution": review.institutions[2].slug}, "note"),
        (
            "refer",
            {"version": 1, "note": "x", "to_institution": review.institutions[0].slug},
            "to_institution",
        ),
        ("message", {"body": ""}, "body"),
        ("note", {}, "body"),
        ("ask-info", {"version": 1, "question": ""}, "question"),
    ]
    for action, data, field in cases:
        response = act(client, pk, action, data)
        assert response.status_code == 400, (action, data)
        assert field in response.json(), (action, response.json())
    requests[0].refresh_from_db()
    assert requests[0].version == 1 and requests[0].status == "submitted"
    assert not RequestNote.objects.exists()


def test_a_referral_answers_201_with_the_new_request(client, requests, review, business_owner):
    request = requests[1]
    to_profile = review.first_match_at(review.institutions[2])["profile"]
    client.force_login(review.offices[1])
    referred = act(
        client,
        request.pk,
        "refer",
        {"version": 1, "to_profile": to_profile, "note": "Their welding lab is the right fit."},
    )
    assert referred.status_code == 201, referred.json()
    new = referred.json()
    assert new["referred_from"] == request.pk and new["status"] == "submitted"
    assert new["target"]["profile"] == to_profile
    assert "notes" not in new  # B is not C's office
    # B keeps its own, closed request, and cannot open C's.
    own = get(client, "api_request", pk=request.pk).json()
    assert own["status"] == "referred" and own["referrals"] == [new["id"]]
    assert get(client, "api_request", pk=new["id"]).status_code == 404

    client.force_login(review.offices[2])
    received = get(client, "api_request", pk=new["id"]).json()
    # C sees where the request came from, not B's own request (its id, state or notes).
    assert [link["id"] for link in received["chain"]] == [None, new["id"]]
    assert received["chain"][0]["institution"] == request.institution.slug
    assert received["chain"][0]["status"] is None
    assert received["timeline"][0]["kind"] == "referral_received"
    assert received["timeline"][0]["note"] == "Their welding lab is the right fit."

    client.force_login(business_owner)
    followed = get(client, "api_request", pk=request.pk).json()
    assert [link["institution"] for link in followed["chain"]] == [
        review.institutions[1].slug,
        review.institutions[2].slug,
    ]


def test_a_decline_shows_the_reason_and_suggests_the_next_best(
    client, requests, review, business_owner
):
    client.force_login(review.offices[0])
    act(
        client,
        requests[0].pk,
        "decline",
        {"version": 1, "reason": "no_capacity", "note": "Try again in September."},
    )
    client.force_login(business_owner)
    detail = get(client, "api_request", pk=requests[0].pk).json()
    assert detail["decline_reason"] == "no_capacity"
    assert detail["decline_reason_label"] == "No capacity this term"
    assert detail["decline_note"] == "Try again in September."
    assert detail["suggestions"]
    assert review.institutions[0].slug not in {s["institution"] for s in detail["suggestions"]}


def test_platform_staff_read_every_request_but_do_not_act(client, requests, platform_staff):
    client.force_login(platform_staff)
    assert get(client, "api_requests").json()["count"] == 2
    detail = get(client, "api_request", pk=requests[0].pk).json()
    assert "notes" not in detail and detail["actions"] == []
    refused = act(client, requests[0].pk, "decline", {"version": 1, "reason": "other"})
    assert refused.status_code == 403
    assert act(client, requests[0].pk, "message", {"body": "Hello"}).status_code == 403


def test_the_requests_are_in_the_schema(client, business_owner):
    client.force_login(business_owner)
    schema = client.get(reverse("api_schema")).content.decode()
    for path in (
        "/api/v1/diagnostics/{id}/requests/",
        "/api/v1/requests/",
        "/api/v1/requests/{id}/",
        "/api/v1/requests/{id}/{action}/",
    ):
        assert path in schema
    assert "InstitutionRequestDetail" in schema and "RequestActionInput" in schema


def test_office_staff_without_two_factor_cannot_use_the_api(client, requests, review):
    office = InstitutionMembershipFactory(
        institution=review.institutions[0], role=InstitutionMembership.Role.OFFICE_STAFF
    ).user
    client.force_login(office)
    assert get(client, "api_request", pk=requests[0].pk).status_code == 403
    refused = act(client, requests[0].pk, "decline", {"version": 1, "reason": "other"})
    assert refused.status_code == 403
    requests[0].refresh_from_db()
    assert requests[0].status == "submitted"


def test_a_huge_or_mistyped_input_is_a_400_not_a_database_error(client, requests, review):
    """A 1 MB assignee used to reach a LIKE lookup (a 500 on SQLite); a number was read as text
    and a surrogate in a choice was repeated in the refusal (a 500)."""
    intro = requests[0]
    client.force_login(review.offices[0])
    huge = act(client, intro.pk, "assign", {"version": 1, "assignee": "x" * 100_000})
    assert huge.status_code == 400 and "assignee" in huge.json()
    too_big = act(client, intro.pk, "assign", {"version": 1, "assignee": "x" * 1_000_000})
    assert too_big.status_code == 400 and "larger than" in too_big.json()["detail"]
    assert act(client, intro.pk, "assign", {"version": 1, "assignee": True}).status_code == 400
    assert act(client, intro.pk, "ask-info", {"version": 1, "question": 42}).status_code == 400
    assert act(client, intro.pk, "ask-info", {"version": "1", "question": "?"}).status_code == 400
    surrogate = client.post(
        reverse("api_request_action", kwargs={"pk": intro.pk, "action": "decline"}),
        '{"version": 1, "reason": "no_capacity\\ud800"}',
        content_type="application/json",
    )
    assert surrogate.status_code == 400
    wrong = act(client, intro.pk, "decline", {"version": 1, "reason": "x" * 10_000})
    assert wrong.status_code == 400 and "x" * 100 not in json.dumps(wrong.json())
    intro.refresh_from_db()
    assert intro.status == "submitted" and intro.version == 1
