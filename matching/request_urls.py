from django.urls import path

from . import request_views as views

urlpatterns = [
    path("diagnostics/<int:pk>/matches/request/", views.request_create, name="request_create"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/assigned/", views.request_assigned, name="request_assigned"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/message/", views.request_message, name="request_message"),
    path("requests/<int:pk>/note/", views.request_note, name="request_note"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/ask/", views.request_ask_info, name="request_ask_info"),
    path("requests/<int:pk>/answer/", views.request_answer, name="request_answer"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/refer/", views.request_refer, name="request_refer"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("manage/institutions/<slug:slug>/requests/", views.request_queue, name="request_queue"),
]
