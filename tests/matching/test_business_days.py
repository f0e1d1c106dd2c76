"""Business days in Ontario: Monday to Friday, less the province's statutory holidays."""

from datetime import date, timedelta

import pytest

from matching.business_days import add_business_days, business_days_between, is_business_day

STATUTORY = {
    date(2026, 1, 1): "New Year's Day (Thursday)",
    date(2026, 2, 16): "Family Day",
    date(2026, 4, 3): "Good Friday",
    date(2026, 5, 18): "Victoria Day",
    date(2026, 7, 1): "Canada Day (Wednesday)",
    date(2026, 9, 7): "Labour Day",
    date(2026, 10, 12): "Thanksgiving",
    date(2026, 12, 25): "Christmas Day (Friday)",
    date(2026, 12, 28): "Boxing Day, observed: the 26th is a Saturday",
    date(2027, 12, 27): "Christmas Day, observed: the 25th is a Saturday",
    date(2027, 12, 28): "Boxing Day, observed: the 26th is a Sunday",
    date(2028, 1, 3): "New Year's Day, observed: the 1st is a Saturday",
}

ORDINARY_WEEKDAYS = {
    date(2026, 4, 6): "Easter Monday: not statutory in Ontario",
    date(2026, 8, 3): "Civic Holiday (first Monday of August): not statutory in Ontario",
    date(2026, 9, 30): "Truth and Reconciliation Day: federal, not Ontario",
    date(2026, 11, 11): "Remembrance Day: not statutory in Ontario",
    date(2026, 6, 24): "Saint-Jean-Baptiste: Quebec's",
    date(2026, 4, 2): "the Thursday before Good Friday",
    date(2026, 12, 24): "Christmas Eve",
    date(2026, 12, 29): "the Tuesday after Boxing Day observed",
}


@pytest.mark.parametrize("day", STATUTORY, ids=STATUTORY.values())
def test_statutory_holidays_are_not_business_days(day):
    assert day.weekday() < 5
    assert not is_business_day(day)


@pytest.mark.parametrize("day", ORDINARY_WEEKDAYS, ids=ORDINARY_WEEKDAYS.values())
def test_other_weekdays_are_business_days(day):
    assert is_business_day(day)


def test_weekends_are_not_business_days():
    saturday = date(2026, 3, 7)
    assert [is_business_day(saturday + timedelta(days=n)) for n in range(7)] == [
        False,  # Saturday
        False,  # Sunday
        True,
        True,
        True,
        True,
        True,  # Friday
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 10), date(2026, 3, 10), 0),  # same day: the start never counts
        (date(2026, 3, 10), date(2026, 3, 9), 0),  # end before start
        (date(2026, 3, 10), date(2026, 3, 11), 1),  # Tuesday -> Wednesday
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Friday -> Monday: the weekend is skipped
        (date(2026, 3, 7), date(2026, 3, 8), 0),  # Saturday -> Sunday
        (date(2026, 3, 7), date(2026, 3, 9), 1),  # from a weekend day
        (date(2026, 3, 2), date(2026, 3, 16), 10),  # two full weeks
        (date(2026, 4, 2), date(2026, 4, 3), 0),  # Thursday -> Good Friday
        (date(2026, 4, 2), date(2026, 4, 6), 1),  # ... -> Easter Monday, a business day
        (date(2026, 4, 2), date(2026, 4, 8), 3),
        (date(2026, 2, 13), date(2026, 2, 17), 1),  # over Family Day
        (date(2026, 12, 24), date(2027, 1, 4), 4),  # over Christmas and into the new year
        (date(2027, 12, 24), date(2027, 12, 29), 1),  # both observed days of 2027
    ],
)
def test_business_days_between(start, end, expected):
    assert business_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 10), 0, date(2026, 3, 10)),
        (date(2026, 3, 10), 1, date(2026, 3, 11)),
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 = Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday + 1 = Monday
        (date(2026, 4, 2), 1, date(2026, 4, 6)),  # Thursday + 1 = Easter Monday
        (date(2026, 4, 2), 3, date(2026, 4, 8)),
        (date(2026, 10, 9), 1, date(2026, 10, 13)),  # over Thanksgiving
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        (date(2027, 12, 24), 1, date(2027, 12, 29)),
        (date(2027, 12, 30), 2, date(2028, 1, 4)),  # over New Year's Day observed
    ],
)
def test_add_business_days(start, days, expected):
    assert add_business_days(start, days) == expected


def test_adding_then_counting_gives_back_the_same_number():
    # Every start day of a year with holidays in it, for a week and a half of business days.
    for offset in range(366):
        start = date(2026, 1, 1) + timedelta(days=offset)
        for days in (1, 3, 5, 8):
            end = add_business_days(start, days)
            assert is_business_day(end)
            assert business_days_between(start, end) == days
            assert business_days_between(start, end - timedelta(days=1)) == days - 1
