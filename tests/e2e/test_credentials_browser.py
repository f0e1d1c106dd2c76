"""A micro-credential from its definition to its revocation, in a real browser, in English and
in French: the research office defines and publishes it, the project team invites a student,
records evidence and assesses the student, the business shares the evidence and endorses the
work, the office issues the credential, the student downloads and shares it, anyone verifies
it, and after the office revokes it the verification says so.

Runs with the other browser tests (OCIP_E2E=1, Debian's chromium + chromium-driver). Each person
has a browser of their own for the whole test: the office person signs in once (TOTP codes are
refused when replayed). The key pages are also checked at 390 px wide, where nothing may need
horizontal scrolling.
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from matching.models import InstitutionMembership, IntroductionRequest
from projects import services
from projects.models import (
    Assessment,
    CredentialDefinition,
    Evidence,
    IssuedCredential,
    ProjectMember,
)
from tests.diagnostics.conftest import completed_draft
from tests.e2e.test_browser import chromium_session, page_language, path_of, wait
from tests.e2e.test_diagnostic_browser import assert_page_structure, follow, heading
from tests.e2e.test_diagnostic_browser import main_text as webdriver_main_text
from tests.e2e.test_review_browser import (
    assert_language,
    label,
    link_to,
    plain,
    sign_in,
    submit_of,
    tr,
    url,
)
from tests.factories import PASSWORD, InstitutionMembershipFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NARROW = 390  # a phone's width, in CSS pixels
WIDE = (1280, 900)
PROJECT_TITLE = "Quieter spindle housings"
STUDENT_EMAIL = "sam.student@college.example"
EVIDENCE_TITLE = "Vibration test report"
EVIDENCE_LINK = "https://reports.example.org/vibration-test"
ENDORSEMENT_COMMENT = "The test plan found the cause of the chatter on our line."
REVOKE_REASON = "The report was found to copy another student's work."

# What the office types, in both languages whatever the page's language.
DEFINITION = {
    "title_en": "Applied vibration testing",
    "title_fr": "Essais vibratoires appliqués",
    "description_en": "Plans and runs vibration tests on a partner's production line.",
    "description_fr": "Planifie et mène des essais vibratoires sur la ligne d'un partenaire.",
    "outcomes_en": "Designs a vibration test plan.\nReports results to a business partner.",
    "outcomes_fr": "Conçoit un plan d'essais vibratoires.\nPrésente les résultats au partenaire.",
    "criteria_en": "Assessed on the project against the rubric.",
    "criteria_fr": "Évalué sur le projet selon la grille.",
    "rubric_criteria_en": "Test method\nCommunication with the partner",
    "rubric_criteria_fr": "Méthode d'essai\nCommunication avec le partenaire",
    "rubric_levels_en": "Beginning\nProficient\nExemplary",
    "rubric_levels_fr": "Débutant\nCompétent\nExemplaire",
    "rubric_pass_level": "2",
    "assessment_type_en": "Project work assessed against a rubric",
    "assessment_type_fr": "Travail de projet évalué selon une grille",
    "workload_hours": "45",
    "level_note_en": "Ontario college certificate level",
    "level_note_fr": "Niveau du certificat collégial de l'Ontario",
    "quality_assurance_en": "Reviewed by the college's academic quality office.",
    "quality_assurance_fr": "Examiné par le bureau de la qualité académique du collège.",
    "partner_endorsement_en": "The business endorses each learner's work.",
    "partner_endorsement_fr": "L'entreprise appuie le travail de chaque apprenant.",
    "validity_months": "36",
}
CREDIT = {"en": "0.5", "fr": "0,5"}  # the form reads numbers the page's way
LEVELS = (2, 1)  # Exemplary, Proficient: both reach the pass level (Proficient)

# The framework elements a draft with only a title and a description still lacks.
MISSING_AFTER_TITLE = (
    "Learning outcomes: list what the learner can do, in English and in French.",
    "Competencies: align it to at least one ESCO skill.",
    "Summative assessment: a rubric with criteria, at least two levels and the level needed to "
    "pass, in English and in French.",
    "Type of assessment: say how learners are assessed, in both languages.",
    "Notional workload: give the hours a learner needs.",
    "Transcriptable credit: give the credit value and confirm it is recorded on the learner's "
    "transcript.",
    "Level: give the EQF level, or say in both languages why none applies.",
    "Form of participation: online, on site or hybrid.",
    "Quality assurance: say how the credential's quality is assured, in both languages.",
    "Endorsement by partners: say how partners endorse it, in both languages.",
)


# --- Set-up, through the services ----------------------------------------------------------------


@pytest.fixture
def cast(language, office_staff, institution, business_owner, company):
    """A project of Acme with College, led by a researcher; everyone prefers the test's
    `language`. The office person is enrolled in TOTP (tests/conftest.py)."""
    lead = InstitutionMembershipFactory(
        institution=institution,
        user__email="rosa.lambert@college.example",
        role=InstitutionMembership.Role.RESEARCHER,
    ).user
    for user, first_name, last_name in (
        (office_staff, "Olivia", "Office"),
        (business_owner, "Omar", "Owner"),
        (lead, "Rosa", "Lambert"),
    ):
        user.first_name, user.last_name, user.language = first_name, last_name, language
        user.save(update_fields=["first_name", "last_name", "language"])
    request = IntroductionRequest.objects.create(
        company=company,
        diagnostic=completed_draft(business_owner, company),
        institution=institution,
        requested_by=business_owner,
        message="Our spindle housings chatter at high speed. Can your lab help?",
        hopes=["project", "students"],
    )
    project = services.project_start(
        actor=office_staff,
        request=request,
        expected_version=request.version,
        title=PROJECT_TITLE,
        scope="Find the cause of the chatter and trial two fixes, with a student on the team.",
        lead=lead,
        start_date=timezone.localdate(),
        programs=[],
    )
    mail.outbox.clear()
    return SimpleNamespace(
        institution=institution,
        company=company,
        office=office_staff,
        lead=lead,
        owner=business_owner,
        project=project,
    )


# --- Page helpers ------------------------------------------------------------------------------


def page(driver, language: str) -> str:
    """The page now shown is whole and in `language`; returns its heading."""
    title = plain(heading(driver))
    assert_language(driver, language)
    assert_page_structure(driver)
    return title


# WebDriver turns a no-break space into a space, but not the narrow one French puts before ; ? !
def main_text(driver) -> str:
    return plain(webdriver_main_text(driver))


def messages_text(driver) -> str:
    return plain(driver.find_element(By.CSS_SELECTOR, "main .messages").text)


def click(driver, element) -> None:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def type_into(driver, field_id: str, text: str) -> None:
    field = driver.find_element(By.ID, field_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
    field.clear()
    field.send_keys(text)


def choose(driver, field_id: str, value: str) -> None:
    Select(driver.find_element(By.ID, field_id)).select_by_value(value)


def button(driver, text: str, *, within: str = "main"):
    """The one submit button of `within` that says `text` (and maybe, after a colon, what it
    is about, for screen readers)."""
    found = [
        element
        for element in driver.find_elements(By.CSS_SELECTOR, f"{within} button[type='submit']")
        if shown_words(element) == text
    ]
    assert len(found) == 1, [b.text for b in driver.find_elements(By.CSS_SELECTOR, "button")]
    return found[0]


def words(element) -> str:
    return plain(element.text)


def shown_words(element) -> str:
    """What the element says on screen: WebDriver puts the words of a visually hidden part (for
    screen readers) on a line of their own after them."""
    return words(element).split("\n", 1)[0]


def open_project(driver, language: str, project) -> None:
    """From the dashboard, the projects list, then the project."""
    origin = urlsplit(driver.current_url)
    driver.get(f"{origin.scheme}://{origin.netloc}{url(language, 'dashboard')}")
    page(driver, language)
    follow(driver, link_to(driver, url(language, "project_list")))
    assert page(driver, language) == tr(language, "Projects")
    follow(driver, link_to(driver, url(language, "project_detail", project.pk)))
    assert page(driver, language) == PROJECT_TITLE


def reload(driver, language: str) -> None:
    driver.refresh()
    page(driver, language)


def student_article(driver, student):
    return driver.find_element(By.ID, f"student-{student.pk}")


# Elements whose right edge passes the viewport's, outermost first (an element whose parent also
# passes it is left out: the parent is the one to fix), described for a person to find them.
OVERFLOW_SCRIPT = """
const width = document.documentElement.clientWidth;
const describe = (e) => {
  let name = e.tagName.toLowerCase();
  if (e.id) name += '#' + e.id;
  if (typeof e.className === 'string' && e.className.trim()) {
    name += '.' + e.className.trim().split(/\\s+/).join('.');
  }
  const text = (e.innerText || e.value || '').trim().replace(/\\s+/g, ' ').slice(0, 80);
  return name + ' (right ' + Math.round(e.getBoundingClientRect().right) + ' px)'
    + (text ? ' "' + text + '"' : '');
};
const passes = (e) => {
  const box = e.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && box.right > width + 0.5;
};
const culprits = [];
for (const e of document.body.querySelectorAll('*')) {
  if (e.closest('.visually-hidden, .skip-link') || !passes(e)) continue;
  if (e.parentElement && e.parentElement !== document.body && passes(e.parentElement)) continue;
  // ... and, inside it, the innermost parts that stick out: what makes it too wide.
  const inner = [...e.querySelectorAll('*')].filter(
    (d) => !d.closest('.visually-hidden') && passes(d) && ![...d.children].some(passes)
  );
  const through = inner.slice(0, 4).map(describe).join(', ');
  culprits.push(describe(e) + (through ? ', through ' + through : ''));
}
return {
  scroll: document.documentElement.scrollWidth - width,
  width: width,
  culprits: culprits.slice(0, 12),
};
"""


def check_narrow(driver, overflows: list[str], name: str, language: str) -> None:
    """The page at 390 px wide needs no horizontal scrolling; what overflows is noted, with the
    elements that stick out, and the test fails on it at the end (after the whole flow ran)."""
    # Scrollbars hidden, as a phone's overlay ones take no room: the page gets all 390 px.
    driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
    driver.set_window_size(NARROW, WIDE[1])
    try:
        found = driver.execute_script(OVERFLOW_SCRIPT)
    finally:
        driver.set_window_size(*WIDE)
        driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": False})
    assert found["width"] == NARROW, found
    if found["scroll"] > 0:
        overflows.append(
            f"{name} ({language}, {path_of(driver)}): {found['scroll']} px wider than the "
            f"{found['width']} px viewport; sticking out: {'; '.join(found['culprits'])}"
        )


def fetch_text(driver, path: str) -> dict:
    """GET `path` with the browser's own cookies, as a download link would."""
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'})
          .then((r) => r.text().then((text) => done({
            status: r.status,
            type: r.headers.get('Content-Type'),
            disposition: r.headers.get('Content-Disposition'),
            text: text,
          })))
          .catch((error) => done({status: 0, text: String(error)}));
        """,
        path,
    )


# --- The steps, each as the person doing it -------------------------------------------------------


def office_defines_and_publishes(driver, live_server, cast, language, overflows):
    sign_in(driver, live_server, cast.office, language=language)
    # Dashboard -> the institution -> its micro-credentials.
    follow(driver, link_to(driver, url(language, "institution_detail", cast.institution.slug)))
    assert page(driver, language) == cast.institution.name
    list_url = url(language, "definition_list", cast.institution.slug)
    follow(driver, link_to(driver, list_url))
    assert page(driver, language) == tr(
        language, "Micro-credentials of %(name)s", name=cast.institution.name
    )
    assert tr(language, "No micro-credentials yet") in main_text(driver)
    new = link_to(driver, url(language, "definition_create", cast.institution.slug))
    assert words(new) == tr(language, "Define a micro-credential")
    follow(driver, new)
    assert page(driver, language) == tr(language, "Define a micro-credential")

    # A draft with only its title and description.
    for name in ("title_en", "title_fr", "description_en", "description_fr"):
        type_into(driver, f"id_{name}", DEFINITION[name])
    follow(driver, button(driver, tr(language, "Save the draft")))
    definition = CredentialDefinition.objects.get()
    assert path_of(driver) == url(
        language, "definition_detail", cast.institution.slug, definition.pk
    )
    title = DEFINITION[f"title_{language}"]
    assert page(driver, language) == title
    assert tr(
        language,
        "The draft was saved. Its page lists what it still needs before it can be published.",
    ) in messages_text(driver)
    publish = driver.find_element(By.ID, "publish")
    assert words(publish.find_element(By.TAG_NAME, "h2")) == tr(language, "Ready to publish?")
    missing = [words(item) for item in publish.find_elements(By.CSS_SELECTOR, "ul > li > a")]
    assert missing == [tr(language, text) for text in MISSING_AFTER_TITLE]
    assert not driver.find_elements(By.CSS_SELECTOR, "#publish form")  # nothing to publish yet

    # Complete it: every element, in both languages.
    complete = link_to(
        driver, url(language, "definition_edit", cast.institution.slug, definition.pk)
    )
    assert words(complete) == tr(language, "Complete the draft")
    follow(driver, complete)
    assert page(driver, language) == tr(
        language, "Edit “%(title)s”, version %(version)s (draft)", title=title, version=1
    )
    for name, text in DEFINITION.items():
        if not name.startswith(("title_", "description_")):
            type_into(driver, f"id_{name}", text)
    type_into(driver, "id_credit_value", CREDIT[language])
    click(driver, driver.find_element(By.ID, "id_on_transcript"))
    choose(driver, "id_eqf_level", "5")
    choose(driver, "id_participation", CredentialDefinition.Participation.ON_SITE)
    choose(driver, "id_supervision", CredentialDefinition.Supervision.SUPERVISED_ON_SITE)
    # ESCO competencies: open the first capability area and tick its first skill.
    area = driver.find_element(By.CSS_SELECTOR, "#section-competencies details")
    click(driver, area.find_element(By.TAG_NAME, "summary"))
    skill = area.find_element(By.CSS_SELECTOR, "input[type='checkbox'][name='skills']")
    skill_label = words(
        area.find_element(By.CSS_SELECTOR, f"label[for='{skill.get_attribute('id')}']")
    )
    click(driver, skill)
    assert skill.is_selected()
    skill_uri = skill.get_attribute("value")
    check_narrow(driver, overflows, "definition form", language)
    follow(driver, button(driver, tr(language, "Save the draft")))

    assert page(driver, language) == title
    assert tr(language, "The draft was saved.") in messages_text(driver)
    publish = driver.find_element(By.ID, "publish")
    assert not publish.find_elements(By.CSS_SELECTOR, "ul > li")  # nothing missing
    skills = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='skills-heading']")
    assert skill_label.split(" (")[0] in words(skills)
    assert skills.find_element(By.CSS_SELECTOR, f"a[href='{skill_uri}']")  # opens it in ESCO
    follow(driver, button(driver, tr(language, "Publish version %(version)s", version=1)))

    assert page(driver, language) == title
    assert tr(language, "Version %(version)s is published.", version=1) in messages_text(driver)
    state = plain(driver.find_element(By.CSS_SELECTOR, "main dl.facts").text)
    assert label(language, CredentialDefinition.State.PUBLISHED) in state
    check_narrow(driver, overflows, "definition detail", language)

    definition.refresh_from_db()
    assert definition.state == CredentialDefinition.State.PUBLISHED
    assert definition.skills == [skill_uri]
    assert definition.credit_value == Decimal("0.5")
    assert definition.workload_hours == Decimal("45")
    assert (definition.on_transcript, definition.eqf_level) == (True, 5)
    assert definition.rubric["pass_level"] == 1
    assert [row["fr"] for row in definition.rubric["levels"]] == [
        "Débutant",
        "Compétent",
        "Exemplaire",
    ]
    assert definition.outcomes_fr.splitlines() == DEFINITION["outcomes_fr"].splitlines()
    return definition


def office_attaches_and_invites(driver, cast, language, definition, overflows) -> str:
    """On the project page: the micro-credential attached, a student invited; returns the path
    of the emailed link."""
    open_project(driver, language, cast.project)
    team = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='credentials-heading']")
    assert words(team.find_element(By.TAG_NAME, "h2")) == tr(
        language, "Students and micro-credentials"
    )
    box = driver.find_element(
        By.CSS_SELECTOR, f"input[name='credentials-definitions'][value='{definition.pk}']"
    )
    box_label = driver.find_element(By.CSS_SELECTOR, f"label[for='{box.get_attribute('id')}']")
    assert words(box_label) == tr(
        language,
        "%(title)s (version %(version)s)",
        title=DEFINITION[f"title_{language}"],
        version=1,
    )
    click(driver, box)
    follow(driver, submit_of(driver, url(language, "project_definitions", cast.project.pk)))
    assert page(driver, language) == PROJECT_TITLE
    assert tr(language, "The project's micro-credentials were saved.") in messages_text(driver)
    assert list(cast.project.credential_definitions.all()) == [definition]

    type_into(driver, "id_invite-email", STUDENT_EMAIL)
    choose(driver, "id_invite-language", language)
    follow(driver, submit_of(driver, url(language, "student_invite", cast.project.pk)))
    assert page(driver, language) == PROJECT_TITLE
    assert tr(language, "An invitation was sent to %(email)s.", email=STUDENT_EMAIL) in (
        messages_text(driver)
    )
    assert STUDENT_EMAIL in main_text(driver)  # among the invitations waiting for an answer
    check_narrow(driver, overflows, "project page (office)", language)

    (message,) = [m for m in mail.outbox if m.to == [STUDENT_EMAIL]]
    assert PROJECT_TITLE in message.subject
    ignore = "If you did not expect this invitation, you can ignore this email."
    assert tr(language, ignore) in plain(message.body)  # in the language chosen for it
    link = re.search(r"https?://\S+/invitations/\S+/", message.body)
    assert link, message.body
    # The email names the site's public address; the path is what matters on this live server.
    return urlsplit(link.group(0)).path


def student_signs_up_and_accepts(driver, live_server, cast, language, invitation_path):
    driver.get(live_server.url + invitation_path)
    assert_language(driver, language)
    assert page(driver, language) == tr(
        language,
        "Join %(organization)s",
        organization=f"{PROJECT_TITLE} ({cast.institution.name})",
    )
    create = driver.find_element(By.LINK_TEXT, tr(language, "Create my account"))
    follow(driver, create)
    assert path_of(driver) == url(language, "account_signup")
    page(driver, language)
    assert not driver.find_elements(By.ID, "id_company_name")  # invited: no company asked
    for field_id, value in (
        ("id_first_name", "Sam"),
        ("id_last_name", "Student"),
        ("id_email", STUDENT_EMAIL),
        ("id_password1", PASSWORD),
        ("id_password2", PASSWORD),
    ):
        type_into(driver, field_id, value)
    form = driver.find_element(By.CSS_SELECTOR, "main form:has(#id_first_name)")
    follow(driver, form.find_element(By.CSS_SELECTOR, "button[type='submit']"))

    # The link proved the address: straight back to the invitation, to accept it.
    wait(driver).until(lambda d: path_of(d) == invitation_path)
    page(driver, language)
    follow(driver, button(driver, tr(language, "Accept the invitation")))
    assert path_of(driver) == url(language, "project_detail", cast.project.pk)
    assert page(driver, language) == PROJECT_TITLE
    assert tr(
        language,
        "Welcome to %(organization)s.",
        organization=f"{PROJECT_TITLE} ({cast.institution.name})",
    ) in messages_text(driver)
    student = cast.project.members.get(role=ProjectMember.Role.STUDENT).user
    assert (student.email, student.get_full_name(), student.language) == (
        STUDENT_EMAIL,
        "Sam Student",
        language,
    )
    return student


def lead_records_evidence(driver, live_server, cast, language, student) -> Evidence:
    sign_in(driver, live_server, cast.lead, language=language)
    open_project(driver, language, cast.project)
    add = student_article(driver, student).find_element(
        By.CSS_SELECTOR,
        f"a[href='{url(language, 'evidence_add', cast.project.pk)}?student={student.pk}']",
    )
    follow(driver, add)
    assert page(driver, language) == tr(
        language, "Add evidence to %(project)s", project=PROJECT_TITLE
    )
    chosen = Select(driver.find_element(By.ID, "id_student")).first_selected_option
    assert words(chosen) == "Sam Student"
    type_into(driver, "id_title", EVIDENCE_TITLE)
    type_into(driver, "id_description", "Accelerometer readings on both lines, with the fix.")
    type_into(driver, "id_url", EVIDENCE_LINK)
    follow(driver, button(driver, tr(language, "Add the evidence")))
    assert page(driver, language) == PROJECT_TITLE
    assert tr(
        language,
        "“%(title)s” was added to the evidence of %(student)s.",
        title=EVIDENCE_TITLE,
        student="Sam Student",
    ) in messages_text(driver)
    evidence = Evidence.objects.get()
    assert (evidence.url, evidence.shareable) == (EVIDENCE_LINK, False)
    return evidence


def owner_shares(driver, live_server, cast, language, evidence) -> None:
    sign_in(driver, live_server, cast.owner, language=language)
    open_project(driver, language, cast.project)
    item = driver.find_element(By.ID, f"evidence-{evidence.pk}")
    assert tr(language, "Not shared: it stays within the project.") in words(item)
    share = item.find_element(By.CSS_SELECTOR, "button[type='submit']")
    assert shown_words(share) == tr(language, "Share")
    assert EVIDENCE_TITLE in share.accessible_name  # which evidence, for screen readers
    follow(driver, share)
    assert page(driver, language) == PROJECT_TITLE
    assert tr(
        language,
        "“%(title)s” is shared: it goes into the credential of %(student)s.",
        title=EVIDENCE_TITLE,
        student="Sam Student",
    ) in messages_text(driver)
    evidence.refresh_from_db()
    assert evidence.shareable


def lead_assesses(driver, cast, language, student, definition, overflows) -> Assessment:
    reload(driver, language)
    assess = student_article(driver, student).find_element(
        By.CSS_SELECTOR,
        f"a[href='{url(language, 'assessment_form', cast.project.pk, student.pk, definition.pk)}']",
    )
    follow(driver, assess)
    title = DEFINITION[f"title_{language}"]
    assert page(driver, language) == tr(
        language, "Assess %(student)s for “%(credential)s”", student="Sam Student", credential=title
    )
    level_names = DEFINITION[f"rubric_levels_{language}"].split("\n")
    to_pass = "To pass, every criterion must reach at least “%(level)s”."
    assert tr(language, to_pass, level=level_names[1]) in main_text(driver)
    assert EVIDENCE_TITLE in main_text(driver)
    for index, level in enumerate(LEVELS):
        radio = driver.find_element(
            By.CSS_SELECTOR, f"input[name='level_{index}'][value='{level}']"
        )
        radio_label = words(
            driver.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']")
        )
        assert radio_label == tr(language, "%(level)s (passes)", level=level_names[level])
        click(driver, radio)
        assert radio.is_selected()
    type_into(driver, "id_comment_0", "A careful test plan, run twice.")
    type_into(driver, "id_comment", "Strong work with the partner.")
    check_narrow(driver, overflows, "assessment form", language)
    follow(driver, button(driver, tr(language, "Record the assessment")))
    assert page(driver, language) == PROJECT_TITLE
    assessment = Assessment.objects.get()
    assert assessment.passed and assessment.levels == list(LEVELS)
    with translation.override(language):
        due = date_format(assessment.endorsement_due)
    assert tr(
        language,
        "Passed: %(student)s reached the level needed on every criterion of “%(credential)s”. "
        "%(company)s is asked to endorse it within %(days)s business days, by %(date)s; then "
        "the research office can issue the credential.",
        student="Sam Student",
        credential=title,
        company=cast.company.name,
        days=settings.OCIP_ENDORSEMENT_DAYS,
        date=plain(due),
    ) in messages_text(driver)
    return assessment


def owner_endorses(driver, cast, language, student, assessment) -> None:
    reload(driver, language)
    endorse = student_article(driver, student).find_element(
        By.CSS_SELECTOR,
        f"a[href='{url(language, 'assessment_endorse', cast.project.pk, assessment.pk)}']",
    )
    follow(driver, endorse)
    assert page(driver, language) == tr(
        language,
        "Endorse the work of %(student)s for “%(credential)s”",
        student="Sam Student",
        credential=DEFINITION[f"title_{language}"],
    )
    assert tr(
        language, "%(title)s: shared, it goes into the credential", title=EVIDENCE_TITLE
    ) in main_text(driver)
    click(driver, driver.find_element(By.CSS_SELECTOR, "input[name='decision'][value='endorse']"))
    type_into(driver, "id_comment", ENDORSEMENT_COMMENT)
    follow(driver, button(driver, tr(language, "Send my answer")))
    assert page(driver, language) == PROJECT_TITLE
    assert tr(
        language,
        "You endorsed the work of %(student)s for “%(credential)s”. The research office can "
        "now issue the credential, with your endorsement.",
        student="Sam Student",
        credential=DEFINITION[f"title_{language}"],
    ) in messages_text(driver)
    assessment.refresh_from_db()
    assert assessment.endorsement == Assessment.Endorsement.ENDORSED


def office_issues(driver, cast, language, student, assessment) -> IssuedCredential:
    reload(driver, language)
    article = student_article(driver, student)
    assert tr(language, "passed and endorsed by the business.") in words(article)
    follow(
        driver,
        button(driver, tr(language, "Issue the credential"), within=f"#student-{student.pk}"),
    )
    assert page(driver, language) == PROJECT_TITLE
    assert tr(
        language,
        "The credential “%(credential)s” was issued to %(student)s.",
        credential=DEFINITION[f"title_{language}"],
        student="Sam Student",
    ) in messages_text(driver)
    credential = IssuedCredential.objects.get()
    assert (credential.student, credential.language) == (student, language)
    return credential


def student_downloads_and_shares(driver, language, credential, overflows) -> tuple[str, str]:
    """My credentials: the file is the signed text byte for byte; sharing gives a public page.
    Returns the file's text and the public page's path."""
    reload(driver, language)
    mine = link_to(driver, url(language, "student_credentials"), within="header")
    assert words(mine) == tr(language, "My credentials")
    follow(driver, mine)
    assert page(driver, language) == tr(language, "My credentials")
    card = driver.find_element(By.ID, f"credential-{credential.public_id}")
    assert words(card.find_element(By.TAG_NAME, "h3")) == DEFINITION[f"title_{language}"]
    assert tr(language, "Valid") in words(card)
    assert tr(language, "Private: not shared.") in words(card)
    download = card.find_element(
        By.CSS_SELECTOR, f"a[href='{url(language, 'credential_download', credential.public_id)}']"
    )
    assert shown_words(download) == tr(language, "Signed file (JSON)")
    got = fetch_text(driver, download.get_attribute("href"))
    assert got["status"] == 200, got
    assert got["type"] == "application/vc+ld+json"
    assert got["disposition"].startswith("attachment; filename=")
    assert got["text"] == credential.signed_text
    document = json.loads(got["text"])
    assert document["credentialSubject"]["achievement"]["name"] == DEFINITION[f"title_{language}"]

    follow(driver, button(driver, tr(language, "Share on a public page")))
    assert page(driver, language) == tr(language, "My credentials")
    assert tr(
        language,
        "“%(title)s” now has a public page: anyone with its link can see it.",
        title=DEFINITION[f"title_{language}"],
    ) in messages_text(driver)
    card = driver.find_element(By.ID, f"credential-{credential.public_id}")
    assert tr(language, "Shared: anyone with the link can see it.") in words(card)
    public_link = card.find_element(By.ID, f"link-{credential.public_id}").get_attribute("value")
    check_narrow(driver, overflows, "my credentials", language)
    credential.refresh_from_db()
    assert credential.shared
    return got["text"], urlsplit(public_link).path


def verdict_heading(driver) -> str:
    return words(driver.find_element(By.ID, "result-heading"))


def anyone_sees_the_public_page(driver, live_server, language, public_path, overflows) -> None:
    driver.get(live_server.url + public_path)
    heading(driver)
    assert_page_structure(driver)
    if page_language(driver) != language:
        # The shared link is the credential's id, in the site's default language: a reader of
        # another language switches to theirs.
        follow(
            driver,
            driver.find_element(By.CSS_SELECTOR, f'nav.language-nav a[hreflang="{language}"]'),
        )
        assert path_of(driver) == url(language, "credential_public", public_path.split("/")[-2])
    assert page(driver, language) == DEFINITION[f"title_{language}"]
    assert verdict_heading(driver) == tr(
        language, "Result: %(verdict)s", verdict=tr(language, "Valid")
    )
    text = main_text(driver)
    assert ENDORSEMENT_COMMENT in text
    assert EVIDENCE_TITLE in text
    assert "Sam Student" not in text and STUDENT_EMAIL not in text  # the holder is not named
    check_narrow(driver, overflows, "public credential page", language)


def anyone_verifies(driver, language, signed_text, verdict: str, overflows=None) -> None:
    """From the footer's link, the verify page: the credential's JSON pasted, then Verify."""
    verify = link_to(driver, url(language, "credential_verify"), within="footer")
    assert words(verify) == tr(language, "Verify a credential")
    follow(driver, verify)
    assert page(driver, language) == tr(language, "Verify a credential")
    form = f"main form[action^='{url(language, 'credential_verify')}']"
    field = driver.find_element(By.CSS_SELECTOR, f"{form} textarea")
    field_label = driver.find_element(
        By.CSS_SELECTOR, f"{form} label[for='{field.get_attribute('id')}']"
    )
    assert words(field_label) == tr(language, "The credential's JSON")
    # A paste puts the whole text in at once (typing 10 kB key by key would only be slower).
    driver.execute_script(
        "arguments[0].focus(); arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        field,
        signed_text,
    )
    follow(driver, button(driver, tr(language, "Verify"), within=form))
    assert page(driver, language) == tr(language, "Verify a credential")
    assert verdict_heading(driver) == tr(
        language, "Result: %(verdict)s", verdict=tr(language, verdict)
    )
    if verdict == "Valid":  # what the credential says, read from the pasted text
        assert tr(language, "Endorsed by %(company)s", company="Acme") in main_text(driver)
        assert ENDORSEMENT_COMMENT in main_text(driver)
    if overflows is not None:
        check_narrow(driver, overflows, "verify page with its result", language)


def office_revokes(driver, cast, language, student, credential) -> None:
    reload(driver, language)
    issued = student_article(driver, student).find_element(
        By.CSS_SELECTOR,
        f"a[href='{url(language, 'institution_credentials', cast.institution.slug)}']",
    )
    follow(driver, issued)
    assert page(driver, language) == tr(language, "Issued credentials")
    revoke = link_to(driver, url(language, "credential_revoke", credential.public_id))
    assert shown_words(revoke) == tr(language, "Revoke")
    follow(driver, revoke)
    assert page(driver, language) == tr(language, "Revoke a credential")
    type_into(driver, "id_reason", REVOKE_REASON)
    follow(driver, button(driver, tr(language, "Revoke the credential")))
    assert path_of(driver) == url(language, "institution_credentials", cast.institution.slug)
    assert page(driver, language) == tr(language, "Issued credentials")
    assert tr(
        language,
        "The credential of %(student)s was revoked. They were told.",
        student="Sam Student",
    ) in messages_text(driver)
    assert REVOKE_REASON in main_text(driver)
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoked_reason == REVOKE_REASON


def anyone_and_the_student_see_it_revoked(anyone, student, live_server, language, credential):
    anyone.get(live_server.url + url(language, "credential_public", credential.public_id))
    assert page(anyone, language) == DEFINITION[f"title_{language}"]
    assert verdict_heading(anyone) == tr(
        language, "Result: %(verdict)s", verdict=tr(language, "Revoked")
    )
    assert REVOKE_REASON not in main_text(anyone)  # the reason is the student's to read
    reload(student, language)
    card = student.find_element(By.ID, f"credential-{credential.public_id}")
    assert tr(language, "Revoked") in words(card)
    assert tr(language, "Reason given: %(reason)s", reason=REVOKE_REASON) in words(card)


# --- The test, in each language ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_micro_credential_from_definition_to_revocation(live_server, cast, language):
    overflows: list[str] = []
    with ExitStack() as stack:
        office, lead, owner, student_browser, anyone = (
            stack.enter_context(chromium_session()) for _person in range(5)
        )
        definition = office_defines_and_publishes(office, live_server, cast, language, overflows)
        invitation_path = office_attaches_and_invites(office, cast, language, definition, overflows)
        student = student_signs_up_and_accepts(
            student_browser, live_server, cast, language, invitation_path
        )
        evidence = lead_records_evidence(lead, live_server, cast, language, student)
        owner_shares(owner, live_server, cast, language, evidence)
        assessment = lead_assesses(lead, cast, language, student, definition, overflows)
        owner_endorses(owner, cast, language, student, assessment)
        credential = office_issues(office, cast, language, student, assessment)
        signed_text, public_path = student_downloads_and_shares(
            student_browser, language, credential, overflows
        )
        anyone_sees_the_public_page(anyone, live_server, language, public_path, overflows)
        anyone_verifies(anyone, language, signed_text, "Valid", overflows)
        office_revokes(office, cast, language, student, credential)
        anyone_verifies(anyone, language, signed_text, "Revoked")
        anyone_and_the_student_see_it_revoked(
            anyone, student_browser, live_server, language, credential
        )
    assert not overflows, "Horizontal scrolling at 390 px:\n" + "\n".join(overflows)
