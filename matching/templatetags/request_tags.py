"""A match card offers an introduction, or points to the request already open."""

from django import template

register = template.Library()


@register.filter
def request_for(open_requests: dict[str, int], external_id: str) -> int | None:
    """The open request to this profile, from selectors.open_requests_by_profile."""
    return open_requests.get(external_id)
