"""The public site's navigation and search-engine tags."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from cms.models import HomePage, StandardPage
from ocip.public_cache import content_generation, page_cache

register = template.Library()

# Open Graph locales of the site's languages.
OG_LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def _home() -> HomePage | None:
    """The live home page of the current language (the English one when it has none)."""
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        locale = None
    homes = HomePage.objects.live()
    return (homes.filter(locale=locale).first() if locale else None) or homes.filter(
        locale__language_code=settings.LANGUAGE_CODE
    ).first()


def _site_links(request) -> dict[str, list[tuple[str, str]]]:
    """The menu's and the footer's (title, address) pairs in the current language. Every page
    shows them: cached together until public content changes, and read once per request."""
    if request is not None and hasattr(request, "_ocip_site_links"):
        return request._ocip_site_links
    key = f"cms-links:{content_generation()}:{get_language()}"
    found = page_cache().get(key)
    if found is None:
        home = _home()
        found = {"menu": [], "footer": []}
        if home is not None:
            found["menu"] = _addresses(home.get_children().live().public().in_menu(), request)
            footer = StandardPage.objects.live().public().descendant_of(home)
            found["footer"] = _addresses(footer.filter(show_in_footer=True), request)
        page_cache().set(key, found, 3600)
    if request is not None:
        request._ocip_site_links = found
    return found


def _addresses(pages, request) -> list[tuple[str, str]]:
    pairs = [(page.title, page.get_url(request=request)) for page in pages.order_by("path")]
    return [(title, url) for title, url in pairs if url]


def _links(pairs: list[tuple[str, str]], request) -> list[dict]:
    """Each link: title, url, current (this page) and section (a page under it)."""
    path = request.path if request is not None else ""
    return [
        {
            "title": title,
            "url": url,
            "current": path == url,
            "section": path != url and path.startswith(url),
        }
        for title, url in pairs
    ]


@register.simple_tag(takes_context=True)
def menu_pages(context) -> list[dict]:
    """The main menu: live children of this language's home page marked "show in menus", in
    the order of the page tree."""
    request = context.get("request")
    return _links(_site_links(request)["menu"], request)


@register.simple_tag(takes_context=True)
def footer_pages(context) -> list[dict]:
    """The footer's links: live content pages of this language marked "show in footer"."""
    request = context.get("request")
    return _links(_site_links(request)["footer"], request)


@register.simple_tag(takes_context=True)
def seo_meta(context) -> dict:
    """What search engines and link previews read of a page: its description, canonical
    address, its live translations (hreflang alternates) and its sharing image."""
    page = context.get("page")
    request = context.get("request")
    if page is None or not isinstance(page, Page):
        return {}
    language = page.locale.language_code
    translations = list(
        page.get_translations(inclusive=True)
        .live()
        .select_related("locale")
        .order_by("locale__language_code")
    )
    alternates = []
    for translation in translations:
        url = translation.get_full_url(request=request)
        if url:
            alternates.append({"language": translation.locale.language_code, "url": url})
    default = next((a["url"] for a in alternates if a["language"] == settings.LANGUAGE_CODE), None)
    description = (
        page.specific.seo_description()
        if hasattr(page.specific, "seo_description")
        else page.search_description
    )
    meta = {
        "title": page.seo_title or page.title,
        "description": " ".join(str(description or "").split()),
        "canonical": page.get_full_url(request=request),
        "alternates": alternates if len(alternates) > 1 else [],
        "x_default": default if len(alternates) > 1 else None,
        "og_type": getattr(page.specific, "og_type", "website"),
        "og_locale": OG_LOCALES.get(language, language),
        "og_locale_alternates": [
            OG_LOCALES.get(a["language"], a["language"])
            for a in alternates
            if a["language"] != language
        ],
        "image_url": "",
        "image_alt": "",
    }
    image = getattr(page.specific, "social_image", None)
    if image is not None:
        rendition = image.get_rendition("fill-1200x630")
        url = rendition.url
        if url.startswith("/") and request is not None:
            url = request.build_absolute_uri(url)
        meta["image_url"] = url
        meta["image_alt"] = image.default_alt_text
    return meta


@register.simple_tag
def latest_stories(count: int = 3) -> list:
    """The newest live success stories of the current language."""
    from cms.models import StoryPage

    home = _home()
    if home is None:
        return []
    return list(
        StoryPage.objects.live().public().descendant_of(home).order_by("-date", "-pk")[: int(count)]
    )
