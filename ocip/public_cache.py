"""Pages for anonymous visitors, cached per language and address.

A page is cached only when nothing in it belongs to the request: no signed-in user, no
message waiting, no session, and no CSRF token rendered into it. Any change to public content
bumps one generation number, so every cached page goes stale at once (see `cms.apps`).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation

GENERATION_KEY = "public-pages:generation"


def content_generation() -> int:
    """A number that changes whenever public content does (for keys of cached public parts)."""
    return int(cache.get_or_set(GENERATION_KEY, 1, None) or 1)


def public_content_changed(**kwargs) -> None:
    """Signal receiver: every cached public page is out of date."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(GENERATION_KEY, 1, None)


def _cacheable_request(request) -> bool:
    return (
        settings.OCIP_PUBLIC_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request) -> str:
    address = hashlib.sha256(f"{request.get_host()} {request.get_full_path()}".encode())
    return f"public-page:{content_generation()}:{translation.get_language()}:{address.hexdigest()}"


def cache_for_visitors(view):
    """Serve `view` from the cache to anonymous visitors (the same page for each of them)."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content, content_type, language = stored
            response = HttpResponse(content, content_type=content_type)
            if language:
                response["Content-Language"] = language
            return response
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and not response.is_rendered:
            response = response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            stored = (response.content, response["Content-Type"], response.get("Content-Language"))
            cache.set(key, stored, settings.OCIP_PUBLIC_CACHE_SECONDS)
        return response

    return cached_view
