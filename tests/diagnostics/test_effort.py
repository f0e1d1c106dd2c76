"""How long the diagnostic takes: one estimate, printed by the command and promised by the pages."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from diagnostics.effort import TYPICAL_PATH, estimate, promised_minutes, promised_minutes_for
from diagnostics.questionnaire import Questionnaire, load_definition

from .conftest import CURRENT, V1


def command_output(*args) -> str:
    out = StringIO()
    call_command("diagnostic_effort", *args, stdout=out)
    return out.getvalue()


def promised_by_command() -> int:
    return int(
        re.search(
            r"Promised on the home page and the dashboard: about (\d+) minutes", command_output()
        ).group(1)
    )


def test_version_1_was_what_the_tester_counted():
    every = estimate(V1, answers=None)
    assert (every.questions, every.inputs) == (54, 225)
    maturity = every.steps[-1]
    assert (maturity.questions, maturity.inputs) == (10, 60)


def test_the_current_questionnaire_is_shorter_on_the_typical_path():
    typical = estimate(CURRENT)
    before = estimate(V1, answers=None)
    assert typical.questions < before.questions and typical.inputs < before.inputs
    assert typical.minutes[1] < before.minutes[1]
    assert typical.steps[-1].inputs <= 30  # the maturity page: 30 radio buttons, not 60
    readiness = typical.steps[5]
    assert readiness.questions == 5  # yes to level 4, the "no" at 5, nothing after
    # Only skip logic makes the difference between the typical path and every question.
    assert estimate(CURRENT, answers=None).questions > typical.questions
    assert set(TYPICAL_PATH) <= set(CURRENT.by_id)


def test_the_promise_comes_from_the_estimate():
    quick, careful = estimate(CURRENT, language="fr").minutes
    assert quick < promised_minutes() <= careful
    assert promised_minutes() == promised_minutes_for(Questionnaire(load_definition(2)))


def test_the_command_prints_the_promise_and_its_figures():
    output = command_output()
    assert output.startswith("Questionnaire v2, typical path")
    typical = estimate(CURRENT)
    assert f"Total: {typical.questions} questions, {typical.inputs} inputs" in output
    assert promised_by_command() == promised_minutes()
    older = command_output("--questionnaire", "1", "--every-question")
    assert "Total: 54 questions, 225 inputs" in older
    assert "Not the current version" in older


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/fr/"])
def test_the_home_page_promises_the_commands_number(client, path):
    page = client.get(path, follow=True).content.decode()
    minutes = promised_by_command()
    assert re.search(rf"\b{minutes}\s+minutes\b", page), page
    assert "ten-minute" not in page and "dix minutes" not in page


@pytest.mark.django_db
def test_the_dashboard_and_the_start_page_promise_the_same_number(client, business_owner, company):
    client.force_login(business_owner)
    minutes = promised_by_command()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f"about {minutes} minutes, saved as you go" in dashboard
    assert "fifteen" not in dashboard
    start = client.get(reverse("diagnostic_start", kwargs={"slug": company.slug}))
    assert f"It takes about {minutes} minutes." in start.content.decode()
