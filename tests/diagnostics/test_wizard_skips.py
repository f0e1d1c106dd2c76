"""Questions that do not apply, in the wizard without JavaScript and through the API: the server
leaves them off the page, never requires them and never keeps an answer to them."""

import json
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from diagnostics.answers import StepForm
from diagnostics.models import Diagnostic
from diagnostics.questionnaire import Questionnaire

from .conftest import step_post_data

pytestmark = pytest.mark.django_db

NOT_INCORPORATED_SKIPS = (
    "province_incorporated",
    "years_incorporated",
    "ccpc",
    "taxable_capital_prior",
    "taxable_income_prior",
)


def step_url(diagnostic, number):
    return reverse("diagnostic_step", kwargs={"pk": diagnostic.pk, "number": number})


def start(client, company):
    client.post(reverse("diagnostic_start", kwargs={"slug": company.slug}))
    return Diagnostic.objects.get(company=company, status="draft")


def fields_on(page: str) -> set[str]:
    """The question ids the page's form asks (each wrapped in data-question)."""
    return set(re.findall(r'data-question="([a-z0-9_]+)"', page))


def test_questions_an_earlier_step_skips_are_not_on_the_page_nor_required(
    client, business_owner, company
):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    step_1 = {**step_post_data(1), "incorporated": "no", "has_ontario_operations": "no"}
    assert client.post(step_url(diagnostic, 1), step_1).status_code == 302

    page = client.get(step_url(diagnostic, 2)).content.decode()
    shown = fields_on(page)
    assert shown == {"has_cra_business_number", "has_canadian_operations"}
    for qid in NOT_INCORPORATED_SKIPS:
        assert f'name="{qid}"' not in page

    # An answer sent anyway for a question that does not apply is not kept.
    response = client.post(
        step_url(diagnostic, 2),
        {"has_cra_business_number": "yes", "ccpc": "yes", "years_incorporated": "x"},
    )
    assert response["Location"] == step_url(diagnostic, 3)
    diagnostic.refresh_from_db()
    assert not set(NOT_INCORPORATED_SKIPS) & set(diagnostic.answers)
    assert diagnostic.answers["has_cra_business_number"] is True

    # Saying "incorporated" after all brings the questions back.
    client.post(step_url(diagnostic, 1), {**step_1, "incorporated": "yes"})
    assert set(NOT_INCORPORATED_SKIPS) <= fields_on(
        client.get(step_url(diagnostic, 2)).content.decode()
    )


def test_changing_an_earlier_answer_drops_the_answers_it_skips(client, business_owner, company):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in (1, 2):
        client.post(step_url(diagnostic, number), step_post_data(number))
    diagnostic.refresh_from_db()
    assert diagnostic.answers["ccpc"] is True
    client.post(step_url(diagnostic, 1), {**step_post_data(1), "incorporated": "no"})
    diagnostic.refresh_from_db()
    assert "ccpc" not in diagnostic.answers and diagnostic.answers["incorporated"] is False


def test_the_readiness_ladder_stops_at_the_first_no_without_javascript(
    client, business_owner, company
):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in range(1, 6):
        client.post(step_url(diagnostic, number), step_post_data(number))

    # Nothing answered yet: the whole ladder, with the rule to stop at the first "no".
    first = client.get(step_url(diagnostic, 6)).content.decode()
    assert fields_on(first) == {f"trl_{level}" for level in range(1, 10)}
    assert "stop at the first “no”" in first

    # A "yes" after the "no" is not kept; later rungs are not required.
    ladder = {"trl_1": "yes", "trl_2": "yes", "trl_3": "no", "trl_4": "yes", "action": "next"}
    response = client.post(step_url(diagnostic, 6), ladder)
    assert response["Location"] == step_url(diagnostic, 7)
    diagnostic.refresh_from_db()
    assert {k: v for k, v in diagnostic.answers.items() if k.startswith("trl_")} == {
        "trl_1": True,
        "trl_2": True,
        "trl_3": False,
    }

    # Back on the page: the rungs up to and including the first "no", no further.
    again = client.get(step_url(diagnostic, 6)).content.decode()
    assert fields_on(again) == {"trl_1", "trl_2", "trl_3"}

    # Changing that "no" to "yes" brings the page back with the rungs it opens.
    response = client.post(
        step_url(diagnostic, 6), {"trl_1": "yes", "trl_2": "yes", "trl_3": "yes", "action": "next"}
    )
    assert response["Location"] == step_url(diagnostic, 6)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Your answers open 6 more questions on this page" in messages[0]
    reopened = client.get(step_url(diagnostic, 6)).content.decode()
    assert fields_on(reopened) == {f"trl_{level}" for level in range(1, 10)}
    response = client.post(
        step_url(diagnostic, 6),
        {"trl_1": "yes", "trl_2": "yes", "trl_3": "yes", "trl_4": "no", "action": "next"},
    )
    assert response["Location"] == step_url(diagnostic, 7)
    diagnostic.refresh_from_db()
    assert diagnostic.answers["trl_4"] is False and "trl_5" not in diagnostic.answers


def test_a_condition_on_the_same_page_is_marked_for_the_script_and_applied_on_save(
    client, business_owner, company
):
    client.force_login(business_owner)
    diagnostic = start(client, company)
    for number in range(1, 5):
        client.post(step_url(diagnostic, number), step_post_data(number))
    page = client.get(step_url(diagnostic, 5)).content.decode()
    assert 'src="/static/js/diagnostic.js"' in page and "defer" in page
    assert "<script>" not in page  # the content security policy forbids inline scripts
    marked = re.search(r'data-question="student_levels" data-show-if="([^"]+)"', page)
    rules = json.loads(marked.group(1).replace("&quot;", '"'))
    assert rules == [{"question": "wants_students", "op": "in", "values": ["yes"]}]
    assert 'data-question="budget_cash" data-show-if' not in page

    response = client.post(
        step_url(diagnostic, 5),
        {**step_post_data(5), "wants_students": "no", "student_levels": ["masters"]},
    )
    assert response["Location"] == step_url(diagnostic, 6)
    diagnostic.refresh_from_db()
    assert diagnostic.answers["wants_students"] is False
    assert "student_levels" not in diagnostic.answers


def test_a_required_question_is_required_only_where_it_applies():
    definition = {
        "version": 99,
        "steps": [
            {
                "id": "only",
                "title": {"en": "Only"},
                "questions": [
                    {"id": "sells", "type": "boolean", "label": {"en": "Do you sell?"}},
                    {
                        "id": "what",
                        "type": "short_text",
                        "max_length": 50,
                        "required": True,
                        "show_if": {"question": "sells", "equals": True},
                        "label": {"en": "What do you sell?"},
                    },
                ],
            }
        ],
    }
    questionnaire = Questionnaire(definition)

    def form(data):
        return StepForm(data, questionnaire=questionnaire, number=1, language="en", answers={})

    skipped = form({"sells": "no", "what": "ignored"})
    assert skipped.is_valid(), skipped.errors
    assert skipped.answers() == {"sells": False}
    applies = form({"sells": "yes", "what": ""})
    assert not applies.is_valid()
    assert "what" in applies.errors
    assert form({"sells": "yes", "what": "Bread"}).is_valid()


def test_the_review_lists_only_the_questions_that_apply(client, business_owner, complete_draft):
    client.force_login(business_owner)
    review = client.get(reverse("diagnostic_review", kwargs={"pk": complete_draft.pk}))
    text = review.content.decode()
    assert "Does it operate in Ontario?" in text
    assert "Does it operate in Canada?" not in text  # implied by operating in Ontario
    assert "Those parts have worked in conditions close to real use" in text  # the "no"
    assert "A working prototype of the whole thing" not in text  # after it


def test_the_api_keeps_no_answer_to_a_skipped_question(client, business_owner, company):
    client.force_login(business_owner)
    pk = client.post(reverse("api_company_diagnostics", kwargs={"slug": company.slug})).json()["id"]

    def put(number, answers):
        return client.put(
            reverse("api_diagnostic_step", kwargs={"pk": pk, "number": number}),
            {"answers": answers, "complete": True},
            content_type="application/json",
        )

    assert put(1, {"organization_type": "for_profit", "incorporated": False}).status_code == 200
    response = put(2, {"ccpc": True, "has_cra_business_number": True})
    assert response.status_code == 200, response.json()
    assert "ccpc" not in response.json()["answers"]
    assert response.json()["answers"]["has_cra_business_number"] is True
