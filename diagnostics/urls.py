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
