"""The research office's micro-credential pages: defining a draft through the form, completing
and publishing it, revising it into a new version, and who is refused."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from matching.models import InstitutionMembership
from projects import esco, services
from projects.models import CredentialDefinition
from tests.credentials.conftest import RUBRIC, complete_fields
from tests.factories import (
    CompanyMembershipFactory,
    InstitutionMembershipFactory,
    UserFactory,
    enrol_totp,
)

State = CredentialDefinition.State


def post_data(fields: dict) -> dict:
    """The form's POST for the services' fields (the rubric as lines, the pass level from 1)."""
    data = {
        name: "" if value is None else str(value)
        for name, value in fields.items()
        if name not in ("rubric", "skills", "on_transcript")
    }
    data["skills"] = list(fields.get("skills", []))
    if fields.get("on_transcript"):
        data["on_transcript"] = "on"
    rubric = fields.get("rubric") or {}
    for part in ("criteria", "levels"):
        for language in ("en", "fr"):
            data[f"rubric_{part}_{language}"] = "\n".join(
                row[language] for row in rubric.get(part, [])
            )
    if rubric:
        data["rubric_pass_level"] = str(rubric["pass_level"] + 1)
    return data


def url(name: str, institution, definition=None) -> str:
    kwargs = {"slug": institution.slug}
    if definition is not None:
        kwargs["pk"] = definition.pk
    return reverse(name, kwargs=kwargs)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def text(response) -> str:
    """The page's text with tags dropped and spaces collapsed, for phrases that span markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def office_client(client, office_staff):
    client.force_login(office_staff)
    return client


@pytest.fixture
def published(office_staff, institution, skill_uri):
    draft = services.definition_create(
        actor=office_staff, institution=institution, **complete_fields(skill_uri)
    )
    return services.definition_publish(actor=office_staff, definition=draft)


# --- Defining, completing, publishing --------------------------------------------------------


def test_the_office_saves_an_incomplete_draft_and_sees_what_is_missing(
    office_client, office_staff, institution, skill_uri
):
    response = office_client.post(
        url("definition_create", institution),
        {"title_en": "Applied research practice", "title_fr": "", "skills": [skill_uri]},
    )

    definition = CredentialDefinition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("definition_detail", institution, definition)
    assert (definition.state, definition.version, definition.institution) == (
        State.DRAFT,
        1,
        institution,
    )
    assert definition.created_by == office_staff
    assert definition.title_en == "Applied research practice"
    assert definition.skills == [skill_uri]
    assert definition.rubric == {}

    page = office_client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert "Ready to publish?" in content
    # Each missing element in plain words, with the framework that asks for it and a link to
    # the part of the form where it is given.
    assert "Title: give it in English and in French." in content
    assert "Learning outcomes: list what the learner can do, in English and in French." in content
    assert "Asked for by eCampusOntario and the EU (Annex I)." in content
    assert url("definition_edit", institution, definition) + "#section-assessment" in content
    # Its competency is there, so that element is not listed; and nothing to publish yet.
    assert "Competencies: align it to at least one ESCO skill." not in content
    assert url("definition_publish", institution, definition) not in content
    assert esco.label(skill_uri, "en") in content


def test_the_office_completes_the_draft_then_publishes_it(
    office_client, office_staff, institution, skill_uri
):
    draft = services.definition_create(
        actor=office_staff, institution=institution, title_en="Applied research practice"
    )
    fields = complete_fields(skill_uri) | {"workload_hours": Decimal("37.5")}

    response = office_client.post(url("definition_edit", institution, draft), post_data(fields))

    assert response.status_code == 302
    assert response["Location"] == url("definition_detail", institution, draft)
    draft.refresh_from_db()
    assert CredentialDefinition.objects.count() == 1  # a draft is changed in place
    assert (draft.state, draft.version) == (State.DRAFT, 1)
    assert draft.rubric == RUBRIC
    assert draft.title_fr == "Pratique de la recherche appliquée"
    assert draft.outcomes_en == "Designs a test plan.\nReports results to a business partner."
    assert (draft.workload_hours, draft.credit_value, draft.on_transcript) == (
        Decimal("37.5"),
        Decimal("1"),
        True,
    )
    assert (draft.eqf_level, draft.participation, draft.supervision) == (
        5,
        "on_site",
        "supervised_on_site",
    )
    assert draft.validity_months is None

    page = office_client.get(response["Location"])
    content = page.content.decode()
    assert "it states every element" in content
    assert f'action="{url("definition_publish", institution, draft)}"' in content
    # The rubric: a table, and the level needed to pass said in words.
    assert "<caption>" in content and 'scope="rowgroup"' in content
    assert "Passes: the level needed" in content
    assert "every criterion must reach at least level 2" in text(page)

    response = office_client.post(url("definition_publish", institution, draft))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.PUBLISHED and draft.published_at is not None
    assert messages_of(response) == ["Version 1 is published."]
    page = office_client.get(response["Location"])
    assert 'href="{}"'.format(url("definition_edit", institution, draft)) in page.content.decode()
    assert "Ready to publish?" not in page.content.decode()


def test_revising_makes_version_2_a_draft_and_publishing_it_supersedes_version_1(
    office_client, institution, published, skill_uri
):
    edit_url = url("definition_edit", institution, published)
    form_page = office_client.get(edit_url)
    assert form_page.status_code == 200
    assert (
        "Saving makes version 2, a draft. Version 1 stays published" in form_page.content.decode()
    )
    assert form_page.context["form"].initial["rubric_pass_level"] == 2

    fields = complete_fields(skill_uri) | {"title_en": "Applied research practice, revised"}
    response = office_client.post(edit_url, post_data(fields))

    revision = CredentialDefinition.objects.exclude(pk=published.pk).get()
    assert response.status_code == 302
    assert response["Location"] == url("definition_detail", institution, revision)
    assert (revision.version, revision.state, revision.lineage) == (
        2,
        State.DRAFT,
        published.lineage,
    )
    assert revision.title_en == "Applied research practice, revised"
    published.refresh_from_db()
    assert published.state == State.PUBLISHED
    assert published.title_en == "Applied research practice"  # a published version never changes
    assert "Your changes were saved as version 2, a draft." in messages_of(response)[0]

    # The list shows the micro-credential once, at its latest version.
    listing = office_client.get(url("definition_list", institution))
    assert [d.pk for d in listing.context["page_obj"].object_list] == [revision.pk]
    assert "Applied research practice, revised" in listing.content.decode()
    assert "version 1 stays published until this one is published" in text(listing)
    # Revising the published version again edits the draft, not over it.
    again = office_client.get(edit_url)
    assert again.status_code == 302
    assert again["Location"] == url("definition_edit", institution, revision)

    response = office_client.post(url("definition_publish", institution, revision))

    assert response.status_code == 302
    states = dict(
        CredentialDefinition.objects.filter(lineage=published.lineage).values_list(
            "version", "state"
        )
    )
    assert states == {1: State.SUPERSEDED, 2: State.PUBLISHED}
    assert messages_of(response)[-1].startswith("Version 2 is published. Version 1 is superseded")
    old_page = office_client.get(url("definition_detail", institution, published)).content.decode()
    assert "This version was superseded" in old_page
    assert url("definition_detail", institution, revision) in old_page  # the history links


def test_publishing_an_incomplete_draft_shows_what_is_missing_with_a_400(
    office_client, office_staff, institution
):
    draft = services.definition_create(
        actor=office_staff, institution=institution, title_en="Half done", title_fr="À moitié"
    )

    response = office_client.post(url("definition_publish", institution, draft))

    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert "Notional workload: give the hours a learner needs." in content
    # Each refusal links to the part of the form where the element is given.
    workload = url("definition_edit", institution, draft) + "#section-workload"
    assert f'<a href="{workload}">Notional workload' in content
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and draft.published_at is None


def test_publishing_a_published_version_again_is_refused_with_a_message(
    office_client, institution, published
):
    response = office_client.post(url("definition_publish", institution, published))

    assert response.status_code == 302
    assert messages_of(response) == ["Only a draft can be published; this version already was."]
    assert CredentialDefinition.objects.get().state == State.PUBLISHED


def test_publish_refuses_get(office_client, institution, published):
    assert office_client.get(url("definition_publish", institution, published)).status_code == 405


# --- Bad input -------------------------------------------------------------------------------


def test_criteria_lines_that_do_not_match_are_refused_and_nothing_is_saved(
    office_client, institution, skill_uri
):
    data = post_data(complete_fields(skill_uri))
    data["rubric_criteria_en"] = "Method\nCommunication\nSafety"
    data["rubric_criteria_fr"] = "Méthode\nCommunication"

    response = office_client.post(url("definition_create", institution), data)

    assert response.status_code == 400
    assert CredentialDefinition.objects.count() == 0
    form = response.context["form"]
    assert form.errors["rubric_criteria_fr"] == [
        "3 criteria in English but 2 in French: give each one in both languages, in the same order."
    ]
    content = response.content.decode()
    assert 'href="#id_rubric_criteria_fr"' in content  # the error summary links to the field
    assert "Method\nCommunication\nSafety" in content  # what was typed is kept


def test_levels_that_do_not_match_leave_the_draft_unchanged(
    office_client, office_staff, institution, skill_uri
):
    draft = services.definition_create(
        actor=office_staff, institution=institution, **complete_fields(skill_uri)
    )
    data = post_data(complete_fields(skill_uri) | {"title_en": "Changed"})
    data["rubric_levels_fr"] = "Débutant\nCompétent"
    data["rubric_pass_level"] = "4"

    response = office_client.post(url("definition_edit", institution, draft), data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["rubric_levels_fr"] == [
        "3 levels in English but 2 in French: give each one in both languages, in the same order."
    ]
    assert errors["rubric_pass_level"] == ["Choose a level from 1 to 3: the rubric has 3 levels."]
    draft.refresh_from_db()
    assert draft.title_en == "Applied research practice" and draft.rubric == RUBRIC


def test_a_rubric_with_one_level_and_no_pass_level_is_refused(office_client, institution):
    response = office_client.post(
        url("definition_create", institution),
        {
            "rubric_criteria_en": "Method",
            "rubric_criteria_fr": "Méthode",
            "rubric_levels_en": "Pass",
            "rubric_levels_fr": "Réussi",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["rubric_levels_en"] == ["Give at least two levels, one per line, lowest first."]
    assert errors["rubric_pass_level"] == ["Say which level every criterion must reach to pass."]
    assert CredentialDefinition.objects.count() == 0


def test_an_unknown_esco_skill_is_refused(office_client, institution, skill_uri):
    response = office_client.post(
        url("definition_create", institution),
        {"title_en": "Research", "skills": [skill_uri, "http://data.europa.eu/esco/skill/nope"]},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["skills"] == ["Choose competencies from the ESCO list."]
    assert 'href="#id_skills_0"' in response.content.decode()
    assert 'id="id_skills_0"' in response.content.decode()
    assert CredentialDefinition.objects.count() == 0


def test_numbers_out_of_range_are_refused_on_their_field(office_client, institution):
    response = office_client.post(
        url("definition_create", institution),
        {"workload_hours": "-3", "eqf_level": "9", "validity_months": "0"},
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "workload_hours",
        "eqf_level",
        "validity_months",
    }
    assert CredentialDefinition.objects.count() == 0


# --- The list --------------------------------------------------------------------------------


def test_the_empty_list_explains_micro_credentials(office_client, institution):
    page = office_client.get(url("definition_list", institution))

    assert page.status_code == 200
    content = page.content.decode()
    assert "No micro-credentials yet" in content
    assert "A micro-credential recognises a specific skill" in content
    assert f'href="{url("definition_create", institution)}"' in content


def test_the_list_has_pages_of_25(office_client, office_staff, institution):
    for number in range(26):
        services.definition_create(
            actor=office_staff, institution=institution, title_en=f"Credential {number}"
        )

    first = office_client.get(url("definition_list", institution))
    second = office_client.get(url("definition_list", institution) + "?page=2")

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 1
    assert "Page 2 of 2" in second.content.decode()


def test_the_institution_page_links_its_office_to_the_micro_credentials(
    client, office_staff, institution
):
    researcher = InstitutionMembershipFactory(
        institution=institution, role=InstitutionMembership.Role.RESEARCHER
    ).user
    link = f'href="{url("definition_list", institution)}"'

    client.force_login(office_staff)
    assert link in client.get(institution.get_absolute_url()).content.decode()
    client.force_login(researcher)
    assert link not in client.get(institution.get_absolute_url()).content.decode()


# --- Who is refused --------------------------------------------------------------------------


def _other_office(institution):
    user = InstitutionMembershipFactory(
        institution__slug="other-college", role=InstitutionMembership.Role.OFFICE_STAFF
    ).user
    enrol_totp(user)
    return user


PERSONAS = {
    # Another institution's office and a business owner cannot see the institution: 404.
    "other_office": (_other_office, 404),
    "business_owner": (lambda institution: CompanyMembershipFactory().user, 404),
    "unaffiliated": (lambda institution: UserFactory(), 404),
    # Its own researchers and students see the institution but are not its office: 403.
    "researcher": (
        lambda institution: (
            InstitutionMembershipFactory(
                institution=institution, role=InstitutionMembership.Role.RESEARCHER
            ).user
        ),
        403,
    ),
    "student": (
        lambda institution: (
            InstitutionMembershipFactory(
                institution=institution, role=InstitutionMembership.Role.STUDENT
            ).user
        ),
        403,
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_office_may_read_or_write(client, institution, published, skill_uri, persona):
    make, status = PERSONAS[persona]
    client.force_login(make(institution))
    draft = services.definition_update(
        actor=institution.memberships.get(role="office_staff").user,
        definition=published,
        title_en="Next version",
    )

    for name, definition in (
        ("definition_list", None),
        ("definition_create", None),
        ("definition_detail", published),
        ("definition_edit", published),
    ):
        assert client.get(url(name, institution, definition)).status_code == status, name
    data = post_data(complete_fields(skill_uri))
    assert client.post(url("definition_create", institution), data).status_code == status
    assert client.post(url("definition_edit", institution, draft), data).status_code == status
    assert client.post(url("definition_publish", institution, draft)).status_code == status

    assert CredentialDefinition.objects.count() == 2
    draft.refresh_from_db()
    assert (draft.state, draft.title_en) == (State.DRAFT, "Next version")


def test_platform_staff_read_it_as_on_the_other_office_pages(client, platform_staff, published):
    # As INSTITUTION_A_OFFICE in tests/test_permission_matrix.py: staff may see the office pages.
    client.force_login(platform_staff)
    institution = published.institution

    assert client.get(url("definition_list", institution)).status_code == 200
    page = client.get(url("definition_detail", institution, published))
    assert page.status_code == 200 and "Applied research practice" in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, institution, published):
    login = reverse("account_login")
    for name, definition in (
        ("definition_list", None),
        ("definition_create", None),
        ("definition_detail", published),
        ("definition_edit", published),
    ):
        response = client.get(url(name, institution, definition))
        assert response.status_code == 302 and response["Location"].startswith(login), name
    response = client.post(url("definition_publish", institution, published))
    assert response.status_code == 302 and response["Location"].startswith(login)
    assert client.get(url("definition_publish", institution, published)).status_code == 302


def test_an_office_member_without_two_factors_is_sent_to_set_them_up(client, institution):
    office = InstitutionMembershipFactory(
        institution=institution, role=InstitutionMembership.Role.OFFICE_STAFF
    ).user
    client.force_login(office)

    response = client.post(url("definition_create", institution), {"title_en": "No TOTP"})

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert CredentialDefinition.objects.count() == 0


def test_another_institutions_definition_is_not_found_under_ones_own(
    client, institution, published
):
    other_office = _other_office(institution)
    other = other_office.institution_memberships.get().institution
    client.force_login(other_office)

    assert client.get(url("definition_list", other)).status_code == 200
    assert client.get(url("definition_detail", other, published)).status_code == 404
    assert client.post(url("definition_publish", other, published)).status_code == 404


# --- French ----------------------------------------------------------------------------------


def test_the_pages_render_in_french(office_client, institution, published):
    with translation.override("fr"):
        list_url = url("definition_list", institution)
        detail_url = url("definition_detail", institution, published)
        create_url = url("definition_create", institution)
        revise_url = url("definition_edit", institution, published)
    assert list_url.startswith("/fr/")

    for page_url in (list_url, detail_url, create_url):
        page = office_client.get(page_url)
        assert page.status_code == 200, page_url
        assert '<html lang="fr">' in page.content.decode(), page_url

    detail = office_client.get(detail_url).content.decode()
    assert f'href="{revise_url}"' in detail  # the published version's « Revise »
    assert 'lang="fr">Pratique de la recherche appliquée' in detail
    assert 'scope="rowgroup"' in detail
    form = office_client.get(create_url)
    content = form.content.decode()
    assert 'id="section-competencies"' in content and f'href="{list_url}"' in content
    # Every French skill label is the platform's own translation, and the page says so.
    translated = sum(
        option["translated"]
        for group in form.context["form"].skill_groups()
        for option in group["options"]
    )
    assert translated == len(esco.skills())
    assert content.count("<small>") == len(esco.skills())


def test_a_french_decimal_comma_is_understood(office_client, institution):
    with translation.override("fr"):
        create_url = url("definition_create", institution)

    response = office_client.post(create_url, {"workload_hours": "37,5", "credit_value": "0,5"})

    assert response.status_code == 302
    definition = CredentialDefinition.objects.get()
    assert (definition.workload_hours, definition.credit_value) == (Decimal("37.5"), Decimal("0.5"))
