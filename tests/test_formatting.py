from decimal import Decimal

import pytest
from django.utils import translation

from ocip.formatting import dollar_range, dollar_text


@pytest.mark.parametrize(
    ("language", "amount", "decimals", "expected"),
    [
        ("en", 75000, 0, "$75,000"),
        ("fr", 75000, 0, "75\u00a0000\u00a0$"),
        ("en", Decimal("15000.50"), 0, "$15,001"),  # rounded half up, not cut off
        ("en", Decimal("15000.49"), 0, "$15,000"),
        ("fr", 1234.567, 2, "1\u00a0234,57\u00a0$"),
    ],
)
def test_dollars_are_written_the_locale_way(language, amount, decimals, expected):
    with translation.override(language):
        assert dollar_text(amount, decimals) == expected


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(15000, 60000, "$15,000 – $60,000"), (None, 5000, "$5,000"), (7000, 7000, "$7,000")],
)
def test_an_estimate_is_a_range_only_when_its_bounds_differ(low, high, expected):
    with translation.override("en"):
        assert dollar_range(low, high) == expected
