"""Our pages and the Wagtail admin (its editor and preview panel) run in Chromium under the
Content-Security-Policy without a single violation (the headers themselves are checked under
production settings in tests/test_security_headers.py)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import Page

from ..factories import PASSWORD, CompanyMembershipFactory
from .test_browser import chromium_session

ADMIN_PREFIX = "/cms-admin/"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => window.__cspViolations.push(
  [event.effectiveDirective, event.blockedURI, event.sourceFile + ":" + event.lineNumber]));
"""


@pytest.fixture
def chromium():
    with chromium_session(browser_log=True) as driver:
        # Runs before any script of the page, whatever its policy.
        driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS}
        )
        yield driver


def violations(driver) -> list:
    recorded = driver.execute_script("return window.__cspViolations || [];")
    # The browser's console also has those of frames (the editor's preview panel).
    logged = [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]
    return recorded + logged


def settle(seconds: float = 1.0) -> None:
    """Time for what a loaded page still does (scripts, fetches, the preview panel's frame)."""
    time.sleep(seconds)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_our_pages_run_in_chromium_without_a_violation(live_server, chromium):
    from selenium.webdriver.common.by import By

    for path in ["/", "/fr/", "/accounts/signup/", "/accounts/login/"]:
        chromium.get(live_server.url + path)
        settle(0.5)
        assert violations(chromium) == [], path
    # Signed in, on to the TOTP set-up page and its QR code (a data: image).
    owner = CompanyMembershipFactory(user__email="csp@acme.example").user
    chromium.find_element(By.ID, "id_login").send_keys(owner.email)
    chromium.find_element(By.ID, "id_password").send_keys(PASSWORD)
    chromium.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    settle()
    for path in ["/dashboard/", "/profile/", "/accounts/2fa/totp/activate/"]:
        chromium.get(live_server.url + path)
        settle(0.5)
        assert violations(chromium) == [], path
    if "/accounts/reauthenticate/" in chromium.current_url:  # allauth asks for the password again
        chromium.find_element(By.ID, "id_password").send_keys(PASSWORD)
        chromium.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        settle()
        assert violations(chromium) == []
    qr_code = chromium.find_element(By.CSS_SELECTOR, "main img[src^='data:']")
    assert chromium.execute_script("return arguments[0].naturalWidth;", qr_code) > 0


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_wagtail_editor_and_its_preview_run_in_chromium_without_a_violation(
    live_server, chromium, platform_staff
):
    from selenium.webdriver.common.by import By

    client = Client()
    client.force_login(platform_staff)
    chromium.get(live_server.url + "/static/css/ocip.css")
    chromium.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "path": "/",
        }
    )
    home = Page.objects.get(depth=2, locale__language_code="en")
    for path in ["", "pages/", "images/", "users/", f"pages/{home.pk}/edit/"]:
        chromium.get(live_server.url + ADMIN_PREFIX + path)
        settle()
        assert violations(chromium) == [], path
    # The rich text editor is up (its <style> elements applied), then the preview panel.
    assert chromium.find_elements(By.CSS_SELECTOR, ".Draftail-Editor style")
    chromium.find_element(By.CSS_SELECTOR, '[data-side-panel-toggle="preview"]').click()
    settle(3)
    frame = chromium.find_element(By.CSS_SELECTOR, "iframe[src*='/edit/preview/']")
    chromium.switch_to.frame(frame)
    assert chromium.find_element(By.TAG_NAME, "h1").text
    chromium.switch_to.default_content()
    assert violations(chromium) == []
