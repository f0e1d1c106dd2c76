from django import template

from matching.explain import with_reasons
from matching.selectors import latest_match_run

register = template.Library()
TOP = 10


@register.inclusion_tag("matching/includes/top_matches.html", takes_context=True)
def top_matches(context, diagnostic):
    """The ten best matches of the diagnostic's latest run, for its results page."""
    request = context["request"]
    run = latest_match_run(user=request.user, diagnostic_id=diagnostic.pk)
    matches = []
    if run is not None:
        ranked = [
            {**match, "rank": position} for position, match in enumerate(run.matches[:TOP], 1)
        ]
        matches = with_reasons(ranked, request.LANGUAGE_CODE)
    return {"diagnostic": diagnostic, "run": run, "matches": matches}
