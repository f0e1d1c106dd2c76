from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
]
