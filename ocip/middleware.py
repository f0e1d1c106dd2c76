"""Role checks that apply to whole areas of the site, before any view runs."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from matching.selectors import user_is_office_staff
from ocip.accounts.mfa import MFARequired, user_has_totp

ADMIN_PREFIXES = ("/django-admin/", "/cms-admin/")


def role_requires_mfa(user) -> bool:
    """Platform staff and research-office staff must use two-factor authentication."""
    return user.is_authenticated and (user.is_platform_staff or user_is_office_staff(user))


class StaffAreaGuardMiddleware:
    """The Django and Wagtail admins are for platform staff only: anyone else gets a 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        in_admin = request.path.startswith(ADMIN_PREFIXES)
        if in_admin and user.is_authenticated and not user.is_platform_staff:
            raise PermissionDenied(_("This area is for platform staff."))
        return self.get_response(request)


class RoleMFAMiddleware:
    """Send staff roles without TOTP to set it up before they can do anything else.

    Only the account pages (log out, set up two-factor, email, password) stay open to them.
    Services check the same rule, so nothing depends on this middleware alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not role_requires_mfa(user) or user_has_totp(user):
            return None
        match = request.resolver_match
        name = (match.url_name or "") if match else ""
        if name.startswith(("account_", "mfa_")) or request.path.startswith(settings.STATIC_URL):
            return None
        if request.path.startswith("/api/"):
            raise MFARequired(MFARequired.default_message)
        messages.warning(
            request,
            _("Your role requires two-factor authentication. Set up an authenticator app first."),
        )
        return redirect("mfa_activate_totp")
