"""Projects through the API: accepting a request (which creates its project), and reading
the projects you are part of."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
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

from . import selectors, services
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
