"""The API's content negotiation: DRF's, and the language too.

The site's pages take their language from their address (/fr/...), and LocaleMiddleware gives
every address without a prefix, /api/ included, the default language. The API has no prefix:
it answers in the language the client asks for with Accept-Language (or the site's language
cookie), English otherwise — its messages, refusals and the texts it builds (reasons, funding).
"""

from __future__ import annotations

from django.utils import translation
from rest_framework.negotiation import DefaultContentNegotiation


class LanguageNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        language = translation.get_language_from_request(request._request, check_path=False)
        translation.activate(language)
        request._request.LANGUAGE_CODE = translation.get_language()
        return super().select_renderer(request, renderers, format_suffix)
