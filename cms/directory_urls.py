"""The public directory: expertise profiles and institutions."""

from django.urls import path

from . import directory_views

urlpatterns = [
    path("expertise/", directory_views.directory_page, name="directory"),
    path("expertise/<str:external_id>/", directory_views.public_profile, name="public_profile"),
    path("institutions/", directory_views.institution_list, name="public_institution_list"),
    path("institutions/<slug:slug>/", directory_views.institution_page, name="public_institution"),
]
