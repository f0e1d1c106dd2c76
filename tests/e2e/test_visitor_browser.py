"""The front door in a real browser, in English and in French, on the demo data
(`load_demo_data`): an anonymous visitor reads how the service works (and switches language on
it), finds a lab in the expertise directory with a word and a filter, opens its public page and
its institution's, reads a funding program of the guide, searches the site from the header, and
both "Describe your challenge" and "Check my eligibility" lead to signing up, where the
diagnostic starts. Each page of the way fits a 390-pixel-wide phone.

Runs with the other browser tests (OCIP_E2E=1, Debian's chromium + chromium-driver).
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from cms.models import HomePage
from matching.models import ExpertiseProfile, FundingProgram
from tests.e2e.test_browser import chromium_session, mark_page, path_of, wait_for_new_page
from tests.e2e.test_credentials_browser import check_narrow, page, words
from tests.e2e.test_diagnostic_browser import follow
from tests.e2e.test_review_browser import link_to, plain, tr, url

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A word of the demo profiles' own text in each language, and a program of the guide.
SEARCH_WORD = {"en": "battery", "fr": "numérique"}
PROGRAM = "nrc-irap"
OTHER = {"en": "fr", "fr": "en"}


@pytest.fixture
def demo_data():
    call_command("load_demo_data", stdout=io.StringIO())


def switch_language(driver, language: str) -> None:
    """The header's link to the page in the other language."""
    other = OTHER[language]
    follow(driver, driver.find_element(By.CSS_SELECTOR, f"header a[hreflang='{other}']"))
    page(driver, other)


def leads_to_signup(driver, language: str) -> None:
    assert path_of(driver) == url(language, "account_signup"), driver.current_url
    assert page(driver, language)
    assert driver.find_element(By.ID, "id_email")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_visitor_understands_the_service_finds_a_lab_and_a_program_and_starts(
    live_server, demo_data, language
):
    overflows: list[str] = []
    home = HomePage.objects.get(locale__language_code=language)
    how_it_works = home.get_children().live().in_menu().order_by("path").first().specific
    with chromium_session() as driver:
        driver.get(live_server.url + home.url)
        assert page(driver, language) == plain(home.title)
        check_narrow(driver, overflows, "home", language)

        # How it works: the header's first section; its translation is one click away.
        follow(driver, driver.find_elements(By.CSS_SELECTOR, "header nav.main-nav a")[0])
        assert path_of(driver) == how_it_works.url
        assert page(driver, language) == plain(how_it_works.title)
        check_narrow(driver, overflows, "how-it-works", language)
        switch_language(driver, language)
        assert path_of(driver) == how_it_works.get_translations().live().get().url
        switch_language(driver, OTHER[language])
        assert path_of(driver) == how_it_works.url

        # The directory: a word and "takes students".
        follow(driver, link_to(driver, url(language, "directory"), within="header"))
        assert page(driver, language) == tr(language, "Expertise directory")
        driver.find_element(By.ID, "id_q").send_keys(SEARCH_WORD[language])
        students = driver.find_element(By.ID, "id_students")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", students)
        students.click()
        follow(driver, driver.find_element(By.CSS_SELECTOR, "main form.filters .actions button"))
        query = parse_qs(urlsplit(driver.current_url).query)
        assert query["q"] == [SEARCH_WORD[language]] and query["students"] == ["on"], query
        assert page(driver, language) == tr(language, "Expertise directory")
        cards = driver.find_elements(By.CSS_SELECTOR, "main .card-list > li.card")
        assert cards, words(driver.find_element(By.TAG_NAME, "main"))
        for card in cards:
            assert tr(language, "Takes students") in words(card)
        check_narrow(driver, overflows, "directory-results", language)

        # The first lab's public page, in the reader's language where written.
        first = cards[0].find_element(By.CSS_SELECTOR, "h3 a")
        external_id = urlsplit(first.get_attribute("href")).path.rstrip("/").rsplit("/", 1)[1]
        profile = ExpertiseProfile.objects.get(external_id=external_id)
        assert profile.public and profile.accepts_students
        follow(driver, first)
        assert path_of(driver) == url(language, "public_profile", external_id)
        name, name_language = profile.text_in("name", language)
        assert page(driver, language) == plain(name)
        if name_language != language:
            h1 = driver.find_element(By.TAG_NAME, "h1")
            assert h1.get_attribute("lang") == name_language
        check_narrow(driver, overflows, "profile", language)
        switch_language(driver, language)
        assert path_of(driver) == url(OTHER[language], "public_profile", external_id)
        switch_language(driver, OTHER[language])

        # Its institution's page, then back to the profile's call to action.
        institution_url = url(language, "public_institution", profile.institution.slug)
        follow(
            driver, driver.find_elements(By.CSS_SELECTOR, f"main a[href='{institution_url}']")[0]
        )
        assert page(driver, language) == plain(profile.institution.name_in(language))
        check_narrow(driver, overflows, "institution", language)
        driver.back()
        page(driver, language)
        describe = driver.find_element(By.CSS_SELECTOR, "main .page-header-actions a.button")
        assert words(describe) == tr(language, "Describe your challenge")
        follow(driver, describe)
        leads_to_signup(driver, language)

        # The funding guide, one program, and "Check my eligibility".
        follow(driver, link_to(driver, url(language, "funding_guide"), within="header"))
        program = FundingProgram.objects.get(slug=PROGRAM)
        follow(driver, link_to(driver, url(language, "funding_program", PROGRAM)))
        assert plain(program.name_in(language)) in page(driver, language)
        check_narrow(driver, overflows, "funding-program", language)
        eligibility = [
            link
            for link in driver.find_elements(By.CSS_SELECTOR, "main a.button")
            if words(link) == tr(language, "Check my eligibility")
        ]
        assert len(eligibility) == 1
        follow(driver, eligibility[0])
        leads_to_signup(driver, language)

        # The site search, from the header of any page.
        box = driver.find_element(By.ID, "site-search-q")
        box.send_keys(SEARCH_WORD[language])
        mark_page(driver)
        box.send_keys(Keys.ENTER)
        wait_for_new_page(driver)
        assert path_of(driver) == url(language, "site_search")
        page(driver, language)
        directory = url(language, "directory")
        found = [
            path
            for link in driver.find_elements(By.CSS_SELECTOR, f"main a[href^='{directory}']")
            if (path := urlsplit(link.get_attribute("href")).path) != directory
        ]
        assert found, words(driver.find_element(By.TAG_NAME, "main"))  # profiles' pages
        check_narrow(driver, overflows, "search", language)
    assert not overflows, "\n".join(overflows)
