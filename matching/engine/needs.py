"""From a needs profile (the diagnostic's scoring output) to the engine's query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocip.taxonomy import regions

from .types import Query

# The desired outcome names the expertise wanted in a sentence; the challenge mostly tells the
# story around it. Counting the outcome twice leans the text match toward what is wanted.
OUTCOME_REPEATS = 2


def query_from_needs(needs: Mapping[str, Any], **filters: tuple[str, ...]) -> Query:
    """The query for a stored needs profile; `filters` are the results page's choices."""
    facts = needs.get("facts", {})
    region = facts.get("region")
    challenge = str(needs.get("challenge", ""))
    outcome = str(needs.get("desired_outcome", ""))
    return Query(
        text="\n".join([challenge] + [outcome] * OUTCOME_REPEATS).strip(),
        language=needs.get("language"),
        capability_areas=tuple(area["slug"] for area in needs.get("capability_areas", [])),
        related_capability_areas=tuple(needs.get("related_capability_areas", [])),
        sector=facts.get("sector"),
        trl=needs.get("trl"),
        rd_stage=needs.get("rd_stage"),
        innovation_types=tuple(needs.get("innovation_types", [])),
        wants_students=facts.get("wants_students"),
        student_levels=tuple(facts.get("student_levels", [])),
        onsite_needed=facts.get("onsite_needed"),
        region=region,
        neighbouring_regions=tuple(regions().get(region, [])) if region else (),
        **filters,
    )
