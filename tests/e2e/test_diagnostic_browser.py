"""The innovation diagnostic wizard in a real browser: headless Chromium, on a live server.

Runs with the other browser tests (OCIP_E2E=1, Debian's chromium + chromium-driver): the
`browser` fixture and the page helpers come from tests/e2e/test_browser.py.
"""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from tests.diagnostics.examples import MACHINE_SHOP
from tests.e2e.test_browser import browser, mark_page, path_of, wait, wait_for_new_page  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STEP_COUNT = 8
STEP_PATH = re.compile(r"^(?:/fr)?/diagnostics/(?P<pk>\d+)/steps/(?P<number>\d+)/$")
TAB_LIMIT = 30  # more Tab presses than any step needs to reach its buttons


# --- Helpers ---


def log_in(driver, live_server, user) -> None:
    driver.get(live_server.url + "/accounts/login/")
    form = wait(driver).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, "main form:has(#id_login)"))
    )
    form.find_element(By.ID, "id_login").send_keys(user.email)
    form.find_element(By.ID, "id_password").send_keys(PASSWORD)
    follow(driver, form.find_element(By.CSS_SELECTOR, 'button[type="submit"]'))
    wait(driver).until(lambda d: path_of(d) == "/dashboard/")


def follow(driver, element) -> None:
    """Click a link or a submit button and wait until the next page has replaced this one."""
    mark_page(driver)
    element.click()
    wait_for_new_page(driver)


def heading(driver) -> str:
    return wait(driver).until(EC.visibility_of_element_located((By.TAG_NAME, "h1"))).text


def main_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def active(driver):
    return driver.switch_to.active_element


def press(driver, *keys) -> None:
    """Keys go where the keyboard focus is, as a person's would."""
    ActionChains(driver).send_keys(*keys).perform()


def shift_tab(driver) -> None:
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()


def assert_page_structure(driver) -> None:
    skip_links = driver.find_elements(By.CSS_SELECTOR, 'a.skip-link[href="#main"]')
    assert len(skip_links) == 1
    assert len(driver.find_elements(By.TAG_NAME, "h1")) == 1


def wait_for_step(driver, number: int) -> None:
    wait(driver).until(lambda d: (m := STEP_PATH.match(path_of(d))) and int(m["number"]) == number)
    heading(driver)


def step_button(driver, action: str):
    return driver.find_element(
        By.CSS_SELECTOR, f'main form button[name="action"][value="{action}"]'
    )


def start_diagnostic(driver, live_server, company, *, prefix="", link_text, start_label) -> int:
    """From the company's diagnostics list, start one; returns the new diagnostic's id."""
    driver.get(f"{live_server.url}{prefix}/companies/{company.slug}/diagnostics/")
    heading(driver)
    follow(driver, driver.find_element(By.LINK_TEXT, link_text))
    assert path_of(driver) == f"{prefix}/companies/{company.slug}/diagnostics/start/"
    start = driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]')
    assert start.text == start_label
    follow(driver, start)
    wait_for_step(driver, 1)
    return int(STEP_PATH.match(path_of(driver))["pk"])


# --- Tests ---


def test_a_business_completes_the_diagnostic_by_keyboard(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    business_owner,
    company,
):
    log_in(browser, live_server, business_owner)
    pk = start_diagnostic(
        browser, live_server, company, link_text="Start the diagnostic", start_label="Start"
    )
    assert heading(browser) == "Your company"
    assert "Step 1 of 8" in browser.find_element(By.ID, "progress-label").text
    assert browser.find_element(By.TAG_NAME, "progress").get_attribute("value") == "0"
    assert_page_structure(browser)

    # Step 1, by keyboard only. The skip link comes first and leads into the page's main part...
    press(browser, Keys.TAB)
    assert "skip-link" in active(browser).get_attribute("class").split()
    press(browser, Keys.ENTER)
    wait(browser).until(lambda d: d.execute_script("return document.activeElement.id") == "main")

    # ... where the first stop is the required question, nothing picked yet.
    press(browser, Keys.TAB)
    first = active(browser)
    assert first.get_attribute("id") == "id_organization_type_0"
    assert first.get_attribute("value") == "for_profit"
    assert not first.is_selected()
    press(browser, Keys.SPACE)
    assert browser.find_element(By.ID, "id_organization_type_0").is_selected()
    # Arrow keys move through the radio group and pick as they go.
    press(browser, Keys.ARROW_DOWN)
    assert active(browser).get_attribute("id") == "id_organization_type_1"
    assert browser.find_element(By.ID, "id_organization_type_1").is_selected()
    press(browser, Keys.ARROW_UP)
    assert active(browser).get_attribute("id") == "id_organization_type_0"
    assert browser.find_element(By.ID, "id_organization_type_0").is_selected()
    assert not browser.find_element(By.ID, "id_organization_type_1").is_selected()
    # The selected radio's label says what it is.
    label = browser.find_element(By.CSS_SELECTOR, 'label[for="id_organization_type_0"]')
    assert label.text == "A business (for profit)"

    # Tab on to "Save and continue", typing into text fields met on the way.
    typed = {"id_municipality": "Cambridge", "id_fte_ontario": "48"}
    visited = []
    for _press in range(TAB_LIMIT):
        press(browser, Keys.TAB)
        focused = active(browser)
        visited.append(focused.get_attribute("id") or focused.get_attribute("value"))
        if focused.get_attribute("id") in typed:
            press(browser, typed[focused.get_attribute("id")])
        if focused.get_attribute("name") == "action":
            break
    assert active(browser).get_attribute("value") == "next", visited
    assert active(browser).text == "Save and continue"
    assert [v for v in visited if v in typed] == list(typed), visited
    # One more Tab reaches "Save and finish later" (no "Back" on step 1); Shift+Tab comes back.
    press(browser, Keys.TAB)
    assert active(browser).get_attribute("value") == "save"
    shift_tab(browser)
    assert active(browser).get_attribute("value") == "next"
    mark_page(browser)
    press(browser, Keys.ENTER)
    wait_for_new_page(browser)

    wait_for_step(browser, 2)
    assert path_of(browser) == f"/diagnostics/{pk}/steps/2/"
    assert heading(browser) == "Legal and tax facts"
    progress_label = browser.find_element(By.ID, "progress-label").text
    assert "Step 2 of 8" in progress_label
    assert "12% done" in progress_label  # round(100 * 1 / 8)
    progress = browser.find_element(By.TAG_NAME, "progress")
    assert progress.get_attribute("value") == "12"
    assert progress.get_attribute("max") == "100"
    assert_page_structure(browser)
    # The step just done is now a link in the step list, marked as completed.
    nav = browser.find_element(By.CSS_SELECTOR, "nav.step-nav")
    assert (
        nav.find_element(By.LINK_TEXT, "Your company")
        .get_attribute("href")
        .endswith(f"/diagnostics/{pk}/steps/1/")
    )
    assert nav.find_element(By.CSS_SELECTOR, '[aria-current="step"]').text == "Legal and tax facts"
    follow(browser, step_button(browser, "next"))

    # Step 3: the two required answers. Empty, the server explains what is missing.
    wait_for_step(browser, 3)
    assert heading(browser) == "Your challenge"
    follow(browser, step_button(browser, "next"))
    wait_for_step(browser, 3)
    summary = wait(browser).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".error-summary"))
    )
    assert summary.get_attribute("role") == "alert"
    assert "There is a problem" in summary.text
    hrefs = [a.get_attribute("href") for a in summary.find_elements(By.TAG_NAME, "a")]
    assert any(h.endswith("#id_desired_outcome") for h in hrefs), hrefs
    assert_page_structure(browser)
    summary.find_element(By.CSS_SELECTOR, 'a[href="#id_challenge"]').click()
    wait(browser).until(lambda d: active(d).get_attribute("id") == "id_challenge")
    # Focus is in the field: type straight into it.
    press(browser, MACHINE_SHOP["challenge"])
    browser.find_element(By.ID, "id_desired_outcome").send_keys(MACHINE_SHOP["desired_outcome"])
    follow(browser, step_button(browser, "next"))

    # Step 4 comes with areas of expertise read from the challenge, already ticked.
    wait_for_step(browser, 4)
    assert heading(browser) == "Expertise you need"
    suggested = browser.find_elements(By.CSS_SELECTOR, 'input[name="capability_areas"]:checked')
    assert suggested, "no area of expertise suggested from the challenge"
    follow(browser, step_button(browser, "next"))

    # Steps 5 to 8 ask nothing required; step 8 gets a few maturity answers for the chart.
    for number in range(5, STEP_COUNT + 1):
        wait_for_step(browser, number)
        assert f"Step {number} of 8" in browser.find_element(By.ID, "progress-label").text
        if number == STEP_COUNT:
            for question in ("maturity_strategy_goals", "maturity_results_sales"):
                value = MACHINE_SHOP[question]
                radio = browser.find_element(
                    By.CSS_SELECTOR, f'#id_{question} input[value="{value}"]'
                )
                browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", radio)
                radio.click()
                assert radio.is_selected()
            assert step_button(browser, "next").text == "Save and review"
        follow(browser, step_button(browser, "next"))

    # The review page shows the answers given, by keyboard and by mouse.
    wait(browser).until(lambda d: path_of(d) == f"/diagnostics/{pk}/review/")
    assert heading(browser) == "Review and submit"
    assert_page_structure(browser)
    review = main_text(browser)
    for answer in ("A business (for profit)", "Cambridge", "48", "Scrap below 2%"):
        assert answer in review
    submit = browser.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]')
    assert submit.text == "Submit the diagnostic"
    follow(browser, submit)

    wait(browser).until(lambda d: path_of(d) == f"/diagnostics/{pk}/results/")
    assert heading(browser) == f"Innovation diagnostic of {company.name}"
    assert "Your diagnostic was submitted." in main_text(browser)
    chart = browser.find_element(By.CSS_SELECTOR, "svg[role=img]")
    assert chart.find_element(By.TAG_NAME, "title").get_attribute("textContent") == (
        "Innovation management maturity by dimension, from 1 to 5"
    )
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "table caption")]
    assert "Maturity by dimension (1 to 5)" in captions
    h2s = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert "What to do next" in h2s
    assert_page_structure(browser)


def test_french_wizard_resumes_where_left(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    business_owner,
    company,
):
    log_in(browser, live_server, business_owner)
    pk = start_diagnostic(
        browser,
        live_server,
        company,
        prefix="/fr",
        link_text="Commencer le diagnostic",
        start_label="Commencer",
    )
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert path_of(browser) == f"/fr/diagnostics/{pk}/steps/1/"
    assert heading(browser) == "Votre entreprise"
    assert "Étape 1 de 8" in browser.find_element(By.ID, "progress-label").text
    label = browser.find_element(By.CSS_SELECTOR, 'label[for="id_organization_type_0"]')
    assert label.text == "Une entreprise (à but lucratif)"
    label.click()
    assert browser.find_element(By.ID, "id_organization_type_0").is_selected()
    follow(browser, step_button(browser, "next"))

    wait_for_step(browser, 2)
    assert "Étape 2 de 8" in browser.find_element(By.ID, "progress-label").text
    later = step_button(browser, "save")
    assert later.text == "Enregistrer et terminer plus tard"
    follow(browser, later)
    wait(browser).until(lambda d: path_of(d) == f"/fr/companies/{company.slug}/diagnostics/")
    assert "Vos réponses sont enregistrées." in main_text(browser)

    # Later: the list offers to continue, and continuing lands on the step left.
    browser.get(f"{live_server.url}/fr/companies/{company.slug}/diagnostics/")
    heading(browser)
    follow(browser, browser.find_element(By.LINK_TEXT, "Continuer le diagnostic"))
    wait_for_step(browser, 2)
    assert path_of(browser) == f"/fr/diagnostics/{pk}/steps/2/"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert "Étape 2 de 8" in browser.find_element(By.ID, "progress-label").text
    assert heading(browser) == "Faits juridiques et fiscaux"
    assert_page_structure(browser)
    # Step 1's answer was kept.
    follow(browser, browser.find_element(By.LINK_TEXT, "Votre entreprise"))
    wait_for_step(browser, 1)
    assert browser.find_element(By.ID, "id_organization_type_0").is_selected()
