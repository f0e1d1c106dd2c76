"""The diagnostic through the API: create, save a step, submit, read results.

The same StepForm validates answers here as in the wizard, and the same services write them.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ocip import api_fields as fields
from ocip.api_pagination import PageNumberPagination
from ocip.errors import Conflict

from . import questionnaire, selectors, services
from .answers import json_answer_errors, stored_step_form
from .models import Diagnostic
from .models import Questionnaire as QuestionnaireVersion
from .questionnaire import localized


class DiagnosticSerializer(serializers.ModelSerializer):
    company: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    questionnaire_version = serializers.IntegerField(source="questionnaire.version")
    steps = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()

    class Meta:
        model = Diagnostic
        fields = [
            "id",
            "company",
            "status",
            "questionnaire_version",
            "answers",
            "current_step",
            "step_reached",
            "revision",
            "steps",
            "created_at",
            "updated_at",
            "submitted_at",
            "results_url",
        ]

    def get_steps(self, diagnostic) -> list[dict]:
        language = get_language() or "en"
        return [
            {
                "number": number,
                "id": step["id"],
                "title": localized(step["title"], language),
                "questions": [question["id"] for question in step["questions"]],
            }
            for number, step in enumerate(diagnostic.questionnaire.definition["steps"], start=1)
        ]

    def get_results_url(self, diagnostic) -> str | None:
        if diagnostic.is_draft:
            return None
        return self.context["request"].build_absolute_uri(
            f"/api/v1/diagnostics/{diagnostic.pk}/results/"
        )


class NeedsProfileSerializer(serializers.Serializer):
    """The needs profile as stored at submission (documentation only: the stored document is
    returned as it is). Texts meant for people are objects of language code → text."""

    scoring_version = serializers.CharField()
    questionnaire_version = serializers.IntegerField()
    challenge = serializers.CharField()
    desired_outcome = serializers.CharField()
    language = serializers.CharField(allow_null=True, help_text="en or fr, as detected.")
    facts = serializers.DictField(help_text="The answers the funding rules read, by fact name.")
    unknown_facts = serializers.ListField(child=serializers.CharField())
    not_applicable = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Questions the answers skipped (they do not apply); since scoring 2026.2.",
    )
    trl = serializers.IntegerField(allow_null=True)
    rd_stage = serializers.CharField(allow_null=True)
    innovation_types = serializers.ListField(child=serializers.CharField())
    capability_areas = serializers.ListField(child=serializers.DictField())
    sred = serializers.DictField(help_text="SR&ED band, its label and the reasons.")
    maturity = serializers.DictField()
    warnings = serializers.ListField(child=serializers.DictField())
    recommendations = serializers.DictField(help_text="short, mid and long term.")


class QuestionnaireDefinitionSerializer(serializers.Serializer):
    """A questionnaire version as published (documentation only: returned as stored)."""

    version = serializers.IntegerField()
    steps = serializers.ListField(
        child=serializers.DictField(),
        help_text="id, title, intro and questions (id, type, required, label, options); "
        "texts are objects of language code → text.",
    )
    maturity_dimensions = serializers.ListField(child=serializers.DictField(), required=False)


def _diagnostic(request: Request, pk: int) -> Diagnostic:
    return get_object_or_404(selectors.diagnostics_for(request.user), pk=pk)


class CompanyDiagnosticsApi(APIView):
    """A company's diagnostics (members only), newest first; POST starts or resumes a draft."""

    pagination_class = PageNumberPagination

    @extend_schema(responses=DiagnosticSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        company = get_object_or_404(selectors.companies_of_member(request.user), slug=slug)
        diagnostics = selectors.company_diagnostics(user=request.user, company=company)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            diagnostics.order_by("-created_at", "-pk"), request, view=self
        )
        data = DiagnosticSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(
                DiagnosticSerializer,
                description="A new draft, prefilled from the last submitted diagnostic.",
            ),
            200: OpenApiResponse(DiagnosticSerializer, description="The company's existing draft."),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        company = get_object_or_404(selectors.companies_of_member(request.user), slug=slug)
        diagnostic, created = services.diagnostic_start(actor=request.user, company=company)
        return Response(
            DiagnosticSerializer(diagnostic, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class DiagnosticApi(APIView):
    """One diagnostic: its answers so far, the steps, and where the person is."""

    @extend_schema(responses=DiagnosticSerializer)
    def get(self, request: Request, pk: int) -> Response:
        diagnostic = _diagnostic(request, pk)
        return Response(DiagnosticSerializer(diagnostic, context={"request": request}).data)


class DiagnosticStepApi(APIView):
    """Replace one step's answers (a question left out is unanswered). Values are JSON:
    true/false/null for yes/no/don't know, numbers, strings, lists for multiple choices.
    Questions that the answers skip (`show_if` in the questionnaire) do not apply: an answer
    to one is not kept, and a skipped question is never required.
    `complete: true` checks the required answers and opens the next step; `complete: false`
    saves what is there without that check (as going back does in the wizard)."""

    class StepInputSerializer(serializers.Serializer):
        answers = serializers.DictField(
            child=serializers.JSONField(allow_null=True),
            help_text="Question id → answer, in the JSON type of the question (see the "
            "questionnaire): text for text, a whole number for numbers and scales, true/false/"
            "null for yes/no/don't know, a list of option values for multiple choices.",
        )
        complete = fields.Boolean(default=True)

    @extend_schema(
        request=StepInputSerializer,
        responses={
            200: DiagnosticSerializer,
            400: OpenApiResponse(description="Answers that are not valid, by question id."),
            409: OpenApiResponse(description="Submitted already, or a step not reached yet."),
        },
    )
    def put(self, request: Request, pk: int, number: int) -> Response:
        diagnostic = _diagnostic(request, pk)
        payload = self.StepInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        form_questionnaire = diagnostic.questionnaire.content
        if not 1 <= number <= form_questionnaire.step_count:
            raise exceptions.NotFound()
        answers = payload.validated_data["answers"]
        unknown = set(answers) - {q["id"] for q in form_questionnaire.step(number)["questions"]}
        if unknown:
            raise exceptions.ValidationError(
                {"answers": {qid: [_("Not a question of this step.")] for qid in sorted(unknown)}}
            )
        misshapen = json_answer_errors(form_questionnaire, answers)
        if misshapen:
            raise exceptions.ValidationError(
                {"answers": {qid: [message] for qid, message in misshapen.items()}}
            )
        form = stored_step_form(
            form_questionnaire,
            number,
            answers,
            language=get_language() or "en",
            partial=not payload.validated_data["complete"],
            context=diagnostic.answers,
        )
        if not form.is_valid():
            messages = {field: [str(m) for m in errors] for field, errors in form.errors.items()}
            raise exceptions.ValidationError({"answers": messages})
        diagnostic = services.diagnostic_step_save(
            actor=request.user,
            diagnostic=diagnostic,
            number=number,
            answers=form.answers(),
            complete=payload.validated_data["complete"],
        )
        return Response(DiagnosticSerializer(diagnostic, context={"request": request}).data)


class DiagnosticSubmitApi(APIView):
    """Submit a diagnostic whose steps are all complete; it is scored and frozen."""

    class SubmitInputSerializer(serializers.Serializer):
        revision = fields.Integer(
            required=False,
            help_text="The revision you reviewed; if the answers changed since, you get a 409.",
        )

    @extend_schema(
        request=SubmitInputSerializer,
        responses={
            200: OpenApiResponse(
                NeedsProfileSerializer, description="The needs profile (as GET .../results/)."
            ),
            400: OpenApiResponse(description="Missing or invalid answers, by step number."),
            409: OpenApiResponse(description="Already submitted, or changed since `revision`."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        diagnostic = _diagnostic(request, pk)
        payload = self.SubmitInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        diagnostic = services.diagnostic_submit(
            actor=request.user,
            diagnostic=diagnostic,
            revision=payload.validated_data.get("revision"),
        )
        return Response(diagnostic.needs_profile.data)


class DiagnosticResultsApi(APIView):
    """The needs profile of a submitted diagnostic: TRL, R&D stage, innovation types,
    capability areas, SR&ED band with reasons, maturity, recommendations (English and French)."""

    @extend_schema(
        responses={
            200: OpenApiResponse(NeedsProfileSerializer, description="The needs profile."),
            409: OpenApiResponse(description="The diagnostic is not submitted yet."),
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        diagnostic = _diagnostic(request, pk)
        if diagnostic.is_draft:
            raise Conflict(_("This diagnostic is not submitted yet."))
        return Response(diagnostic.needs_profile.data)


class QuestionnaireApi(APIView):
    """A published questionnaire version: steps, question ids, types, options, in both languages."""

    @extend_schema(
        responses={
            200: OpenApiResponse(
                QuestionnaireDefinitionSerializer, description="The questionnaire definition."
            ),
            404: OpenApiResponse(description="No such published version."),
        }
    )
    def get(self, request: Request, version: int) -> Response:
        if version == questionnaire.CURRENT_VERSION:
            services.questionnaire_current()
        published = QuestionnaireVersion.objects.filter(version=version).first()
        if published is not None:
            return Response(published.definition)
        if version < questionnaire.CURRENT_VERSION and questionnaire.has_version(version):
            # An earlier version this site never used: as its file publishes it.
            return Response(questionnaire.load_definition(version))
        raise exceptions.NotFound()
