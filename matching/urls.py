from django.urls import path

from . import views

urlpatterns = [
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<slug:slug>/", views.institution_detail, name="institution_detail"),
    path("institutions/<slug:slug>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<slug:slug>/invite/", views.institution_invite, name="institution_invite"),
    path(
        "institutions/<slug:slug>/members/<int:pk>/remove/",
        views.institution_member_remove,
        name="institution_member_remove",
    ),
    path(
        "institutions/<slug:slug>/invitations/<int:pk>/withdraw/",
        views.institution_invitation_revoke,
        name="institution_invitation_revoke",
    ),
]
