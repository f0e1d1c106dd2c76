"""The public site's page types: where each may go, the blocks of their bodies, how they render in
English and French (one h1, lang, the language switch, search-engine tags), the index pages'
pagination, the funding-programs block, the menus and the missing-translation report."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page

from cms.blocks import BodyBlock, CallToActionBlock
from cms.models import (
    INDEX_PAGE_SIZE,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    StoryIndexPage,
    StoryPage,
)
from cms.wagtail_hooks import pages_missing_a_translation
from matching import services
from matching.models import FundingProgram
from matching.selectors import public_funding_programs

from ..factories import CompanyMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes():
    return (
        HomePage.objects.get(locale__language_code="en"),
        HomePage.objects.get(locale__language_code="fr"),
    )


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _pair(homes, model, en: dict, fr: dict, parents=None) -> tuple[Page, Page]:
    """An English page and its French translation (same translation_key)."""
    en_parent, fr_parent = parents or homes
    english = _publish(en_parent, model(**en))
    french = model(**fr, locale=Locale.objects.get(language_code="fr"))
    french.translation_key = english.translation_key
    return english, _publish(fr_parent, french)


def _body(*blocks) -> str:
    return json.dumps(list(blocks))


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _switch_link(page: str, code: str) -> str:
    return re.search(rf'<a href="([^"]+)" lang="{code}" hreflang="{code}"', page).group(1)


@pytest.fixture
def site(homes):
    """How it works, the stories and the news, in both languages."""
    how = _pair(
        homes,
        StandardPage,
        {
            "title": "How it works",
            "slug": "how-it-works",
            "intro": "One front door.",
            "show_in_menus": True,
            "body": _body({"type": "heading", "value": {"text": "Steps", "level": "h2"}}),
        },
        {
            "title": "Comment ça marche",
            "slug": "comment-ca-marche",
            "intro": "Une porte d'entrée.",
            "show_in_menus": True,
            "body": _body({"type": "heading", "value": {"text": "Étapes", "level": "h2"}}),
        },
    )
    privacy = _pair(
        homes,
        StandardPage,
        {"title": "Privacy", "slug": "privacy", "show_in_footer": True},
        {"title": "Confidentialité", "slug": "confidentialite", "show_in_footer": True},
    )
    stories = _pair(
        homes,
        StoryIndexPage,
        {"title": "Success stories", "slug": "success-stories", "show_in_menus": True},
        {"title": "Histoires de réussite", "slug": "histoires-de-reussite", "show_in_menus": True},
    )
    story = _pair(
        homes,
        StoryPage,
        {
            "title": "Bread that stays fresh",
            "slug": "bread",
            "date": date(2026, 3, 2),
            "summary": "A bakery and a college.",
            "institution_name": "Collège La Cité",
        },
        {
            "title": "Un pain qui reste frais",
            "slug": "pain",
            "date": date(2026, 3, 2),
            "summary": "Une boulangerie et un collège.",
            "institution_name": "Collège La Cité",
        },
        parents=stories,
    )
    news = _pair(
        homes,
        NewsIndexPage,
        {"title": "News", "slug": "news"},
        {"title": "Nouvelles", "slug": "nouvelles"},
    )
    item = _pair(
        homes,
        NewsPage,
        {"title": "OCIP opens", "slug": "opens", "date": date(2026, 4, 1), "summary": "Open."},
        {
            "title": "La PCIO ouvre",
            "slug": "ouvre",
            "date": date(2026, 4, 1),
            "summary": "Ouverte.",
        },
        parents=news,
    )
    return {
        "how": how,
        "privacy": privacy,
        "stories": stories,
        "story": story,
        "news": news,
        "item": item,
    }


# --- Page types ------------------------------------------------------------------------------


def test_page_types_go_only_where_they_belong(homes, site):
    home = homes[0]
    assert set(HomePage.allowed_subpage_models()) == {StandardPage, StoryIndexPage, NewsIndexPage}
    assert StandardPage.can_create_at(home)
    assert StandardPage.can_create_at(site["how"][0])
    # One story index and one news index per home page.
    assert not StoryIndexPage.can_create_at(home)
    assert not NewsIndexPage.can_create_at(home)
    assert not StoryIndexPage.can_create_at(site["how"][0])
    assert StoryPage.can_create_at(site["stories"][0])
    assert not StoryPage.can_create_at(home)
    assert not StoryPage.can_create_at(site["news"][0])
    assert NewsPage.can_create_at(site["news"][0])
    assert not NewsPage.can_create_at(site["how"][0])
    assert StoryPage.allowed_subpage_models() == []
    assert NewsPage.allowed_subpage_models() == []
    assert not HomePage.can_create_at(home)


def test_image_block_requires_alt_text_unless_decorative(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    image = Image.objects.create(title="Lab", file=get_test_image_file())
    block = BodyBlock().child_blocks["image"]

    def value(alt: str, decorative: bool):
        return block.to_python(
            {"image": {"image": image.pk, "alt_text": alt, "decorative": decorative}, "caption": ""}
        )

    with pytest.raises(ValidationError):
        block.clean(value("", False))
    assert block.clean(value("A robot arm in the lab", False))["image"].contextual_alt_text == (
        "A robot arm in the lab"
    )
    assert block.clean(value("", True))["image"].decorative


def test_image_block_renders_its_alt_text(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    image = Image.objects.create(title="Lab", file=get_test_image_file())
    block = BodyBlock().child_blocks["image"]
    value = block.to_python(
        {
            "image": {"image": image.pk, "alt_text": "A robot arm", "decorative": False},
            "caption": "Our lab",
        }
    )
    rendered = block.render(value)
    assert 'alt="A robot arm"' in rendered
    assert "<figcaption>Our lab</figcaption>" in rendered


def test_call_to_action_needs_exactly_one_destination():
    block = CallToActionBlock()

    def value(**destinations):
        return block.to_python(
            {
                "heading": "Start",
                "text": "",
                "link_text": "Go",
                "page": None,
                "site_link": "",
                "url": "",
                **destinations,
            }
        )

    with pytest.raises(ValidationError):
        block.clean(value())
    with pytest.raises(ValidationError):
        block.clean(value(site_link="funding_guide", url="https://example.org/"))
    assert block.clean(value(site_link="funding_guide"))


def test_call_to_action_to_a_tool_links_in_the_readers_language():
    block = CallToActionBlock()
    value = block.to_python(
        {
            "heading": "Guide",
            "text": "",
            "link_text": "Read it",
            "page": None,
            "site_link": "funding_guide",
            "url": "",
        }
    )
    with translation.override("fr"):
        assert 'href="/fr/funding/"' in block.render(value)
    with translation.override("en"):
        assert 'href="/funding/"' in block.render(value)


# --- Rendering -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["how", "privacy", "stories", "story", "news", "item"])
def test_every_page_renders_in_english_and_french_and_switches_to_its_translation(
    client, site, key
):
    english, french = site[key]
    for page, code, other in ((english, "en", french), (french, "fr", english)):
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        text = response.content.decode()
        assert f'<html lang="{code}">' in text
        assert text.count("<h1") == 1
        assert html.escape(page.title) in text or page.title in html.unescape(text)
        assert _switch_link(text, other.locale.language_code) == other.url


def test_french_urls_are_french(site):
    assert site["how"][1].url == "/fr/comment-ca-marche/"
    assert site["story"][1].url == "/fr/histoires-de-reussite/pain/"
    assert site["story"][0].url == "/success-stories/bread/"


def test_story_page_shows_its_date_in_the_readers_language(client, site):
    assert "2 mars 2026" in _text(client.get(site["story"][1].url))
    assert "March 2, 2026" in _text(client.get(site["story"][0].url))


def test_search_engine_tags(client, site, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    english, french = site["how"]
    english.search_description = "How businesses reach Ontario's applied research."
    english.social_image = Image.objects.create(
        title="Lab", file=get_test_image_file(), description="A lab bench"
    )
    english.save_revision().publish()
    text = _text(client.get(english.url))
    assert (
        '<meta name="description" content="How businesses reach Ontario\'s applied research.">'
        in text
    )
    assert '<link rel="canonical" href="http://localhost/how-it-works/">' in text
    assert '<link rel="alternate" hreflang="en" href="http://localhost/how-it-works/">' in text
    assert (
        '<link rel="alternate" hreflang="fr" href="http://localhost/fr/comment-ca-marche/">' in text
    )
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://localhost/how-it-works/">' in text
    )
    assert '<meta property="og:locale" content="en_CA">' in text
    assert '<meta property="og:locale:alternate" content="fr_CA">' in text
    image = re.search(r'<meta property="og:image" content="([^"]+)">', text).group(1)
    assert image.startswith("http://testserver/") and ".fill-1200x630" in image
    assert '<meta property="og:image:alt" content="A lab bench">' in text
    assert '<meta name="twitter:card" content="summary_large_image">' in text

    french_text = _text(client.get(french.url))
    # Without its own description, the introduction describes the page.
    assert '<meta name="description" content="Une porte d\'entrée.">' in french_text
    assert '<link rel="canonical" href="http://localhost/fr/comment-ca-marche/">' in french_text
    assert '<meta name="twitter:card" content="summary">' in french_text
    assert '<meta property="og:type" content="article">' in _text(client.get(site["story"][0].url))


def test_hreflang_alternates_only_name_live_translations(client, site):
    english, french = site["how"]
    french.unpublish()
    text = client.get(english.url).content.decode()
    assert 'hreflang="fr" href=' not in text.split("</head>")[0]


# --- Index pages -----------------------------------------------------------------------------


def test_index_lists_live_children_of_its_language_newest_first_paginated(client, homes, site):
    index, french_index = site["stories"]
    for number in range(INDEX_PAGE_SIZE + 1):
        _publish(
            index,
            StoryPage(
                title=f"Story {number:02d}",
                slug=f"story-{number:02d}",
                date=date(2026, 1, 1) + timedelta(days=number),
                summary="A story.",
                institution_name="College",
            ),
        )
    draft = StoryPage(
        title="Draft story", slug="draft", date=date(2027, 1, 1), summary="x", institution_name="x"
    )
    index.add_child(instance=draft)
    draft.unpublish()

    first = _text(client.get(index.url))
    titles = re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', first)
    assert len(titles) == INDEX_PAGE_SIZE
    assert titles[:3] == ["Bread that stays fresh", "Story 10", "Story 09"]
    assert "Draft story" not in first
    assert "Page 1 of 2" in first
    second = _text(client.get(index.url, {"page": 2}))
    titles = re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', second)
    assert titles == ["Story 01", "Story 00"]
    # An impossible page number shows the last page rather than failing.
    assert client.get(index.url, {"page": "x"}).status_code == 200

    french = _text(client.get(french_index.url))
    assert re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', french) == [
        "Un pain qui reste frais"
    ]


# --- Funding programs block ------------------------------------------------------------------


def test_funding_programs_block_lists_the_engines_active_programs_in_the_readers_language(
    client, homes
):
    services.funding_programs_load_catalogue()
    block = {"type": "funding_programs", "value": {"heading": "Programs", "intro": ""}}
    english, french = _pair(
        homes,
        StandardPage,
        {"title": "Funding partners", "slug": "funding-partners", "body": _body(block)},
        {"title": "Partenaires financiers", "slug": "partenaires-financiers", "body": _body(block)},
    )
    active = list(public_funding_programs())
    assert active and FundingProgram.objects.exclude(pk__in=[p.pk for p in active]).exists()
    english_text = _text(client.get(english.url))
    french_text = _text(client.get(french.url))
    for program in active:
        assert f'href="/funding/{program.slug}/"' in english_text
        assert program.name_in("en") in english_text
        assert f'href="/fr/funding/{program.slug}/"' in french_text
        assert program.name_in("fr") in french_text
        assert program.partner_in("fr") in french_text
    for program in FundingProgram.objects.exclude(pk__in=[p.pk for p in active]):
        assert f"/funding/{program.slug}/" not in english_text
    irap = FundingProgram.objects.get(slug="nrc-irap")
    assert irap.name_fr and irap.name_fr in french_text and irap.name_fr not in english_text


def test_funding_program_names_in_english_on_a_french_page_carry_lang_en(client, homes):
    services.funding_programs_load_catalogue()
    program = public_funding_programs().first()
    FundingProgram.objects.filter(pk=program.pk).update(name_fr="")
    block = {"type": "funding_programs", "value": {"heading": "", "intro": ""}}
    _english, french = _pair(
        homes,
        StandardPage,
        {"title": "Funding", "slug": "funding-partners", "body": _body(block)},
        {"title": "Financement", "slug": "partenaires-financiers", "body": _body(block)},
    )
    text = client.get(french.url).content.decode()
    assert f'<a href="/fr/funding/{program.slug}/" lang="en">' in text


# --- Navigation ------------------------------------------------------------------------------


def _render(source: str, language: str, path: str = "/") -> str:
    request = RequestFactory().get(path)
    with translation.override(language):
        return Template("{% load cms_tags %}" + source).render(Context({"request": request}))


def test_menu_and_footer_pages_follow_the_readers_language(site):
    menu = "{% menu_pages as links %}{% for l in links %}[{{ l.title }}|{{ l.url }}]{% endfor %}"
    assert _render(menu, "en") == "[How it works|/how-it-works/][Success stories|/success-stories/]"
    assert _render(menu, "fr") == (
        "[Comment ça marche|/fr/comment-ca-marche/]"
        "[Histoires de réussite|/fr/histoires-de-reussite/]"
    )
    footer = (
        "{% footer_pages as links %}{% for l in links %}[{{ l.title }}|{{ l.url }}]{% endfor %}"
    )
    assert _render(footer, "en") == "[Privacy|/privacy/]"
    assert _render(footer, "fr") == "[Confidentialité|/fr/confidentialite/]"
    current = (
        "{% menu_pages as links %}{% for l in links %}{{ l.current }}{{ l.section }} {% endfor %}"
    )
    assert _render(current, "en", "/success-stories/bread/") == "FalseFalse FalseTrue "


def test_unpublished_pages_leave_the_menu(site):
    site["how"][0].unpublish()
    menu = "{% menu_pages as links %}{% for l in links %}[{{ l.title }}]{% endfor %}"
    assert _render(menu, "en") == "[Success stories]"


# --- Missing-translation report --------------------------------------------------------------


def test_missing_translation_report_lists_untranslated_live_pages(
    client, homes, site, platform_staff
):
    lonely = _publish(homes[0], StandardPage(title="Only in English", slug="only-english"))
    french_only = StandardPage(
        title="Seulement en français",
        slug="seulement",
        locale=Locale.objects.get(language_code="fr"),
    )
    _publish(homes[1], french_only)
    assert set(pages_missing_a_translation()) == {lonely.page_ptr, french_only.page_ptr}

    client.force_login(platform_staff)
    url = reverse("cms_missing_translations")
    response = client.get(url)
    assert response.status_code == 200
    text = _text(response)
    assert "Pages missing a translation" in text
    assert "Only in English" in text and "Seulement en français" in text
    assert "How it works" not in text  # translated
    assert reverse("wagtailadmin_pages:edit", args=[lonely.pk]) in text
    assert reverse("simple_translation:submit_page_translation", args=[lonely.pk]) in text
    assert url in _text(client.get(reverse("wagtailadmin_reports:locked_pages")))  # in the menu

    # Translated through Wagtail's own copy: it leaves the report.
    lonely.copy_for_translation(Locale.objects.get(language_code="fr"))
    assert "Only in English" not in _text(client.get(url))


def test_missing_translation_report_is_for_platform_staff_only(client):
    url = reverse("cms_missing_translations")
    assert client.get(url).status_code == 302  # to the login
    client.force_login(CompanyMembershipFactory().user)
    assert client.get(url).status_code == 403


# --- Admin -----------------------------------------------------------------------------------


def test_platform_staff_can_edit_and_add_every_page_type(client, homes, site, platform_staff):
    client.force_login(platform_staff)
    for key in ("how", "stories", "story", "news", "item"):
        for page in site[key]:
            response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
            assert response.status_code == 200, key
    for model, parent in (
        (StandardPage, homes[0]),
        (StandardPage, site["how"][0]),
        (StoryPage, site["stories"][0]),
        (NewsPage, site["news"][1]),
    ):
        url = reverse(
            "wagtailadmin_pages:add",
            args=[model._meta.app_label, model._meta.model_name, parent.pk],
        )
        assert client.get(url).status_code == 200, model
    # The Promote tab has the social image; content pages have the footer flag.
    edit = _text(client.get(reverse("wagtailadmin_pages:edit", args=[site["how"][0].pk])))
    assert 'name="social_image"' in edit and 'name="show_in_footer"' in edit


def test_platform_staff_publish_a_news_item_through_the_admin(client, site, platform_staff):
    client.force_login(platform_staff)
    index = site["news"][0]
    url = reverse("wagtailadmin_pages:add", args=["cms", "newspage", index.pk])
    response = client.post(
        url,
        {
            "title": "Second intake",
            "slug": "second-intake",
            "date": "2026-05-01",
            "summary": "A second intake opens.",
            "body-count": "0",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302, _text(response)[:2000]
    page = NewsPage.objects.get(slug="second-intake")
    assert page.live and page.locale.language_code == "en"
    assert "Second intake" in _text(client.get(index.url))


def test_pages_below_a_section_have_breadcrumbs(client, site):
    text = _text(client.get(site["story"][1].url))
    assert 'class="breadcrumbs"' in text
    assert '<li><a href="/fr/">' in text  # the home page, named "Home" in the reader's language
    assert '<a href="/fr/histoires-de-reussite/">Histoires de réussite</a>' in text
    assert '<li aria-current="page">Un pain qui reste frais</li>' in text
    assert "breadcrumbs" not in _text(client.get(site["how"][0].url))
