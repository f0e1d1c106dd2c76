"""After a failed submit, the error summary takes focus (static/js/ocip.js) so that keyboard and
screen reader users land on the list of problems; its links move focus to the field."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .test_browser import browser  # noqa: F401 (a fixture)
from .test_diagnostic_browser import active, follow, log_in, press

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_error_summary_takes_focus_and_leads_to_the_field(
    live_server,
    browser,  # noqa: F811
    business_owner,
):
    company = business_owner.company_memberships.get().company
    log_in(browser, live_server, business_owner)
    browser.get(f"{live_server.url}/companies/{company.slug}/edit/")
    name = browser.find_element(By.ID, "id_name")
    name.clear()
    follow(browser, browser.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]'))
    summary = browser.find_element(By.CSS_SELECTOR, ".error-summary")
    assert active(browser) == summary
    link = summary.find_element(By.CSS_SELECTOR, 'a[href="#id_name"]')
    press(browser, Keys.TAB)
    assert active(browser) == link
    press(browser, Keys.ENTER)
    assert active(browser).get_attribute("id") == "id_name"
