from django import template

from matching.explain import match_reasons
from matching.selectors import match_runs_for

register = template.Library()
TOP = 10


@register.inclusion_tag("matching/includes/top_matches.html", takes_context=True)
def top_matches(context, diagnostic):
    """The ten best matches of the diagnostic's latest run, for its results page."""
    request = context["request"]
    run = match_runs_for(request.user).filter(diagnostic=diagnostic).order_by("-sequence").first()
    matches = []
    if run is not None:
        matches = [
            {**match, "rank": position, "reasons": match_reasons(match, request.LANGUAGE_CODE)}
            for position, match in enumerate(run.matches[:TOP], start=1)
        ]
    return {"diagnostic": diagnostic, "run": run, "matches": matches}
