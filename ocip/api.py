"""What every API view shares: how the services' refusals become HTTP answers, and /me/."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from diagnostics import selectors as company_selectors
from matching import selectors as institution_selectors
from ocip.errors import Conflict


class ConflictResponse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    """The one place the services' plain errors become answers: a Conflict is 409, a Django
    ValidationError 400 by field (PermissionDenied and Http404 are DRF's 403 and 404)."""
    if isinstance(exc, Conflict):
        exc = ConflictResponse(exc.message)
    elif isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    return drf_exception_handler(exc, context)


@csrf_exempt  # it changes nothing: a write to no endpoint is a 404, not a CSRF refusal
def not_found(request, *args, **kwargs):
    """Any other address under /api/: a 404 in JSON like the API's own, not the site's page."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


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
