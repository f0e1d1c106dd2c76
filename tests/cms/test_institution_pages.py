"""The public institution pages: the member institutions by kind with their public profile
counts, and one page per institution with its public profiles and published micro-credentials;
members get a link to manage it."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from matching.models import InstitutionMembership
from projects import esco
from projects.models import CredentialDefinition
from tests.cms.test_directory import make_profile
from tests.credentials.conftest import complete_fields
from tests.factories import InstitutionFactory, InstitutionMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def published(institution, title: str, state=CredentialDefinition.State.PUBLISHED):
    values = complete_fields(sorted(esco.skills())[0])
    values.update({"title_en": title, "title_fr": f"{title} (fr)"})
    return CredentialDefinition.objects.create(
        institution=institution,
        state=state,
        published_at=timezone.now() if state == CredentialDefinition.State.PUBLISHED else None,
        **values,
    )


@pytest.fixture
def college():
    return InstitutionFactory(
        slug="north-college",
        name="North College",
        name_fr="Collège du Nord",
        kind="college",
        city="Sudbury",
        region="Northeast",
        languages=["en", "fr"],
        website="https://north.example",
        description="The research office of North College.",
    )


@pytest.fixture
def university():
    return InstitutionFactory(
        slug="south-university", name="South University", kind="university", region="Toronto"
    )


def test_the_institutions_are_listed_by_kind_with_their_public_profile_counts(
    client, college, university
):
    make_profile(college, "Robotics Lab")
    make_profile(college, "Food Centre")
    make_profile(college, "Secret Lab", public=False)
    make_profile(university, "Dormant Lab", is_active=False)
    response = client.get(reverse("public_institution_list"))
    assert response.status_code == 200
    page = text(response)
    assert "College North College Sudbury, Northeast 2 public expertise profiles" in page
    assert "University South University" in page
    assert "0 public expertise profiles" in page
    assert page.index("College North College") < page.index("University South University")


def test_the_institutions_list_filters_by_kind_and_region_and_explains_bad_values(
    client, college, university
):
    page = text(client.get(reverse("public_institution_list") + "?kind=university"))
    assert "South University" in page and "North College" not in page
    page = text(client.get(reverse("public_institution_list") + "?region=Northeast"))
    assert "North College" in page and "South University" not in page
    response = client.get(reverse("public_institution_list") + "?region=Atlantis")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_institutions_list_counts_profiles_in_one_grouped_query(client, college, university):
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("public_institution_list"))
    for number in range(10):
        make_profile(college if number % 2 else university, f"Lab {number}")
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("public_institution_list"))
    assert len(after) == len(before)


def test_an_institution_page_lists_its_public_profiles_and_micro_credentials(
    client, college, university
):
    make_profile(college, "Robotics Lab", summary="Cobots.")
    make_profile(college, "Secret Lab", public=False)
    make_profile(college, "Dormant Lab", is_active=False)
    make_profile(university, "Elsewhere Lab")
    definition = published(college, "Applied robotics")
    published(college, "Draft credential", state=CredentialDefinition.State.DRAFT)
    published(university, "Other credential")
    response = client.get(reverse("public_institution", args=["north-college"]))
    assert response.status_code == 200
    page = text(response)
    for expected in (
        "North College",
        "College",
        "Sudbury, Northeast",
        "English, French",
        "https://north.example",
        "The research office of North College.",
        "1 public expertise profile",
        "Robotics Lab",
        "Applied robotics",
    ):
        assert expected in page, expected
    for absent in ("Secret Lab", "Dormant Lab", "Elsewhere Lab", "Draft credential", "Other"):
        assert absent not in page, absent
    body = response.content.decode()
    catalogue = reverse("catalogue") + "?" + urlencode({"institution": "north-college"})
    assert f'href="{catalogue}"' in body
    assert (
        reverse(
            "definition_public",
            kwargs={"lineage": definition.lineage, "version": definition.version},
        )
        in body
    )
    assert "Manage this institution" not in page


def test_an_institution_page_in_french(client, college):
    published(college, "Applied robotics")
    with translation.override("fr"):
        url = reverse("public_institution", args=["north-college"])
    body = client.get(url).content.decode()
    assert "<h1>Collège du Nord</h1>" in body
    # The description exists in English only: marked as English on the French page.
    assert 'lang="en">The research office of North College.' in body
    assert "Applied robotics (fr)" in body


def test_an_institution_page_links_to_the_directory_for_the_rest_of_its_profiles(client, college):
    for number in range(15):
        make_profile(college, f"Lab {number:02d}")
    response = client.get(reverse("public_institution", args=["north-college"]))
    page = text(response)
    assert "15 public expertise profiles" in page
    assert page.count("Lab ") >= 12
    assert "Lab 12" not in page
    link = reverse("directory") + "?" + urlencode({"institution": "north-college"})
    assert f'href="{link}"' in response.content.decode()


def test_only_members_are_offered_to_manage_the_institution(client, college, university):
    member = InstitutionMembershipFactory(
        institution=college, role=InstitutionMembership.Role.RESEARCHER
    ).user
    outsider = InstitutionMembershipFactory(
        institution=university, role=InstitutionMembership.Role.RESEARCHER
    ).user
    url = reverse("public_institution", args=["north-college"])
    client.force_login(outsider)
    assert "Manage this institution" not in client.get(url).content.decode()
    client.force_login(member)
    body = client.get(url).content.decode()
    assert "Manage this institution" in body
    assert reverse("institution_detail", args=["north-college"]) in body
    client.force_login(UserFactory())
    assert "Manage this institution" not in client.get(url).content.decode()


def test_an_unknown_institution_is_not_found(client, college):
    assert client.get(reverse("public_institution", args=["nowhere"])).status_code == 404


def test_an_institution_page_costs_the_same_queries_whatever_its_profiles(client, college):
    url = reverse("public_institution", args=["north-college"])
    make_profile(college, "Only Lab", capability_areas=["ai-data"])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(8):
        make_profile(college, f"Lab {number}", capability_areas=["ai-data"], languages=["fr"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)
