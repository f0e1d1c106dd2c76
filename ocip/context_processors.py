"""Values every page of ours shows: the contact address in the footer and on account pages."""

from django.conf import settings


def platform(request):
    return {"contact_email": settings.OCIP_CONTACT_EMAIL}
