from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from ocip.formatting import dollar_range, dollar_text, list_text, number_text

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One link per other language: the translation of this Wagtail page, or of this URL."""
    request = context.get("request")
    if request is None:
        return []
    page = context.get("page")
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        url = None
        if page is not None and hasattr(page, "get_translations"):
            # The page's translation; for a page not translated yet, its nearest section's.
            for candidate in [page, *reversed(page.get_ancestors().filter(depth__gt=1))]:
                translated = (
                    candidate.get_translations(inclusive=True)
                    .filter(locale__language_code=code)
                    .live()
                    .first()
                )
                if translated is not None:
                    url = translated.get_url(request=request)
                    break
        if url is None:
            url = translate_url(request.get_full_path(), code)
        with translation.override(code):
            label = str(name)
        links.append({"code": code, "url": url, "label": label})
    return links


@register.simple_tag
def localized(texts) -> str:
    """The current language's text of an {"en": ..., "fr": ...} mapping (English by default)."""
    if not texts:
        return ""
    return texts.get(translation.get_language() or "en") or texts.get("en", "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def dollars(amount) -> str:
    return dollar_text(amount)


@register.filter
def estimate_dollars(estimate: dict) -> str:
    """A funding estimate of a match run (amount_low, amount_high) in dollars."""
    return dollar_range(estimate.get("amount_low"), estimate["amount_high"])


@register.filter
def number(value, decimals=None) -> str:
    """A number the reader's way (1,234.5 or 1 234,5); `number:1` rounds to one decimal."""
    if value is None or value == "":
        return ""
    return number_text(value, None if decimals in (None, "") else int(decimals))


@register.filter
def semicolons(items) -> str:
    """A list joined the reader's way: "a; b" in English, "a ; b" in French (instead of
    join:"; ", whose space before the semicolon French needs non-breaking)."""
    return list_text(items or [])
