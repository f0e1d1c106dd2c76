"""/sitemap.xml: every public page in both languages, with `hreflang` alternates and x-default.

Django's sitemap framework with `i18n`: each item is listed once per language it exists in, with
its other languages as alternates. Wagtail's pages are one page per locale, tied together by
their `translation_key`: here one item is the set of translations of a page (Wagtail's own
sitemap lists one language only). The public directory (profiles and institutions) and the
funding guide read the same selectors as their pages. With 100,000 profiles in two languages a
section spans several files: /sitemap.xml is an index of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils.translation import get_language
from wagtail.models import Page

from matching.selectors import (
    public_expertise_profiles,
    public_funding_programs,
    public_institutions,
)


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class _PerLanguage(Sequence):
    """(object, language) pairs of a queryset, fetched one slice at a time: a sitemap file
    reads only its own rows (Django's i18n sitemap builds the whole list for every file)."""

    def __init__(self, queryset: QuerySet, languages: list[str]):
        self.queryset = queryset
        self.languages = languages
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.queryset.count() * len(self.languages)
        return self._count

    def __getitem__(self, index):
        width = len(self.languages)
        if not isinstance(index, slice):
            row = self.queryset[index // width]
            return (row, self.languages[index % width])
        start, stop, _step = index.indices(len(self))
        rows = self.queryset[start // width : math.ceil(stop / width)]
        pairs = [(row, language) for row in rows for language in self.languages]
        offset = start - (start // width) * width
        return pairs[offset : offset + max(stop - start, 0)]


class _I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class _QuerySetSitemap(_I18nSitemap):
    """A sitemap over a queryset, every object in every language, paginated in the database."""

    date_field = "updated_at"

    def queryset(self) -> QuerySet:
        raise NotImplementedError

    def items(self):
        return self.queryset()

    @property
    def paginator(self) -> Paginator:
        return Paginator(_PerLanguage(self.queryset(), _languages()), self.limit)

    def lastmod(self, item) -> datetime | None:
        return getattr(item, self.date_field)

    def get_latest_lastmod(self) -> datetime | None:
        return self.queryset().aggregate(latest=Max(self.date_field))["latest"]


class ExpertiseSitemap(_QuerySetSitemap):
    # Each file lists this many addresses (a few MB); /sitemap.xml indexes the files.
    limit = 10_000

    def queryset(self) -> QuerySet:
        return public_expertise_profiles().order_by("pk").only("external_id", "updated_at")

    def location(self, item) -> str:
        return reverse("public_profile", kwargs={"external_id": item.external_id})


class InstitutionSitemap(_QuerySetSitemap):
    def queryset(self) -> QuerySet:
        return public_institutions().order_by("pk").only("slug", "updated_at")

    def location(self, item) -> str:
        return reverse("public_institution", kwargs={"slug": item.slug})


class FundingSitemap(_QuerySetSitemap):
    def queryset(self) -> QuerySet:
        return public_funding_programs().only("slug", "updated_at")

    def location(self, item) -> str:
        return reverse("funding_program", kwargs={"slug": item.slug})


class ListingSitemap(_I18nSitemap):
    """The public list pages that are views rather than Wagtail pages."""

    names = ("directory", "public_institution_list", "funding_guide", "catalogue")

    def items(self):
        return list(self.names)

    def location(self, item: str) -> str:
        return reverse(item)


@dataclass
class Translations:
    """One Wagtail page in each language it is published in: {language: (path, published)}."""

    key: str
    pages: dict[str, tuple[str, datetime | None]] = field(default_factory=dict)


class WagtailPageSitemap(_I18nSitemap):
    """Every live public Wagtail page, once per language it is published in."""

    def items(self) -> list[Translations]:
        groups: dict[str, Translations] = {}
        pages = (
            Page.objects.live()
            .public()
            .exclude(depth=1)
            .select_related("locale")
            .order_by("path")
            .only("url_path", "locale", "translation_key", "last_published_at", "path")
        )
        for page in pages:
            parts = page.get_url_parts()
            if parts is None:  # not under any site's root: no address
                continue
            group = groups.setdefault(str(page.translation_key), Translations(page.translation_key))
            group.pages[page.locale.language_code] = (parts[2], page.last_published_at)
        return list(groups.values())

    def get_languages_for_item(self, item: Translations) -> list[str]:
        return [language for language in _languages() if language in item.pages]

    def location(self, item: Translations) -> str:
        return item.pages[get_language()][0]

    def lastmod(self, item: Translations) -> datetime | None:
        dates = [published for _path, published in item.pages.values() if published]
        return max(dates, default=None)


SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": WagtailPageSitemap,
    "lists": ListingSitemap,
    "institutions": InstitutionSitemap,
    "expertise": ExpertiseSitemap,
    "funding": FundingSitemap,
}
