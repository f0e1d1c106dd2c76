"""The matching benchmark command and its synthetic data. No database."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diagnostics.text import detect_language
from matching.engine.index import ProfileIndex
from matching.engine.ranking import rank
from matching.engine.semantic import (
    EmbedderUnavailable,
    UniversalSentenceEncoder,
    profile_passages,
)
from matching.engine.synthetic import INSTITUTIONS, synthetic_profiles, synthetic_queries
from matching.engine.types import Profile, Query
from matching.management.commands.bench_matching import SyntheticVectors
from ocip.taxonomy import regions, taxonomy

KEYS = {
    "profiles",
    "queries",
    "build_s",
    "meaning_build_s",
    "p50_ms",
    "p95_ms",
    "max_ms",
    "peak_mb",
    "meaning_mb",
    "embed_load_s",
    "embed_ms_p50",
    "embed_ms_p95",
    "embed_profiles_per_s",
    "rank_bm25_p50_ms",
    "speedup",
}
EMBED_KEYS = ("embed_load_s", "embed_ms_p50", "embed_ms_p95", "embed_profiles_per_s")


def _run(**options: int) -> tuple[list[str], dict]:
    out = StringIO()
    call_command("bench_matching", stdout=out, **options)
    lines = out.getvalue().rstrip("\n").splitlines()
    return lines, json.loads(lines[-1])


@pytest.fixture(scope="module")
def bench_output() -> tuple[list[str], dict]:
    """One small run, with the real embedding model (installed with the project)."""
    return _run(profiles=300, queries=5, embed_profiles=5)


def test_last_line_is_the_json_summary(bench_output: tuple[list[str], dict]) -> None:
    lines, summary = bench_output
    assert set(summary) == KEYS
    assert summary["profiles"] == 300
    assert summary["queries"] == 5
    for key in (
        "build_s",
        "meaning_build_s",
        "p50_ms",
        "p95_ms",
        "max_ms",
        "embed_ms_p50",
        "embed_ms_p95",
        "embed_profiles_per_s",
        "rank_bm25_p50_ms",
        "speedup",
    ):
        assert isinstance(summary[key], float | int), key
        assert summary[key] > 0, key
    # Memory added over the pre-build baseline: can round to nothing on a tiny corpus. The
    # model's load time is next to nothing when an earlier test loaded it.
    for key in ("peak_mb", "meaning_mb", "embed_load_s"):
        assert isinstance(summary[key], float | int), key
        assert summary[key] >= 0, key
    assert summary["p50_ms"] <= summary["p95_ms"] <= summary["max_ms"]
    assert summary["embed_ms_p50"] <= summary["embed_ms_p95"]
    expected = summary["rank_bm25_p50_ms"] / summary["p50_ms"]
    assert summary["speedup"] == pytest.approx(expected, rel=0.02, abs=0.01)
    # Only the last line is JSON, and the table comes before it, the meaning index and the
    # embedding model each on their own lines.
    assert not any("embeddings: none" in line for line in lines)
    for start in (
        "rank p50 / p95 / max",
        "meaning index (synthetic vectors)",
        "embedding model ",
        "  embed challenge p50 / p95 / max (5)",
        "  embed profiles (5, ",
    ):
        assert any(line.startswith(start) for line in lines), start
    model = ["embedding", "model", UniversalSentenceEncoder.name]
    assert any(line.split() == model for line in lines)
    for line in lines[:-1]:
        assert not line.startswith("{")


def test_every_match_is_ranked_with_the_meaning_signal(
    bench_output: tuple[list[str], dict],
) -> None:
    lines, _ = bench_output
    quoting = next(line for line in lines if line.startswith("  matches quoting a passage"))
    quoted, shown = quoting.split()[-3], quoting.split()[-1]
    assert int(shown) == 5 * 10
    assert int(quoted) > 0  # explanations quote passages: their cost is in the times


def test_without_the_model_its_figures_are_null(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(self: UniversalSentenceEncoder) -> None:
        raise EmbedderUnavailable("no model here")

    monkeypatch.setattr(UniversalSentenceEncoder, "_loaded", unavailable)
    lines, summary = _run(profiles=120, queries=3, embed_profiles=2)
    assert set(summary) == KEYS
    for key in EMBED_KEYS:
        assert summary[key] is None, key
    assert summary["p95_ms"] > 0 and summary["meaning_build_s"] > 0
    assert any(
        line.startswith("embedding model") and line.endswith("unavailable: no model here")
        for line in lines
    )


def test_synthetic_vectors_are_deterministic_and_unit_length() -> None:
    profiles = synthetic_profiles(300, seed=5)
    one, two = SyntheticVectors(profiles, seed=5), SyntheticVectors(profiles, seed=5)
    stop = int(one.indptr[-1])
    assert np.array_equal(one.passages(0, stop), two.passages(0, stop))
    assert np.allclose(np.linalg.norm(one.passages(0, stop), axis=1), 1, atol=1e-5)
    built = one.meaning_index()
    assert len(built) == len(profiles) and built.passage_vectors.dtype == np.float16
    assert built.passage_texts == [p for profile in profiles for p in profile_passages(profile)]


def test_synthetic_vectors_make_related_profiles_close() -> None:
    profiles = synthetic_profiles(400, seed=7)
    vectors = SyntheticVectors(profiles, seed=7)
    index = ProfileIndex.build(profiles).with_meaning(vectors.meaning_index())
    query = synthetic_queries(1, seed=11)[0]
    matches = rank(index, query, limit=10, query_vector=vectors.challenge(query, 0))
    meaning = [s for match in matches for s in match.signals if s.name == "meaning"]
    assert len(meaning) == len(matches) == 10
    assert any(signal.detail["passages"] for signal in meaning)
    quoted = {p["text"] for signal in meaning for p in signal.detail["passages"]}
    assert quoted <= set(index.meaning.passage_texts)


@pytest.mark.parametrize(
    "options",
    [
        {"profiles": 0, "queries": 5},
        {"profiles": 10, "queries": 0},
        {"profiles": -3, "queries": 5},
        {"profiles": 10, "queries": 5, "baseline_queries": 0},
        {"profiles": 10, "queries": 5, "embed_profiles": 0},
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
