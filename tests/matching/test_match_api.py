"""GET /api/v1/diagnostics/<id>/matches/: the results page's matches and funding, paginated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from diagnostics import services as diagnostic_services
from matching.models import MatchRun
from tests.diagnostics.conftest import completed_draft
from tests.diagnostics.examples import MACHINE_SHOP
from tests.factories import CompanyMembershipFactory

pytestmark = pytest.mark.django_db


def matches(client, diagnostic_id, **query):
    return client.get(reverse("api_diagnostic_matches", kwargs={"pk": diagnostic_id}), query)


@pytest.fixture
def submitted(run):
    return run.diagnostic


def test_members_get_the_latest_runs_matches_with_reasons_and_funding(client, business_owner, run):
    client.force_login(business_owner)
    response = matches(client, run.diagnostic_id)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == len(run.matches) == 100
    assert data["previous"] is None and data["next"].endswith("?page=2")
    assert [m["rank"] for m in data["results"]] == list(range(1, 11))
    first = data["results"][0]
    assert first["profile"] == run.matches[0]["profile"]
    assert first["score"] == run.matches[0]["score"]
    assert first["institution"] == run.matches[0]["institution"]
    assert first["open_request"] is None
    assert first["reasons"] and all(isinstance(reason, str) for reason in first["reasons"])
    assert any(reason.startswith("Words in common") for reason in first["reasons"])
    assert data["run"] | {"created_at": None} == {
        "sequence": 1,
        "status": "done",
        "error": "",
        "error_message": None,
        "created_at": None,
        "profile_count": run.profile_count,
        "meaning_model": run.meaning_model,
        "meaning_unavailable": run.meaning_unavailable,
        "stale": False,
    }
    programs = {program["slug"]: program for program in data["funding"]["programs"]}
    assert "oci-vip" in programs and "soscip" not in programs
    assert programs["oci-vip"]["verdict_label"] in {"Eligible", "Not eligible", "Can't tell yet"}
    assert programs["oci-vip"]["rules"]


def test_pages_and_filters(client, business_owner, run):
    client.force_login(business_owner)
    second = matches(client, run.diagnostic_id, page=2).json()
    assert [m["rank"] for m in second["results"]] == list(range(11, 21))
    assert second["previous"] is not None
    last = matches(client, run.diagnostic_id, page=10).json()
    assert last["next"] is None and len(last["results"]) == 10
    assert matches(client, run.diagnostic_id, page=11).status_code == 404
    assert matches(client, run.diagnostic_id, page="x").status_code == 404

    filtered = matches(client, run.diagnostic_id, kind="university", region="Ottawa").json()
    expected = [
        m["profile"]
        for m in run.matches
        if m["institution_kind"] == "university" and m["region"] == "Ottawa"
    ]
    assert filtered["count"] == len(expected)
    assert [m["profile"] for m in filtered["results"]] == expected[:10]
    both = client.get(
        reverse("api_diagnostic_matches", kwargs={"pk": run.diagnostic_id}),
        {"region": ["Ottawa", "Toronto"]},
    ).json()
    assert both["count"] == sum(m["region"] in {"Ottawa", "Toronto"} for m in run.matches)
    refused = matches(client, run.diagnostic_id, kind="castle")
    assert refused.status_code == 400 and "kind" in refused.json()


def test_the_api_shows_what_the_results_page_shows(client, business_owner, run):
    client.force_login(business_owner)
    for query in ({}, {"page": 3}, {"region": "Ottawa"}):
        page = client.get(reverse("match_results", args=[run.diagnostic_id]), query)
        api = matches(client, run.diagnostic_id, **query).json()
        shown = page.context["page_obj"].object_list
        assert [(m["rank"], m["profile"], m["score"]) for m in api["results"]] == [
            (m["rank"], m["profile"], m["score"]) for m in shown
        ]
        assert [m["reasons"] for m in api["results"]] == [m["reasons"] for m in shown]
        assert api["count"] == page.context["match_count"]
        funding = page.context["funding"]
        assert [
            (p["slug"], p["verdict_label"], p["fit_sentences"], p["estimate_basis"])
            for p in api["funding"]["programs"]
        ] == [
            (
                p["slug"],
                str(p["verdict_label"]),
                [str(s) for s in p["fit_sentences"]],
                str(p["estimate_basis"]),
            )
            for p in funding["programs"]
        ]
        assert api["funding"]["stacking"] == [str(s) for s in funding["stacking"]]


def test_in_french(client, business_owner, run):
    client.force_login(business_owner)
    data = matches(client, run.diagnostic_id).json()
    french = client.get(
        reverse("api_diagnostic_matches", kwargs={"pk": run.diagnostic_id}),
        HTTP_ACCEPT_LANGUAGE="fr",
    ).json()
    assert [m["profile"] for m in french["results"]] == [m["profile"] for m in data["results"]]
    assert any(r.startswith("Mots en commun") for r in french["results"][0]["reasons"]), french[
        "results"
    ][0]["reasons"]
    assert french["results"][0]["reasons"] != data["results"][0]["reasons"]
    labels = {p["verdict_label"] for p in french["funding"]["programs"]}
    assert labels & {"Admissible", "Non admissible", "Impossible à dire pour l'instant"}, labels


def test_an_open_request_is_shown_on_its_match(client, business_owner, run):
    client.force_login(business_owner)
    profile = run.matches[1]["profile"]
    created = client.post(
        reverse("api_match_run_requests", kwargs={"pk": run.diagnostic_id}),
        {"profiles": [profile], "message": "Could we talk?"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    results = matches(client, run.diagnostic_id).json()["results"]
    assert results[1]["open_request"] == created.json()[0]["id"]
    assert results[0]["open_request"] is None


def test_other_companies_staff_and_anonymous_are_refused(client, run, office_staff, platform_staff):
    outsider = CompanyMembershipFactory(company__name="Other Co").user
    for user in (outsider, office_staff, platform_staff):
        client.force_login(user)
        response = matches(client, run.diagnostic_id)
        assert response.status_code == 404 and "detail" in response.json()
    client.logout()
    response = matches(client, run.diagnostic_id)
    assert response.status_code == 403 and "detail" in response.json()
    assert matches(client, 999_999).status_code == 403


def test_a_draft_is_a_conflict_and_so_is_a_run_not_made_yet(
    client, catalogue, business_owner, company
):
    client.force_login(business_owner)
    draft = completed_draft(business_owner, company)
    response = matches(client, draft.pk)
    assert response.status_code == 409
    assert "Submit this diagnostic first" in response.json()["detail"]
    # Submitted, but the run (made after commit) is not there yet.
    diagnostic_services.diagnostic_submit(actor=business_owner, diagnostic=draft)
    response = matches(client, draft.pk)
    assert response.status_code == 409
    assert "still being computed" in response.json()["detail"]


def test_a_failed_run_answers_with_its_state_and_the_funding(
    client, catalogue, business_owner, company, django_capture_on_commit_callbacks
):
    answers = {**MACHINE_SHOP, "challenge": "Zzyzx qwrtp " * 10, "desired_outcome": "Xkcd vvq " * 5}
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = diagnostic_services.diagnostic_submit(
            actor=business_owner,
            diagnostic=completed_draft(business_owner, company, answers=answers),
        )
    assert MatchRun.objects.get(diagnostic=diagnostic).status == "failed"
    client.force_login(business_owner)
    data = matches(client, diagnostic.pk).json()
    assert (data["count"], data["results"]) == (0, [])
    assert data["run"]["status"] == "failed" and data["run"]["error"] == "no_matches"
    assert data["run"]["error_message"].startswith("No expertise profile shares words")
    assert data["run"]["stale"] is True
    assert data["funding"]["programs"]


def test_the_reachable_funding_is_one_figure_on_both_pages_and_the_api(client, business_owner, run):
    from matching.selectors import run_funding
    from ocip.formatting import dollar_text

    client.force_login(business_owner)
    reachable = run_funding(run, "en")["reachable"]
    assert reachable is not None and reachable["high"] > 0
    api = matches(client, run.diagnostic_id).json()["funding"]["reachable"]
    assert api == reachable
    shown = f"Up to {dollar_text(reachable['high'])}"
    for page in ("diagnostic_results", "match_results"):
        assert shown in client.get(reverse(page, args=[run.diagnostic_id])).content.decode()
