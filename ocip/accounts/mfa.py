"""Multi-factor authentication checks. allauth provides TOTP; this decides who must have it."""

from __future__ import annotations

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
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


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret` (demo tooling and tests)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def totp_secret_of(user) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None
