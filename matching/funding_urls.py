"""The public funding guide."""

from django.urls import path

from . import funding_views

urlpatterns = [
    path("funding/", funding_views.funding_guide, name="funding_guide"),
    path("funding/<slug:slug>/", funding_views.funding_program, name="funding_program"),
]
