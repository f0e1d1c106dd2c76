"""What the match cards need to offer an introduction, or point to the one already asked."""

from django import template

from matching import selectors, workflow

register = template.Library()


@register.simple_tag(takes_context=True)
def open_requests_of(context, diagnostic) -> dict[str, int]:
    """{profile external id: request pk} for the company's open requests."""
    return dict(
        selectors.requests_of_business(context["request"].user)
        .filter(company_id=diagnostic.company_id, status__in=workflow.OPEN, profile__isnull=False)
        .values_list("profile__external_id", "pk")
    )


@register.filter
def request_for(open_requests: dict[str, int], external_id: str) -> int | None:
    return open_requests.get(external_id)
