from django.urls import path, re_path

from . import match_api, request_api

urlpatterns = [
    path(
        "diagnostics/<int:pk>/matches/",
        match_api.DiagnosticMatchesApi.as_view(),
        name="api_diagnostic_matches",
    ),
    path(
        "diagnostics/<int:pk>/requests/",
        request_api.MatchRunRequestsApi.as_view(),
        name="api_match_run_requests",
    ),
    path("requests/", request_api.RequestsApi.as_view(), name="api_requests"),
    path("requests/<int:pk>/", request_api.RequestApi.as_view(), name="api_request"),
    # Only the known actions: .../accept/ must fall through to projects.api_urls.
    re_path(
        rf"^requests/(?P<pk>[0-9]+)/(?P<action>{request_api.ACTION_PATTERN})/$",
        request_api.RequestActionApi.as_view(),
        name="api_request_action",
    ),
]
