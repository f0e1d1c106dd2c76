from django.urls import path

from . import api

urlpatterns = [
    path(
        "companies/<slug:slug>/diagnostics/",
        api.CompanyDiagnosticsApi.as_view(),
        name="api_company_diagnostics",
    ),
    path("diagnostics/<int:pk>/", api.DiagnosticApi.as_view(), name="api_diagnostic"),
    path(
        "diagnostics/<int:pk>/steps/<int:number>/",
        api.DiagnosticStepApi.as_view(),
        name="api_diagnostic_step",
    ),
    path(
        "diagnostics/<int:pk>/submit/",
        api.DiagnosticSubmitApi.as_view(),
        name="api_diagnostic_submit",
    ),
    path(
        "diagnostics/<int:pk>/results/",
        api.DiagnosticResultsApi.as_view(),
        name="api_diagnostic_results",
    ),
    path(
        "questionnaires/<int:version>/",
        api.QuestionnaireApi.as_view(),
        name="api_questionnaire",
    ),
]
