from django.urls import path

from . import views

urlpatterns = [
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path(
        "projects/<int:pk>/milestones/<int:milestone_pk>/toggle/",
        views.milestone_toggle,
        name="milestone_toggle",
    ),
    path(
        "projects/<int:pk>/funding/", views.funding_application_add, name="funding_application_add"
    ),
    path(
        "projects/<int:pk>/funding/<int:application_pk>/",
        views.funding_application_edit,
        name="funding_application_edit",
    ),
]
