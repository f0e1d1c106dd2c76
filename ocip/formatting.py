"""Numbers and refusals as people read them, in the active language."""

from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext

from .text import TextRefused


def current_language() -> str:
    """ "en" or "fr": the language of the page being made."""
    return "fr" if (get_language() or settings.LANGUAGE_CODE).startswith("fr") else "en"


def other_language(lang: str, language: str) -> str:
    """The `lang` attribute a text in `lang` needs on a page in `language`: "" when the same."""
    return "" if lang[:2] == language[:2] else lang


def number_text(value, decimals: int | None = None) -> str:
    """A number the locale's way: 1,234.5 in English, 1 234,5 in French (a non-breaking space
    groups the thousands). With `decimals`, rounded half up to that many; without, as it is."""
    if decimals is None:
        return number_format(value, force_grouping=True)
    # Rounded here: number_format cuts the extra decimals off instead of rounding them.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=decimals, force_grouping=True)


def dollar_text(amount, decimals: int = 0) -> str:
    """An amount in Canadian dollars the locale's way: $75,000 in English, 75 000 $ in French."""
    return gettext("$%(amount)s") % {"amount": number_text(amount, decimals)}


def dollar_range(low, high) -> str:
    """An estimate from `low` to `high` dollars, or just `high` when there is no lower bound."""
    if low is None or low == high:
        return dollar_text(high)
    return f"{dollar_text(low)} – {dollar_text(high)}"


def list_text(items) -> str:
    """Items one after the other, the locale's way: "a; b" in English, "a ; b" in French (with
    a non-breaking space before the semicolon)."""
    return reduce(_two_items, (str(item) for item in items), "")


def _two_items(first: str, second: str) -> str:
    if not first:
        return second
    return gettext("%(first)s; %(second)s") % {"first": first, "second": second}


def labelled_text(label, text) -> str:
    """A label and what it labels: "Eligible: …" in English, "Admissible : …" in French."""
    return gettext("%(label)s: %(text)s") % {"label": label, "text": text}


def text_refusal(refused: TextRefused) -> str:
    """Why the text boundary refused some input, in the reader's language."""
    reasons = {
        "NUL character": gettext("a NUL character, which cannot be stored"),
        "lone UTF-16 surrogate": gettext("a lone UTF-16 surrogate, which is not a character"),
        "number out of range": gettext("a number out of range"),
    }
    reason = reasons.get(refused.reason, refused.reason)
    if refused.where:
        return gettext("%(where)s holds %(reason)s.") % {"where": refused.where, "reason": reason}
    return gettext("The text holds %(reason)s.") % {"reason": reason}
