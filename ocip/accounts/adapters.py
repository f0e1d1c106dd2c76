from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def platform_site() -> SimpleNamespace:
    """The name and address account emails give, from settings: the request's host would be
    whatever address the visitor used (an internal one, behind a proxy)."""
    return SimpleNamespace(
        name=settings.OCIP_SITE_NAME, domain=urlsplit(settings.OCIP_BASE_URL).netloc
    )


class AccountAdapter(DefaultAccountAdapter):
    """Business users sign up themselves; the language they sign up in is their language."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": platform_site()})

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or "en"
        user.language = "fr" if language.startswith("fr") else "en"
        if commit:
            user.save()
        return user
