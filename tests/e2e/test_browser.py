"""What a person sees in a real browser: headless Chromium, driven by Selenium, on a live server.

Switched on with OCIP_E2E=1 and Debian's chromium + chromium-driver on PATH (tests/conftest.py
skips these tests otherwise). Selenium Manager never runs: the driver and browser are given by path.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.core import mail
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import PASSWORD

# serialized_rollback: the Wagtail home pages come from a data migration, which a transactional
# test would otherwise flush away after the first test.
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 5


@contextmanager
def chromium_session(*, browser_log: bool = False):
    """Headless Chromium with a profile of its own; `browser_log` keeps the console's messages
    (for `driver.get_log("browser")`)."""
    profile = tempfile.mkdtemp(prefix="ocip-e2e-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--lang=en-CA",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    if browser_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(15)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def browser():
    with chromium_session() as driver:
        yield driver


def wait(driver) -> WebDriverWait:
    return WebDriverWait(driver, WAIT_SECONDS)


def path_of(driver) -> str:
    return urlsplit(driver.current_url).path


def mark_page(driver) -> None:
    """Tag the document now shown, so that `wait_for_new_page` can tell when another replaced it."""
    driver.execute_script("window.__ocipE2eOldPage = true;")


def wait_for_new_page(driver) -> None:
    # Chromedriver can fail on an element of a page being replaced ("Node with given id does not
    # belong to the document") instead of calling it stale, so no element of the old page is used.
    wait(driver).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && window.__ocipE2eOldPage === undefined;"
        )
    )


def heading(driver) -> str:
    return wait(driver).until(EC.visibility_of_element_located((By.TAG_NAME, "h1"))).text


def page_language(driver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def test_home_page_and_language_switcher(live_server, browser):
    browser.get(live_server.url + "/")
    assert heading(browser) == "Ontario's front door to applied research"
    assert page_language(browser) == "en"

    mark_page(browser)
    browser.find_element(By.CSS_SELECTOR, 'nav.language-nav a[hreflang="fr"]').click()
    wait_for_new_page(browser)
    wait(browser).until(lambda d: path_of(d) == "/fr/")
    assert heading(browser) == "La porte d'entrée de la recherche appliquée en Ontario"
    assert page_language(browser) == "fr"

    mark_page(browser)
    browser.find_element(By.CSS_SELECTOR, 'nav.language-nav a[hreflang="en"]').click()
    wait_for_new_page(browser)
    wait(browser).until(lambda d: path_of(d) == "/")
    assert heading(browser) == "Ontario's front door to applied research"
    assert page_language(browser) == "en"


def test_skip_link_is_first_on_the_keyboard_and_moves_to_main(live_server, browser):
    browser.get(live_server.url + "/")
    heading(browser)

    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    assert "skip-link" in focused.get_attribute("class").split()
    assert focused.text == "Skip to main content"

    focused.send_keys(Keys.ENTER)
    wait(browser).until(lambda d: urlsplit(d.current_url).fragment == "main")
    wait(browser).until(lambda d: d.execute_script("return document.activeElement.id") == "main")


def test_empty_signup_shows_an_error_summary_from_the_server(live_server, browser):
    browser.get(live_server.url + "/accounts/signup/")
    assert heading(browser)
    form = browser.find_element(By.CSS_SELECTOR, "main form:has(#id_first_name)")
    # The inputs say `required`, so the browser would stop the submission itself: take that away
    # to reach the server's own validation, the one a browser without such checks relies on.
    browser.execute_script(
        "arguments[0].querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))",
        form,
    )
    submit = form.find_element(By.CSS_SELECTOR, 'button[type="submit"], input[type="submit"]')
    mark_page(browser)
    submit.send_keys(Keys.ENTER)
    wait_for_new_page(browser)

    summary = wait(browser).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".error-summary"))
    )
    assert summary.get_attribute("role") == "alert"
    hrefs = [a.get_attribute("href") for a in summary.find_elements(By.TAG_NAME, "a")]
    assert any(href.endswith("#id_first_name") for href in hrefs), hrefs


def test_business_signs_up_confirms_email_and_reaches_dashboard(live_server, browser):
    browser.get(live_server.url + "/accounts/signup/")
    heading(browser)
    fields = {
        "id_first_name": "Maya",
        "id_last_name": "Singh",
        "id_company_name": "Lakeshore Sensors",
        "id_email": "maya@lakeshore.example",
        "id_password1": PASSWORD,
        "id_password2": PASSWORD,
    }
    for field_id, value in fields.items():
        browser.find_element(By.ID, field_id).send_keys(value)
    form = browser.find_element(By.CSS_SELECTOR, "main form:has(#id_first_name)")
    mark_page(browser)
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    wait_for_new_page(browser)

    wait(browser).until(lambda d: path_of(d) == "/accounts/confirm-email/")
    assert heading(browser) == "Confirm your email address"
    assert "We sent you an email with a link that confirms your address" in (
        browser.find_element(By.TAG_NAME, "main").text
    )

    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    message = mail.outbox[0]
    assert message.to == ["maya@lakeshore.example"]
    link = re.search(r"https?://\S+/confirm-email/\S+/", message.body)
    assert link, message.body
    # The email names the site's public address; the path is what matters on this live server.
    browser.get(live_server.url + urlsplit(link.group(0)).path)
    heading(browser)

    confirm = browser.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]')
    mark_page(browser)
    confirm.click()
    wait_for_new_page(browser)
    assert heading(browser) == "Business dashboard"
    assert "Lakeshore Sensors" in browser.find_element(By.TAG_NAME, "main").text
