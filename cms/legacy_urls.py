"""Old addresses of the members' pages, which moved under /manage/ when the public pages took
/institutions/ and /expertise/: permanent redirects, so bookmarks and sent links keep working."""

from django.shortcuts import redirect
from django.urls import path


def to_manage(request, **kwargs):
    prefix = "/fr/" if request.path.startswith("/fr/") else "/"
    rest = request.path.removeprefix(prefix)
    query = request.META.get("QUERY_STRING", "")
    target = f"{prefix}manage/{rest}" + (f"?{query}" if query else "")
    # 301 for a link; 308 for a form, so that it posts again to the new address.
    return redirect(target, permanent=True, preserve_request=request.method not in ("GET", "HEAD"))


urlpatterns = [
    path("institutions/<slug:slug>/<path:rest>", to_manage),
    path("expertise/mine/", to_manage),
    path("expertise/<str:external_id>/edit/", to_manage),
]
