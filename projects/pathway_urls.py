"""Pathways (Micro-credentials Plus): the research office's pages."""

from django.urls import path

from . import pathway_views

urlpatterns = [
    path(
        "manage/institutions/<slug:slug>/pathways/",
        pathway_views.pathway_list,
        name="pathway_list",
    ),
    path(
        "manage/institutions/<slug:slug>/pathways/new/",
        pathway_views.pathway_create,
        name="pathway_create",
    ),
    path(
        "manage/institutions/<slug:slug>/pathways/<int:pk>/",
        pathway_views.pathway_detail,
        name="pathway_detail",
    ),
    path(
        "manage/institutions/<slug:slug>/pathways/<int:pk>/edit/",
        pathway_views.pathway_edit,
        name="pathway_edit",
    ),
    path(
        "manage/institutions/<slug:slug>/pathways/<int:pk>/publish/",
        pathway_views.pathway_publish,
        name="pathway_publish",
    ),
    path(
        "manage/institutions/<slug:slug>/pathways/<int:pk>/close/",
        pathway_views.pathway_close,
        name="pathway_close",
    ),
    path(
        "manage/institutions/<slug:slug>/pathways/components/<int:component_pk>/agree/",
        pathway_views.pathway_component_agree,
        name="pathway_component_agree",
    ),
]
