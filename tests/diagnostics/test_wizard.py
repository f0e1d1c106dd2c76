"""The diagnostic in the browser: step by step, resume, review, submit, results, start again."""

import re

import pytest
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Diagnostic, NeedsProfile
from tests.factories import CompanyMembershipFactory, InstitutionMembershipFactory

from .conftest import CURRENT, step_post_data
from .examples import MACHINE_SHOP

pytestmark = pytest.mark.django_db


def step_url(diagnostic, number):
    return reverse("diagnostic_step", kwargs={"pk": diagnostic.pk, "number": number})


def start(client, company):
    response = client.post(reverse("diagnostic_start", kwargs={"slug": company.slug}))
    assert response.status_code == 302
    return Diagnostic.objects.get(company=company, status="draft")


def test_a_new_user_walks_through_every_step_and_submits(client, business_owner, company):
    client.force_login(business_owner)
    page = client.get(reverse("diagnostic_list", kwargs={"slug": company.slug}))
    assert "No diagnostic yet." in page.content.decode()

    diagnostic = start(client, company)
    first = client.get(step_url(diagnostic, 1))
    assert "Step 1 of 8" in first.content.decode()
    assert 'aria-current="step"' in first.content.decode()

    for number in range(1, CURRENT.step_count + 1):
        response = client.post(step_url(diagnostic, number), step_post_data(number))
        assert response.status_code == 302, response.content.decode()[:2000]
        follow = client.get(response["Location"])
        if number < CURRENT.step_count:
            assert f"Step {number + 1} of 8" in follow.content.decode()

    review = client.get(reverse("diagnostic_review", kwargs={"pk": diagnostic.pk}))
    text = review.content.decode()
    assert "Review and submit" in text and "5-axis mill" in text
    revision = re.search(r'name="revision" value="(\d+)"', text).group(1)

    submitted = client.post(
        reverse("diagnostic_review", kwargs={"pk": diagnostic.pk}), {"revision": revision}
    )
    assert submitted["Location"] == reverse("diagnostic_results", kwargs={"pk": diagnostic.pk})
    diagnostic.refresh_from_db()
    assert diagnostic.status == "submitted" and diagnostic.submitted_by == business_owner
    assert diagnostic.needs_profile.trl == 4

    results = client.get(submitted["Location"]).content.decode()
    assert "TRL 4 of 9" in results
    assert "Experimental development" in results
    assert "Likely" in results  # SR&ED band
    assert "<svg" in results and 'role="img"' in results
    assert "<caption>Maturity by dimension (1 to 5)</caption>" in results
    assert "Short term: the next three months" in results
    assert "Advanced manufacturing and machining" in results


def test_progress_bar_and_percentage(client, business_owner, company):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in (1, 2):
        client.post(step_url(diagnostic, number), step_post_data(number))
    page = client.get(step_url(diagnostic, 3)).content.decode()
    assert "Step 3 of 8 · 25% done" in page
    assert '<progress max="100" value="25"' in page


def test_leaving_and_coming_back_resumes_at_the_same_step_with_answers_kept(
    client, business_owner, company
):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in (1, 2):
        client.post(step_url(diagnostic, number), step_post_data(number))
    saved = client.post(step_url(diagnostic, 3), step_post_data(3, action="save"))
    assert saved["Location"] == reverse("diagnostic_list", kwargs={"slug": company.slug})

    client.logout()
    client.force_login(business_owner)
    listing = client.get(reverse("diagnostic_list", kwargs={"slug": company.slug})).content.decode()
    assert "Continue the diagnostic" in listing
    resume = client.get(reverse("diagnostic_detail", kwargs={"pk": diagnostic.pk}))
    assert resume["Location"] == step_url(diagnostic, 3)
    page = client.get(resume["Location"]).content.decode()
    assert "5-axis mill" in page  # the challenge text typed before leaving


def test_going_back_keeps_unfinished_answers_even_without_required_ones(
    client, business_owner, company
):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in (1, 2):
        client.post(step_url(diagnostic, number), step_post_data(number))
    partial = {"challenge": "", "desired_outcome": "Half an idea", "action": "back"}
    response = client.post(step_url(diagnostic, 3), partial)
    assert response["Location"] == step_url(diagnostic, 2)
    diagnostic.refresh_from_db()
    assert diagnostic.answers["desired_outcome"] == "Half an idea"
    assert diagnostic.step_reached == 3  # the required challenge is still missing


def test_going_back_does_not_lose_answers_of_later_steps(client, business_owner, company):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in (1, 2, 3):
        client.post(step_url(diagnostic, number), step_post_data(number))
    client.post(step_url(diagnostic, 2), step_post_data(2, action="back"))
    page = client.get(step_url(diagnostic, 3)).content.decode()
    assert "5-axis mill" in page


def test_the_capability_step_suggests_areas_from_the_challenge(client, business_owner, company):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in (1, 2, 3):
        client.post(step_url(diagnostic, number), step_post_data(number))
    page = client.get(step_url(diagnostic, 4)).content.decode()
    assert "Advanced manufacturing and machining (suggested:" in page
    checked = re.search(r'<input[^>]*value="advanced-manufacturing"[^>]*>', page).group(0)
    assert "checked" in checked


def test_a_step_cannot_be_skipped(client, business_owner, company):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    response = client.get(step_url(diagnostic, 5))
    assert response["Location"] == step_url(diagnostic, 1)
    response = client.post(step_url(diagnostic, 5), step_post_data(5))
    assert response["Location"] == step_url(diagnostic, 1)
    diagnostic.refresh_from_db()
    assert "budget_cash" not in diagnostic.answers
    assert client.get(reverse("diagnostic_review", kwargs={"pk": diagnostic.pk})).status_code == 302
    assert client.get(step_url(diagnostic, 99)).status_code == 404


@pytest.mark.parametrize(
    ("number", "changes", "field", "message"),
    [
        (3, {"challenge": "x" * 4001}, "challenge", "at most 4000 characters"),
        (3, {"challenge": "Too short"}, "challenge", "at least 40 characters"),
        (3, {"challenge": ""}, "challenge", "This field is required."),
        (1, {"organization_type": "pirate"}, "organization_type", "Select a valid choice"),
        (1, {"fte_ontario": "-3"}, "fte_ontario", "greater than or equal to 0"),
        (1, {"fte_ontario": "10000000000"}, "fte_ontario", "less than or equal to 100000"),
        (1, {"fte_ontario": "lots"}, "fte_ontario", "Enter a whole number."),
        (5, {"budget_cash": "-5"}, "budget_cash", "greater than or equal to 0"),
        (
            4,
            {
                "capability_areas": [
                    "ai-data",
                    "software",
                    "cybersecurity",
                    "iot-embedded",
                    "robotics-automation",
                    "biotech",
                    "mining",
                    "aerospace",
                    "mobility",
                ]
            },
            "capability_areas",
            "Choose at most 8.",
        ),
        (8, {"maturity_strategy_goals": "6"}, "maturity_strategy_goals", "Select a valid choice"),
    ],
)
def test_bad_answers_get_a_message_on_the_field_and_nothing_is_saved(
    client, business_owner, company, number, changes, field, message
):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for earlier in range(1, number):
        client.post(step_url(diagnostic, earlier), step_post_data(earlier))
    diagnostic.refresh_from_db()
    before = dict(diagnostic.answers)

    response = client.post(step_url(diagnostic, number), {**step_post_data(number), **changes})

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert f'href="#id_{field}' in page  # the error summary links to the field
    diagnostic.refresh_from_db()
    assert diagnostic.answers == before


def test_money_accepts_the_ways_people_write_it(client, business_owner, company, complete_draft):
    client.force_login(business_owner)
    for typed, stored in (("$40,000", 40000), ("40 000 $", 40000), ("7500", 7500)):
        client.post(step_url(complete_draft, 5), {**step_post_data(5), "budget_cash": typed})
        complete_draft.refresh_from_db()
        assert complete_draft.answers["budget_cash"] == stored


def test_skipped_questions_stay_unknown(client, business_owner, company):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    client.post(step_url(diagnostic, 1), {"organization_type": "for_profit", "action": "next"})
    diagnostic.refresh_from_db()
    assert diagnostic.answers["fte_ontario"] is None
    assert diagnostic.answers["sector"] is None


def test_submitted_diagnostic_is_never_edited_in_place(
    client, business_owner, company, complete_draft
):
    services.diagnostic_submit(actor=business_owner, diagnostic=complete_draft)
    client.force_login(business_owner)
    response = client.post(
        step_url(complete_draft, 3), {**step_post_data(3), "challenge": "Changed " * 10}
    )
    assert response["Location"] == reverse("diagnostic_results", kwargs={"pk": complete_draft.pk})
    complete_draft.refresh_from_db()
    assert complete_draft.answers["challenge"] == MACHINE_SHOP["challenge"]


def test_double_submission_is_refused_with_a_message(
    client, business_owner, company, complete_draft
):
    client.force_login(business_owner)
    url = reverse("diagnostic_review", kwargs={"pk": complete_draft.pk})
    client.post(url, {"revision": complete_draft.revision})
    again = client.post(url, {"revision": complete_draft.revision}, follow=True)
    assert again.status_code == 200
    assert NeedsProfile.objects.filter(diagnostic=complete_draft).count() == 1


def test_a_submit_after_a_newer_save_asks_to_check_again(
    client, business_owner, company, complete_draft
):
    client.force_login(business_owner)
    reviewed = complete_draft.revision
    client.post(step_url(complete_draft, 5), {**step_post_data(5), "budget_cash": "50000"})
    response = client.post(
        reverse("diagnostic_review", kwargs={"pk": complete_draft.pk}),
        {"revision": reviewed},
        follow=True,
    )
    assert "Your answers changed since you opened this page" in response.content.decode()
    complete_draft.refresh_from_db()
    assert complete_draft.status == "draft"


def test_starting_again_creates_a_new_prefilled_draft(
    client, business_owner, company, complete_draft
):
    services.diagnostic_submit(actor=business_owner, diagnostic=complete_draft)
    client.force_login(business_owner)
    confirm = client.get(reverse("diagnostic_start", kwargs={"slug": company.slug}))
    assert "will be filled in" in confirm.content.decode()
    new = start(client, company)
    assert new.pk != complete_draft.pk
    assert new.based_on == complete_draft
    assert new.answers["challenge"] == MACHINE_SHOP["challenge"]
    assert new.step_reached == 1
    listing = client.get(reverse("diagnostic_list", kwargs={"slug": company.slug})).content.decode()
    assert listing.count("<tr>") == 3  # header + draft + submitted


def test_a_draft_can_be_deleted_but_a_submitted_one_cannot(
    client, business_owner, company, complete_draft
):
    client.force_login(business_owner)
    url = reverse("diagnostic_discard", kwargs={"pk": complete_draft.pk})
    assert "cannot be undone" in client.get(url).content.decode()
    client.post(url)
    assert not Diagnostic.objects.filter(pk=complete_draft.pk).exists()

    draft = services.diagnostic_demo_submit(
        actor=business_owner, company=company, answers=MACHINE_SHOP
    )
    client.post(reverse("diagnostic_discard", kwargs={"pk": draft.pk}))
    assert Diagnostic.objects.filter(pk=draft.pk, status="submitted").exists()


def test_only_the_companys_members_see_its_diagnostics(
    client, business_owner, company, complete_draft, office_staff, platform_staff
):
    other_owner = CompanyMembershipFactory(company__name="Other Co").user
    researcher = InstitutionMembershipFactory(role="researcher").user
    urls = [
        reverse("diagnostic_list", kwargs={"slug": company.slug}),
        reverse("diagnostic_start", kwargs={"slug": company.slug}),
        reverse("diagnostic_detail", kwargs={"pk": complete_draft.pk}),
        step_url(complete_draft, 1),
        reverse("diagnostic_review", kwargs={"pk": complete_draft.pk}),
        reverse("diagnostic_results", kwargs={"pk": complete_draft.pk}),
        reverse("diagnostic_discard", kwargs={"pk": complete_draft.pk}),
    ]
    for user in (other_owner, researcher, office_staff, platform_staff):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, step_post_data(1)).status_code == 404, (user, url)
    complete_draft.refresh_from_db()
    assert complete_draft.status == "draft" and complete_draft.revision == 8


def test_the_wizard_and_results_in_french(client, business_owner, company, complete_draft):
    client.force_login(business_owner)
    page = client.get(f"/fr/diagnostics/{complete_draft.pk}/steps/6/").content.decode()
    assert "Étape 6 de 8" in page
    assert "Où en êtes-vous?" in page
    services.diagnostic_submit(actor=business_owner, diagnostic=complete_draft)
    results = client.get(f"/fr/diagnostics/{complete_draft.pk}/results/").content.decode()
    assert 'lang="fr"' in results
    assert "Développement expérimental" in results
    assert "Probable" in results
    assert "Court terme" in results
