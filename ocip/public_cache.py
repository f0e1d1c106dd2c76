"""Pages for anonymous visitors, cached per language and address.

A page is cached only when nothing in it belongs to the request: no signed-in user, no
message waiting, no session, and no CSRF token rendered into it. Any change to public content
bumps one generation number, so every cached page goes stale at once (see `cms.apps`).
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation

GENERATION_KEY = "public-pages:generation"
# Its own cache: junk addresses filling it can only push out other public pages, never the
# login rate limits or the one-time codes kept in the default cache.
CACHE_ALIAS = "public_pages"
# Headers of a response that belong to the one request.
NOT_KEPT = {"set-cookie"}


def page_cache():
    return caches[CACHE_ALIAS]


def content_generation() -> int:
    """A number that changes whenever public content does (for keys of cached public parts)."""
    cache = page_cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A number never used before (not 1): pages cached under an earlier generation that
        # was evicted must not come back.
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY)
    return int(generation or 0)


def _bump() -> None:
    try:
        page_cache().incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        content_generation()


def public_content_changed(**kwargs) -> None:
    """Signal receiver: every cached public page is out of date, now and once the change is
    committed (a page rendered meanwhile from the old rows must not outlive it)."""
    _bump()
    transaction.on_commit(_bump)


def _cacheable_request(request) -> bool:
    return (
        settings.OCIP_PUBLIC_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request) -> str:
    address = hashlib.sha256(
        f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode()
    )
    return f"public-page:{content_generation()}:{translation.get_language()}:{address.hexdigest()}"


def cache_for_visitors(view):
    """Serve `view` from the cache to anonymous visitors (the same page for each of them)."""

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = page_cache().get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
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
            headers = [
                (name, value) for name, value in response.items() if name.lower() not in NOT_KEPT
            ]
            page_cache().set(key, (response.content, headers), settings.OCIP_PUBLIC_CACHE_SECONDS)
        return response

    return cached_view
