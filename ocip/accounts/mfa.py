"""Multi-factor authentication checks. allauth provides TOTP; this decides who must have it."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class MFARequired(PermissionDenied):
    """Raised by services when a role that needs two-factor authentication acts without it."""

    default_message = _(
        "Your role requires two-factor authentication. Set up an authenticator app first."
    )


def user_has_totp(user) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_ocip_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._ocip_has_totp = cached
    return cached


def require_mfa(user) -> None:
    if not user_has_totp(user):
        raise MFARequired(MFARequired.default_message)
