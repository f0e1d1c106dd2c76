from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from diagnostics import selectors as company_selectors
from matching import selectors as institution_selectors


class ConflictError(APIException):
    """The resource is not in a state that allows this request (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Conflict."
    default_code = "conflict"


def call_service(service, **kwargs):
    """Run a service and turn its refusals into HTTP answers: 403, 400. Conflicts raised as
    ConflictError are API exceptions already (409 with their message)."""
    try:
        return service(**kwargs)
    except PermissionDenied as denied:
        raise exceptions.PermissionDenied(str(denied)) from denied
    except ValidationError as error:
        raise exceptions.ValidationError(
            error.message_dict if hasattr(error, "error_dict") else error.messages
        ) from error


class MeApi(APIView):
    """Who is logged in, and the organizations they belong to."""

    class CompanyMembershipSerializer(serializers.Serializer):
        company = serializers.CharField(source="company.name")
        company_slug = serializers.CharField(source="company.slug")
        role = serializers.CharField()

    class InstitutionMembershipSerializer(serializers.Serializer):
        institution = serializers.CharField(source="institution.name")
        institution_slug = serializers.CharField(source="institution.slug")
        role = serializers.CharField()

    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        name = serializers.CharField(source="get_full_name")
        language = serializers.CharField()
        is_platform_staff = serializers.BooleanField()
        companies = serializers.SerializerMethodField()
        institutions = serializers.SerializerMethodField()

        def get_companies(self, user) -> list[dict]:
            return list(
                MeApi.CompanyMembershipSerializer(
                    company_selectors.memberships_of(user), many=True
                ).data
            )

        def get_institutions(self, user) -> list[dict]:
            return list(
                MeApi.InstitutionMembershipSerializer(
                    institution_selectors.memberships_of(user), many=True
                ).data
            )

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(request.user).data)


def only_ocip_api(endpoints):
    """drf-spectacular hook: document our /api/ only, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
