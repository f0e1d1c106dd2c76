"""Site search (inside the language prefixes)."""

urlpatterns: list = []
