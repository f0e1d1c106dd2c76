"""The public directory: expertise profiles and institutions (filled in by the directory work)."""

urlpatterns: list = []
