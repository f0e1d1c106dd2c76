"""Business days in Ontario: Monday to Friday, less the province's statutory holidays.

Pure Python (the `holidays` package knows the nine Ontario statutory holidays and the days
observed in their place when they fall on a weekend).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _ontario_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("CA", subdiv="ON", years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _ontario_holidays(day.year)


def business_days_between(start: date, end: date) -> int:
    """Business days after `start`, up to and including `end` (0 when end <= start)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_business_day(day)
        day += timedelta(days=1)
    return count


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_business_day(day)
    return day
