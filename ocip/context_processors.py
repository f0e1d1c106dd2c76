from django.conf import settings


def site(request):
    return {"OCIP_ENVIRONMENT": settings.OCIP_ENVIRONMENT}
