from django.urls import path

from . import dashboard_views

# ?format=csv on either page downloads the same figures and the period's requests.
urlpatterns = [
    path(
        "manage/institutions/<slug:slug>/dashboard/",
        dashboard_views.institution_dashboard,
        name="institution_dashboard",
    ),
    path("platform/dashboard/", dashboard_views.platform_dashboard, name="platform_dashboard"),
]
