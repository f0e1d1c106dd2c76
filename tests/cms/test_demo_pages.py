"""load_demo_data makes the public site in English and French through Wagtail's API, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page

from cms.demo import STORIES, public_pages_load
from cms.models import HomePage, NewsPage, StandardPage, StoryPage
from cms.wagtail_hooks import pages_missing_a_translation
from matching.search import InProcessBackend
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index():
    InProcessBackend.forget()
    yield
    InProcessBackend.forget()


def _pages() -> list[tuple[str, str]]:
    return sorted(Page.objects.filter(depth__gt=2).values_list("locale__language_code", "url_path"))


def test_load_demo_data_makes_the_public_site_in_both_languages_once(client):
    call_command("load_demo_data", stdout=StringIO())
    first = _pages()
    output = StringIO()
    call_command("load_demo_data", stdout=output)
    assert _pages() == first
    assert "New public pages: 0." in output.getvalue()

    english = [path for language, path in first if language == "en"]
    french = [path for language, path in first if language == "fr"]
    assert len(english) == len(french) > 15
    assert not pages_missing_a_translation().exists()
    for path in (
        "/home/how-it-works/for-businesses/",
        "/home/how-it-works/for-institutions/",
        "/home/how-it-works/for-students/",
        "/home/funding-partners/",
        "/home/accessibility/",
        "/home/privacy/",
        "/home/contact/",
    ):
        assert path in english
    assert "/accueil/comment-ca-marche/pour-les-entreprises/" in french
    assert "/accueil/accessibilite/" in french
    assert NewsPage.objects.filter(locale__language_code="fr").count() >= 2

    # Three success stories, told from the demo projects: the institution is the project's.
    stories = StoryPage.objects.filter(locale__language_code="en")
    assert stories.count() == 3
    projects = {p.institution.name_in("en") for p in Project.objects.select_related("institution")}
    assert {story.institution_name for story in stories} <= projects
    french_stories = StoryPage.objects.filter(locale__language_code="fr")
    assert {s.translation_key for s in french_stories} == {s.translation_key for s in stories}

    # Every page answers in its language with one h1.
    for page in Page.objects.filter(depth__gt=1).specific():
        response = client.get(page.url)
        text = response.content.decode()
        assert response.status_code == 200, page.url
        assert f'<html lang="{page.locale.language_code}">' in text, page.url
        assert text.count("<h1") == 1, page.url


def test_public_pages_load_keeps_what_editors_changed(client):
    assert public_pages_load() > 0
    privacy = StandardPage.objects.get(slug="privacy")
    privacy.title = "Privacy notice"
    privacy.save_revision().publish()
    assert public_pages_load() == 0
    assert StandardPage.objects.get(slug="privacy").title == "Privacy notice"
    # Without demo projects there is no story to tell, and nothing fails.
    assert not StoryPage.objects.exists()


def test_french_pages_use_french_typography():
    public_pages_load()
    french = StandardPage.objects.get(slug="partenaires-financiers")
    headings = [
        b["value"]["heading"] for b in french.body.raw_data if b["type"] == "call_to_action"
    ]
    assert headings == ["Lesquels conviennent à votre projet\u00a0?"]
    home = HomePage.objects.get(locale__language_code="fr")
    assert home.get_children().filter(slug="comment-ca-marche").exists()


def test_stories_cover_the_demo_projects():
    titles = {
        "Drone-based inspection of machined parts",
        "Surface defect detection on aluminium parts",
        "Preservative-free bread",
    }
    assert set(STORIES) == titles
