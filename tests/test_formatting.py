import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from ocip.charts import horizontal_bars
from ocip.formatting import dollar_range, dollar_text, labelled_text, list_text, number_text


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


@pytest.mark.parametrize(
    ("language", "value", "decimals", "expected"),
    [
        ("en", 40200, None, "40,200"),
        ("fr", 40200, None, "40\u00a0200"),
        ("en", 2.25, 1, "2.3"),  # half up
        ("fr", 2.25, 1, "2,3"),
        ("fr", 1234567.891, 2, "1\u00a0234\u00a0567,89"),
    ],
)
def test_numbers_are_written_the_locale_way(language, value, decimals, expected):
    with translation.override(language):
        assert number_text(value, decimals) == expected


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [("en", 40.2, "$40.20"), ("fr", 40.2, "40,20\u00a0$"), ("fr", 40200, "40\u00a0200,00\u00a0$")],
)
def test_amounts_with_cents_put_the_dollar_sign_where_the_locale_does(language, amount, expected):
    """French: comma decimals, non-breaking spaces between thousands and before the "$"."""
    with translation.override(language):
        assert dollar_text(amount, 2) == expected


def test_lists_and_labels_in_english():
    with translation.override("en"):
        assert list_text(["a", "b", "c"]) == "a; b; c"
        assert list_text([]) == ""
        assert labelled_text("Eligible", "with a college partner") == (
            "Eligible: with a college partner"
        )


def test_lists_and_labels_in_french_have_a_non_breaking_space_before_the_sign():
    """Needs the project's French catalogue with the merged translations."""
    with translation.override("fr"):
        assert list_text(["a", "b"]) == "a\u00a0; b"
        assert labelled_text("Admissible", "x") == "Admissible\u00a0: x"


def test_template_filters_number_and_semicolons():
    template = Template("{% load ocip_tags %}{{ score|number:1 }} | {{ items|semicolons }}")
    context = Context({"score": 2.45, "items": ["a", "<b>"]})
    with translation.override("en"):
        assert template.render(context) == "2.5 | a; &lt;b&gt;"
    with translation.override("fr"):
        assert template.render(context).startswith("2,5 | a")


# --- Charts ---------------------------------------------------------------------------------


def _chart_html(language: str, chart: dict) -> str:
    with translation.override(language):
        return render_to_string(
            "includes/bar_chart.html", {"chart": chart, "chart_id": "c", "title": "T"}
        )


def test_chart_values_and_ticks_are_written_the_readers_way_and_coordinates_for_svg():
    chart = horizontal_bars(
        [("Strategy", 2.45, 2.45), ("People", None, "not answered")],
        maximum=5,
        ticks=[0, 2.5, 5],
        decimals=1,
    )
    assert [bar.text for bar in chart["bars"]] == [Decimal("2.5"), "not answered"]
    french = _chart_html("fr", chart)
    assert '<text x="' in french and ">2,5</text>" in french  # the bar's value and a tick
    assert "2.5</text>" not in french
    assert ">not answered</text>" in french
    assert 'width="196.0"' in french  # coordinates keep their dot
    assert not re.search(r'="\d+,\d', french)
    english = _chart_html("en", chart)
    assert ">2.5</text>" in english


def test_a_chart_text_given_as_words_is_shown_as_given():
    chart = horizontal_bars([("Open", 3, "3 requests")], maximum=5, ticks=[0, 5])
    assert chart["bars"][0].text == "3 requests"
