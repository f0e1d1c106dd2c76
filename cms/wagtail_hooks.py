"""The Wagtail admin's additions for the public site: a report of the pages that lack a
translation, with a link to edit each and to Wagtail's own "Translate" action."""

from __future__ import annotations

from django.db.models import Count
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.reports import PageReportView
from wagtail.models import Locale, Page
from wagtail.permissions import page_permission_policy


def pages_missing_a_translation(pages=None):
    """Live pages (below the tree's root) whose translation_key has no page, live or draft, in
    at least one of the site's locales."""
    locale_count = Locale.objects.count()
    complete = (
        Page.objects.values("translation_key")
        .annotate(locales=Count("locale", distinct=True))
        .filter(locales__gte=locale_count)
        .values("translation_key")
    )
    pages = Page.objects.all() if pages is None else pages
    return pages.live().filter(depth__gt=1).exclude(translation_key__in=complete)


class MissingTranslationsView(PageReportView):
    page_title = _("Pages missing a translation")
    header_icon = "globe"
    results_template_name = "cms/missing_translations_results.html"
    index_url_name = "cms_missing_translations"
    index_results_url_name = "cms_missing_translations_results"
    any_permission_required = ["add", "change", "publish"]

    def get_filename(self):
        return "pages-missing-a-translation"

    def get_queryset(self):
        editable = page_permission_policy.instances_user_has_permission_for(
            self.request.user, "change"
        )
        self.queryset = (
            pages_missing_a_translation(editable)
            .select_related("locale", "content_type")
            .order_by("locale__language_code", "path")
        )
        return super().get_queryset()

    def decorate_paginated_queryset(self, object_list):
        locales = list(Locale.objects.all())
        pages = list(object_list)
        keys = {page.translation_key for page in pages}
        present: dict = {}
        for key, locale_id in Page.objects.filter(translation_key__in=keys).values_list(
            "translation_key", "locale_id"
        ):
            present.setdefault(key, set()).add(locale_id)
        for page in pages:
            page.missing_locales = [
                locale
                for locale in locales
                if locale.pk not in present.get(page.translation_key, set())
            ]
            page.translate_url = reverse(
                "simple_translation:submit_page_translation", args=[page.pk]
            )
        return pages


class MissingTranslationsMenuItem(MenuItem):
    def is_shown(self, request):
        return page_permission_policy.user_has_any_permission(
            request.user, ["add", "change", "publish"]
        )


@hooks.register("register_admin_urls")
def register_missing_translations_urls():
    return [
        path(
            "reports/missing-translations/",
            MissingTranslationsView.as_view(),
            name="cms_missing_translations",
        ),
        path(
            "reports/missing-translations/results/",
            MissingTranslationsView.as_view(results_only=True),
            name="cms_missing_translations_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_missing_translations_menu_item():
    return MissingTranslationsMenuItem(
        _("Pages missing a translation"),
        reverse("cms_missing_translations"),
        name="missing-translations",
        icon_name="globe",
        order=1300,
    )
