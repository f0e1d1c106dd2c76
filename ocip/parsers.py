"""The API's one body parser: JSON, with a size and a depth limit, and the text boundary."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

from . import text
from .formatting import text_refusal


class SafeJSONParser(JSONParser):
    """DRF's JSON parser reads any size and recurses once per nesting level (a deep enough body
    is a RecursionError, so a 500). This one reads at most OCIP_API_MAX_BODY_BYTES, refuses
    nesting deeper than text.MAX_JSON_DEPTH before parsing, and passes every string through
    the text boundary: each failure is a 400 that says why."""

    normalize = True

    @staticmethod
    def max_bytes() -> int:
        return settings.OCIP_API_MAX_BODY_BYTES

    def parse(self, stream, media_type=None, parser_context=None):
        limit = self.max_bytes()
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(
                _("The body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}
            )
        if text.json_depth_exceeds(body):
            raise ParseError(
                _("The JSON nests deeper than %(depth)s levels.") % {"depth": text.MAX_JSON_DEPTH}
            )
        try:
            data = json.loads(body.decode("utf-8"), parse_constant=strict_constant)
        except UnicodeDecodeError as error:
            raise ParseError(_("The body is not UTF-8 text.")) from error
        except ValueError as error:
            raise ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from None
        try:
            return text.checked_json(data, normalize=self.normalize)
        except text.TextRefused as refused:
            raise ParseError(text_refusal(refused)) from None


class VerbatimJSONParser(SafeJSONParser):
    """For signed documents (a credential posted for verification): the same checks, but the
    text is never altered, or its signature would no longer match. Verifying costs far more
    per byte than storing (canonicalisation), so the body limit is OCIP_VERIFY_MAX_BYTES."""

    normalize = False

    @staticmethod
    def max_bytes() -> int:
        return settings.OCIP_VERIFY_MAX_BYTES
