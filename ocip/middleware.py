"""Role checks and security headers that apply to whole areas of the site."""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
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
            # The API answers in JSON, as DRF does for its own 403s.
            return JsonResponse({"detail": str(MFARequired.default_message)}, status=403)
        messages.warning(
            request,
            _("Your role requires two-factor authentication. Set up an authenticator app first."),
        )
        return redirect("mfa_activate_totp")


class PathContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy chosen by path.

    Every response gets CONTENT_SECURITY_POLICY, except under a prefix of OCIP_CSP_PATH_POLICIES
    (the Wagtail admin): there, the directives that setting lists replace ours, the rest stay.
    A view's own `csp.decorators.csp` policy still wins. This is the extension point django-csp
    documents on its middleware (override `get_policy_parts`).
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        for prefix, directives in getattr(settings, "OCIP_CSP_PATH_POLICIES", {}).items():
            if request.path_info.startswith(prefix):
                policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
                parts.config = {**policy.get("DIRECTIVES", {}), **directives}
                break
        return parts
