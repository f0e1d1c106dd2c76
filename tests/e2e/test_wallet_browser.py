"""The learner's side in a real browser, in English and in French, on the demo data
(`load_demo_data`): the demo student opens her wallet, sees where she stands on the demo's
pathway, downloads her credential baked into its PNG badge, shares it (the LinkedIn link is
read, never followed: CI has no internet), and anyone opens its public page until she stops
sharing it; an anonymous visitor finds a Micro-credentials Plus (MC+) micro-credential in the
catalogue with the keyboard alone.

Runs with the other browser tests (OCIP_E2E=1, Debian's chromium + chromium-driver). The
student's browser saves downloads to a folder of the test's (set through the DevTools protocol,
so the other tests' browsers are unchanged).
"""

from __future__ import annotations

import io
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from matching.models import Institution
from ocip.management.commands.load_demo_data import DEMO_PASSWORD
from projects import demo
from projects.credentials import baking
from projects.models import CredentialDefinition, IssuedCredential, Pathway
from tests.e2e.test_browser import (
    chromium_session,
    mark_page,
    page_language,
    path_of,
    wait,
    wait_for_new_page,
)
from tests.e2e.test_credentials_browser import (
    button,
    check_narrow,
    main_text,
    messages_text,
    page,
    shown_words,
    words,
)
from tests.e2e.test_diagnostic_browser import active, follow, heading, press
from tests.e2e.test_review_browser import link_to, plain, tr, url

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LINKEDIN = "https://www.linkedin.com/profile/add"
DOWNLOAD_SECONDS = 10
MAX_TABS = 60  # a keyboard user reaches anything on these pages in fewer presses
# A word of the MC+ demo micro-credential's title, in each language.
SEARCH_WORD = {"en": "vision", "fr": "artificielle"}
PROGRESS = "%(done)s of %(needed)s toward %(target)s"  # the wallet's msgid
MC_PLUS_TITLE = "Micro-credentials Plus: part of a pathway toward a larger credential"


# --- The data ------------------------------------------------------------------------------------


@pytest.fixture
def demo_data(language, django_user_model):
    """The demo (load_demo_data): Sofia holds the machine-vision micro-credential, private, and
    stands at 1 of 2 on Algonquin's published pathway. She prefers the test's `language`."""
    call_command("load_demo_data", stdout=io.StringIO())
    student = django_user_model.objects.get(email=demo.STUDENT)
    student.language = language
    student.save(update_fields=["language"])
    credential = IssuedCredential.objects.select_related("definition", "institution").get(
        student=student
    )
    assert not credential.shared  # private by default
    institution = Institution.objects.get(slug="algonquin")
    published = CredentialDefinition.objects.filter(
        institution=institution, state=CredentialDefinition.State.PUBLISHED
    )
    return {
        "student": student,
        "credential": credential,
        "definition": credential.definition,
        "second": published.get(title_en=demo.SECOND_TITLE),
        "certificate": published.get(title_en=demo.CERTIFICATE_TITLE),
        "pathway": Pathway.objects.get(institution=institution, title_en=demo.PATHWAY_TITLE),
    }


# --- Helpers -------------------------------------------------------------------------------------


def sign_in(driver, live_server, user, language: str) -> None:
    """The sign-in form of the page's language, with the demo's password; lands on the
    dashboard in that language."""
    driver.get(live_server.url + url(language, "account_login"))
    heading(driver)
    driver.find_element(By.ID, "id_login").send_keys(user.email)
    driver.find_element(By.ID, "id_password").send_keys(DEMO_PASSWORD)
    follow(driver, driver.find_element(By.CSS_SELECTOR, 'main form button[type="submit"]'))
    wait(driver).until(lambda d: path_of(d) == url(language, "dashboard"))
    page(driver, language)


def with_keyboard(driver, element) -> None:
    """Focus `element` (as Tab would) and press Enter on it; wait for the next page."""
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", element
    )
    assert active(driver) == element, "the control cannot take the keyboard focus"
    mark_page(driver)
    press(driver, Keys.ENTER)
    wait_for_new_page(driver)


def tab_to(driver, matches, what: str):
    """Press Tab until the focused element `matches` (a function of the element); returns it."""
    for _press in range(MAX_TABS):
        press(driver, Keys.TAB)
        focused = active(driver)
        if matches(focused):
            return focused
    raise AssertionError(f"{MAX_TABS} presses of Tab did not reach {what}")


def response_status(driver) -> int:
    return driver.execute_script(
        "return performance.getEntriesByType('navigation')[0].responseStatus;"
    )


def mc_plus_marks(element) -> list:
    """The MC+ marks inside `element`, each with its explanation for screen readers."""
    return element.find_elements(By.CSS_SELECTOR, "abbr.badge")


def assert_mc_plus(element, language: str) -> None:
    marks = mc_plus_marks(element)
    assert len(marks) == 1, [mark.text for mark in marks]
    assert shown_words(marks[0]) == tr(language, "MC+")
    assert plain(marks[0].get_attribute("title")) == tr(language, MC_PLUS_TITLE)


def downloaded(folder: Path, suffix: str) -> Path:
    """The one file the browser finished saving in `folder`."""
    deadline = time.monotonic() + DOWNLOAD_SECONDS
    while time.monotonic() < deadline:
        names = [item for item in folder.iterdir() if not item.name.endswith(".crdownload")]
        if names and not any(item.name.endswith(".crdownload") for item in folder.iterdir()):
            assert len(names) == 1, names
            assert names[0].suffix == suffix, names
            return names[0]
        time.sleep(0.1)
    raise AssertionError(f"no download finished in {DOWNLOAD_SECONDS} s: {list(folder.iterdir())}")


# --- The student's wallet ------------------------------------------------------------------------


def opens_the_wallet(driver, language: str, data: dict):
    """From the header's link; the credential's card and the pathway's progress."""
    mine = link_to(driver, url(language, "student_credentials"), within="header")
    assert words(mine) == tr(language, "My credentials")
    follow(driver, mine)
    assert page(driver, language) == tr(language, "My credentials")
    credential, definition = data["credential"], data["definition"]

    card = driver.find_element(By.ID, f"credential-{credential.public_id}")
    assert words(card.find_element(By.TAG_NAME, "h3")) == definition.title(language)
    assert tr(language, "Valid") in words(card)
    assert tr(language, "Private: not shared.") in words(card)
    assert data["definition"].institution.name in words(card)
    assert_mc_plus(card, language)
    assert not card.find_elements(By.CSS_SELECTOR, "a.linkedin-link")  # not before sharing
    badge = card.find_element(By.CSS_SELECTOR, "img.badge-image")
    wait(driver).until(lambda d: d.execute_script("return arguments[0].complete", badge))
    assert driver.execute_script("return arguments[0].naturalWidth", badge) == 600  # it loads
    assert tr(
        language,
        "To add it to your LinkedIn profile, share it first: LinkedIn links to its public page.",
    ) in words(card)

    pathway = data["pathway"]
    item = driver.find_element(By.ID, f"pathway-{pathway.pk}")
    assert words(item.find_element(By.TAG_NAME, "h3")) == pathway.title(language)
    progress_text = words(driver.find_element(By.ID, f"pathway-{pathway.pk}-progress"))
    assert progress_text == tr(
        language, PROGRESS, done=1, needed=2, target=demo.CERTIFICATE[f"title_{language}"]
    )
    bar = item.find_element(By.TAG_NAME, "progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1", "2")
    assert bar.get_attribute("aria-labelledby") == f"pathway-{pathway.pk}-progress"
    # What is left, and where it is offered: a link to the second micro-credential's page.
    second = data["second"]
    left = link_to(
        driver,
        url(language, "definition_public", second.lineage, second.version),
        within=f"#pathway-{pathway.pk}",
    )
    assert words(left) == second.title(language)
    assert tr(language, "Still to earn") in words(item)
    return card


def downloads_the_baked_png(driver, language: str, credential, folder: Path) -> None:
    """The PNG's link, clicked: the browser saves the badge, which holds the signed text."""
    card = driver.find_element(By.ID, f"credential-{credential.public_id}")
    link = card.find_element(
        By.CSS_SELECTOR,
        f"a[href='{url(language, 'credential_baked', credential.public_id, 'png')}']",
    )
    assert shown_words(link) == tr(language, "Badge image (PNG)")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    link.click()
    image = downloaded(folder, ".png").read_bytes()
    assert baking.extract(image) == credential.signed_text


def shares(driver, language: str, credential) -> str:
    """The share button, by keyboard; the public link and the LinkedIn link appear. Returns
    the public link."""
    title = credential.definition.title(language)
    share = button(
        driver,
        tr(language, "Share on a public page"),
        within=f"#credential-{credential.public_id}",
    )
    assert title in share.accessible_name  # which credential, for screen readers
    with_keyboard(driver, share)
    assert path_of(driver) == url(language, "student_credentials")
    assert page(driver, language) == tr(language, "My credentials")
    assert tr(
        language, "“%(title)s” now has a public page: anyone with its link can see it.", title=title
    ) in plain(messages_text(driver))
    credential.refresh_from_db()
    assert credential.shared

    card = driver.find_element(By.ID, f"credential-{credential.public_id}")
    assert tr(language, "Shared: anyone with the link can see it.") in words(card)
    public_link = card.find_element(By.ID, f"link-{credential.public_id}").get_attribute("value")
    assert urlsplit(public_link).path == url("en", "credential_public", credential.public_id)
    opens = link_to(
        driver, url(language, "credential_public", credential.public_id), within=card_of(credential)
    )
    assert shown_words(opens) == tr(language, "Open the public page")

    # LinkedIn's add-to-profile form, filled in as the credential says it: read, not followed.
    linkedin = card.find_element(By.CSS_SELECTOR, "a.linkedin-link")
    assert shown_words(linkedin) == tr(language, "Add to LinkedIn profile")
    assert linkedin.get_attribute("target") == "_blank"
    assert "noopener" in linkedin.get_attribute("rel").split()
    href = urlsplit(linkedin.get_attribute("href"))
    assert f"{href.scheme}://{href.netloc}{href.path}" == LINKEDIN
    parameters = parse_qs(href.query, strict_parsing=True)
    assert all(len(values) == 1 for values in parameters.values()), parameters
    issued = timezone.localtime(credential.issued_at)
    expected = {
        "startTask": "CERTIFICATION_NAME",
        "name": credential.definition.title(credential.language),
        "organizationName": credential.institution.name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": public_link,
        "certId": str(credential.public_id),
    }
    # The demo's credential does not expire: no expiration date is sent.
    assert credential.valid_until is None
    assert {name: values[0] for name, values in parameters.items()} == expected
    return public_link


def card_of(credential) -> str:
    return f"#credential-{credential.public_id}"


def anyone_sees_it(driver, live_server, language: str, public_link: str, credential) -> None:
    """The shared link (in the site's default language), then the reader's language."""
    driver.get(live_server.url + urlsplit(public_link).path)
    heading(driver)
    assert response_status(driver) == 200
    if page_language(driver) != language:
        follow(
            driver,
            driver.find_element(By.CSS_SELECTOR, f'nav.language-nav a[hreflang="{language}"]'),
        )
        assert path_of(driver) == url(language, "credential_public", credential.public_id)
    page(driver, language)
    # The credential's own name, in the language it was issued in (marked as such).
    title = driver.find_element(By.TAG_NAME, "h1")
    assert words(title) == credential.definition.title(credential.language)
    assert title.get_attribute("lang") == credential.language
    assert words(driver.find_element(By.ID, "result-heading")) == tr(
        language, "Result: %(verdict)s", verdict=tr(language, "Valid")
    )
    assert_mc_plus(driver.find_element(By.TAG_NAME, "main"), language)
    text = main_text(driver)
    student = credential.student
    assert student.email not in text and student.last_name not in text  # the holder is not named


def stops_sharing(driver, language: str, credential) -> None:
    title = credential.definition.title(language)
    stop = button(driver, tr(language, "Stop sharing"), within=card_of(credential))
    with_keyboard(driver, stop)
    assert page(driver, language) == tr(language, "My credentials")
    assert tr(
        language, "“%(title)s” is private again: its public page is gone.", title=title
    ) in plain(messages_text(driver))
    card = driver.find_element(By.ID, f"credential-{credential.public_id}")
    assert tr(language, "Private: not shared.") in words(card)
    assert not card.find_elements(By.CSS_SELECTOR, "a.linkedin-link")
    credential.refresh_from_db()
    assert not credential.shared


def it_is_gone(driver, language: str) -> None:
    driver.refresh()
    heading(driver)
    assert response_status(driver) == 404
    assert page_language(driver) == language


@pytest.mark.parametrize("language", ["en", "fr"])
def test_student_wallet_download_share_and_progress(live_server, demo_data, language, tmp_path):
    credential = demo_data["credential"]
    overflows: list[str] = []
    with ExitStack() as stack:
        student, anyone = (stack.enter_context(chromium_session()) for _person in range(2))
        student.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
        )
        sign_in(student, live_server, demo_data["student"], language)
        opens_the_wallet(student, language, demo_data)
        downloads_the_baked_png(student, language, credential, tmp_path)
        public_link = shares(student, language, credential)
        check_narrow(student, overflows, "my credentials, shared", language)
        anyone_sees_it(anyone, live_server, language, public_link, credential)
        stops_sharing(student, language, credential)
        it_is_gone(anyone, language)
    assert not overflows, "Horizontal scrolling at 390 px:\n" + "\n".join(overflows)


# --- The catalogue, by keyboard ------------------------------------------------------------------


def focused_id(element) -> str:
    return element.get_attribute("id") or ""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_anyone_finds_an_mc_plus_micro_credential_by_keyboard(live_server, demo_data, language):
    """Tab, type, Space and Enter only: no clicks."""
    definition = demo_data["definition"]
    word = SEARCH_WORD[language]
    assert word in definition.title(language).split()
    with chromium_session() as driver:
        driver.get(live_server.url + url(language, "catalogue"))
        assert page(driver, language) == tr(language, "Micro-credentials")

        search = tab_to(driver, lambda e: focused_id(e) == "id_q", "the search field")
        label = driver.find_element(By.CSS_SELECTOR, "label[for='id_q']")
        assert words(label) == tr(language, "Words to search for")
        search.send_keys(word)
        mc_plus = tab_to(driver, lambda e: focused_id(e) == "id_mc_plus", "the MC+ checkbox")
        assert not mc_plus.is_selected()
        press(driver, Keys.SPACE)
        assert active(driver).is_selected()
        apply = tab_to(driver, lambda e: e.get_attribute("type") == "submit", "Apply")
        assert words(apply) == tr(language, "Apply")
        mark_page(driver)
        press(driver, Keys.ENTER)
        wait_for_new_page(driver)

        assert path_of(driver) == url(language, "catalogue")
        query = parse_qs(urlsplit(driver.current_url).query)
        assert query["q"] == [word] and query["mc_plus"] == ["on"], query
        assert page(driver, language) == tr(language, "Micro-credentials")
        assert driver.find_element(By.ID, "id_q").get_attribute("value") == word
        assert driver.find_element(By.ID, "id_mc_plus").is_selected()
        entries = driver.find_elements(By.CSS_SELECTOR, "main .card-list > li.card")
        assert entries, main_text(driver)
        first = entries[0]
        for entry in entries:  # the filter holds: every entry is marked MC+
            assert_mc_plus(entry, language)
        target = url(language, "definition_public", definition.lineage, definition.version)
        title_link = first.find_element(By.CSS_SELECTOR, "h3 a")
        assert title_link.get_attribute("href").endswith(target)
        assert words(title_link) == definition.title(language)

        tab_to(driver, lambda e: e == title_link, "the first result's title")
        mark_page(driver)
        press(driver, Keys.ENTER)
        wait_for_new_page(driver)

        assert path_of(driver) == target
        assert page(driver, language) == definition.title(language)
        assert_mc_plus(driver.find_element(By.TAG_NAME, "main"), language)
        # Its pathway, and what it leads to.
        pathways = driver.find_element(By.CSS_SELECTOR, "main [aria-labelledby='pathways-heading']")
        assert demo_data["pathway"].title(language) in words(pathways)
        assert demo.CERTIFICATE[f"title_{language}"] in words(pathways)
