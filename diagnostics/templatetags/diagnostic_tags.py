"""Template tags of the diagnostic: the duration pages promise (one number, diagnostics.effort)."""

from django import template

from diagnostics.effort import promised_minutes

register = template.Library()


@register.simple_tag
def diagnostic_minutes() -> int:
    """About how many minutes the current diagnostic takes; `manage.py diagnostic_effort` shows
    how the number is made."""
    return promised_minutes()
