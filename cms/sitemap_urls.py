"""/sitemap.xml (outside the language prefixes: one sitemap lists both languages).

/sitemap.xml is an index of the sections' files (/sitemap-<section>.xml, ?p=2... when a section
holds more addresses than one file may), each address with its `hreflang` alternates."""

from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.urls import path, reverse

from ocip.public_cache import cache_for_visitors

from .sitemaps import SITEMAPS


def robots_txt(request):
    """Crawlers may read the public pages, not the members' or the admins'; the sitemap says
    where the public ones are."""
    disallowed = ["/manage/", "/fr/manage/", "/cms-admin/", "/django-admin/", "/api/"]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in disallowed)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("robots.txt", robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        cache_for_visitors(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<slug:section>.xml",
        cache_for_visitors(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
