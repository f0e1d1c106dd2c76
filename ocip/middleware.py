"""Role checks and security headers that apply to whole areas of the site."""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from matching.selectors import user_is_office_staff
from ocip import text
from ocip.accounts.mfa import MFARequired, user_has_totp
from ocip.formatting import text_refusal

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

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


class TextBoundaryMiddleware:
    """The text boundary for everything that is not a JSON body (that is ocip.parsers'): the
    path, query strings and form fields. A NUL character or a lone surrogate is refused with a
    400 that says where; form text is stored NFC-normalised. Passwords are left as typed, or a
    password set before this boundary could stop matching, and so are fields named
    `verbatim_...` (a signed document pasted to be verified: normalising it would break it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._check(_("The address"), request.path)
            self._check_all(request.GET)
            if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
                self._check_all(request.POST)
                request.POST = self._normalized(request.POST)
        except text.TextRefused as refused:
            return self._refuse(request, text_refusal(refused))
        return self.get_response(request)

    @staticmethod
    def _check(where: str, value: str) -> None:
        reason = text.forbidden_reason(value)
        if reason:
            raise text.TextRefused(where, reason)

    def _check_all(self, data: QueryDict) -> None:
        for key, values in data.lists():
            self._check(_("A field name"), key)
            for value in values:
                self._check(_("The field “%(name)s”") % {"name": key}, value)

    @staticmethod
    def _normalized(data: QueryDict) -> QueryDict:
        copy = data.copy()
        for key, values in data.lists():
            if "password" not in key and not key.startswith("verbatim_"):
                copy.setlist(key, [text.normalized(value) for value in values])
        copy._mutable = False
        return copy

    @staticmethod
    def _refuse(request, reason: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": reason}, status=400)
        return render(request, "400.html", {"reason": reason}, status=400)


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
    Wagtail's previews of our pages (a dummy request for the page's own URL, run through this
    middleware inside an admin view) get ours with OCIP_CSP_PREVIEW_DIRECTIVES. A view's own
    `csp.decorators.csp` policy still wins. Overriding `get_policy_parts` is the extension point
    django-csp gives its middleware.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        replaced = None
        if getattr(request, "is_dummy", False):  # Wagtail's flag on its preview requests
            replaced = getattr(settings, "OCIP_CSP_PREVIEW_DIRECTIVES", None)
        else:
            for prefix, directives in getattr(settings, "OCIP_CSP_PATH_POLICIES", {}).items():
                if request.path_info.startswith(prefix):
                    replaced = directives
                    break
        if replaced:
            policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
            parts.config = {**policy.get("DIRECTIVES", {}), **replaced}
        return parts
