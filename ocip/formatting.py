"""Numbers and refusals as people read them, in the active language."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext

from .text import TextRefused


def dollar_text(amount, decimals: int = 0) -> str:
    """An amount in Canadian dollars the locale's way: $75,000 in English, 75 000 $ in French."""
    # Rounded here: number_format cuts the extra decimals off instead of rounding them.
    rounded = Decimal(str(amount)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    digits = number_format(rounded, decimal_pos=decimals, force_grouping=True)
    return gettext("$%(amount)s") % {"amount": digits}


def dollar_range(low, high) -> str:
    """An estimate from `low` to `high` dollars, or just `high` when there is no lower bound."""
    if low is None or low == high:
        return dollar_text(high)
    return f"{dollar_text(low)} – {dollar_text(high)}"


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
