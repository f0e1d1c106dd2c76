"""The public catalogue of published micro-credentials."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
