"""Site search (/search/): the public pages in the reader's language and the public expertise
profiles, through Wagtail search (the database backend here)."""

import html
import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Page, PageViewRestriction

from cms import search
from cms.models import HomePage, StandardPage
from matching.models import ExpertiseProfile, Institution
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _url(language="en", **params):
    with translation.override(language):
        base = reverse("site_search")
    if not params:
        return base
    return f"{base}?{urlencode(params)}"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _home(language: str) -> HomePage:
    return HomePage.objects.get(locale__language_code=language)


def _page(language: str, title: str, intro: str = "", *, slug: str) -> StandardPage:
    page = _home(language).add_child(instance=StandardPage(title=title, slug=slug, intro=intro))
    page.save_revision().publish()
    return page


def _profile(external_id: str, name: str, **fields) -> ExpertiseProfile:
    institution: Institution = fields.pop("institution", None) or InstitutionFactory.create(
        slug="northern-college", name="Northern College", name_fr="Collège du Nord"
    )
    return ExpertiseProfile.objects.create(
        external_id=external_id,
        institution=institution,
        kind="lab",
        name=name,
        summary=fields.pop("summary", ""),
        **fields,
    )


def test_empty_query_shows_only_the_form_with_suggestions(client):
    response = client.get(_url())
    page = _text(response)
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert 'role="search"' in page
    assert "Not sure where to start?" in page
    assert reverse("directory") in page
    assert reverse("funding_guide") in page
    assert "pages-heading" not in page and "profiles-heading" not in page


def test_pages_are_found_in_the_readers_language_only(client):
    _page("en", "How it works for businesses", "Describe your challenge", slug="how-it-works")
    _page("fr", "Comment ça marche", "Décrivez votre défi aux entreprises", slug="comment")
    draft = _home("en").add_child(
        instance=StandardPage(title="Businesses draft", slug="draft", live=False)
    )
    private = _page("en", "Businesses private", slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    english = _text(client.get(_url(q="businesses")))
    assert "How it works for businesses" in english
    assert "Describe your challenge" in english  # the excerpt
    assert 'href="/how-it-works/"' in english
    assert "Comment ça marche" not in english
    assert draft.title not in english and private.title not in english

    french = _text(client.get(_url("fr", q="entreprises")))
    assert '<html lang="fr">' in french
    assert "Comment ça marche" in french
    assert 'href="/fr/comment/"' in french
    assert "How it works for businesses" not in french


def test_only_public_profiles_are_found(client):
    shown = _profile("pub-1", "Robotics Lab", summary="Industrial robotics and automation.")
    _profile(
        "hidden-1",
        "Robotics Secret Lab",
        summary="Robotics work not for the public.",
        public=False,
        institution=shown.institution,
    )
    _profile(
        "inactive-1",
        "Robotics Retired Lab",
        summary="Robotics, no longer offered.",
        is_active=False,
        institution=shown.institution,
    )
    response = client.get(_url(q="robotics"))
    page = _text(response)
    assert response.status_code == 200
    assert "Robotics Lab" in page
    assert "Industrial robotics and automation." in page
    assert reverse("public_profile", kwargs={"external_id": "pub-1"}) in page
    assert "Northern College" in page
    assert "Secret" not in page and "Retired" not in page
    assert "1 expertise profile" in page


def test_a_saved_profile_is_indexed_and_found_by_its_french_version(client):
    profile = _profile("fr-1", "Food Safety Lab", summary="Shelf life testing.")
    assert [p.external_id for p in search.search_profiles("conservation")] == []
    profile.summary_fr = "Essais de durée de conservation."
    profile.save()
    assert [p.external_id for p in search.search_profiles("conservation")] == ["fr-1"]

    page = _text(client.get(_url("fr", q="conservation")))
    # The French version is shown on the French page, with no lang attribute; the name, written
    # in English only, carries lang="en".
    assert "Essais de durée de conservation." in page
    assert '<a href="/fr/expertise/fr-1/" lang="en">Food Safety Lab</a>' in page
    assert "Collège du Nord" in page

    english = _text(client.get(_url(q="shelf")))
    assert "Shelf life testing." in english
    assert 'lang="en"' not in english.split("profiles-heading")[1]


def test_a_profile_made_private_is_no_longer_found():
    profile = _profile("p-1", "Welding Centre", summary="Welding.")
    assert search.search_profiles("welding").count() == 1
    profile.public = False
    profile.save()
    assert search.search_profiles("welding").count() == 0


def test_update_index_fills_the_index_for_profiles_and_pages():
    _profile("bulk-1", "Hydroponics Lab", summary="Vertical farming.")
    _page("en", "Hydroponics story", slug="hydroponics")
    call_command("update_index", verbosity=0)
    assert [p.external_id for p in search.search_profiles("hydroponics")] == ["bulk-1"]
    assert [p.title for p in search.search_pages("hydroponics", "en")] == ["Hydroponics story"]


def test_no_results_is_helpful(client):
    response = client.get(_url(q="xylophones"))
    page = _text(response)
    assert response.status_code == 200
    assert "No results for “xylophones”." in page
    assert reverse("directory") in page
    assert reverse("funding_guide") in page


def test_too_long_query_is_a_400_with_a_message(client):
    response = client.get(_url(q="a" * 201))
    page = _text(response)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "at most 200 characters" in page
    assert 'aria-invalid="true"' in page or "error-message" in page
    assert client.get(_url(q="a" * 200)).status_code == 200


def test_unknown_section_is_a_400(client):
    response = client.get(_url(q="lab", section="everything-else"))
    assert response.status_code == 400
    assert "is not one of the choices" in _text(response)


def test_results_are_paginated_ten_per_section(client):
    institution = InstitutionFactory(slug="big-college", name="Big College")
    for number in range(23):
        _profile(f"lab-{number}", f"Sensor Lab {number}", institution=institution)

    everything = _text(client.get(_url(q="sensor")))
    assert "23 expertise profiles" in everything
    assert everything.count("Sensor Lab ") == 10
    assert "See all results: 23 expertise profiles" in everything
    assert 'rel="next"' not in everything

    pages = [
        _text(client.get(_url(q="sensor", section="profiles", page=number))) for number in (1, 2, 3)
    ]
    assert [page.count("Sensor Lab ") for page in pages] == [10, 10, 3]
    assert "Page 1 of 3" in pages[0] and "Page 3 of 3" in pages[2]
    assert 'href="?q=sensor&section=profiles&page=2" rel="next"' in pages[0]
    assert "pages-heading" not in pages[0]
    found = {
        external_id
        for page in pages
        for external_id in re.findall(r'href="/expertise/(lab-\d+)/"', page)
    }
    assert len(found) == 23


def test_search_pages_skips_roots_and_other_locales():
    assert Locale.objects.filter(language_code="fr").exists()
    _page("en", "Accessibility statement", slug="accessibility")
    titles = [page.title for page in search.search_pages("accessibility", "fr")]
    assert titles == []
    assert all(page.depth > 1 for page in search.search_pages("home", "en"))
    assert Page.objects.filter(depth=1).exists()


def test_loading_the_catalogue_indexes_every_profile_at_once_and_saves_index_one_by_one_after():
    from matching.services import expertise_load_catalogue, institutions_load_catalogue

    institutions_load_catalogue()
    expertise_load_catalogue()  # indexed in bulk, not one save at a time
    found = [profile.external_id for profile in search.search_profiles("balados")]
    assert "w1-051" in found
    profile = ExpertiseProfile.objects.get(external_id="w1-051")
    profile.summary_fr = "Zygomorphes"
    profile.summary = "Zygomorphic"
    profile.save()  # each save is indexed again once the load is over
    assert [p.external_id for p in search.search_profiles("zygomorphic")] == ["w1-051"]
