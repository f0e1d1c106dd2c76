"""A diagnostic's matches through the API: what its results page shows, a page at a time.

The same selectors build both (selectors.run_matches, selectors.run_funding, explain.with_reasons
for the page shown), so the API and the page cannot disagree on a rank, a reason or a verdict.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics.selectors import diagnostics_for
from ocip import api_fields as fields
from ocip.api_pagination import PageNumberPagination
from ocip.taxonomy import regions

from . import selectors, services
from .explain import run_error_message, with_reasons
from .models import Institution, MatchRun
from .request_api import latest_run

# --- Output ---------------------------------------------------------------------------------


class MatchSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="Its place in the whole run, 1 for the best.")
    profile = serializers.CharField(help_text="The expertise profile's id.")
    name = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField(help_text="researcher, lab, centre, facility, program...")
    institution = serializers.CharField(help_text="The institution's slug.")
    institution_name = serializers.CharField()
    institution_kind = serializers.CharField()
    region = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField(help_text="From 0 to 1.")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why it matches, in the reader's language; a match by meaning quotes the "
        "profile's closest passages in the profile's own language.",
    )
    open_request = serializers.SerializerMethodField(
        help_text="The company's open request to this profile, if it asked already."
    )

    def get_open_request(self, match) -> int | None:
        return self.context["open_requests"].get(match["profile"])


class RunSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="1 for the first run, then one per refresh.")
    status = serializers.CharField(help_text=", ".join(MatchRun.Status.values))
    error = serializers.CharField(
        help_text="Why a failed run failed: no_text, no_profiles, no_matches, unavailable; "
        "empty when done."
    )
    error_message = serializers.SerializerMethodField(
        help_text="The same, in words (the page's); null when done."
    )
    created_at = serializers.DateTimeField()
    profile_count = serializers.IntegerField(help_text="The expertise profiles it ranked.")
    meaning_model = serializers.CharField(
        help_text="The sentence-embedding model that ranked by meaning; empty when the run "
        "ranked by words and structure only."
    )
    meaning_unavailable = serializers.BooleanField(
        help_text="True when the run ranked without meaning because the model was unavailable."
    )
    stale = serializers.SerializerMethodField(
        help_text="Profiles changed since (or it failed): a refresh may give other matches."
    )

    def get_error_message(self, run) -> str | None:
        return run_error_message(run)

    def get_stale(self, run) -> bool:
        return services.match_run_is_stale(run)


class PartnerVerdictSerializer(serializers.Serializer):
    partner = serializers.CharField(source="label", help_text="The kind of partner, in words.")
    verdict = serializers.CharField()
    verdict_label = serializers.CharField()


class RuleSerializer(serializers.Serializer):
    fact = serializers.CharField()
    fact_label = serializers.CharField()
    outcome = serializers.CharField(help_text="passed, failed, unknown")
    why = serializers.CharField()
    partner_kind = serializers.CharField(allow_null=True)


class EstimateSerializer(serializers.Serializer):
    amount_low = serializers.IntegerField(allow_null=True, help_text="CAD.")
    amount_high = serializers.IntegerField(allow_null=True, help_text="CAD.")
    basis = serializers.CharField()


class FundingProgramSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    partner = serializers.CharField()
    category = serializers.CharField()
    kind = serializers.CharField()
    verdict = serializers.CharField(help_text="eligible, not_eligible, unknown")
    verdict_label = serializers.CharField()
    by_partner = PartnerVerdictSerializer(
        many=True, help_text="The verdict for each kind of partner institution, when it differs."
    )
    needs_verification = serializers.BooleanField(
        help_text="Its intake must be confirmed before applying."
    )
    last_verified = serializers.CharField()
    estimate = EstimateSerializer(allow_null=True)
    estimate_basis = serializers.CharField(help_text="How the estimate is made, in words.")
    estimate_missing = serializers.ListField(
        child=serializers.CharField(), help_text="The answers an estimate would need."
    )
    rules = RuleSerializer(many=True)
    deciding = serializers.ListField(
        child=serializers.CharField(), help_text="For an unknown verdict: what would decide it."
    )
    fit = serializers.FloatField()
    fit_sentences = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()


class ReachableFundingSerializer(serializers.Serializer):
    low = serializers.IntegerField(help_text="Sum of the chosen programs' low estimates (CAD).")
    high = serializers.IntegerField(help_text="Sum of their high estimates (CAD).")
    programs = serializers.ListField(child=serializers.CharField(), help_text="Program slugs.")
    names = serializers.ListField(child=serializers.CharField(), help_text="Their names.")


class FundingSerializer(serializers.Serializer):
    programs = FundingProgramSerializer(many=True)
    stacking = serializers.ListField(
        child=serializers.CharField(), help_text="What to know about combining programs."
    )
    reachable = ReachableFundingSerializer(
        allow_null=True,
        help_text="The most the business may reach from the programs it looks eligible for, "
        "never combining two that exclude each other (before the SR&ED grind); the results "
        "page shows the same figure.",
    )


class DiagnosticMatchesSerializer(serializers.Serializer):
    """A page of matches (DRF's page: count, next, previous, results), with the run they come
    from and its funding assessment."""

    count = serializers.IntegerField(help_text="Matches that pass the filters, on every page.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MatchSerializer(many=True)
    run = RunSerializer()
    funding = FundingSerializer()


# --- The view -------------------------------------------------------------------------------


class MatchPagination(PageNumberPagination):
    page_size = selectors.MATCHES_PER_PAGE  # as the results page


class DiagnosticMatchesApi(APIView):
    """The expertise matches of a submitted diagnostic's latest run, best first, with the
    reasons for each (in the language of Accept-Language), and the funding programs assessed
    for it: what its results page shows (the company's members only). A run that failed
    answers 200 with `run.status` `failed`, the reason in `run.error`, no matches, and the
    funding assessment. Filters keep the matches of any of the kinds, regions or languages
    given."""

    pagination_class = MatchPagination

    class MatchFilters(serializers.Serializer):
        kind = serializers.ListField(
            child=fields.Choice(choices=Institution.Kind.choices), required=False
        )
        region = serializers.ListField(child=fields.Choice(choices=list(regions())), required=False)
        language = serializers.ListField(
            child=fields.Choice(choices=settings.LANGUAGES), required=False
        )

    @extend_schema(
        operation_id="v1_diagnostics_matches",
        parameters=[
            MatchFilters,
            OpenApiParameter(
                "page",
                OpenApiTypes.INT,
                description=f"A page number ({selectors.MATCHES_PER_PAGE} a page).",
            ),
        ],
        responses={
            200: DiagnosticMatchesSerializer,
            404: OpenApiResponse(description="No such diagnostic among your companies'."),
            409: OpenApiResponse(
                description="The diagnostic is a draft, or its matches are still being computed."
            ),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        diagnostic = get_object_or_404(
            diagnostics_for(request.user).select_related("questionnaire"), pk=pk
        )
        filters = self.MatchFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        run = latest_run(request, diagnostic)
        language = get_language() or "en"
        matches = selectors.run_matches(
            run,
            kinds=wanted.get("kind", ()),
            regions=wanted.get("region", ()),
            languages=wanted.get("language", ()),
        )
        paginator = self.pagination_class()
        shown: list | None = paginator.paginate_queryset(matches, request, view=self)  # type: ignore[arg-type]
        page = with_reasons(shown or [], language)  # this page only, as the results page
        context = {
            "open_requests": selectors.open_requests_by_profile(
                user=request.user, company_id=diagnostic.company_id
            )
        }
        return Response(
            {
                "count": len(matches),
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": MatchSerializer(page, many=True, context=context).data,
                "run": RunSerializer(run).data,
                "funding": FundingSerializer(selectors.run_funding(run, language)).data,
            }
        )
