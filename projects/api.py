"""Projects through the API: accepting a request (which creates its project), reading the
projects you are part of, and verifying a micro-credential (open to anyone)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.models import FundingProgram
from matching.request_api import (
    CompanySerializer,
    PersonSerializer,
    colleague,
    visible_request,
)
from matching.services import require_request_action
from ocip import api_fields as fields
from ocip.api_pagination import PageNumberPagination
from ocip.api_schema import ApiSchema
from ocip.parsers import VerbatimJSONParser

from . import selectors, services
from . import verification_texts as verification
from .models import Project


class InstitutionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ProjectSummarySerializer(serializers.ModelSerializer):
    # A plain string: an enum here would collide with the other models' `status` in the schema.
    status = serializers.CharField(help_text=", ".join(Project.Status.values))
    status_label = serializers.CharField(source="get_status_display")
    company = CompanySerializer()
    institution = InstitutionSerializer()
    lead = PersonSerializer()
    request = serializers.IntegerField(source="request_id")

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "status",
            "status_label",
            "company",
            "institution",
            "lead",
            "start_date",
            "request",
            "created_at",
        ]


class TeamMemberSerializer(serializers.Serializer):
    name = serializers.SerializerMethodField()
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    joined_at = serializers.DateTimeField(allow_null=True)

    def get_name(self, member) -> str:
        # Someone invited who has not joined yet is known by the email they were asked at.
        return str(member.user) if member.user else member.email


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)


class FundingApplicationSerializer(serializers.Serializer):
    program = serializers.CharField(source="program.slug")
    program_name = serializers.CharField(source="program.name")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="CAD."
    )
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")


class ProjectDetailSerializer(ProjectSummarySerializer):
    team = TeamMemberSerializer(source="members", many=True)
    milestones = MilestoneSerializer(many=True)
    funding_applications = FundingApplicationSerializer(many=True)
    total_estimated_funding = serializers.SerializerMethodField(
        help_text="The funding the project expects (CAD): every application's amount except "
        "declined ones, as on the project's page."
    )

    class Meta(ProjectSummarySerializer.Meta):
        fields = [
            *ProjectSummarySerializer.Meta.fields,
            "scope",
            "team",
            "milestones",
            "funding_applications",
            "total_estimated_funding",
        ]

    def get_total_estimated_funding(self, project) -> str:
        return f"{selectors.project_funding_total(project):.2f}"


def _project_detail(project: Project) -> dict:
    project = (
        Project.objects.select_related("company", "institution", "lead")
        .prefetch_related("members__user", "milestones", "funding_applications__program")
        .get(pk=project.pk)
    )
    return ProjectDetailSerializer(project).data


class RequestAcceptApi(APIView):
    """Accept a request (research office only) and create its project, in one step. Give
    the `version` you last saw: if the request changed since, or it is closed, you get a 409."""

    class RequestAcceptInput(serializers.Serializer):
        version = fields.Integer(min_value=1)
        title = fields.Text(max_length=200)
        scope = fields.Text(max_length=4000)
        lead = fields.PersonRef(
            help_text="User id or email of a researcher or staff member of the institution.",
        )
        start_date = serializers.DateField()
        programs = serializers.ListField(
            child=fields.Slug(),
            max_length=50,
            required=False,
            default=list,
            help_text="Slugs of the funding programs the project pursues.",
        )

    @extend_schema(
        operation_id="v1_requests_accept",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=RequestAcceptInput,
        responses={
            201: ProjectDetailSerializer,
            400: OpenApiResponse(description="Invalid input, by field."),
            403: OpenApiResponse(description="Only the institution's research office accepts."),
            404: OpenApiResponse(description="No such request among those you may see."),
            409: OpenApiResponse(description="Closed already, or changed since `version`."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        intro = visible_request(request, pk)
        require_request_action(request.user, intro, "accept")
        payload = self.RequestAcceptInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        programs = list(FundingProgram.objects.filter(slug__in=data["programs"]))
        unknown = set(data["programs"]) - {program.slug for program in programs}
        if unknown:
            raise exceptions.ValidationError(
                {
                    "programs": [
                        _("No funding program is called %(slug)s.") % {"slug": slug}
                        for slug in sorted(unknown)
                    ]
                }
            )
        project = services.project_start(
            actor=request.user,
            request=intro,
            expected_version=data["version"],
            title=data["title"],
            scope=data["scope"],
            lead=colleague(intro.institution, data["lead"], "lead"),
            start_date=data["start_date"],
            programs=programs,
        )
        return Response(_project_detail(project), status=status.HTTP_201_CREATED)


class ProjectsApi(APIView):
    """The projects of your companies, of your research office, and those you are on."""

    pagination_class = PageNumberPagination

    @extend_schema(responses=ProjectSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        projects = (
            selectors.projects_for(request.user)
            .select_related("company", "institution", "lead")
            .order_by("-start_date", "-pk")
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(projects, request, view=self)
        return paginator.get_paginated_response(ProjectSummarySerializer(page, many=True).data)


class ProjectApi(APIView):
    """One project: its team, milestones and funding applications."""

    @extend_schema(
        responses={
            200: ProjectDetailSerializer,
            404: OpenApiResponse(description="No such project among yours."),
        }
    )
    def get(self, request: Request, pk: int) -> Response:
        project = get_object_or_404(selectors.projects_for(request.user), pk=pk)
        return Response(_project_detail(project))


class CredentialCheckSerializer(serializers.Serializer):
    check = serializers.CharField(help_text=", ".join(verification.CHECK_NAMES))
    passed = serializers.BooleanField()
    code = serializers.CharField(
        help_text="What a failure of this check means (the verdict it leads to): "
        + ", ".join(verification.VERDICT_NAMES[1:])
        + ". Given for passed checks too."
    )
    message = serializers.CharField(help_text="What the check found, in words.")


class CredentialVerificationSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=verification.VERDICT_NAMES,
        help_text="The most serious failed check's code, or `valid`.",
    )
    message = serializers.CharField(help_text="The verdict and what it means, in words.")
    checks = CredentialCheckSerializer(
        many=True, help_text="The checks run, in order; a failed check stops the ones after it."
    )


class BodyRequiredSchema(ApiSchema):
    """The API's schema, saying the body is required: drf-spectacular leaves a body of any
    JSON value optional, but the verify endpoint refuses a request without one."""

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body:
            body["required"] = True
        return body


class CredentialVerifyApi(APIView):
    """Verify an Open Badges 3.0 credential issued through OCIP: post the credential's JSON
    itself as the body, exactly as it was downloaded. Anyone may ask; nothing is stored, and
    the platform checks the issuer, its key, the signature, the dates, the revocation status and
    any endorsement against its own records (it fetches nothing the credential names).

    Any JSON value gets a verdict (a list, or an object that is not a credential, is
    `malformed`); a body that is not JSON, or larger than the API's limit, is a 400. The words
    (`message`) are in the language Accept-Language asks for."""

    # Nobody's identity matters to a verification, so no session (nor its CSRF check) either.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [VerbatimJSONParser]
    throttle_classes = [verification.VerifyThrottle]
    schema = BodyRequiredSchema()

    @extend_schema(
        operation_id="v1_credentials_verify",
        request={"application/json": OpenApiTypes.ANY},
        responses={
            200: CredentialVerificationSerializer,
            400: OpenApiResponse(description="No body."),
            415: OpenApiResponse(description="The body is not sent as `application/json`."),
            429: OpenApiResponse(
                description="Too many verifications from this address in a minute (the "
                "`Retry-After` header says when to try again)."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        document = request.data  # the parser's 400 for a body that is not JSON
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type and media_type != VerbatimJSONParser.media_type:
            # A form body (read before DRF by the text boundary) is not parsed as JSON.
            raise exceptions.UnsupportedMediaType(media_type)
        if request.stream is None:  # no body at all (`{}` is a body, and not a credential)
            raise exceptions.ParseError(_("Send the credential's JSON as the body."))
        if not media_type:  # a body DRF does not parse without its type
            raise exceptions.UnsupportedMediaType(media_type)
        result = verification.verify(document, timezone.now())
        return Response(
            {
                "verdict": result.verdict,
                "message": verification.verdict_message(result.verdict),
                "checks": verification.api_checks(result),
            }
        )
