"""The request pages: the business asks and follows, offices work their queue and act, assigned
researchers follow along; and nobody sees or touches what is not theirs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import IntroductionRequest, RequestNote
from matching.selectors import next_best_matches
from tests.factories import CompanyMembershipFactory, UserFactory

OFFICE_ACTIONS = ["request_assign", "request_ask_info", "request_decline", "request_refer"]
BUSINESS_ACTIONS = ["request_answer", "request_withdraw"]
ALL_ACTIONS = ["request_message", "request_note", *OFFICE_ACTIONS, *BUSINESS_ACTIONS]


def ask(review, owner, *institutions, **fields) -> list[IntroductionRequest]:
    """Requests from `owner`'s company to the best match at each institution."""
    return services.request_create(
        actor=owner,
        run=review.run,
        profile_ids=[review.first_match_at(i)["profile"] for i in institutions],
        message=fields.pop("message", "We would like your help with our machining scrap."),
        hopes=["advice"],
        contact_preference="email",
        **fields,
    )


def page(client, name, *args, **kwargs):
    return client.get(reverse(name, args=args), **kwargs)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def outsider(db):
    """The owner of another company."""
    return CompanyMembershipFactory(user__email="other@elsewhere.example").user


# --- The business asks ---------------------------------------------------------------------


def test_business_requests_introductions_from_its_matches(client, review, business_owner):
    diagnostic = review.run.diagnostic
    first, second = (review.first_match_at(i)["profile"] for i in review.institutions[:2])
    client.force_login(business_owner)

    results = text(page(client, "match_results", diagnostic.pk))
    create_url = reverse("request_create", args=[diagnostic.pk])
    assert f'href="{create_url}?profile={first}"' in results
    assert f'href="{create_url}"' in results  # several at once

    form = text(client.get(create_url, {"profile": first}))
    assert re.search(rf'value="{first}"[^>]* checked', form)
    assert not re.search(rf'value="{second}"[^>]* checked', form)

    response = client.post(
        f"{create_url}?profile={first}",
        {
            "profiles": [first, second],
            "message": "Our scrap rate doubled; can you help?",
            "hopes": ["advice", "students"],
            "contact_preference": "phone",
            "contact_phone": "613-555-0100",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("request_list")
    listing = text(response)
    assert "2 introduction requests were sent" in listing
    requests = IntroductionRequest.objects.filter(company=diagnostic.company)
    assert requests.count() == 2
    assert set(requests.values_list("contact_phone", flat=True)) == {"613-555-0100"}
    for intro in requests:
        assert intro.get_absolute_url() in listing
        assert intro.institution.name in listing
    assert "The institution, for 0 business days" in listing

    # Back on the matches: the two asked show "Request sent" with a link, not a second offer.
    results = text(page(client, "match_results", diagnostic.pk))
    assert results.count("Request sent.") == 2
    assert f"{create_url}?profile={first}" not in results
    for intro in requests:
        assert intro.get_absolute_url() in results


def test_request_form_refuses_what_the_service_refuses(client, review, business_owner, outsider):
    diagnostic = review.run.diagnostic
    create_url = reverse("request_create", args=[diagnostic.pk])
    first = review.first_match_at(review.institutions[0])["profile"]
    client.force_login(business_owner)

    missing_message = client.post(create_url, {"profiles": [first], "contact_preference": "email"})
    assert missing_message.status_code == 400
    phone_without_number = client.post(
        create_url, {"profiles": [first], "message": "Hello", "contact_preference": "phone"}
    )
    assert phone_without_number.status_code == 400
    assert "Give a phone number to be called on." in text(phone_without_number)
    too_many = [m["profile"] for m in review.run.matches[:6]]
    response = client.post(
        create_url, {"profiles": too_many, "message": "Hello", "contact_preference": "email"}
    )
    assert response.status_code == 400
    assert "Choose at most 5 profiles at a time." in text(response)
    assert not IntroductionRequest.objects.exists()

    client.force_login(outsider)
    assert client.get(create_url).status_code == 404
    client.logout()
    assert client.get(create_url).status_code == 302


def test_request_list_is_empty_for_a_new_business_and_says_where_to_go(client, business_owner):
    client.force_login(business_owner)
    response = page(client, "request_list")
    assert "You have not asked for an introduction yet." in text(response)
    assert reverse("dashboard") in text(response)


# --- Who may see and do what ---------------------------------------------------------------


def test_each_persona_sees_and_acts_only_within_its_scope(
    client, review, business_owner, outsider, platform_staff
):
    (intro,) = ask(review, business_owner, review.institutions[0])
    detail = intro.get_absolute_url()
    office, other_office = review.offices[0], review.offices[1]
    researcher = review.researchers[0]

    client.logout()
    assert client.get(detail).status_code == 302
    assert client.get(reverse("request_list")).status_code == 302

    # Another company, another institution's office, a researcher not assigned: not found.
    for stranger in (outsider, other_office, researcher):
        client.force_login(stranger)
        assert client.get(detail).status_code == 404, stranger
        for name in ALL_ACTIONS:
            assert page(client, name, intro.pk).status_code == 404, (stranger, name)
            assert client.post(reverse(name, args=[intro.pk]), {}).status_code == 404
    client.force_login(other_office)
    assert page(client, "request_queue", review.institutions[0].slug).status_code == 404
    assert page(client, "request_queue", review.institutions[1].slug).status_code == 200

    # The business reads it but cannot act for the office, nor keep internal notes.
    client.force_login(business_owner)
    assert client.get(detail).status_code == 200
    for name in [*OFFICE_ACTIONS, "request_note"]:
        assert page(client, name, intro.pk).status_code == 403, name
    assert page(client, "request_queue", review.institutions[0].slug).status_code == 404

    # The office acts; it cannot answer or withdraw for the business.
    client.force_login(office)
    assert client.get(detail).status_code == 200
    for name in BUSINESS_ACTIONS:
        assert page(client, name, intro.pk).status_code == 403, name
    response = client.post(
        reverse("request_assign", args=[intro.pk]),
        {"version": intro.version, "assignee": researcher.pk},
    )
    assert response.status_code == 302

    # Once assigned, the researcher sees the request and its notes, and may add one, but the
    # office's decisions stay the office's.
    client.force_login(researcher)
    response = client.get(detail)
    assert response.status_code == 200
    assert "Internal notes" in text(response)
    assert 'action="{}"'.format(reverse("request_decline", args=[intro.pk])) not in text(response)
    response = client.post(reverse("request_note", args=[intro.pk]), {"body": "Looks doable."})
    assert response.status_code == 302
    assert RequestNote.objects.filter(request=intro, author=researcher).exists()
    intro.refresh_from_db()
    for name in OFFICE_ACTIONS:
        assert page(client, name, intro.pk).status_code == 403, name
    response = client.post(
        reverse("request_decline", args=[intro.pk]),
        {"version": intro.version, "reason": "no_capacity"},
    )
    assert response.status_code == 403
    intro.refresh_from_db()
    assert intro.status == IntroductionRequest.Status.IN_REVIEW

    # Platform staff may look (escalations), read-only: no notes, no decisions.
    client.force_login(platform_staff)
    response = client.get(detail)
    assert response.status_code == 200
    assert "Looks doable." not in text(response)
    assert "Decline the request" not in text(response)
    queue = page(client, "request_queue", review.institutions[0].slug)
    assert queue.status_code == 200
    assert "only its research office can act" in text(queue)
    assert (
        client.post(
            reverse("request_decline", args=[intro.pk]),
            {"version": intro.version, "reason": "no_capacity"},
        ).status_code
        == 403
    )


def test_the_business_never_sees_internal_notes_or_assignments(client, review, business_owner):
    (intro,) = ask(review, business_owner, review.institutions[0])
    office, researcher = review.offices[0], review.researchers[0]
    client.force_login(office)
    client.post(reverse("request_note", args=[intro.pk]), {"body": "Their budget looks thin."})
    client.post(
        reverse("request_assign", args=[intro.pk]),
        {"version": intro.version, "assignee": researcher.pk},
    )
    office_page = text(client.get(intro.get_absolute_url()))
    assert "Their budget looks thin." in office_page
    assert f"to {researcher.get_full_name()}" in office_page

    client.force_login(business_owner)
    business_page = text(client.get(intro.get_absolute_url()))
    assert "Their budget looks thin." not in business_page
    assert "Internal notes" not in business_page
    assert researcher.get_full_name() not in business_page
    assert researcher.email not in business_page
    assert "Assigned" not in business_page


# --- The whole loop through the pages ------------------------------------------------------


def test_decline_then_referral_keep_the_business_moving(client, review, business_owner):
    """Two requests; office A declines with a reason, office B refers to C's profile; the
    business sees the reason and where to go next; office C sees the chain."""
    a, b, c = review.institutions
    diagnostic = review.run.diagnostic
    client.force_login(business_owner)
    client.post(
        reverse("request_create", args=[diagnostic.pk]),
        {
            "profiles": [review.first_match_at(a)["profile"], review.first_match_at(b)["profile"]],
            "message": "We need help with chatter on thin walls.",
            "hopes": ["project"],
            "contact_preference": "email",
        },
    )
    to_a = IntroductionRequest.objects.get(institution=a)
    to_b = IntroductionRequest.objects.get(institution=b)

    client.force_login(review.offices[0])
    decline_page = page(client, "request_decline", to_a.pk)
    assert decline_page.status_code == 200
    response = client.post(
        reverse("request_decline", args=[to_a.pk]),
        {"version": to_a.version, "reason": "no_capacity", "note": "Our lab is full until May."},
    )
    assert response.status_code == 302
    to_a.refresh_from_db()
    assert to_a.status == IntroductionRequest.Status.DECLINED

    client.force_login(business_owner)
    declined = text(client.get(to_a.get_absolute_url()))
    assert "No capacity this term" in declined
    assert "Our lab is full until May." in declined
    assert "Where to go next" in declined
    create_url = reverse("request_create", args=[diagnostic.pk])
    suggestion = next_best_matches(to_a)[0]
    assert f"{create_url}?profile={suggestion['profile']}" in declined

    c_profile = review.first_match_at(c)["profile"]
    client.force_login(review.offices[1])
    detail = text(client.get(to_b.get_absolute_url()))
    assert f'value="{c_profile}"' in detail  # offered in the refer form
    assert "Why the engine matched it" in detail
    assert "Funding options" in detail
    response = client.post(
        reverse("request_refer", args=[to_b.pk]),
        {"version": to_b.version, "to_profile": c_profile, "note": "C has the 5-axis cell."},
        follow=True,
    )
    assert "The request was referred to" in text(response)
    to_c = IntroductionRequest.objects.get(referred_from=to_b)
    assert to_c.institution == c
    assert to_c.profile.external_id == c_profile

    client.force_login(review.offices[2])
    received = text(client.get(to_c.get_absolute_url()))
    assert "Referral chain" in received
    assert b.name in received
    assert "C has the 5-axis cell." in received
    assert to_b.get_absolute_url() not in received  # B's own page stays B's
    assert client.get(to_b.get_absolute_url()).status_code == 404

    client.force_login(business_owner)
    followed = text(client.get(to_b.get_absolute_url()))
    assert "Referral chain" in followed
    assert to_c.get_absolute_url() in followed


def test_a_stale_page_is_told_the_request_changed_and_changes_nothing(
    client, review, business_owner
):
    (intro,) = ask(review, business_owner, review.institutions[0])
    seen_version = intro.version
    services.request_ask_info(
        actor=review.offices[0], request=intro, expected_version=seen_version, question="Budget?"
    )
    client.force_login(review.offices[0])
    response = client.post(
        reverse("request_decline", args=[intro.pk]),
        {"version": seen_version, "reason": "too_early"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == intro.get_absolute_url()
    assert "This request changed while you were looking at it" in text(response)
    intro.refresh_from_db()
    assert intro.status == IntroductionRequest.Status.INFO_REQUESTED
    assert intro.decline_reason == ""


def test_question_answer_message_and_withdrawal(client, review, business_owner):
    (intro,) = ask(review, business_owner, review.institutions[0])
    client.force_login(review.offices[0])
    client.post(
        reverse("request_ask_info", args=[intro.pk]),
        {"version": intro.version, "question": "What alloy do you machine?"},
    )
    intro.refresh_from_db()
    assert intro.status == IntroductionRequest.Status.INFO_REQUESTED
    # A form sent empty comes back with what to fix.
    assert (
        client.post(
            reverse("request_ask_info", args=[intro.pk]), {"version": intro.version}
        ).status_code
        == 400
    )

    client.force_login(business_owner)
    detail = text(client.get(intro.get_absolute_url()))
    assert "Waiting on Acme" in detail
    assert "What alloy do you machine?" in detail
    assert reverse("request_answer", args=[intro.pk]) in detail
    client.post(
        reverse("request_answer", args=[intro.pk]),
        {"version": intro.version, "answer": "6061 aluminium."},
    )
    client.post(reverse("request_message", args=[intro.pk]), {"body": "Any news?"})
    intro.refresh_from_db()
    assert intro.status == IntroductionRequest.Status.IN_REVIEW
    assert list(intro.messages.values_list("body", flat=True)) == [
        "What alloy do you machine?",
        "6061 aluminium.",
        "Any news?",
    ]

    withdraw_url = reverse("request_withdraw", args=[intro.pk])
    assert client.get(withdraw_url).status_code == 200
    client.post(withdraw_url, {"version": intro.version, "note": "Solved it in house."})
    intro.refresh_from_db()
    assert intro.status == IntroductionRequest.Status.WITHDRAWN
    # Closed now: the withdraw page sends back to the request with a clear message.
    response = client.get(withdraw_url, follow=True)
    assert "this action is not available now" in text(response)


def test_assigned_researcher_page(client, review, business_owner):
    first, second = ask(review, business_owner, *review.institutions[:2])
    researcher = review.researchers[0]
    services.request_assign(
        actor=review.offices[0], request=first, expected_version=None, assignee=researcher
    )
    client.force_login(researcher)
    response = text(page(client, "request_assigned"))
    assert first.get_absolute_url() in response
    assert second.get_absolute_url() not in response
    client.force_login(review.researchers[1])
    assert "No request is assigned to you." in text(page(client, "request_assigned"))


def test_request_page_in_french(client, review, business_owner):
    (intro,) = ask(review, business_owner, review.institutions[0])
    client.force_login(review.offices[0])
    response = client.get(f"/fr/requests/{intro.pk}/")
    assert response.status_code == 200
    assert '<html lang="fr">' in text(response)
    client.force_login(business_owner)
    assert client.get(f"/fr/requests/{intro.pk}/").status_code == 200


# --- The office queue ----------------------------------------------------------------------


@pytest.fixture
def queue(review, business_owner):
    """Four requests to the first institution (its best four matches), made distinguishable."""
    institution = review.institutions[0]
    profiles = [m["profile"] for m in review.run.matches if m["institution"] == institution.slug]
    requests = services.request_create(
        actor=business_owner,
        run=review.run,
        profile_ids=profiles[:4],
        message="Help",
        hopes=[],
        contact_preference="email",
    )
    now = timezone.now()
    settings = [
        {"sector": "31-33", "capability_areas": ["software"], "score": 0.4, "days": 1},
        {"sector": "54", "capability_areas": ["ai-data-software"], "score": 0.9, "days": 30},
        {"sector": "54", "capability_areas": ["ai-data", "software"], "score": 0.7, "days": 10},
        {"sector": "31-33", "capability_areas": [], "score": None, "days": 3},
    ]
    for intro, values in zip(requests, settings, strict=True):
        days = values.pop("days")
        IntroductionRequest.objects.filter(pk=intro.pk).update(
            created_at=now - timedelta(days=days), **values
        )
    return [IntroductionRequest.objects.get(pk=intro.pk) for intro in requests]


def queue_rows(client, slug, **params) -> list[int]:
    """The request ids in the queue's table, in order."""
    response = client.get(reverse("request_queue", args=[slug]), params)
    assert response.status_code == 200
    return [
        int(pk)
        for pk in re.findall(
            r'<th scope="row"(?: data-label="[^"]*")?><a href="/requests/(\d+)/"', text(response)
        )
    ]


def test_queue_filters(client, review, queue):
    slug = review.institutions[0].slug
    office, researcher = review.offices[0], review.researchers[0]
    fresh, oldest, middle, no_score = queue
    client.force_login(office)

    assert sorted(queue_rows(client, slug)) == sorted(r.pk for r in queue)
    services.request_decline(
        actor=office, request=no_score, expected_version=None, reason="too_late"
    )
    assert no_score.pk not in queue_rows(client, slug)  # open ones by default
    assert queue_rows(client, slug, status="declined") == [no_score.pk]
    assert len(queue_rows(client, slug, status="all")) == 4

    assert set(queue_rows(client, slug, sector="54")) == {oldest.pk, middle.pk}
    # "software" must not match "ai-data-software".
    assert set(queue_rows(client, slug, area="software")) == {fresh.pk, middle.pk}
    assert queue_rows(client, slug, area="ai-data") == [middle.pk]

    services.request_assign(actor=office, request=fresh, expected_version=None, assignee=office)
    services.request_assign(
        actor=office, request=middle, expected_version=None, assignee=researcher
    )
    assert queue_rows(client, slug, assignee="me") == [fresh.pk]
    assert queue_rows(client, slug, assignee=str(researcher.pk)) == [middle.pk]
    assert queue_rows(client, slug, assignee="unassigned") == [oldest.pk]

    assert set(queue_rows(client, slug, age="5")) == {oldest.pk, middle.pk}
    assert queue_rows(client, slug, age="20") == [oldest.pk]


def test_queue_sorting_and_pages_keep_the_filters(client, review, queue, settings):
    slug = review.institutions[0].slug
    fresh, oldest, middle, no_score = queue
    client.force_login(review.offices[0])

    assert queue_rows(client, slug) == [oldest.pk, middle.pk, no_score.pk, fresh.pk]
    assert queue_rows(client, slug, sort="newest") == [fresh.pk, no_score.pk, middle.pk, oldest.pk]
    assert queue_rows(client, slug, sort="score") == [oldest.pk, middle.pk, fresh.pk, no_score.pk]
    services.request_ask_info(
        actor=review.offices[0], request=middle, expected_version=None, question="Why?"
    )
    by_status = queue_rows(client, slug, sort="status")
    assert by_status[-1] == middle.pk  # "waiting for the business" after the others

    settings.OCIP_PAGE_SIZE = 1
    response = client.get(reverse("request_queue", args=[slug]), {"sector": "54", "sort": "score"})
    assert "sector=54&amp;sort=score&amp;page=2" in text(response)
    assert queue_rows(client, slug, sector="54", sort="score", page="2") == [middle.pk]


def test_queue_rows_show_what_the_office_sorts_on(client, review, queue):
    fresh = queue[0]
    IntroductionRequest.objects.filter(pk=fresh.pk).update(sla_flagged_at=timezone.now())
    client.force_login(review.offices[0])
    response = text(page(client, "request_queue", review.institutions[0].slug))
    assert "Manufacturing" in response  # sector label, not the code
    assert "Software, web and mobile applications" in response
    assert "Overdue" in response
    assert "Nobody yet" in response


def test_unknown_user_gets_nothing(client, review, business_owner):
    (intro,) = ask(review, business_owner, review.institutions[0])
    client.force_login(UserFactory())
    assert client.get(intro.get_absolute_url()).status_code == 404
    assert "You have not asked" in text(page(client, "request_list"))
    assert page(client, "request_queue", review.institutions[0].slug).status_code == 404
