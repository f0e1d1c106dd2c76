"""The diagnostic's skip logic with JavaScript, in headless Chromium (OCIP_E2E=1, like the other
browser tests): questions that depend on an answer on the same page come and go as it changes,
and on a phone the step list comes after the form."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from diagnostics import services
from tests.e2e.test_browser import browser, wait  # noqa: F401
from tests.e2e.test_diagnostic_browser import follow, log_in, step_button, wait_for_step

from .conftest import CURRENT
from .examples import MACHINE_SHOP

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def draft_at_step(owner, company, number: int):
    """A draft with the steps before `number` completed."""
    diagnostic, _created = services.diagnostic_start(actor=owner, company=company)
    for earlier in range(1, number):
        ids = [q["id"] for q in CURRENT.step(earlier)["questions"]]
        diagnostic = services.diagnostic_step_save(
            actor=owner,
            diagnostic=diagnostic,
            number=earlier,
            answers={qid: MACHINE_SHOP.get(qid) for qid in ids},
            complete=True,
        )
    return diagnostic


def shown(driver) -> list[str]:
    return [
        wrapper.get_attribute("data-question")
        for wrapper in driver.find_elements(By.CSS_SELECTOR, "form [data-question]")
        if wrapper.is_displayed()
    ]


def pick(driver, question: str, value: str) -> None:
    radio = driver.find_element(By.CSS_SELECTOR, f'#id_{question} input[value="{value}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", radio)
    radio.click()


def test_the_ladder_shows_the_next_rung_only_after_a_yes(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    business_owner,
    company,
):
    diagnostic = draft_at_step(business_owner, company, 6)
    log_in(browser, live_server, business_owner)
    browser.get(f"{live_server.url}/diagnostics/{diagnostic.pk}/steps/6/")
    wait_for_step(browser, 6)
    wait(browser).until(lambda d: shown(d) == ["trl_1"])

    pick(browser, "trl_1", "yes")
    pick(browser, "trl_2", "yes")
    assert shown(browser) == ["trl_1", "trl_2", "trl_3"]
    pick(browser, "trl_3", "no")
    assert shown(browser) == ["trl_1", "trl_2", "trl_3"]
    # Changing an earlier rung to "no" hides everything after it, however it was answered.
    pick(browser, "trl_2", "no")
    assert shown(browser) == ["trl_1", "trl_2"]
    pick(browser, "trl_2", "yes")
    assert shown(browser) == ["trl_1", "trl_2", "trl_3"]

    follow(browser, step_button(browser, "next"))
    wait_for_step(browser, 7)
    diagnostic.refresh_from_db()
    assert diagnostic.answers["trl_3"] is False and "trl_4" not in diagnostic.answers


def test_student_levels_appear_with_a_wish_for_students(
    live_server,
    browser,  # noqa: F811
    business_owner,
    company,
):
    diagnostic = draft_at_step(business_owner, company, 5)
    log_in(browser, live_server, business_owner)
    browser.get(f"{live_server.url}/diagnostics/{diagnostic.pk}/steps/5/")
    wait_for_step(browser, 5)
    assert "student_levels" not in shown(browser)
    pick(browser, "wants_students", "yes")
    assert "student_levels" in shown(browser)
    pick(browser, "wants_students", "unknown")
    assert "student_levels" not in shown(browser)


def test_on_a_phone_the_step_list_comes_after_the_form(
    live_server,
    browser,  # noqa: F811
    business_owner,
    company,
):
    diagnostic = draft_at_step(business_owner, company, 3)
    log_in(browser, live_server, business_owner)
    browser.set_window_size(375, 800)
    browser.get(f"{live_server.url}/diagnostics/{diagnostic.pk}/steps/3/")
    wait_for_step(browser, 3)
    progress = browser.find_element(By.ID, "progress-label")
    form = browser.find_element(By.CSS_SELECTOR, "main form")
    steps = browser.find_element(By.CSS_SELECTOR, "nav.step-nav")
    assert "Step 3 of 8" in progress.text
    assert progress.location["y"] < form.location["y"] < steps.location["y"]
