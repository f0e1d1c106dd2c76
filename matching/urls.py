from django.urls import path

from . import views

urlpatterns = [
    path("manage/institutions/", views.institution_list, name="institution_list"),
    path("manage/institutions/<slug:slug>/", views.institution_detail, name="institution_detail"),
    path("manage/institutions/<slug:slug>/edit/", views.institution_edit, name="institution_edit"),
    path(
        "manage/institutions/<slug:slug>/invite/",
        views.institution_invite,
        name="institution_invite",
    ),
    path(
        "manage/institutions/<slug:slug>/members/<int:pk>/remove/",
        views.institution_member_remove,
        name="institution_member_remove",
    ),
    path(
        "manage/institutions/<slug:slug>/invitations/<int:pk>/withdraw/",
        views.institution_invitation_revoke,
        name="institution_invitation_revoke",
    ),
]

urlpatterns += [
    path("diagnostics/<int:pk>/matches/", views.match_results, name="match_results"),
    path("diagnostics/<int:pk>/matches/refresh/", views.match_refresh, name="match_refresh"),
    path("manage/expertise/mine/", views.expertise_mine, name="expertise_mine"),
    path("manage/expertise/<str:external_id>/", views.expertise_detail, name="expertise_detail"),
    path("manage/expertise/<str:external_id>/edit/", views.expertise_edit, name="expertise_edit"),
    path(
        "manage/institutions/<slug:slug>/expertise/new/",
        views.expertise_create,
        name="expertise_create",
    ),
]
