"""The whole review loop in a real browser, in English and in French: a business requests
introductions from its matches, one research office declines, another refers the request on,
a third accepts it and creates the project, and the business follows it all to the project.

Runs with the other browser tests (OCIP_E2E=1, Debian's chromium + chromium-driver). Office
staff sign in with their password and a TOTP code; codes are refused when replayed, so each
office person signs in once per test.
"""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.mfa import app_settings as mfa_settings
from django.urls import reverse
from django.utils import timezone, translation
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from matching import selectors
from matching.models import Institution, InstitutionMembership, IntroductionRequest, RequestEvent
from matching.search import InProcessBackend
from ocip.accounts.mfa import current_totp_code, totp_secret_of
from ocip.notifications.models import Notification
from projects.models import FundingApplication, Project
from tests.e2e.test_browser import (  # noqa: F401
    browser,
    mark_page,
    path_of,
    wait,
    wait_for_new_page,
)
from tests.e2e.test_diagnostic_browser import (
    active,
    assert_page_structure,
    follow,
    heading,
    main_text,
    press,
)
from tests.e2e.test_matching_browser import submitted  # noqa: F401
from tests.factories import PASSWORD, InstitutionMembershipFactory, enrol_totp

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MESSAGE = "Our scrap rate doubled after we changed alloys. Could your team help us find out why?"
PHONE = "613-555-0142"
INTERNAL_NOTE = "Internal: we are fully booked until the spring term."
DECLINE_NOTE = "Our machining lab is booked until April; please try a colleague institution."
REFERRAL_NOTE = "Their lab runs exactly this kind of alloy study; we passed it on with a call."
TITLE = "Alloy scrap reduction study"
SCOPE = "Measure the scrap causes on two lines and trial three process changes over a term."


# --- Helpers -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_index():
    """The in-process matching index is per process: each test reads its own database's."""
    InProcessBackend.forget()
    yield
    InProcessBackend.forget()


def tr(language: str, message: str, **params) -> str:
    """`message` as a page in `language` shows it (whatever of it is translated yet), with its
    no-break spaces (French punctuation) as the plain spaces of WebDriver's text."""
    with translation.override(language):
        text = translation.gettext(message)
    return plain(text % params if params else text)


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def label(language: str, choice) -> str:
    with translation.override(language):
        return plain(str(choice.label))


def url(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def assert_language(driver, language: str) -> None:
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    if language == "fr":
        assert path_of(driver).startswith("/fr/"), path_of(driver)
    else:
        assert not path_of(driver).startswith("/fr/"), path_of(driver)


def link_to(driver, path: str, *, within: str = "main"):
    return driver.find_element(By.CSS_SELECTOR, f'{within} a[href="{path}"]')


def submit_of(driver, action_path: str):
    return driver.find_element(
        By.CSS_SELECTOR, f'main form[action="{action_path}"] button[type="submit"]'
    )


def messages_text(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "main .messages").text


def section(driver, heading_id: str):
    return driver.find_element(By.CSS_SELECTOR, f'main [aria-labelledby="{heading_id}"]')


def fresh_totp_code(user) -> str:
    """The code the person's authenticator shows now; near the end of a period, the next one,
    so that it is still valid when the server reads it (allauth allows no drift by default)."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.2)
    secret = totp_secret_of(user)
    assert secret is not None, f"{user.email} has no authenticator"
    return current_totp_code(secret)


def sign_in(driver, live_server, user, *, language: str = "en") -> None:
    """Log in with the password and, for a person enrolled in TOTP, the authenticator code."""
    driver.get(live_server.url + url(language, "account_login"))
    form = wait(driver).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, "main form:has(#id_login)"))
    )
    assert_page_structure(driver)
    form.find_element(By.ID, "id_login").send_keys(user.email)
    form.find_element(By.ID, "id_password").send_keys(PASSWORD)
    follow(driver, form.find_element(By.CSS_SELECTOR, 'button[type="submit"]'))
    if totp_secret_of(user) is not None:
        assert path_of(driver) == url(language, "mfa_authenticate")
        assert_language(driver, language)
        assert_page_structure(driver)
        code = driver.find_element(By.ID, "id_code")
        code.send_keys(fresh_totp_code(user))
        follow(driver, code.find_element(By.XPATH, "ancestor::form//button[@type='submit']"))
    wait(driver).until(lambda d: path_of(d) == url(language, "dashboard"))
    assert_language(driver, language)
    assert_page_structure(driver)


def sign_out(driver, language: str) -> None:
    """The header's "Log out" button."""
    button = driver.find_element(
        By.CSS_SELECTOR, f'header form[action="{url(language, "account_logout")}"] button'
    )
    assert button.text == tr(language, "Log out")
    follow(driver, button)
    assert_page_structure(driver)
    assert not driver.find_elements(
        By.CSS_SELECTOR, f'header form[action="{url(language, "account_logout")}"]'
    )


def type_date(driver, field, day) -> None:
    """Type a date into a date input in the order the browser's locale shows its parts."""
    order = driver.execute_script(
        "return new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2001, 10, 22))"
        ".filter(p => p.type !== 'literal').map(p => p.type);"
    )
    parts = {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}
    driver.execute_script("arguments[0].focus();", field)
    press(driver, "".join(parts[part] for part in order))
    assert field.get_attribute("value") == day.isoformat()


@pytest.fixture
def cast(submitted, business_owner, company):  # noqa: F811 (the fixture imported above)
    """The run's first three institutions in match order (A, B, C), each with a research office
    person enrolled in TOTP, and a researcher at C to lead the project."""
    run = submitted.match_runs.get()
    slugs = list(dict.fromkeys(match["institution"] for match in run.matches))[:3]
    assert len(slugs) == 3, slugs
    institutions = [Institution.objects.get(slug=slug) for slug in slugs]
    offices = []
    for letter, institution in zip("abc", institutions, strict=True):
        office = InstitutionMembershipFactory(
            institution=institution,
            user__email=f"office-{letter}@{institution.slug}.example",
            user__first_name="Office",
            user__last_name=letter.upper(),
            role=InstitutionMembership.Role.OFFICE_STAFF,
        ).user
        enrol_totp(office)
        offices.append(office)
    researcher = InstitutionMembershipFactory(
        institution=institutions[2],
        user__email=f"lead@{institutions[2].slug}.example",
        user__first_name="Rosa",
        user__last_name="Lambert",
        role=InstitutionMembership.Role.RESEARCHER,
    ).user

    def first_match_at(institution):
        return next(m for m in run.matches if m["institution"] == institution.slug)

    a, b, c = institutions
    return SimpleNamespace(
        diagnostic=submitted,
        run=run,
        company=company,
        owner=business_owner,
        a=a,
        b=b,
        c=c,
        office_a=offices[0],
        office_b=offices[1],
        office_c=offices[2],
        researcher=researcher,
        match_a=first_match_at(a),
        match_b=first_match_at(b),
        match_c=first_match_at(c),
    )


# --- The steps of the loop, each as the person doing it -----------------------------------------


def business_requests(driver, live_server, cast, language: str, profiles: list[dict]) -> None:
    """From the match results, the multi-request form, filled and sent by keyboard."""
    diagnostic = cast.diagnostic
    driver.get(live_server.url + url(language, "diagnostic_results", diagnostic.pk))
    heading(driver)
    assert_language(driver, language)
    assert_page_structure(driver)
    follow(driver, link_to(driver, url(language, "match_results", diagnostic.pk)))
    assert heading(driver) == tr(
        language, "Matches and funding for %(name)s", name=cast.company.name
    )
    assert_language(driver, language)
    assert_page_structure(driver)
    # Each match offers its own request; the button above the list asks several at once.
    create_url = url(language, "request_create", diagnostic.pk)
    for match in profiles:
        assert link_to(driver, f"{create_url}?profile={match['profile']}")
    several = link_to(driver, create_url)
    assert several.text == tr(language, "Request introductions to several at once")
    follow(driver, several)

    assert path_of(driver) == create_url
    assert heading(driver) == tr(language, "Request an introduction")
    assert_language(driver, language)
    assert_page_structure(driver)
    for match in profiles:  # ticked with the space bar
        box = driver.find_element(
            By.CSS_SELECTOR, f'input[name="profiles"][value="{match["profile"]}"]'
        )
        driver.execute_script("arguments[0].focus();", box)
        press(driver, Keys.SPACE)
        assert box.is_selected()
    driver.execute_script("arguments[0].focus();", driver.find_element(By.ID, "id_message"))
    press(driver, MESSAGE)
    for hope in ("advice", "project"):
        box = driver.find_element(By.CSS_SELECTOR, f'input[name="hopes"][value="{hope}"]')
        driver.execute_script("arguments[0].focus();", box)
        press(driver, Keys.SPACE)
        assert box.is_selected()
    # Contact by phone: the radio group starts on "Email"; arrow keys pick as they go.
    email = driver.find_element(By.CSS_SELECTOR, 'input[name="contact_preference"][value="email"]')
    assert email.is_selected()
    driver.execute_script("arguments[0].focus();", email)
    press(driver, Keys.ARROW_DOWN)
    assert active(driver).get_attribute("value") == "phone"
    assert active(driver).is_selected()
    press(driver, Keys.TAB)
    assert active(driver).get_attribute("id") == "id_contact_phone"
    press(driver, PHONE)
    press(driver, Keys.TAB)
    assert active(driver).text == tr(language, "Send the requests")
    follow_keyboard(driver)

    assert path_of(driver) == url(language, "request_list")
    assert heading(driver) == tr(language, "Your introduction requests")
    assert_language(driver, language)
    assert_page_structure(driver)
    with translation.override(language):
        sent = translation.ngettext(
            "%(count)s introduction request was sent. We will tell you when the "
            "institution answers.",
            "%(count)s introduction requests were sent. We will tell you when the "
            "institutions answer.",
            len(profiles),
        ) % {"count": len(profiles)}
    assert plain(sent) in messages_text(driver)
    listing = main_text(driver)
    submitted_label = label(language, IntroductionRequest.Status.SUBMITTED)
    for match in profiles:
        intro = IntroductionRequest.objects.get(
            company=cast.company, profile__external_id=match["profile"]
        )
        assert link_to(driver, url(language, "request_detail", intro.pk)).text == match["name"]
        assert match["institution_name"] in listing
    assert listing.count(submitted_label) >= len(profiles)


def follow_keyboard(driver) -> None:
    """Enter on the focused button, then wait for the page it leads to."""
    mark_page(driver)
    press(driver, Keys.ENTER)
    wait_for_new_page(driver)


def office_opens_from_queue(driver, live_server, cast, language, institution, intro) -> None:
    """From the dashboard, the institution's queue, then the request."""
    queue = url(language, "request_queue", institution.slug)
    follow(driver, link_to(driver, queue))
    assert heading(driver) == tr(language, "Requests to %(name)s", name=institution.name)
    assert_language(driver, language)
    assert_page_structure(driver)
    row = link_to(driver, url(language, "request_detail", intro.pk)).find_element(
        By.XPATH, "ancestor::tr"
    )
    assert cast.company.name in row.text
    assert intro.target_name in row.text
    assert label(language, IntroductionRequest.Status(intro.status)) in row.text
    follow(driver, link_to(driver, url(language, "request_detail", intro.pk)))
    assert heading(driver) == tr(
        language,
        "Request of %(company)s for %(target)s",
        company=cast.company.name,
        target=intro.target_name,
    )
    assert_language(driver, language)
    assert_page_structure(driver)
    # What the office reads before deciding: the message, the diagnostic, the match, the money.
    assert MESSAGE in section(driver, "about-heading").text
    assert PHONE in section(driver, "about-heading").text
    for heading_id in ("diagnostic-heading", "why-heading", "funding-heading", "actions-heading"):
        assert section(driver, heading_id).is_displayed()


def open_action(driver, language, name: str) -> None:
    """Opens one of the action panel's disclosures by keyboard: focus its summary, press Enter.
    Each says what the action does before its form shows."""
    summary = next(
        element
        for element in driver.find_elements(By.CSS_SELECTOR, ".action-panel details > summary")
        if element.text == tr(language, name)
    )
    details = summary.find_element(By.XPATH, "..")
    if details.get_attribute("open") is None:
        driver.execute_script("arguments[0].focus();", summary)
        press(driver, Keys.ENTER)
    assert details.get_attribute("open") is not None
    assert details.find_element(By.CSS_SELECTOR, ".consequence").is_displayed()


def office_declines_by_keyboard(driver, language, intro, reason) -> None:
    """The decline disclosure is opened by keyboard, the reason picked with the arrow keys, the
    note typed, then Tab to the button."""
    decline = url(language, "request_decline", intro.pk)
    open_action(driver, language, "Decline")
    select = driver.find_element(By.ID, "id_decline_reason")
    assert select.find_element(By.XPATH, "ancestor::form").get_attribute("action").endswith(decline)
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", select
    )
    for _press in range(len(IntroductionRequest.DeclineReason.choices)):
        if select.get_attribute("value") == reason:
            break
        press(driver, Keys.ARROW_DOWN)
    assert select.get_attribute("value") == reason
    press(driver, Keys.TAB)
    assert active(driver).get_attribute("id") == "id_decline_note"
    press(driver, DECLINE_NOTE)
    press(driver, Keys.TAB)
    assert active(driver).text == tr(language, "Decline the request")
    follow_keyboard(driver)
    assert path_of(driver) == url(language, "request_detail", intro.pk)
    assert_language(driver, language)
    assert_page_structure(driver)
    assert tr(language, "The request was declined. The business was told why.") in (
        messages_text(driver)
    )


def business_reads_the_decline(driver, cast, language, intro, reason_label) -> None:
    """The business's requests list, then the declined request: why, and where to go next."""
    follow(driver, link_to(driver, url(language, "request_list"), within="main"))
    assert heading(driver) == tr(language, "Your introduction requests")
    assert_page_structure(driver)
    row = link_to(driver, url(language, "request_detail", intro.pk)).find_element(
        By.XPATH, "ancestor::tr"
    )
    assert label(language, IntroductionRequest.Status.DECLINED) in row.text
    follow(driver, link_to(driver, url(language, "request_detail", intro.pk)))
    assert_language(driver, language)
    assert_page_structure(driver)
    assert tr(language, "%(institution)s declined it.", institution=intro.institution.name) in (
        driver.find_element(By.CSS_SELECTOR, "main p.lead").text
    )
    why = section(driver, "decline-heading")
    assert why.find_element(By.TAG_NAME, "h2").text == tr(language, "Why it was declined")
    assert reason_label in why.text
    assert DECLINE_NOTE in why.text
    assert tr(language, "Where to go next") in why.text
    # The next best matches, each with its own request link: no dead end after a decline.
    suggested = selectors.next_best_matches(intro)
    assert suggested, "no next-best match suggested after the decline"
    create_url = url(language, "request_create", intro.diagnostic_id)
    for match in suggested:
        assert match["name"] in why.text
        assert link_to(driver, f"{create_url}?profile={match['profile']}", within="main section")
    assert intro.institution.slug not in {m["institution"] for m in suggested}
    # The business never sees the office's internal notes, nor the actions.
    page = main_text(driver)
    assert INTERNAL_NOTE not in page
    assert not driver.find_elements(By.CSS_SELECTOR, 'section[aria-labelledby="notes-heading"]')
    assert not driver.find_elements(By.CSS_SELECTOR, '[aria-labelledby="actions-heading"]')


def office_refers(driver, language, intro, to_match) -> None:
    refer = url(language, "request_refer", intro.pk)
    open_action(driver, language, "Refer to a colleague or another institution")
    Select(driver.find_element(By.ID, "id_refer_to_profile")).select_by_value(to_match["profile"])
    driver.find_element(By.ID, "id_refer_note").send_keys(REFERRAL_NOTE)
    follow(driver, submit_of(driver, refer))
    assert path_of(driver) == url(language, "request_detail", intro.pk)
    assert_page_structure(driver)
    assert tr(language, "The request was referred to %(target)s.", target=to_match["name"]) in (
        messages_text(driver)
    )


def office_accepts(driver, cast, language, received, referring_institution) -> Project:
    """The receiving office sees where the request came from, then accepts it with a project."""
    chain = section(driver, "chain-heading")
    assert chain.find_element(By.TAG_NAME, "h2").text == tr(language, "Referral chain")
    items = chain.find_elements(By.CSS_SELECTOR, "ol > li")
    assert len(items) == 2
    # The referring office's request stays theirs: its institution is named, nothing more.
    assert items[0].text == referring_institution.name
    assert not items[0].find_elements(By.TAG_NAME, "a")
    assert tr(language, "This request:") in items[1].text
    assert f"{tr(language, 'Referral note:')} {REFERRAL_NOTE}" in items[1].text
    timeline = section(driver, "timeline-heading").text
    assert REFERRAL_NOTE in timeline

    open_action(driver, language, "Accept")
    accept = link_to(driver, url(language, "request_accept", received.pk))
    assert accept.text == tr(language, "Accept and create the project")
    follow(driver, accept)
    assert heading(driver) == tr(
        language,
        "Accept the request of %(company)s and start a project",
        company=cast.company.name,
    )
    assert_language(driver, language)
    assert_page_structure(driver)
    title = driver.find_element(By.ID, "id_title")
    title.clear()
    title.send_keys(TITLE)
    scope = driver.find_element(By.ID, "id_scope")
    scope.clear()
    scope.send_keys(SCOPE)
    lead = Select(driver.find_element(By.ID, "id_lead"))
    lead.select_by_value(str(cast.researcher.pk))
    assert lead.first_selected_option.text == "Rosa Lambert"
    start = timezone.localdate() + timedelta(days=14)
    type_date(driver, driver.find_element(By.ID, "id_start_date"), start)
    programs = driver.find_elements(By.CSS_SELECTOR, 'input[name="programs"]')
    assert programs, "no funding program offered to pursue"
    program = programs[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", program)
    program.click()
    assert program.is_selected()
    chosen = program.get_attribute("value")
    follow(
        driver,
        driver.find_element(By.CSS_SELECTOR, 'main form[method="post"] button[type="submit"]'),
    )

    project = Project.objects.get(request=received)
    assert path_of(driver) == url(language, "project_detail", project.pk)
    assert heading(driver) == TITLE
    assert_language(driver, language)
    assert_page_structure(driver)
    assert tr(
        language,
        "The request was accepted and the project created. %(company)s was told.",
        company=cast.company.name,
    ) in messages_text(driver)
    facts = driver.find_element(By.CSS_SELECTOR, "main dl.page-header-facts").text
    for fact in (cast.company.name, received.institution.name, "Rosa Lambert"):
        assert fact in facts
    assert SCOPE in section(driver, "scope-heading").text
    applications = section(driver, "funding-heading").text
    assert project.funding_applications.get().program.name_in(language) in applications
    assert project.start_date == start
    assert project.funding_applications.get().program.slug == chosen
    return project


def business_sees_the_project(driver, cast, language, received, project) -> None:
    """The acceptance notification leads to the request, and the request to the project."""
    follow(driver, link_to(driver, url(language, "notification_list"), within="header"))
    assert heading(driver) == tr(language, "Notifications")
    assert_language(driver, language)
    assert_page_structure(driver)
    accepted = tr(
        language,
        "%(target)s accepted your request: a project was created.",
        target=received.target_name,
    )
    buttons = [
        button
        for button in driver.find_elements(By.CSS_SELECTOR, "main form button")
        if button.text == accepted
    ]
    assert len(buttons) == 1, main_text(driver)
    follow(driver, buttons[0])
    assert path_of(driver) == url(language, "request_detail", received.pk)
    assert_language(driver, language)
    assert_page_structure(driver)
    assert tr(language, "%(institution)s accepted it.", institution=received.institution.name) in (
        driver.find_element(By.CSS_SELECTOR, "main p.lead").text
    )
    # The business sees the whole chain, each of its requests linked.
    chain = section(driver, "chain-heading")
    assert len(chain.find_elements(By.CSS_SELECTOR, "ol > li")) == 2
    assert chain.find_element(
        By.CSS_SELECTOR, f'a[href="{url(language, "request_detail", received.referred_from_id)}"]'
    )
    see = link_to(driver, url(language, "project_detail", project.pk))
    assert see.text == tr(language, "See the project: %(title)s", title=TITLE)
    follow(driver, see)
    assert heading(driver) == TITLE
    assert_language(driver, language)
    assert_page_structure(driver)
    assert cast.c.name in driver.find_element(By.CSS_SELECTOR, "main dl.page-header-facts").text
    # Read-only for the business: no forms to change the project.
    assert not driver.find_elements(By.CSS_SELECTOR, "main form")


def assert_loop_state(cast, declined, referred, received, project, reason) -> None:
    declined.refresh_from_db()
    referred.refresh_from_db()
    received.refresh_from_db()
    assert declined.status == IntroductionRequest.Status.DECLINED
    assert declined.decline_reason == reason
    assert declined.decline_note == DECLINE_NOTE
    assert declined.closed_at is not None
    assert referred.status == IntroductionRequest.Status.REFERRED
    assert referred.referral_note == REFERRAL_NOTE
    assert received.status == IntroductionRequest.Status.ACCEPTED
    assert received.referred_from_id == referred.pk
    assert received.institution == cast.c
    assert received.profile.external_id == cast.match_c["profile"]
    assert selectors.request_chain(received) == [referred, received]
    # Each step is an audit event by the person who took it.
    assert declined.events.filter(kind=RequestEvent.Kind.DECLINED, actor=cast.office_a).exists()
    assert referred.events.filter(kind=RequestEvent.Kind.REFERRED, actor=cast.office_b).exists()
    assert received.events.filter(kind=RequestEvent.Kind.ACCEPTED, actor=cast.office_c).exists()
    assert Project.objects.count() == 1
    assert (project.company, project.institution, project.lead) == (
        cast.company,
        cast.c,
        cast.researcher,
    )
    assert (project.title, project.scope) == (TITLE, SCOPE)
    assert FundingApplication.objects.filter(project=project).count() == 1
    # The business was told of each outcome, once each.
    told = Notification.objects.filter(user=cast.owner).values_list("key", flat=True)
    for intro, kind in (
        (declined, RequestEvent.Kind.DECLINED),
        (referred, RequestEvent.Kind.REFERRED),
        (received, RequestEvent.Kind.ACCEPTED),
    ):
        event = intro.events.get(kind=kind)
        assert list(told).count(f"request-event-{event.pk}") == 1


# --- Tests -------------------------------------------------------------------------------------


def test_the_whole_review_loop_in_english_by_keyboard(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    cast,
):
    language = "en"
    reason = IntroductionRequest.DeclineReason.NO_CAPACITY

    # The business asks A's and B's best matches at once.
    sign_in(browser, live_server, cast.owner)
    business_requests(browser, live_server, cast, language, [cast.match_a, cast.match_b])
    to_a = IntroductionRequest.objects.get(company=cast.company, institution=cast.a)
    to_b = IntroductionRequest.objects.get(company=cast.company, institution=cast.b)
    for intro in (to_a, to_b):
        assert intro.status == IntroductionRequest.Status.SUBMITTED
        assert intro.message == MESSAGE
        assert intro.hopes == ["advice", "project"]
        assert (intro.contact_preference, intro.contact_phone) == ("phone", PHONE)
        assert intro.requested_by == cast.owner
    assert IntroductionRequest.objects.count() == 2
    sign_out(browser, language)

    # Office A: an internal note, then a decline with a reason and a note, by keyboard.
    sign_in(browser, live_server, cast.office_a)
    office_opens_from_queue(browser, live_server, cast, language, cast.a, to_a)
    browser.find_element(By.ID, "id_note_body").send_keys(INTERNAL_NOTE)
    follow(browser, submit_of(browser, url(language, "request_note", to_a.pk)))
    assert_page_structure(browser)
    assert "The note was saved. The business does not see it." in messages_text(browser)
    assert INTERNAL_NOTE in section(browser, "notes-heading").text
    office_declines_by_keyboard(browser, language, to_a, reason)
    assert (
        label(language, IntroductionRequest.Status.DECLINED)
        in browser.find_element(By.CSS_SELECTOR, "main p.lead .badge").text
    )
    # The office's own page no longer offers actions on a closed request.
    assert not browser.find_elements(By.CSS_SELECTOR, '[aria-labelledby="actions-heading"]')
    sign_out(browser, language)

    # The business reads why, and where to go next.
    sign_in(browser, live_server, cast.owner)
    business_reads_the_decline(browser, cast, language, to_a, "No capacity this term")
    sign_out(browser, language)

    # Office B refers its request to C's best profile, with a note.
    sign_in(browser, live_server, cast.office_b)
    office_opens_from_queue(browser, live_server, cast, language, cast.b, to_b)
    office_refers(browser, language, to_b, cast.match_c)
    received = IntroductionRequest.objects.get(referred_from=to_b)
    assert received.institution == cast.c
    assert received.status == IntroductionRequest.Status.SUBMITTED
    assert (
        label(language, IntroductionRequest.Status.REFERRED)
        in browser.find_element(By.CSS_SELECTOR, "main p.lead .badge").text
    )
    sign_out(browser, language)

    # Office C sees the chain, and accepts with a project.
    sign_in(browser, live_server, cast.office_c)
    office_opens_from_queue(browser, live_server, cast, language, cast.c, received)
    project = office_accepts(browser, cast, language, received, cast.b)
    sign_out(browser, language)

    # The business follows the notification to its request, and on to the project.
    sign_in(browser, live_server, cast.owner)
    business_sees_the_project(browser, cast, language, received, project)

    assert_loop_state(cast, to_a, to_b, received, project, reason)


def test_the_whole_review_loop_in_french(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    cast,
):
    language = "fr"
    reason = IntroductionRequest.DeclineReason.OUTSIDE_EXPERTISE

    sign_in(browser, live_server, cast.owner, language=language)
    business_requests(browser, live_server, cast, language, [cast.match_a, cast.match_b])
    to_a = IntroductionRequest.objects.get(company=cast.company, institution=cast.a)
    to_b = IntroductionRequest.objects.get(company=cast.company, institution=cast.b)
    sign_out(browser, language)

    sign_in(browser, live_server, cast.office_a, language=language)
    office_opens_from_queue(browser, live_server, cast, language, cast.a, to_a)
    office_declines_by_keyboard(browser, language, to_a, reason)
    sign_out(browser, language)

    sign_in(browser, live_server, cast.owner, language=language)
    business_reads_the_decline(
        browser, cast, language, to_a, label(language, IntroductionRequest.DeclineReason(reason))
    )
    sign_out(browser, language)

    sign_in(browser, live_server, cast.office_b, language=language)
    office_opens_from_queue(browser, live_server, cast, language, cast.b, to_b)
    office_refers(browser, language, to_b, cast.match_c)
    received = IntroductionRequest.objects.get(referred_from=to_b)
    sign_out(browser, language)

    sign_in(browser, live_server, cast.office_c, language=language)
    office_opens_from_queue(browser, live_server, cast, language, cast.c, received)
    project = office_accepts(browser, cast, language, received, cast.b)
    sign_out(browser, language)

    sign_in(browser, live_server, cast.owner, language=language)
    business_sees_the_project(browser, cast, language, received, project)

    assert_loop_state(cast, to_a, to_b, received, project, reason)
