from django import template

from matching.explain import with_reasons
from matching.models import MatchRun
from matching.selectors import latest_match_run, run_funding, run_match_list

register = template.Library()
TOP = 3


@register.simple_tag(takes_context=True)
def match_overview(context, diagnostic):
    """What the diagnostic's results page summarises from its latest match run: the run, its
    three best matches with their reasons, how many there are, and its funding assessment (the
    same `run_funding` the match results page and the API show)."""
    request = context["request"]
    # Its stored snapshot stays in the database: the top matches and their count are read out
    # of it, and the funding assessment is kept per run (selectors.run_funding).
    run = latest_match_run(user=request.user, diagnostic_id=diagnostic.pk, snapshot=False)
    if run is None or run.status != MatchRun.Status.DONE:
        return {"run": run, "matches": [], "match_count": 0, "funding": None}
    run.diagnostic = diagnostic  # loaded already: its funding need not read it again
    matches = run_match_list(run)
    return {
        "run": run,
        "matches": with_reasons(matches[:TOP], request.LANGUAGE_CODE),
        "match_count": len(matches),
        "funding": run_funding(run, request.LANGUAGE_CODE),
    }
