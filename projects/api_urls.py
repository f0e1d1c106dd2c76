from django.urls import path

from . import api

urlpatterns = [
    path(
        "requests/<int:pk>/accept/",
        api.RequestAcceptApi.as_view(),
        name="api_request_accept",
    ),
    path("projects/", api.ProjectsApi.as_view(), name="api_projects"),
    path("projects/<int:pk>/", api.ProjectApi.as_view(), name="api_project"),
    path(
        "credentials/verify/",
        api.CredentialVerifyApi.as_view(),
        name="api_credential_verify",
    ),
]
