"""The engine's inputs and outputs: plain data, no Django.

A `Profile` is one unit of expertise as the engine sees it (the model's fields plus its
institution's kind and region). A `Query` is what the engine reads of a needs profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Profile:
    id: str  # the stable external id ("w1-001")
    institution: str  # institution slug
    institution_kind: str  # college | university | indigenous_institute
    region: str  # the institution's region (regions.yaml)
    kind: str  # researcher | lab | centre | facility | program
    name: str
    title: str = ""
    summary: str = ""
    keywords: tuple[str, ...] = ()
    capability_areas: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # NAICS codes, "31-33" style ranges allowed
    trl_min: int | None = None
    trl_max: int | None = None
    rd_stages: tuple[str, ...] = ()
    innovation_types: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    accepts_students: bool = False
    student_levels: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)
    capacity: int | None = None  # projects it can take at once; None = not said
    load: int = 0  # projects under way now
    past_projects: tuple[str, ...] = ()

    @property
    def capacity_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.load, 0)


@dataclass(frozen=True)
class Query:
    text: str  # challenge and desired outcome
    language: str | None = None  # en | fr | None (unknown)
    capability_areas: tuple[str, ...] = ()
    related_capability_areas: tuple[str, ...] = ()
    sector: str | None = None  # NAICS code of the company
    trl: int | None = None
    rd_stage: str | None = None
    innovation_types: tuple[str, ...] = ()
    wants_students: bool | None = None
    student_levels: tuple[str, ...] = ()
    onsite_needed: bool | None = None
    region: str | None = None
    neighbouring_regions: tuple[str, ...] = ()
    # Filters chosen on the results page: empty means all.
    institution_kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signal:
    """One factor of a match's score, with what it rests on (for the "why")."""

    name: (
        str  # text | capability | trl | rd_stage | sector | language | students | region | capacity
    )
    value: float  # 0..1
    weight: float
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def contribution(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class Match:
    profile_id: str
    score: float
    signals: tuple[Signal, ...]
    rank: int = 0


class SearchUnavailable(Exception):
    """The search engine behind a backend did not answer (a match run records it as failed)."""
