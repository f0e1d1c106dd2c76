"""Match results in a real browser: the top ten with reasons, filters, more pages, a profile,
by keyboard, in English and French (OCIP_E2E=1, like the other browser tests)."""

from __future__ import annotations

from collections import Counter

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from diagnostics import services as diagnostic_services
from matching import services as matching_services
from matching.models import MatchRun
from tests.diagnostics.conftest import completed_draft
from tests.e2e.test_browser import browser, path_of, wait  # noqa: F401
from tests.e2e.test_diagnostic_browser import (
    active,
    assert_page_structure,
    follow,
    heading,
    log_in,
    press,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def submitted(business_owner, company):
    """A submitted diagnostic; its match run is made after commit, as in production."""
    matching_services.institutions_load_catalogue()
    matching_services.expertise_load_catalogue()
    matching_services.funding_programs_load_catalogue()
    diagnostic = diagnostic_services.diagnostic_submit(
        actor=business_owner, diagnostic=completed_draft(business_owner, company)
    )
    assert MatchRun.objects.get(diagnostic=diagnostic).status == MatchRun.Status.DONE
    return diagnostic


def match_names(driver) -> list[str]:
    return [
        item.find_element(By.CSS_SELECTOR, "h3 a").text
        for item in driver.find_elements(By.CSS_SELECTOR, "li.match")
    ]


def test_a_business_reads_filters_and_pages_its_matches_by_keyboard(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    business_owner,
    submitted,
):
    run = MatchRun.objects.get(diagnostic=submitted)
    log_in(browser, live_server, business_owner)

    # The diagnostic's results page: a summary first, with the three best and their reasons.
    browser.get(f"{live_server.url}/diagnostics/{submitted.pk}/results/")
    heading(browser)
    assert_page_structure(browser)
    assert match_names(browser) == [match["name"] for match in run.matches[:3]]
    summary = browser.find_element(By.CSS_SELECTOR, "li.match details summary")
    reasons = browser.find_element(By.CSS_SELECTOR, "li.match details ul")
    assert not reasons.is_displayed()
    # Opened by keyboard: focus the first "Why this match" and press Enter.
    browser.execute_script("arguments[0].focus()", summary)
    assert active(browser) == summary and summary.text == "Why this match"
    press(browser, Keys.ENTER)
    wait(browser).until(lambda d: reasons.is_displayed())
    assert "Words in common with your challenge:" in reasons.text

    # All matches: a filter by region, applied with the keyboard.
    follow(
        browser,
        browser.find_element(
            By.LINK_TEXT, f"See all {len(run.matches)} matches, with filters and requests"
        ),
    )
    assert path_of(browser) == f"/diagnostics/{submitted.pk}/matches/"
    assert_page_structure(browser)
    region, count = Counter(match["region"] for match in run.matches).most_common(1)[0]
    box = browser.find_element(By.CSS_SELECTOR, f'input[name="region"][value="{region}"]')
    browser.execute_script("arguments[0].focus()", box)
    press(browser, Keys.SPACE)
    assert box.is_selected()
    apply = browser.find_element(By.XPATH, '//button[normalize-space()="Apply filters"]')
    browser.execute_script("arguments[0].focus()", apply)
    unfiltered = browser.current_url
    press(browser, Keys.ENTER)
    wait(browser).until(lambda d: d.current_url != unfiltered)
    expected = [m["name"] for m in run.matches if m["region"] == region]
    assert match_names(browser) == expected[:10]
    for line in browser.find_elements(By.CSS_SELECTOR, "li.match > p:first-of-type"):
        assert line.text.endswith(region)
    assert f"{count} matches, best first." in browser.find_element(By.TAG_NAME, "main").text

    # More than ten: the next page keeps the filter and numbers on from 11.
    assert count > 10  # the busiest region of a 100-match run
    follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Next page"))
    assert "region=" in browser.current_url
    listing = browser.find_element(By.CSS_SELECTOR, "ol.matches")
    assert listing.get_attribute("start") == "11"
    assert match_names(browser) == expected[10:20]

    # A profile opens from its match.
    first = browser.find_element(By.CSS_SELECTOR, "li.match h3 a")
    name = first.text
    follow(browser, first)
    assert heading(browser) == name

    # The same page in French.
    browser.get(f"{live_server.url}/fr/diagnostics/{submitted.pk}/matches/")
    assert heading(browser)
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Expertise adaptée à votre défi" in main
    assert "Appliquer les filtres" in main
    assert match_names(browser) == [match["name"] for match in run.matches[:10]]
