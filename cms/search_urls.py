"""Site search (inside the language prefixes)."""

from django.urls import path

from . import search_views

urlpatterns = [
    path("search/", search_views.site_search, name="site_search"),
]
