from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path, re_path, reverse
from drf_spectacular.views import SpectacularAPIView
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from diagnostics.views import BusinessSignupView
from projects import views as project_views

from . import views
from .api import MeApi
from .api import not_found as api_not_found
from .public_cache import cache_for_visitors

# Both admins log in through allauth (rate limits, MFA): no side door.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


def admin_login_redirect(request):
    query = request.GET.urlencode()
    return redirect(reverse("account_login") + (f"?{query}" if query else ""))


urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("cms-admin/login/", admin_login_redirect, name="cms_admin_login"),
    path("cms-admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # did:web resolution: outside the language prefixes, at the address the DID names.
    path(
        "institutions/<slug:slug>/did.json",
        project_views.institution_did_document,
        name="institution_did",
    ),
    path(
        "companies/<slug:slug>/did.json",
        project_views.company_did_document,
        name="company_did",
    ),
    path(
        "institutions/<slug:slug>/status/<int:number>",
        project_views.status_list_credential,
        name="status_list_credential",
    ),
    path(
        "contexts/eu-microcredential/v1.json",
        project_views.eu_extension_context,
        name="eu_extension_context",
    ),
    path("", include("cms.sitemap_urls")),
    path("api/v1/me/", MeApi.as_view(), name="api_me"),
    path("api/v1/", include("diagnostics.api_urls")),
    path("api/v1/", include("matching.api_urls")),
    path("api/v1/", include("projects.api_urls")),
    # Anything else under /api/ (ending with a slash; APPEND_SLASH adds a missing one).
    re_path(r"^api/(?:[\s\S]*/)?$", api_not_found),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns += i18n_patterns(
    path("accounts/signup/", BusinessSignupView.as_view(), name="account_signup"),
    path("accounts/", include("ocip.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("design/", views.design_reference, name="design_reference"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # The public front door owns /institutions/ and /expertise/; old members' links redirect.
    path("", include("cms.legacy_urls")),
    path("", include("cms.directory_urls")),
    path("", include("cms.search_urls")),
    path("", include("diagnostics.urls")),
    path("", include("matching.urls")),
    path("", include("matching.request_urls")),
    path("", include("projects.urls")),
    path("", include("projects.dashboard_urls")),
    path("", include("projects.credential_urls")),
    path("", include("projects.catalogue_urls")),
    path("", include("matching.funding_urls")),
    path("", include("projects.pathway_urls")),
    path("notifications/", include("ocip.notifications.urls")),
    # Wagtail's catch-all comes last; its pages are cached for anonymous visitors.
    re_path(r"^((?:[\w\-]+/)*)$", cache_for_visitors(wagtail_views.serve), name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
