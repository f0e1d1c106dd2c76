"""The diagnostic through the API: create, save a step, submit, read results."""

import pytest
from django.urls import reverse

from diagnostics.models import Diagnostic, NeedsProfile
from tests.factories import CompanyMembershipFactory

from .conftest import CURRENT
from .examples import MACHINE_SHOP

pytestmark = pytest.mark.django_db


def step_answers(number, answers=MACHINE_SHOP):
    return {q["id"]: answers.get(q["id"]) for q in CURRENT.step(number)["questions"]}


def put_step(client, pk, number, answers, complete=True):
    return client.put(
        reverse("api_diagnostic_step", kwargs={"pk": pk, "number": number}),
        {"answers": answers, "complete": complete},
        content_type="application/json",
    )


def test_create_save_submit_and_read_results(client, business_owner, company):
    client.force_login(business_owner)
    url = reverse("api_company_diagnostics", kwargs={"slug": company.slug})
    created = client.post(url)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert len(created.json()["steps"]) == 8
    assert client.post(url).json()["id"] == pk  # the same draft again
    assert client.post(url).status_code == 200

    for number in range(1, 9):
        response = put_step(client, pk, number, step_answers(number))
        assert response.status_code == 200, response.json()
    body = client.get(reverse("api_diagnostic", kwargs={"pk": pk})).json()
    assert body["step_reached"] == 9 and body["answers"]["trl_4"] is True

    submitted = client.post(
        reverse("api_diagnostic_submit", kwargs={"pk": pk}),
        {"revision": body["revision"]},
        content_type="application/json",
    )
    assert submitted.status_code == 200
    assert submitted.json()["trl"] == 4
    assert submitted.json()["sred"]["band"] == "likely"

    results = client.get(reverse("api_diagnostic_results", kwargs={"pk": pk}))
    assert results.json() == submitted.json()
    assert results.json()["recommendations"]["short"][0]["text"]["fr"]
    listing = client.get(url).json()
    assert listing["count"] == 1 and listing["results"][0]["results_url"].endswith(
        f"/api/v1/diagnostics/{pk}/results/"
    )


def test_bad_answers_are_a_400_naming_the_question(client, business_owner, company):
    client.force_login(business_owner)
    pk = client.post(reverse("api_company_diagnostics", kwargs={"slug": company.slug})).json()["id"]
    cases = [
        {**step_answers(1), "fte_ontario": -1},
        {**step_answers(1), "fte_ontario": 1e12},
        {**step_answers(1), "fte_ontario": "many"},
        {**step_answers(1), "organization_type": "pirate"},
        {**step_answers(1), "organization_type": ["for_profit"]},
        {**step_answers(1), "organization_type": None},  # required
        {**step_answers(1), "municipality": {"name": "Ottawa"}},
        {**step_answers(1), "municipality": ["Ottawa"]},
    ]
    for answers in cases:
        response = put_step(client, pk, 1, answers)
        assert response.status_code == 400, answers
        assert set(response.json()["answers"]) <= {
            "fte_ontario",
            "organization_type",
            "municipality",
        }
    unknown = put_step(client, pk, 1, {**step_answers(1), "favourite_colour": "blue"})
    assert unknown.status_code == 400
    assert "favourite_colour" in unknown.json()["answers"]
    assert (
        client.put(
            reverse("api_diagnostic_step", kwargs={"pk": pk, "number": 1}),
            "not json",
            content_type="application/json",
        ).status_code
        == 400
    )
    assert put_step(client, pk, 42, {}).status_code == 404
    assert Diagnostic.objects.get(pk=pk).answers == {}


def test_over_long_challenge_is_refused(client, business_owner, company, complete_draft):
    client.force_login(business_owner)
    response = put_step(client, complete_draft.pk, 3, {**step_answers(3), "challenge": "a" * 4001})
    assert response.status_code == 400
    assert "4000" in response.json()["answers"]["challenge"][0]


def test_steps_in_order_and_submission_once(client, business_owner, company, complete_draft):
    client.force_login(business_owner)
    pk = complete_draft.pk
    submit = reverse("api_diagnostic_submit", kwargs={"pk": pk})
    assert client.post(submit, {"revision": 0}, content_type="application/json").status_code == 409
    assert client.post(submit).status_code == 200
    again = client.post(submit)
    assert again.status_code == 409
    assert "already submitted" in again.json()["detail"]
    assert put_step(client, pk, 1, step_answers(1)).status_code == 409
    assert NeedsProfile.objects.filter(diagnostic_id=pk).count() == 1


def test_a_step_posted_out_of_order_is_a_409(client, business_owner, company):
    client.force_login(business_owner)
    pk = client.post(reverse("api_company_diagnostics", kwargs={"slug": company.slug})).json()["id"]
    response = put_step(client, pk, 4, step_answers(4))
    assert response.status_code == 409
    assert "earlier steps" in response.json()["detail"]


def test_submitting_with_required_answers_missing_is_a_400_by_step(client, business_owner, company):
    client.force_login(business_owner)
    pk = client.post(reverse("api_company_diagnostics", kwargs={"slug": company.slug})).json()["id"]
    for number in range(1, 9):
        put_step(client, pk, number, step_answers(number, {}), complete=False)
    response = client.post(reverse("api_diagnostic_submit", kwargs={"pk": pk}))
    assert response.status_code == 400
    assert "1" in response.json() and "3" in response.json()
    assert Diagnostic.objects.get(pk=pk).status == "draft"


def test_results_of_a_draft_are_a_409(client, business_owner, company, complete_draft):
    client.force_login(business_owner)
    response = client.get(reverse("api_diagnostic_results", kwargs={"pk": complete_draft.pk}))
    assert response.status_code == 409


def test_other_people_get_404_and_anonymous_403(client, company, complete_draft, platform_staff):
    outsider = CompanyMembershipFactory(company__name="Other").user
    urls = [
        ("get", reverse("api_company_diagnostics", kwargs={"slug": company.slug})),
        ("post", reverse("api_company_diagnostics", kwargs={"slug": company.slug})),
        ("get", reverse("api_diagnostic", kwargs={"pk": complete_draft.pk})),
        ("put", reverse("api_diagnostic_step", kwargs={"pk": complete_draft.pk, "number": 1})),
        ("post", reverse("api_diagnostic_submit", kwargs={"pk": complete_draft.pk})),
        ("get", reverse("api_diagnostic_results", kwargs={"pk": complete_draft.pk})),
    ]
    for method, url in urls:
        assert getattr(client, method)(url, content_type="application/json").status_code == 403
    for user in (outsider, platform_staff):
        client.force_login(user)
        for method, url in urls:
            response = getattr(client, method)(url, {}, content_type="application/json")
            assert response.status_code == 404, (user, method, url)
    assert Diagnostic.objects.get(pk=complete_draft.pk).status == "draft"


def test_questionnaire_and_schema(client, business_owner):
    client.force_login(business_owner)
    current = CURRENT.version
    definition = client.get(reverse("api_questionnaire", kwargs={"version": current})).json()
    assert definition["version"] == current
    assert [step["id"] for step in definition["steps"]][:3] == ["company", "legal", "challenge"]
    ladder = {q["id"]: q for q in definition["steps"][5]["questions"]}
    assert ladder["trl_2"]["show_if"] == {"question": "trl_1", "equals": True}
    # An earlier version stays readable, as its file publishes it (diagnostics may use it).
    older = client.get(reverse("api_questionnaire", kwargs={"version": 1})).json()
    assert older["version"] == 1 and "show_if" not in str(older)
    assert client.get(reverse("api_questionnaire", kwargs={"version": 7})).status_code == 404
    schema = client.get(reverse("api_schema")).content.decode()
    for path in (
        "/api/v1/companies/{slug}/diagnostics/",
        "/api/v1/diagnostics/{id}/steps/{number}/",
        "/api/v1/diagnostics/{id}/submit/",
        "/api/v1/diagnostics/{id}/results/",
    ):
        assert path in schema
