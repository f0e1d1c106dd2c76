"""Small pieces of the request and match pages: a match card's open request, and the badges
that say a request's state or a program's eligibility (filters, not includes: they sit in
loops of up to 25 rows)."""

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join

register = template.Library()

# The word says it; the colour only repeats it.
STATUS_BADGES = {
    "submitted": "badge-info",
    "in_review": "badge-info",
    "info_requested": "badge-warn",
    "accepted": "badge-ok",
    "declined": "badge-danger",
}
VERDICT_BADGES = {"eligible": "badge-ok", "not_eligible": "badge-danger"}


@register.filter
def request_for(open_requests: dict[str, int], external_id: str) -> int | None:
    """The open request to this profile, from selectors.open_requests_by_profile."""
    return open_requests.get(external_id)


@register.filter
def status_badge(intro) -> str:
    """A request's state as a badge."""
    badge = STATUS_BADGES.get(intro.status, "badge-neutral")
    return format_html('<span class="badge {}">{}</span>', badge, intro.get_status_display())


@register.filter
def verdict_badge(program: dict) -> str:
    """A funding program's eligibility (from explain.funding_view) as a badge."""
    badge = VERDICT_BADGES.get(program["verdict"], "badge-warn")
    return format_html('<span class="badge {}">{}</span>', badge, program["verdict_label"])


@register.filter
def reason_html(reason) -> str:
    """A match reason; one that quotes the profile lists its quotes, each marked with its own
    language (explain.Reason)."""
    quotes = getattr(reason, "quotes", ())
    if not quotes:
        return conditional_escape(reason)
    items = format_html_join(
        "",
        "<li><q{}>{}</q></li>",
        (
            (
                format_html(' lang="{}"', quote["language"]) if quote.get("language") else "",
                quote["text"],
            )
            for quote in quotes
        ),
    )
    return format_html('{}<ul class="quotes">{}</ul>', reason.lead, items)
