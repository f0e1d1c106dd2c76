"""Benchmark the matching engine on a synthetic corpus, against rank_bm25 as a baseline.

    python manage.py bench_matching --profiles 100000 --queries 200

Generates N profiles and Q challenges (matching/engine/synthetic.py) and builds the text index
(timed: build_s). Then builds the meaning index, timed apart (meaning_build_s, not part of
build_s), from synthetic passage vectors standing in for the model's, which at 100,000
profiles would take hours to compute here: one 512-dimension vector per passage of each profile
(`profile_passages`, so explanations quote the profiles' real text), deterministic for the seed.
A passage's vector is its profile's capability area's direction plus noise, a challenge's the
direction of its areas plus noise, so related passages are close enough to be quoted, as with
the real model. They are generated and reduced to 128 dimensions a chunk of profiles at a time
(a pass for the reduction basis, then one to project), so that all their full vectors are never
held at once; generating them is timed apart from meaning_build_s, as embedding is.

Every challenge is ranked with its synthetic vector and explanations (`rank(index, query,
limit=10, query_vector=...)`, timed one by one after 3 warm-up queries), so the times include
the meaning signal and the quoted passages; the memory the two indexes and the ranking add is
measured. The real model (the multilingual Universal Sentence Encoder) is measured on its own
lines: its load, the time to embed a challenge (`query_vector`, up to 100 of the timed
challenges, after warm-up: embed_ms) and its throughput on the passages of the first M profiles
(--embed-profiles, in batches of 64 as the index rebuild does), in profiles per second. If the
model is unavailable, it says so and those figures are null. Finally builds rank_bm25's
BM25Okapi over the same corpus tokenized by the engine's own analyzer and times its scoring plus
top-10 selection, so that the comparison is of ranking, not tokenizing: the baseline is given
pre-tokenized queries, while the engine's times include analysing the query and the meaning
signal, which makes the speed-up conservative. Touches no database.

The last line of output is one JSON object: profiles, queries, build_s, meaning_build_s, p50_ms,
p95_ms, max_ms, peak_mb, meaning_mb, embed_load_s, embed_ms_p50, embed_ms_p95,
embed_profiles_per_s, rank_bm25_p50_ms, speedup (the embed_* figures are null without the
model).
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.engine.analysis import analyze, document_language
from matching.engine.index import K1, B, ProfileIndex, profile_text
from matching.engine.ranking import analyze_query, meaning_values, query_language, rank
from matching.engine.semantic import (
    CHUNK_PROFILES,
    DIMENSIONS,
    EmbedderUnavailable,
    MeaningIndex,
    UniversalSentenceEncoder,
    normalised,
    profile_language,
    profile_passages,
    query_vector,
)
from matching.engine.synthetic import synthetic_profiles, synthetic_queries
from matching.engine.types import Profile, Query
from ocip.taxonomy import taxonomy

WARM_UP = 3
LIMIT = 10
MIN_BASELINE_QUERIES = 10
QUERY_SEED_OFFSET = 4  # the default seed 7 gives queries seed 11, synthetic_queries' default
EMBED_QUERIES = 100  # challenges embedded by the real model, at most
EMBED_BATCH = 64  # passages per call to the model, as matching/embedding.py
# The spread of a synthetic vector's noise, per dimension, around its area's unit direction: a
# passage is then at cosine about 0.6 of its area's direction in 512 dimensions. The noise is
# uniform (with this standard deviation), which numpy draws four times faster than normal.
SYNTHETIC_NOISE = 0.06
UNIFORM_SPREAD = SYNTHETIC_NOISE * 12**0.5  # the width of a uniform of that deviation
SYNTHETIC_MODEL = "synthetic"


def current_rss_mb() -> float:
    """Resident memory now (VmRSS), or the peak so far where /proc is not available."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


def peak_rss_mb() -> float:
    """The process's peak resident memory (ru_maxrss: kB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def percentiles(times_ms: list[float]) -> tuple[float, float, float]:
    values = np.asarray(times_ms, dtype=np.float64)
    return (
        float(np.percentile(values, 50)),
        float(np.percentile(values, 95)),
        float(values.max()),
    )


class SyntheticVectors:
    """Deterministic stand-ins for the model's vectors of the profiles' passages and challenges.

    Each capability area has a random unit direction; a passage's vector is the direction of
    one of its profile's areas (in turn) plus noise, a challenge's the mean direction of its
    areas plus noise, all normalised as the model's are. The passages of a chunk of profiles
    are generated from their own seed, so a chunk comes out the same every time.
    `generate_s` is the time spent generating passage vectors so far (not building).
    """

    def __init__(
        self,
        profiles: Sequence[Profile],
        seed: int,
        *,
        dimensions: int = DIMENSIONS,
        chunk: int = CHUNK_PROFILES,
    ):
        self.seed = seed
        self.dimensions = dimensions
        self.chunk = chunk
        self.areas = {slug: i for i, slug in enumerate(sorted(taxonomy()["capability_areas"]))}
        rng = np.random.default_rng([seed, 0])
        directions = rng.standard_normal((len(self.areas) + 1, dimensions), dtype=np.float32)
        directions[-1] = 0  # "area" -1: no area, noise alone
        self.directions = normalised(directions)
        self.generate_s = 0.0
        self.texts: list[str] = []
        self.languages = [profile_language(profile) for profile in profiles]
        indptr = [0]
        topics: list[int] = []  # the area of each passage, -1 for none (noise alone)
        for profile in profiles:
            passages = profile_passages(profile)
            held = [self.areas[a] for a in profile.capability_areas if a in self.areas] or [-1]
            topics += [held[i % len(held)] for i in range(len(passages))]
            self.texts += passages
            indptr.append(len(self.texts))
        self.indptr = np.array(indptr, dtype=np.int64)
        self.topics = np.array(topics, dtype=np.int32)

    def passages(self, start: int, stop: int) -> np.ndarray:
        """The (passages, dimensions) vectors of passages [start, stop)."""
        started = time.perf_counter()
        vectors = self._noise([self.seed, 1, start, stop], (stop - start, self.dimensions))
        vectors += self.directions[self.topics[start:stop]]
        vectors = normalised(vectors)
        self.generate_s += time.perf_counter() - started
        return vectors

    @staticmethod
    def _noise(seed: list[int], shape: tuple[int, ...]) -> np.ndarray:
        noise = np.random.default_rng(seed).random(shape, dtype=np.float32)
        noise -= 0.5
        noise *= UNIFORM_SPREAD
        return noise

    def challenge(self, query: Query, number: int) -> np.ndarray:
        """The (dimensions,) unit vector of the `number`th challenge."""
        vector = self._noise([self.seed, 2, number], (self.dimensions,))
        held = [self.areas[a] for a in query.capability_areas if a in self.areas]
        if held:
            vector += self.directions[held].mean(axis=0)
        return normalised(vector)

    def meaning_index(self) -> MeaningIndex:
        """The meaning index the platform would build from these vectors, a chunk at a time
        (`MeaningIndex.from_chunks`: the passages of a chunk come out the same both times)."""
        return MeaningIndex.from_chunks(
            SYNTHETIC_MODEL,
            self.indptr,
            self.texts,
            self.languages,
            self.passages,
            self.dimensions,
            self.chunk,
        )


@dataclass
class ModelFigures:
    """The real model's load, challenge embedding times and profile throughput."""

    name: str
    load_s: float | None = None
    query_ms: tuple[float, float, float] | None = None
    queries: int = 0
    profiles: int = 0
    passages: int = 0
    profiles_per_s: float | None = None
    unavailable: str = ""


def measure_model(
    timed: Sequence[Query], warm_up: Sequence[Query], profiles: Sequence[Profile]
) -> ModelFigures:
    model = UniversalSentenceEncoder()
    figures = ModelFigures(name=model.name)
    try:
        started = time.perf_counter()
        model.encode(["warm up"])  # loads the weights (nothing to load if already loaded)
        figures.load_s = time.perf_counter() - started
        for query in warm_up:
            query_vector(model, query.text)
        times_ms: list[float] = []
        for query in timed[:EMBED_QUERIES]:
            started = time.perf_counter()
            query_vector(model, query.text)
            times_ms.append((time.perf_counter() - started) * 1000)
        figures.query_ms = percentiles(times_ms)
        figures.queries = len(times_ms)
        passages = [passage for profile in profiles for passage in profile_passages(profile)]
        started = time.perf_counter()
        for start in range(0, len(passages), EMBED_BATCH):
            model.encode(passages[start : start + EMBED_BATCH])
        seconds = time.perf_counter() - started
    except EmbedderUnavailable as error:
        return ModelFigures(name=model.name, unavailable=str(error) or type(error).__name__)
    figures.profiles, figures.passages = len(profiles), len(passages)
    figures.profiles_per_s = len(profiles) / seconds if seconds > 0 else None
    return figures


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


class Command(BaseCommand):
    help = (
        "Benchmark index build, ranking latency (with the meaning signal) and memory on "
        "synthetic profiles, the embedding model's speed, and rank_bm25 as a baseline. The "
        "last output line is a JSON summary."
    )
    requires_system_checks: list[str] = []  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profiles", type=int, default=1000, help="synthetic profiles (N)")
        parser.add_argument("--queries", type=int, default=200, help="timed queries (Q)")
        parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic data")
        parser.add_argument(
            "--baseline-queries",
            type=int,
            default=20,
            help="queries timed on rank_bm25 (at least 10 unless there are fewer queries)",
        )
        parser.add_argument(
            "--embed-profiles",
            type=int,
            default=200,
            help="profiles whose passages the real model embeds, for its throughput (M)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["profiles"]
        q = options["queries"]
        seed = options["seed"]
        k = options["baseline_queries"]
        m = options["embed_profiles"]
        for name, value in (
            ("--profiles", n),
            ("--queries", q),
            ("--baseline-queries", k),
            ("--embed-profiles", m),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CommandError(f"{name} must be a whole number of at least 1, not {value!r}")
        if not isinstance(seed, int):
            raise CommandError(f"--seed must be a whole number, not {seed!r}")
        baseline_count = min(q, max(k, MIN_BASELINE_QUERIES))
        write = self.stdout.write

        started = time.perf_counter()
        profiles = synthetic_profiles(n, seed=seed)
        queries = synthetic_queries(q + WARM_UP, seed=seed + QUERY_SEED_OFFSET)
        timed, warm_up = queries[:q], queries[q:]
        generate_s = time.perf_counter() - started

        # Engine: build, then rank, measuring what both add to the process's memory.
        gc.collect()
        rss_before = current_rss_mb()
        peak_before = peak_rss_mb()
        started = time.perf_counter()
        index = ProfileIndex.build(profiles)
        build_s = time.perf_counter() - started
        rss_built = current_rss_mb()

        # Meaning: synthetic passage vectors stand in for the model's; not part of build_s,
        # and the time spent generating them (twice: a pass for the basis, one to project) is
        # not part of meaning_build_s, as the embeddings are not.
        started = time.perf_counter()
        synthetic = SyntheticVectors(profiles, seed)
        meaning = synthetic.meaning_index()
        index.with_meaning(meaning)
        vectors_s = synthetic.generate_s
        meaning_build_s = time.perf_counter() - started - vectors_s
        gc.collect()
        rss_meaning = current_rss_mb()
        query_vectors = [synthetic.challenge(query, i) for i, query in enumerate(queries)]
        timed_vectors, warm_up_vectors = query_vectors[:q], query_vectors[q:]

        for query, vector in zip(warm_up, warm_up_vectors, strict=True):
            rank(index, query, limit=LIMIT, query_vector=vector)
        times_ms: list[float] = []
        analysis_ms: list[float] = []
        meaning_ms: list[float] = []
        quoted = shown = 0
        faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for query, vector in zip(timed, timed_vectors, strict=True):
            started = time.perf_counter()
            matches = rank(index, query, limit=LIMIT, query_vector=vector)
            times_ms.append((time.perf_counter() - started) * 1000)
            shown += len(matches)
            quoted += sum(
                bool(signal.detail.get("passages"))
                for match in matches
                for signal in match.signals
                if signal.name == "meaning"
            )
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
        for query, vector in zip(timed, timed_vectors, strict=True):  # shares, for the report
            started = time.perf_counter()
            analyze_query(query, index)
            analysis_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            meaning_values(index, meaning.reduce(vector))
            meaning_ms.append((time.perf_counter() - started) * 1000)
        rss_ranked = current_rss_mb()
        peak_after = peak_rss_mb()
        p50, p95, worst = percentiles(times_ms)
        analysis_p50 = percentiles(analysis_ms)[0]
        meaning_p50 = percentiles(meaning_ms)[0]
        index_mb = rss_built - rss_before
        meaning_mb = rss_meaning - rss_built
        peak_growth = peak_after - peak_before  # ru_maxrss: catches the builds' transients
        # VmRSS growth: catches an earlier, higher peak.
        rss_growth = max(rss_built, rss_meaning, rss_ranked) - rss_before
        peak_mb = max(peak_growth, rss_growth)

        # The real model, on its own: load, a challenge's embedding, profiles per second.
        model = measure_model(timed, warm_up, profiles[: min(m, n)])

        # Baseline: rank_bm25 over the engine's own tokens, after the engine's memory is taken.
        from rank_bm25 import BM25Okapi

        corpus = [
            analyze(profile_text(p), document_language(p.summary, p.languages)) for p in profiles
        ]
        query_tokens = [analyze(query.text, query_language(query)) for query in timed]
        started = time.perf_counter()
        bm25 = BM25Okapi(corpus, k1=K1, b=B)
        bm25_build_s = time.perf_counter() - started
        del corpus
        top = min(LIMIT, n)
        baseline_ms: list[float] = []
        for tokens in query_tokens[:baseline_count]:
            started = time.perf_counter()
            scores = bm25.get_scores(tokens)
            best = np.argpartition(-scores, top - 1)[:top]
            best = best[np.argsort(-scores[best], kind="stable")]
            baseline_ms.append((time.perf_counter() - started) * 1000)
        baseline_p50 = percentiles(baseline_ms)[0]
        speedup = baseline_p50 / p50 if p50 > 0 else 0.0

        passages = len(meaning.passage_texts)
        rows = [
            ("profiles", f"{n:,}"),
            ("queries (timed, after 3 warm-up)", f"{q:,}"),
            ("vocabulary (terms)", f"{len(index.vocabulary):,}"),
            ("generate data", f"{generate_s:.2f} s (not part of build)"),
            ("build index", f"{build_s:.2f} s"),
            (
                "meaning index (synthetic vectors)",
                f"{meaning_build_s:.2f} s (not part of build; + {vectors_s:.2f} s generating "
                f"the vectors), {passages:,} passages, {meaning.basis.shape[1]} dims",
            ),
            ("rank p50 / p95 / max", f"{p50:.2f} / {p95:.2f} / {worst:.2f} ms"),
            ("  of which query analysis, p50", f"{analysis_p50:.2f} ms"),
            ("  of which meaning signal, p50", f"{meaning_p50:.2f} ms"),
            ("  matches quoting a passage", f"{quoted:,} of {shown:,}"),
            # Memory the allocator gives back and takes again, page by page: a process that did
            # not churn memory before ranking (one that only loads the index) can fault on
            # every query's temporary arrays, which costs milliseconds at 100,000 profiles.
            ("  minor page faults per query", f"{faults / q:,.1f}"),
            ("memory before build (RSS)", f"{rss_before:.1f} MB"),
            ("index (RSS after build - before)", f"{index_mb:.1f} MB"),
            ("meaning index (RSS added)", f"{meaning_mb:.1f} MB"),
            ("peak added by builds + ranking", f"{peak_mb:.1f} MB"),
            ("  ru_maxrss growth / VmRSS growth", f"{peak_growth:.1f} / {rss_growth:.1f} MB"),
        ]
        if model.unavailable:
            rows.append(("embedding model", f"unavailable: {model.unavailable}"))
        else:
            assert model.load_s is not None and model.query_ms is not None
            embed_p50, embed_p95, embed_max = model.query_ms
            rows += [
                ("embedding model", model.name),
                ("  load (+ first sentence)", f"{model.load_s:.2f} s"),
                (
                    f"  embed challenge p50 / p95 / max ({model.queries})",
                    f"{embed_p50:.2f} / {embed_p95:.2f} / {embed_max:.2f} ms",
                ),
                (
                    f"  embed profiles ({model.profiles:,}, {model.passages:,} passages)",
                    f"{model.profiles_per_s or 0:.1f} profiles/s "
                    f"({(model.profiles_per_s or 0) * model.passages / model.profiles:.0f} "
                    "passages/s)",
                ),
            ]
        rows += [
            (f"rank_bm25 build ({n:,} docs)", f"{bm25_build_s:.2f} s"),
            (f"rank_bm25 p50 ({baseline_count} queries)", f"{baseline_p50:.2f} ms"),
            ("speed-up (rank_bm25 p50 / engine p50)", f"{speedup:.1f}x"),
        ]
        width = max(len(label) for label, _ in rows)
        write("")
        write(f"{'matching benchmark':<{width}}  seed {seed}")
        write("-" * (width + 30))
        for label, value in rows:
            write(f"{label:<{width}}  {value}")
        write("-" * (width + 30))
        write(
            "Engine times are rank(limit=10) with a synthetic challenge vector and explanations, "
            "query analysis and the meaning signal included; the challenge's embedding by the "
            "real model is timed apart. rank_bm25 times are get_scores + top-10 on "
            "pre-tokenized queries."
        )
        write(
            json.dumps(
                {
                    "profiles": n,
                    "queries": q,
                    "build_s": round(build_s, 3),
                    "meaning_build_s": round(meaning_build_s, 3),
                    "p50_ms": round(p50, 3),
                    "p95_ms": round(p95, 3),
                    "max_ms": round(worst, 3),
                    "peak_mb": round(peak_mb, 2),
                    "meaning_mb": round(meaning_mb, 2),
                    "embed_load_s": _rounded(model.load_s, 3),
                    "embed_ms_p50": _rounded(model.query_ms and model.query_ms[0], 3),
                    "embed_ms_p95": _rounded(model.query_ms and model.query_ms[1], 3),
                    "embed_profiles_per_s": _rounded(model.profiles_per_s, 2),
                    "rank_bm25_p50_ms": round(baseline_p50, 3),
                    "speedup": round(speedup, 2),
                }
            )
        )
