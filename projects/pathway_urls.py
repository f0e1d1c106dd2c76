"""Pathways (Micro-credentials Plus): the research office's pages and the learner's progress."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
