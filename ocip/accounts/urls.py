"""Our additions to allauth's account pages, under /accounts/ (include before allauth.urls)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "confirm-email/resend/",
        views.verification_resend,
        name="account_email_verification_resend",
    ),
]
