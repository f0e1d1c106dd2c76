from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """Business users sign up themselves; the language they sign up in is their language."""

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=False)
        language = translation.get_language() or "en"
        user.language = "fr" if language.startswith("fr") else "en"
        if commit:
            user.save()
        return user
