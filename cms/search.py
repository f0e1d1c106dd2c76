"""Site search: the public Wagtail pages in the reader's language and the public expertise
profiles, through Wagtail search (WAGTAILSEARCH_BACKENDS: the database backend by default,
Elasticsearch 9 when ELASTICSEARCH_URL is set).

What is public is decided in one place each: `Page.objects.live().public()` for pages and
`matching.selectors.public_expertise_profiles()` for profiles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from matching.models import ExpertiseProfile
from matching.selectors import public_expertise_profiles
from ocip.formatting import other_language

MAX_QUERY_LENGTH = 200
# Every word must appear (in any field, in either language), on every backend: the database
# backend's default, said explicitly because Elasticsearch's default is "or".
OPERATOR = "and"
EXCERPT_WORDS = 30


@dataclass(frozen=True)
class Text:
    """A text and the language it is written in ("" when in the page's language)."""

    text: str
    lang: str = ""


@dataclass(frozen=True)
class Result:
    title: Text
    url: str
    excerpt: Text
    context: str = ""  # e.g. the institution of a profile


def _excerpt(text: str) -> str:
    return Truncator(strip_tags(text or "").strip()).words(EXCERPT_WORDS)


def search_pages(query: str, language: str, *, backend=None):
    """Live public pages of the reader's locale matching `query` (most relevant first).

    Returns Wagtail search results (sliceable, with count()), of specific pages. `backend`:
    the configured one (WAGTAILSEARCH_BACKENDS) unless given."""
    locale = Locale.objects.filter(language_code=language).first()
    pages = Page.objects.live().public().exclude(depth=1)
    pages = pages.filter(locale=locale) if locale is not None else pages.none()
    return (backend or get_search_backend()).search(query, pages.specific(), operator=OPERATOR)


def search_profiles(query: str, *, backend=None):
    """Public expertise profiles matching `query`, in either language (most relevant first)."""
    profiles = public_expertise_profiles().select_related("institution")
    return (backend or get_search_backend()).search(query, profiles, operator=OPERATOR)


def page_result(page: Page) -> Result:
    description = page.seo_description() if hasattr(page, "seo_description") else ""
    return Result(
        title=Text(page.title),
        url=page.get_url() or "",
        excerpt=Text(_excerpt(description)),
    )


def profile_result(profile: ExpertiseProfile, language: str) -> Result:
    name, name_lang = profile.text_in("name", language)
    summary, summary_lang = profile.text_in("summary", language)
    if not summary:
        summary, summary_lang = profile.text_in("title", language)
    return Result(
        title=Text(name, other_language(name_lang, language)),
        url=reverse("public_profile", kwargs={"external_id": profile.external_id}),
        excerpt=Text(_excerpt(summary), other_language(summary_lang, language)),
        context=profile.institution.name_in(language),
    )
