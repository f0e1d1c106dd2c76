"""The public catalogue of published micro-credentials."""

from django.urls import path

from . import catalogue_views

urlpatterns = [
    path("micro-credentials/", catalogue_views.catalogue, name="catalogue"),
]
