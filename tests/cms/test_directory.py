"""The public expertise directory: anyone searches the public profiles by words (in either
language) and filters; each public profile has a page; nothing private ever shows; the seed and
benchmark commands."""

from __future__ import annotations

import html
import io
import re
from urllib.parse import parse_qs, urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from matching.models import ExpertiseProfile, Institution, InstitutionMembership
from tests.factories import (
    CompanyMembershipFactory,
    InstitutionFactory,
    InstitutionMembershipFactory,
)

pytestmark = pytest.mark.django_db

_numbers = iter(range(1, 10**6))


def make_profile(institution, name: str, **fields) -> ExpertiseProfile:
    values = {
        "external_id": f"test-{next(_numbers)}",
        "kind": "lab",
        "title": "",
        "summary": "",
        "languages": ["en"],
        "capability_areas": [],
        "sectors": [],
        **fields,
    }
    return ExpertiseProfile.objects.create(institution=institution, name=name, **values)


def directory_url(page_language: str = "en", **params) -> str:
    with translation.override(page_language):
        url = reverse("directory")
    return url + ("?" + urlencode(params) if params else "")


def names(response) -> list[str]:
    """The names of the profiles listed, in order."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", found)).strip()
        for found in re.findall(r"<h3>(.*?)</h3>", response.content.decode(), re.S)
    ]


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def college():
    return InstitutionFactory(
        slug="north-college", name="North College", region="Northeast", kind="college"
    )


@pytest.fixture
def university():
    return InstitutionFactory(
        slug="south-university",
        name="South University",
        name_fr="Université du Sud",
        region="Toronto",
        kind="university",
    )


@pytest.fixture
def profiles(college, university):
    return {
        "robots": make_profile(
            college,
            "Robotics Lab",
            title="Industrial automation",
            summary="Cobots and vision systems for small plants.",
            capability_areas=["robotics-automation"],
            sectors=["31-33"],
            accepts_students=True,
            keywords=["machine vision"],
        ),
        "food": make_profile(
            university,
            "Food Centre",
            title="Food processing pilot plant",
            summary="Shelf life and packaging trials.",
            name_fr="Centre alimentaire",
            summary_fr="Essais de durée de conservation et d'emballage.",
            capability_areas=["food-beverage"],
            sectors=["31-33", "11"],
            languages=["en", "fr"],
        ),
        "french": make_profile(
            university,
            "Laboratoire des données",
            text_language="fr",
            title="Science des données appliquée",
            summary="Apprentissage automatique pour les PME.",
            capability_areas=["ai-data"],
            sectors=["54"],
            languages=["fr"],
            keywords=["données massives"],
        ),
        "private": make_profile(college, "Secret Lab", public=False, summary="Cobots"),
        "inactive": make_profile(college, "Dormant Lab", is_active=False, summary="Cobots"),
    }


# --- Browse and filters ----------------------------------------------------------------------


def test_anyone_browses_the_public_profiles_by_name_without_an_account(client, profiles):
    response = client.get(directory_url())
    assert response.status_code == 200
    assert names(response) == ["Food Centre", "Laboratoire des données", "Robotics Lab"]
    assert "3 expertise profiles" in text(response)
    assert "Secret Lab" not in response.content.decode()
    assert "Dormant Lab" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "cobots"}, ["Robotics Lab"]),
        ({"q": "COBOTS vision"}, ["Robotics Lab"]),
        ({"q": "cobots shelf"}, []),
        ({"q": "emballage"}, ["Food Centre"]),  # the French version of an English summary
        ({"q": "alimentaire"}, ["Food Centre"]),  # its French name
        ({"q": "machine vision"}, ["Robotics Lab"]),  # a keyword
        ({"q": "massives"}, ["Laboratoire des données"]),
        ({"q": "%"}, []),  # a literal character, not a wildcard
        ({"q": "_"}, []),
        ({"area": "food-beverage"}, ["Food Centre"]),
        ({"sector": "31-33"}, ["Food Centre", "Robotics Lab"]),
        ({"sector": "11"}, ["Food Centre"]),
        ({"institution": "north-college"}, ["Robotics Lab"]),
        ({"kind": "university"}, ["Food Centre", "Laboratoire des données"]),
        ({"region": "Northeast"}, ["Robotics Lab"]),
        ({"students": "on"}, ["Robotics Lab"]),
        ({"language": "fr"}, ["Food Centre", "Laboratoire des données"]),
        ({"language": "en", "kind": "university"}, ["Food Centre"]),
    ],
)
def test_each_filter_narrows_the_directory(client, profiles, params, expected):
    response = client.get(directory_url(**params))
    assert response.status_code == 200
    assert names(response) == expected


def test_a_search_with_no_result_explains_how_to_widen_it(client, profiles):
    response = client.get(directory_url(q="zeppelin"))
    assert response.status_code == 200
    assert "No expertise profile matches this search" in text(response)
    assert "Clear the filters" in text(response)


@pytest.mark.parametrize(
    "params",
    [
        {"area": "nonsense"},
        {"sector": "99"},
        {"institution": "nowhere"},
        {"kind": "school"},
        {"region": "Atlantis"},
        {"language": "de"},
        {"q": " ".join(["word"] * 11)},
    ],
)
def test_an_invalid_filter_value_is_explained_on_its_field_with_a_400(client, profiles, params):
    response = client.get(directory_url(**params))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert 'aria-invalid="true"' in body
    assert 'class="error-message"' in body
    # The other filters still apply: the page lists profiles.
    assert "Robotics Lab" in body


def test_the_filters_of_a_search_stay_in_its_pagination_links(client, college):
    for number in range(25):
        make_profile(college, f"Lab {number:02d}", capability_areas=["ai-data"])
    make_profile(college, "Other Lab", capability_areas=["mining"])
    response = client.get(directory_url(area="ai-data", students=""))
    assert response.status_code == 200
    assert len(names(response)) == 20
    assert "25 expertise profiles" in text(response)
    links = re.findall(r'href="\?([^"]+)" rel="next"', response.content.decode())
    assert links
    query = parse_qs(html.unescape(links[0]))
    assert query == {"area": ["ai-data"], "page": ["2"]}
    second = client.get(directory_url(area="ai-data", page=2))
    assert names(second) == [f"Lab {number:02d}" for number in range(20, 25)]


def test_french_pages_show_french_labels_and_mark_text_in_the_other_language(client, profiles):
    response = client.get(directory_url("fr"))
    assert response.status_code == 200
    body = response.content.decode()
    # The English profile with a French version: its French name, in the page's language.
    assert ">Centre alimentaire</a>" in body
    # An English text without a French version carries lang="en".
    assert 'lang="en">Robotics Lab</a>' in body
    # A French profile on the French page needs no lang attribute.
    assert '">Laboratoire des données</a>' in body
    assert 'lang="fr">Laboratoire des données' not in body
    assert "Intelligence artificielle et science des données" in body  # taxonomy label
    assert "Université du Sud" in body  # institution name in French
    english = client.get(directory_url()).content.decode()
    assert 'lang="fr">Laboratoire des données</a>' in english
    assert "Artificial intelligence and data science" in english


def test_a_page_of_results_costs_the_same_queries_whatever_its_size(client, college, university):
    make_profile(college, "Only Lab")
    with CaptureQueriesContext(connection) as one:
        client.get(directory_url())
    for number in range(30):
        make_profile(
            university if number % 2 else college,
            f"Lab {number}",
            capability_areas=["ai-data"],
            languages=["en", "fr"],
        )
    with CaptureQueriesContext(connection) as many:
        client.get(directory_url())
    assert len(many) == len(one)
    # Institutions (for the filters), the count and the page.
    assert len([query for query in many if '"matching_' in query["sql"]]) == 3


# --- A profile's public page -----------------------------------------------------------------


def test_a_public_profile_page_shows_what_it_offers_and_how_to_ask(client, profiles):
    profile = profiles["robots"]
    profile.trl_min, profile.trl_max = 4, 7
    profile.equipment = ["Six-axis arm"]
    profile.past_projects = ["Automated a bakery's packing line."]
    profile.student_levels = ["college"]
    profile.save()
    response = client.get(reverse("public_profile", args=[profile.external_id]))
    assert response.status_code == 200
    page = text(response)
    for expected in (
        "Robotics Lab",
        "Industrial automation",
        "Cobots and vision systems",
        "machine vision",
        "Robotics and automation",
        "Manufacturing",
        "Technology readiness levels 4 to 7",
        "Six-axis arm",
        "Automated a bakery's packing line.",
        "Takes students: College",
        "English",
        "North College",
        "Describe your challenge",
    ):
        assert expected in page, expected
    body = response.content.decode()
    signup = reverse("account_signup") + "?" + urlencode({"next": reverse("company_list")})
    assert f'href="{html.escape(signup)}"' in body or f'href="{signup}"' in body
    assert reverse("public_institution", args=["north-college"]) in body
    assert "Edit this profile" not in page


def test_a_signed_in_business_is_sent_to_its_companies_page(client, profiles):
    owner = CompanyMembershipFactory().user
    client.force_login(owner)
    response = client.get(reverse("public_profile", args=[profiles["robots"].external_id]))
    body = response.content.decode()
    assert f'href="{reverse("company_list")}"' in body
    assert "Edit this profile" not in body


def test_those_who_may_edit_a_profile_get_a_link_to_edit_it(client, profiles, college):
    profile = profiles["robots"]
    researcher = InstitutionMembershipFactory(
        institution=college, role=InstitutionMembership.Role.RESEARCHER
    ).user
    profile.owner = researcher
    profile.save()
    client.force_login(researcher)
    response = client.get(reverse("public_profile", args=[profile.external_id]))
    assert "Edit this profile" in response.content.decode()
    assert reverse("expertise_edit", args=[profile.external_id]) in response.content.decode()
    # Members of an institution start no diagnostic: no call to describe a challenge.
    assert "Describe your challenge" not in response.content.decode()
    # Another researcher of the institution may not edit it.
    other = InstitutionMembershipFactory(
        institution=college, role=InstitutionMembership.Role.RESEARCHER
    ).user
    client.force_login(other)
    response = client.get(reverse("public_profile", args=[profile.external_id]))
    assert "Edit this profile" not in response.content.decode()


@pytest.mark.parametrize("which", ["private", "inactive"])
def test_a_profile_that_is_not_public_has_no_public_page(client, profiles, which):
    response = client.get(reverse("public_profile", args=[profiles[which].external_id]))
    assert response.status_code == 404
    assert client.get(reverse("public_profile", args=["no-such-profile"])).status_code == 404


def test_a_profile_page_in_french_marks_english_text(client, profiles):
    with translation.override("fr"):
        url = reverse("public_profile", args=[profiles["robots"].external_id])
    body = client.get(url).content.decode()
    assert '<h1 lang="en">Robotics Lab</h1>' in body
    assert 'lang="en">machine vision' in body
    assert "Robotique et automatisation" in body


def test_nothing_of_requests_or_capacity_shows_on_a_profile_page(client, profiles):
    profile = profiles["robots"]
    profile.capacity = 3
    profile.save()
    page = text(client.get(reverse("public_profile", args=[profile.external_id])))
    for private in ("capacity", "projects it can take", "under way", "open request", "load"):
        assert private not in page.lower()


# --- The page cache --------------------------------------------------------------------------


def test_visitors_get_a_cached_copy_until_a_profile_changes(client, settings, profiles):
    settings.OCIP_PUBLIC_CACHE_SECONDS = 60
    first = client.get(directory_url())
    assert "Robotics Lab" in names(first)
    # A write that sends no signal: the cached copy is still served.
    ExpertiseProfile.objects.filter(pk=profiles["robots"].pk).update(name="Renamed quietly")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(directory_url())
    assert second.content == first.content
    assert not [query for query in queries if "matching_expertiseprofile" in query["sql"]]
    # A save (as the offices' edits do) makes every cached page stale.
    profile = ExpertiseProfile.objects.get(pk=profiles["robots"].pk)
    profile.name = "Robotics and Vision Lab"
    profile.save()
    third = client.get(directory_url())
    assert "Robotics and Vision Lab" in names(third)


# --- Seed and benchmark commands ---------------------------------------------------------------


def test_the_seed_command_adds_synthetic_public_profiles_and_clear_removes_only_them(
    profiles, college, university
):
    out = io.StringIO()
    call_command("seed_directory", count=120, stdout=out)
    synthetic = ExpertiseProfile.objects.filter(external_id__startswith="synthetic-")
    assert synthetic.count() == 120
    assert synthetic.filter(public=True, is_active=True).count() == 120
    assert set(synthetic.values_list("institution_id", flat=True)) <= set(
        Institution.objects.values_list("pk", flat=True)
    )
    assert synthetic.filter(text_language="fr").exists()
    assert len(set(synthetic.values_list("name", flat=True))) > 60
    call_command("seed_directory", count=0, clear=True, stdout=out)
    assert not ExpertiseProfile.objects.filter(external_id__startswith="synthetic-").exists()
    assert ExpertiseProfile.objects.filter(pk=profiles["private"].pk).exists()


def test_the_bench_command_reports_the_directory_figures(profiles):
    out = io.StringIO()
    call_command("bench_directory", requests=2, warmup=0, stdout=out)
    output = out.getvalue()
    assert "first page" in output
    assert "cache on" in output and "cache off" in output
    assert "p95" in output
    assert output.strip().splitlines()[-1].startswith("{")


def test_a_search_that_finds_very_many_profiles_says_more_than_the_cap(
    client, college, monkeypatch
):
    from cms import directory_views

    monkeypatch.setattr(directory_views, "COUNT_CAP", 20)
    for number in range(25):
        make_profile(college, f"Lab {number:02d}", summary="Sensors.")
    searched = client.get(directory_url(q="sensors"))
    assert "More than 20 expertise profiles" in text(searched)
    assert "Add words or filters" in text(searched)
    assert len(names(searched)) == 20
    # Browsing without a search counts every profile.
    assert "25 expertise profiles" in text(client.get(directory_url()))


def test_the_trigram_index_is_made_on_the_very_expression_the_search_uses():
    import importlib

    from cms.directory import SEARCH_EXPRESSION

    migration = importlib.import_module("matching.migrations.0007_directory_search_indexes")
    # The query names the table (it may join the institution); the index cannot.
    unqualified = SEARCH_EXPRESSION.replace('"matching_expertiseprofile".', "").replace('"', "")
    assert unqualified == migration.SEARCH_EXPRESSION


def test_a_french_profile_page_writes_lists_and_labels_the_french_way(client, college):
    profile = make_profile(
        college,
        "Labo",
        accepts_students=True,
        student_levels=["college", "undergraduate"],
        capability_areas=["ai-data", "robotics-automation"],
    )
    page = client.get(f"/fr/expertise/{profile.external_id}/").content.decode()
    with translation.override("fr"):
        takes = translation.gettext("Takes students")
        levels = ", ".join(translation.gettext(level) for level in ("College", "Undergraduate"))
    assert f"<dd>{takes}\xa0: {levels}</dd>" in page
    assert "\xa0; " in page  # the two capability areas
