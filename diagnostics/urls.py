from django.urls import path

from . import views

urlpatterns = [
    path("companies/", views.company_list, name="company_list"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("companies/<slug:slug>/edit/", views.company_edit, name="company_edit"),
    path("companies/<slug:slug>/invite/", views.company_invite, name="company_invite"),
    path(
        "companies/<slug:slug>/members/<int:pk>/remove/",
        views.company_member_remove,
        name="company_member_remove",
    ),
    path(
        "companies/<slug:slug>/invitations/<int:pk>/withdraw/",
        views.company_invitation_revoke,
        name="company_invitation_revoke",
    ),
]

urlpatterns += [
    path("companies/<slug:slug>/diagnostics/", views.diagnostic_list, name="diagnostic_list"),
    path(
        "companies/<slug:slug>/diagnostics/start/",
        views.diagnostic_start,
        name="diagnostic_start",
    ),
    path("diagnostics/<int:pk>/", views.diagnostic_detail, name="diagnostic_detail"),
    path("diagnostics/<int:pk>/steps/<int:number>/", views.diagnostic_step, name="diagnostic_step"),
    path("diagnostics/<int:pk>/review/", views.diagnostic_review, name="diagnostic_review"),
    path("diagnostics/<int:pk>/results/", views.diagnostic_results, name="diagnostic_results"),
    path("diagnostics/<int:pk>/delete/", views.diagnostic_discard, name="diagnostic_discard"),
]
