"""The matching benchmark command and its synthetic data. No database."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diagnostics.text import detect_language
from matching.engine.synthetic import INSTITUTIONS, synthetic_profiles, synthetic_queries
from matching.engine.types import Profile, Query
from ocip.taxonomy import regions, taxonomy

KEYS = {
    "profiles",
    "queries",
    "build_s",
    "p50_ms",
    "p95_ms",
    "max_ms",
    "peak_mb",
    "rank_bm25_p50_ms",
    "speedup",
}


@pytest.fixture(scope="module")
def bench_output() -> str:
    out = StringIO()
    call_command("bench_matching", profiles=300, queries=12, stdout=out)
    return out.getvalue()


def test_last_line_is_the_json_summary(bench_output: str) -> None:
    lines = bench_output.rstrip("\n").splitlines()
    summary = json.loads(lines[-1])
    assert set(summary) == KEYS
    assert summary["profiles"] == 300
    assert summary["queries"] == 12
    for key in ("build_s", "p50_ms", "p95_ms", "max_ms", "rank_bm25_p50_ms", "speedup"):
        assert isinstance(summary[key], float | int)
        assert summary[key] > 0, key
    # Memory added over the pre-build baseline: can round to nothing on a tiny corpus.
    assert summary["peak_mb"] >= 0
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["max_ms"]
    expected = summary["rank_bm25_p50_ms"] / summary["p50_ms"]
    assert summary["speedup"] == pytest.approx(expected, rel=0.02, abs=0.01)
    # Only the last line is JSON, and the table and the embeddings note come before it.
    assert "embeddings: none (not part of the default install)" in lines
    assert any(line.startswith("rank p50 / p95 / max") for line in lines)
    for line in lines[:-1]:
        assert not line.startswith("{")


@pytest.mark.parametrize(
    "options",
    [
        {"profiles": 0, "queries": 5},
        {"profiles": 10, "queries": 0},
        {"profiles": -3, "queries": 5},
        {"profiles": 10, "queries": 5, "baseline_queries": 0},
    ],
)
def test_bad_arguments_are_command_errors(options: dict[str, int]) -> None:
    with pytest.raises(CommandError):
        call_command("bench_matching", stdout=StringIO(), **options)


def test_bad_arguments_on_the_command_line() -> None:
    with pytest.raises(CommandError):
        call_command("bench_matching", "--profiles", "0", stdout=StringIO())


def test_synthetic_profiles_are_deterministic() -> None:
    assert synthetic_profiles(60, seed=3) == synthetic_profiles(60, seed=3)
    assert synthetic_profiles(60, seed=3) != synthetic_profiles(60, seed=4)
    # A longer run begins with the shorter one.
    assert synthetic_profiles(80, seed=3)[:60] == synthetic_profiles(60, seed=3)
    assert synthetic_queries(20, seed=5) == synthetic_queries(20, seed=5)
    assert synthetic_queries(20, seed=5) != synthetic_queries(20, seed=6)


def test_synthetic_profiles_are_valid() -> None:
    vocabulary = taxonomy()
    institutions = {slug: (kind, region) for slug, _, kind, region, _ in INSTITUTIONS}
    profiles = synthetic_profiles(1000, seed=7)
    assert len(profiles) == 1000
    assert len({p.id for p in profiles}) == 1000
    assert 50 <= len(institutions) <= 60
    assert {region for _, region in institutions.values()} == set(regions())
    for p in profiles:
        assert isinstance(p, Profile)
        assert institutions[p.institution] == (p.institution_kind, p.region)
        assert p.kind in vocabulary["profile_kinds"]
        assert p.title and p.name
        assert 60 <= len(p.summary.split()) <= 120, p.summary
        assert 5 <= len(p.keywords) <= 8
        assert len(set(p.keywords)) == len(p.keywords)
        assert 1 <= len(p.capability_areas) <= 3
        assert len(set(p.capability_areas)) == len(p.capability_areas)
        assert set(p.capability_areas) <= set(vocabulary["capability_areas"])
        assert p.sectors and set(p.sectors) <= set(vocabulary["sectors"])
        assert p.rd_stages and set(p.rd_stages) <= set(vocabulary["rd_stages"])
        assert set(p.innovation_types) <= set(vocabulary["innovation_types"])
        assert p.trl_min is not None and p.trl_max is not None
        assert 1 <= p.trl_min <= p.trl_max <= 9
        assert 2 <= len(p.equipment) <= 3
        assert 1 <= len(p.past_projects) <= 2
        assert p.languages and set(p.languages) <= {"en", "fr"}
        assert p.capacity is None or 0 <= p.load <= p.capacity
        assert p.accepts_students or not p.student_levels
    # About one profile in ten is French-speaking, and those are written in French.
    french = [p for p in profiles if detect_language(p.summary) == "fr"]
    assert 50 <= len(french) <= 160
    assert all("fr" in p.languages for p in french)
    assert all(p.languages != ("fr",) for p in profiles if p not in french)
    assert len({p.institution for p in profiles}) >= 40


def test_synthetic_queries_are_valid() -> None:
    vocabulary = taxonomy()
    queries = synthetic_queries(400, seed=11)
    for q in queries:
        assert isinstance(q, Query)
        assert 80 <= len(q.text.split()) <= 200, q.text
        assert 1 <= len(q.capability_areas) <= 2
        assert set(q.capability_areas + q.related_capability_areas) <= set(
            vocabulary["capability_areas"]
        )
        assert q.sector in vocabulary["sectors"]
        assert q.trl is None or 1 <= q.trl <= 9
        assert q.rd_stage is None or q.rd_stage in vocabulary["rd_stages"]
        assert q.region in regions()
        assert set(q.neighbouring_regions) == set(regions()[q.region])
        assert q.language in {"en", "fr", None}
    french = sum(detect_language(q.text) == "fr" for q in queries)
    assert 30 <= french <= 100  # about 15%
