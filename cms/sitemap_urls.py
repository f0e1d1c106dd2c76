"""/sitemap.xml (outside the language prefixes: one sitemap lists both languages)."""

urlpatterns: list = []
