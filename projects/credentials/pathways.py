"""Where a learner stands on a pathway (pure): which of its micro-credentials they hold, how many
are still needed, and whether it is complete. "All of these" needs every component; "any N of
these", N of them. Only credentials that count are passed in (revoked ones never do)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    counted: tuple[str, ...]  # components held, in the pathway's order
    missing: tuple[str, ...]  # components not held, in the pathway's order
    needed: int  # how many the pathway asks for
    complete: bool

    @property
    def done(self) -> int:
        """How many of the needed ones are held (never more than needed)."""
        return min(len(self.counted), self.needed)

    @property
    def left(self) -> int:
        return self.needed - self.done

    @property
    def started(self) -> bool:
        return bool(self.counted)


def needed_count(components: Sequence[str], required: int | None) -> int:
    """How many components the rule asks for: all of them, or `required` (at most all)."""
    if required is None:
        return len(components)
    return min(required, len(components))


def progress(components: Sequence[str], required: int | None, held: Iterable[str]) -> Progress:
    """`components`: the pathway's micro-credentials (ids); `required`: N for "any N", None for
    "all"; `held`: the ids of the learner's credentials that count."""
    owned = set(held)
    counted = tuple(item for item in components if item in owned)
    missing = tuple(item for item in components if item not in owned)
    needed = needed_count(components, required)
    return Progress(
        counted=counted,
        missing=missing,
        needed=needed,
        complete=needed > 0 and len(counted) >= needed,
    )
