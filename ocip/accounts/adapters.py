from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext


def site_name() -> str:
    """The platform's name in the active language: the brand's French form (PCIO, like CNRC or
    CRSNG) in French; a deployment that names itself otherwise (OCIP_SITE_NAME) keeps its name."""
    if settings.OCIP_SITE_NAME == "OCIP":
        return gettext("OCIP")
    return settings.OCIP_SITE_NAME


def platform_site() -> SimpleNamespace:
    """The name and address account emails give, from settings: the request's host would be
    whatever address the visitor used (an internal one, behind a proxy)."""
    return SimpleNamespace(name=site_name(), domain=urlsplit(settings.OCIP_BASE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Business users sign up themselves; the language they sign up in is their language."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": platform_site()})

    def format_email_subject(self, subject: str) -> str:
        """The subject after the platform's name in the email's language: [OCIP] or [PCIO]."""
        return f"[{site_name()}] {subject}"

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or "en"
        user.language = "fr" if language.startswith("fr") else "en"
        if commit:
            user.save()
        return user
