"""/sitemap.xml: an index of sections listing every public page in both languages, each with its
hreflang alternates and x-default."""

from pathlib import Path

import django.contrib.sitemaps
import pytest
from defusedxml import ElementTree as ET
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, PageViewRestriction

from cms.models import HomePage, StandardPage
from cms.sitemaps import ExpertiseSitemap, _PerLanguage
from matching import services
from matching.models import ExpertiseProfile, FundingProgram
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
BASE = "http://testserver"


@pytest.fixture(autouse=True)
def _sitemap_templates(settings):
    """Django's sitemap templates, found through the app once it is installed."""
    if "django.contrib.sitemaps" not in settings.INSTALLED_APPS:
        templates = Path(django.contrib.sitemaps.__file__).parent / "templates"
        settings.TEMPLATES = [
            {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], templates]}
        ]


def _urls(client, address: str) -> dict[str, dict]:
    """{location: {"lastmod": ..., "alternates": {hreflang: href}}} of one sitemap file."""
    response = client.get(address)
    assert response.status_code == 200, address
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    urls = {}
    for url in root.findall("s:url", NS):
        lastmod = url.find("s:lastmod", NS)
        urls[url.find("s:loc", NS).text] = {
            "lastmod": lastmod.text if lastmod is not None else None,
            "alternates": {
                link.get("hreflang"): link.get("href")
                for link in url.findall("xhtml:link", NS)
                if link.get("rel") == "alternate"
            },
        }
    return urls


def _reverse(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return BASE + reverse(name, kwargs=kwargs or None)


def _profile(external_id: str, institution, **fields) -> ExpertiseProfile:
    return ExpertiseProfile.objects.create(
        external_id=external_id, institution=institution, kind="lab", name=external_id, **fields
    )


def test_the_index_lists_every_section(client):
    response = client.get(reverse("sitemap_index"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    locations = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert locations == [
        BASE + reverse("sitemap_section", kwargs={"section": section})
        for section in ("pages", "lists", "institutions", "expertise", "funding")
    ]
    assert reverse("sitemap_index") == "/sitemap.xml"
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_wagtail_pages_in_both_languages_with_alternates_and_x_default(client):
    english_home = HomePage.objects.get(locale__language_code="en")
    how = english_home.add_child(instance=StandardPage(title="How it works", slug="how-it-works"))
    how.save_revision().publish()
    french = how.copy_for_translation(Locale.objects.get(language_code="fr"))
    french.title, french.slug = "Comment ça marche", "comment-ca-marche"
    french.save_revision().publish()
    english_only = english_home.add_child(
        instance=StandardPage(title="Accessibility", slug="accessibility")
    )
    english_only.save_revision().publish()
    english_home.add_child(instance=StandardPage(title="Draft", slug="draft", live=False))
    private = english_home.add_child(instance=StandardPage(title="Members", slug="members"))
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    urls = _urls(client, reverse("sitemap_section", kwargs={"section": "pages"}))

    pair = {
        "en": BASE + "/how-it-works/",
        "fr": BASE + "/fr/comment-ca-marche/",
        "x-default": BASE + "/how-it-works/",
    }
    assert urls[BASE + "/how-it-works/"]["alternates"] == pair
    assert urls[BASE + "/fr/comment-ca-marche/"]["alternates"] == pair
    assert urls[BASE + "/how-it-works/"]["lastmod"] is not None
    # The home pages are translations of each other too.
    assert urls[BASE + "/"]["alternates"]["fr"] == BASE + "/fr/"
    assert BASE + "/fr/" in urls
    # A page with no French translation: no French address and no French alternate.
    assert urls[BASE + "/accessibility/"]["alternates"] == {
        "en": BASE + "/accessibility/",
        "x-default": BASE + "/accessibility/",
    }
    assert not any("accessibility" in location for location in urls if "/fr/" in location)
    assert BASE + "/draft/" not in urls
    assert BASE + "/members/" not in urls


def test_a_french_only_page_has_no_x_default(client):
    french_home = HomePage.objects.get(locale__language_code="fr")
    news = french_home.add_child(instance=StandardPage(title="Nouvelles", slug="nouvelles"))
    news.save_revision().publish()
    urls = _urls(client, reverse("sitemap_section", kwargs={"section": "pages"}))
    assert urls[BASE + "/fr/nouvelles/"]["alternates"] == {"fr": BASE + "/fr/nouvelles/"}


def test_public_profiles_in_both_languages_and_no_private_one(client):
    institution = InstitutionFactory(slug="north", name="North College")
    _profile("shown-1", institution)
    _profile("private-1", institution, public=False)
    _profile("inactive-1", institution, is_active=False)

    urls = _urls(client, reverse("sitemap_section", kwargs={"section": "expertise"}))

    english = _reverse("public_profile", external_id="shown-1")
    french = _reverse("public_profile", "fr", external_id="shown-1")
    assert english == BASE + "/expertise/shown-1/"
    assert french == BASE + "/fr/expertise/shown-1/"
    assert set(urls) == {english, french}
    assert urls[french]["alternates"] == {"en": english, "fr": french, "x-default": english}
    assert urls[english]["lastmod"] is not None


def test_institutions_funding_programs_and_list_pages(client):
    InstitutionFactory(slug="north", name="North College")
    services.funding_programs_load_catalogue()

    institutions = _urls(client, reverse("sitemap_section", kwargs={"section": "institutions"}))
    assert _reverse("public_institution", slug="north") in institutions
    assert _reverse("public_institution", "fr", slug="north") in institutions

    funding = _urls(client, reverse("sitemap_section", kwargs={"section": "funding"}))
    active = FundingProgram.objects.filter(status=FundingProgram.Status.ACTIVE)
    assert active.exists()
    for program in active:
        for language in ("en", "fr"):
            assert _reverse("funding_program", language, slug=program.slug) in funding
    for program in FundingProgram.objects.exclude(status=FundingProgram.Status.ACTIVE):
        assert _reverse("funding_program", slug=program.slug) not in funding
    assert len(funding) == 2 * active.count()

    lists = _urls(client, reverse("sitemap_section", kwargs={"section": "lists"}))
    for name in ("catalogue", "funding_guide", "directory", "public_institution_list"):
        assert lists[_reverse(name)]["alternates"]["fr"] == _reverse(name, "fr")


def test_a_large_section_spans_several_files_of_the_index(client, monkeypatch):
    monkeypatch.setattr(ExpertiseSitemap, "limit", 3)
    institution = InstitutionFactory(slug="north", name="North College")
    for number in range(4):
        _profile(f"lab-{number}", institution)  # 4 profiles x 2 languages = 8 addresses

    root = ET.fromstring(client.get(reverse("sitemap_index")).content)
    section = BASE + reverse("sitemap_section", kwargs={"section": "expertise"})
    locations = [loc.text for loc in root.findall("s:sitemap/s:loc", NS)]
    assert [loc for loc in locations if loc.startswith(section)] == [
        section,
        f"{section}?p=2",
        f"{section}?p=3",
    ]

    address = reverse("sitemap_section", kwargs={"section": "expertise"})
    files = [_urls(client, f"{address}?p={number}") for number in (1, 2, 3)]
    assert [len(urls) for urls in files] == [3, 3, 2]
    listed = [location for urls in files for location in urls]
    assert len(set(listed)) == 8
    assert files[0] == _urls(client, address)
    assert client.get(f"{address}?p=4").status_code == 404


def test_per_language_pairs_are_sliced_in_the_database():
    institution = InstitutionFactory(slug="north", name="North College")
    for number in range(3):
        _profile(f"p-{number}", institution)
    queryset = ExpertiseProfile.objects.order_by("pk")
    pairs = _PerLanguage(queryset, ["en", "fr"])
    every = [(profile.external_id, language) for profile in queryset for language in ("en", "fr")]
    assert len(pairs) == 6
    for start in range(7):
        for stop in range(start, 8):
            assert [(p.external_id, lang) for p, lang in pairs[start:stop]] == every[start:stop]
    assert (pairs[3][0].external_id, pairs[3][1]) == every[3]
