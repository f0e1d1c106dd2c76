"""Geometry for server-rendered SVG charts (templates/includes/bar_chart.html).

Pure Python. Pages always show the same numbers in a table next to the chart, for screen
readers and for anyone who prefers figures. Numbers a reader sees (a bar's value, the tick
labels) stay numbers here: the template writes them the reader's way (2.5 or 2,5), as the
table does; the coordinates are written for SVG (always with a dot).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

LABEL_WIDTH = 260
BAR_AREA = 400
ROW_HEIGHT = 36
BAR_HEIGHT = 22
TOP = 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str | Decimal | int  # shown beside the bar: a text, or a number the template localizes
    y: int
    width: float


def horizontal_bars(
    rows: list[tuple[str, float | None, str | float]],
    *,
    maximum: float,
    ticks: list[float],
    decimals: int | None = None,
) -> dict:
    """Bars from 0 to `maximum`; a row whose value is None gets no bar, only its text.

    A row's text is shown as given; a number (the value itself, usually) is rounded half up to
    `decimals` decimals and written the reader's way by the template (2,5 in French).
    """
    bars = [
        Bar(
            label=label,
            value=value,
            text=_shown(text, decimals),
            y=TOP + index * ROW_HEIGHT,
            width=0
            if value is None
            else round(BAR_AREA * max(0.0, min(value, maximum)) / maximum, 1),
        )
        for index, (label, value, text) in enumerate(rows)
    ]
    return {
        "bars": bars,
        "ticks": [(tick, LABEL_WIDTH + round(BAR_AREA * tick / maximum, 1)) for tick in ticks],
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "text_offset": BAR_HEIGHT // 2 + 5,
        "width": LABEL_WIDTH + BAR_AREA + 60,
        "height": TOP + len(rows) * ROW_HEIGHT + 8,
        "axis_top": TOP - 8,
        "axis_bottom": TOP + len(rows) * ROW_HEIGHT,
    }


def _shown(text: str | float | Decimal, decimals: int | None) -> str | Decimal | int:
    """Text as it is; a number as a Decimal of `decimals` places (half up), for the template."""
    if isinstance(text, bool) or not isinstance(text, int | float | Decimal):
        return str(text)
    if decimals is None:
        return text if isinstance(text, int | Decimal) else Decimal(str(text))
    return Decimal(str(text)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def count_scale(largest: float, *, most_ticks: int = 5) -> tuple[float, list[float]]:
    """A scale for counts from 0: (maximum, ticks) in round steps of 1, 2 or 5 × 10ⁿ, with at
    most `most_ticks` steps, the maximum a tick at or above `largest` (1 for nothing)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if largest <= candidate * most_ticks:
                steps = max(1, math.ceil(largest / candidate))
                return candidate * steps, [candidate * n for n in range(steps + 1)]
        step *= 10
