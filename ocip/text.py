"""The text boundary (pure Python): what text we refuse, and the form we store it in.

Every text that enters (forms, query strings, JSON) is refused when it holds a NUL character
or a lone UTF-16 surrogate: PostgreSQL cannot store the first, no page can be encoded with the
second. Text we store is normalised to Unicode NFC, so that "é" typed two ways is one word; a
signed document is checked but never altered (its signature covers its exact characters).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_DEPTH = 32
# A JSON string, to skip over when counting brackets (linear: no nested quantifiers).
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(rb"[\[\]{}]")


class TextRefused(ValueError):
    """Input that cannot be stored: `where` names the place (a field, a JSON path)."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}" if where else reason)
        self.where = where
        self.reason = reason


def forbidden_reason(text: str) -> str | None:
    """Why `text` cannot be accepted, or None. Plain English for logs; callers translate."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    return "NUL character" if found.group() == "\x00" else "lone UTF-16 surrogate"


def normalized(text: str) -> str:
    """NFC, with line breaks as LF (browsers send a textarea's as CRLF), so the same text is
    stored the same way whether it came from a page or the API."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n"))


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON in `body` nests arrays and objects deeper than `limit`, read without
    parsing it (a parser would recurse once per level first)."""
    depth = 0
    for bracket in _JSON_BRACKETS.finditer(_JSON_STRING.sub(b'""', body)):
        if bracket.group() in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def checked_json(value: Any, *, normalize: bool = True, path: str = "") -> Any:
    """`value` (parsed JSON) with every string, key included, checked and (if `normalize`)
    NFC-normalised. Non-finite numbers are refused too: 1e999 parses as infinity."""
    if isinstance(value, str):
        reason = forbidden_reason(value)
        if reason:
            raise TextRefused(path, reason)
        return normalized(value) if normalize else value
    if isinstance(value, float) and not math.isfinite(value):
        raise TextRefused(path, "number out of range")
    if isinstance(value, list):
        return [
            checked_json(item, normalize=normalize, path=f"{path}[{index}]")
            for index, item in enumerate(value)
        ]
    if isinstance(value, dict):
        checked = {}
        for key, item in value.items():
            # A refused key is named by where it is, never by itself.
            key = checked_json(key, normalize=normalize, path=f"{path} (a key)" if path else "")
            where = f"{path}.{key}" if path else key
            checked[key] = checked_json(item, normalize=normalize, path=where)
        return checked
    return value


def scrubbed(value: Any) -> Any:
    """`value` (text or stored JSON) with lone surrogates replaced by U+FFFD and NUL characters
    removed: what a row written before the boundary existed becomes (check_stored_text)."""
    if isinstance(value, str):
        return FORBIDDEN.sub(lambda found: "" if found.group() == "\x00" else "\ufffd", value)
    if isinstance(value, list):
        return [scrubbed(item) for item in value]
    if isinstance(value, dict):
        return {scrubbed(key): scrubbed(item) for key, item in value.items()}
    return value
