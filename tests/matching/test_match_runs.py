"""Match runs: made after submission, once; snapshots; failures recorded; pages and filters."""

import pytest
from django.urls import reverse

from diagnostics import services as diagnostic_services
from matching import search, services
from matching.models import ExpertiseProfile, MatchingIndex, MatchRun
from matching.tasks import match_run_for_diagnostic
from tests.diagnostics.conftest import completed_draft
from tests.diagnostics.examples import MACHINE_SHOP

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def submitted(catalogue, business_owner, company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = diagnostic_services.diagnostic_submit(
            actor=business_owner, diagnostic=completed_draft(business_owner, company)
        )
    return diagnostic


def test_submitting_a_diagnostic_runs_matching_after_commit(submitted):
    run = MatchRun.objects.get(diagnostic=submitted)
    assert run.status == MatchRun.Status.DONE
    assert run.profile_count == ExpertiseProfile.objects.count() == 415
    assert len(run.matches) == services.MATCH_RUN_SIZE
    first = run.matches[0]
    assert {"profile", "name", "institution_name", "region", "score", "signals"} <= set(first)
    signal_names = {signal["name"] for signal in first["signals"]}
    assert {"text", "capability", "trl", "language", "capacity"} <= signal_names
    # The machine shop's thin-wall machining problem: its top matches say so in their reasons.
    top_terms = {
        t
        for m in run.matches[:5]
        for s in m["signals"]
        if s["name"] == "text"
        for t in s["detail"]["terms"]
    }
    assert {"cutting", "fixtures"} <= top_terms
    slugs = [program["slug"] for program in run.funding["programs"]]
    assert "soscip" not in slugs  # inactive: never shown
    assert "oci-vip" in slugs


def test_the_task_twice_leaves_one_run(submitted):
    match_run_for_diagnostic(submitted.pk)
    match_run_for_diagnostic.delay(submitted.pk)
    assert MatchRun.objects.filter(diagnostic=submitted).count() == 1


def test_the_task_ignores_drafts_and_missing_diagnostics(catalogue, business_owner, company):
    draft = completed_draft(business_owner, company)
    assert services.match_run_for_diagnostic(diagnostic_id=draft.pk) is None
    assert services.match_run_for_diagnostic(diagnostic_id=999_999) is None
    assert not MatchRun.objects.exists()


def test_without_profiles_the_run_is_recorded_as_failed(
    db, business_owner, company, django_capture_on_commit_callbacks
):
    services.funding_programs_load_catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = diagnostic_services.diagnostic_submit(
            actor=business_owner, diagnostic=completed_draft(business_owner, company)
        )
    run = MatchRun.objects.get(diagnostic=diagnostic)
    assert (run.status, run.error, run.matches) == ("failed", "no_profiles", [])
    assert run.funding["programs"]  # funding still assessed


def test_a_challenge_in_another_language_fails_clearly(
    catalogue, business_owner, company, django_capture_on_commit_callbacks, client
):
    answers = {**MACHINE_SHOP, "challenge": "Zzyzx qwrtp " * 10, "desired_outcome": "Xkcd vvq " * 5}
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = diagnostic_services.diagnostic_submit(
            actor=business_owner,
            diagnostic=completed_draft(business_owner, company, answers=answers),
        )
    run = MatchRun.objects.get(diagnostic=diagnostic)
    assert (run.status, run.error) == ("failed", "no_matches")
    client.force_login(business_owner)
    page = client.get(reverse("match_results", args=[diagnostic.pk]))
    assert page.status_code == 200
    assert "No expertise profile shares words with your challenge" in page.content.decode()


def test_results_page_leads_with_three_then_ten_with_reasons_filters_and_more(
    submitted, client, business_owner
):
    client.force_login(business_owner)
    results = client.get(reverse("diagnostic_results", args=[submitted.pk])).content.decode()
    assert results.count('class="match card"') == 3
    assert "Why this match" in results
    # The summary comes before the details, and funding is on the same page.
    assert results.index("At a glance") < results.index("Your three best matches")
    assert results.index("Your three best matches") < results.index('id="funding-heading"')
    assert results.index('id="funding-heading"') < results.index('id="maturity-heading"')
    url = reverse("match_results", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert page.count('class="match card"') == 10
    assert "Next page" in page
    assert "OCI Voucher for Innovation and Productivity" in page
    assert "Its intake must be confirmed" in page  # a `verify` program
    second = client.get(url, {"page": 2}).content.decode()
    assert 'start="11"' in second
    filtered = client.get(url, {"kind": "university", "region": "Ottawa"})
    run = MatchRun.objects.get(diagnostic=submitted)
    expected = [
        m for m in run.matches if m["institution_kind"] == "university" and m["region"] == "Ottawa"
    ]
    assert filtered.content.decode().count('class="match card"') == min(len(expected), 10)
    assert "kind=university" in filtered.content.decode() or len(expected) <= 10


def test_results_page_in_french(submitted, client, business_owner):
    client.force_login(business_owner)
    page = client.get(reverse("match_results", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200


def test_other_people_cannot_see_a_companys_matches(
    submitted, client, office_staff, platform_staff
):
    for user in (office_staff, platform_staff):
        client.force_login(user)
        assert client.get(reverse("match_results", args=[submitted.pk])).status_code == 404
        assert client.post(reverse("match_refresh", args=[submitted.pk])).status_code == 404


def test_a_refresh_is_offered_when_profiles_changed_and_keeps_the_old_run(
    submitted, client, business_owner, django_capture_on_commit_callbacks
):
    client.force_login(business_owner)
    url = reverse("match_results", args=[submitted.pk])
    assert "Refresh the matches" not in client.get(url).content.decode()
    client.post(reverse("match_refresh", args=[submitted.pk]))
    assert MatchRun.objects.filter(diagnostic=submitted).count() == 1  # nothing changed
    profile = ExpertiseProfile.objects.get(external_id="w1-001")
    with django_capture_on_commit_callbacks(execute=True):
        profile.summary += " Machine vision inspection of machined parts."
        profile.save()
        services._index_changed()
    search.InProcessBackend.forget()
    assert "Refresh the matches" in client.get(url).content.decode()
    client.post(reverse("match_refresh", args=[submitted.pk]))
    runs = MatchRun.objects.filter(diagnostic=submitted).order_by("sequence")
    assert [run.sequence for run in runs] == [1, 2]
    response = client.get(url, {"run": 1})
    assert "older snapshot" in response.content.decode()
    assert response.context["run"].sequence == 1 and response.context["run"].matches
    # The list of snapshots carries numbers and dates, not every run's stored matches.
    assert all({"matches", "funding"} <= r.get_deferred_fields() for r in response.context["runs"])
    assert 'href="?run=2"' in response.content.decode()


def test_profile_edits_reach_rankings_through_a_new_stored_index(
    catalogue, office_staff, django_capture_on_commit_callbacks
):
    before = search.InProcessBackend().checksum()
    profile = ExpertiseProfile.objects.filter(institution__slug="algonquin").first()
    from matching.models import InstitutionMembership

    InstitutionMembership.objects.create(
        user=office_staff, institution=profile.institution, role="office_staff"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.expertise_profile_update(
            actor=office_staff,
            profile=profile,
            summary="Zanzibarite crystal growth for quantum widgets.",
        )
    assert MatchingIndex.objects.first().checksum != before
    search.InProcessBackend._checked_at = 0.0  # as if the check interval had passed
    from matching.engine.types import Query

    matches = search.InProcessBackend().rank(Query(text="zanzibarite crystal"), limit=5)
    assert matches[0].profile_id == profile.external_id
