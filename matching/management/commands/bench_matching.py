"""Benchmark the matching engine on a synthetic corpus, against rank_bm25 as a baseline.

    python manage.py bench_matching --profiles 100000 --queries 200

Generates N profiles and Q challenges (matching/engine/synthetic.py), builds the index (timed),
ranks every challenge with explanations (`rank(index, query, limit=10)`, timed one by one after
3 warm-up queries) and measures the memory the index and ranking add. Then, separately, builds
rank_bm25's BM25Okapi over the same corpus tokenized by the engine's own analyzer and times its
scoring plus top-10 selection, so that the comparison is of ranking, not tokenizing: the
baseline is given pre-tokenized queries, while the engine's times include analysing the query,
which makes the speed-up conservative. Touches no database.

The last line of output is one JSON object: profiles, queries, build_s, p50_ms, p95_ms, max_ms,
peak_mb, rank_bm25_p50_ms, speedup.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.engine.analysis import analyze, document_language
from matching.engine.index import K1, B, ProfileIndex, profile_text
from matching.engine.ranking import analyze_query, query_language, rank
from matching.engine.synthetic import synthetic_profiles, synthetic_queries

WARM_UP = 3
LIMIT = 10
MIN_BASELINE_QUERIES = 10
QUERY_SEED_OFFSET = 4  # the default seed 7 gives queries seed 11, synthetic_queries' default


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


class Command(BaseCommand):
    help = (
        "Benchmark index build, ranking latency and memory on synthetic profiles, with "
        "rank_bm25 as a baseline. The last output line is a JSON summary."
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

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["profiles"]
        q = options["queries"]
        seed = options["seed"]
        k = options["baseline_queries"]
        for name, value in (("--profiles", n), ("--queries", q), ("--baseline-queries", k)):
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

        for query in warm_up:
            rank(index, query, limit=LIMIT)
        times_ms: list[float] = []
        analysis_ms: list[float] = []
        for query in timed:
            started = time.perf_counter()
            rank(index, query, limit=LIMIT)
            times_ms.append((time.perf_counter() - started) * 1000)
        for query in timed:  # the share of query analysis in the above, for the report
            started = time.perf_counter()
            analyze_query(query, index)
            analysis_ms.append((time.perf_counter() - started) * 1000)
        rss_ranked = current_rss_mb()
        peak_after = peak_rss_mb()
        p50, p95, worst = percentiles(times_ms)
        analysis_p50 = percentiles(analysis_ms)[0]
        index_mb = rss_built - rss_before
        peak_growth = peak_after - peak_before  # ru_maxrss: catches the build's transients
        rss_growth = max(rss_built, rss_ranked) - rss_before  # catches an earlier, higher peak
        peak_mb = max(peak_growth, rss_growth)

        write("embeddings: none (not part of the default install)")

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

        rows = [
            ("profiles", f"{n:,}"),
            ("queries (timed, after 3 warm-up)", f"{q:,}"),
            ("vocabulary (terms)", f"{len(index.vocabulary):,}"),
            ("generate data", f"{generate_s:.2f} s (not part of build)"),
            ("build index", f"{build_s:.2f} s"),
            ("rank p50 / p95 / max", f"{p50:.2f} / {p95:.2f} / {worst:.2f} ms"),
            ("  of which query analysis, p50", f"{analysis_p50:.2f} ms"),
            ("memory before build (RSS)", f"{rss_before:.1f} MB"),
            ("index (RSS after build - before)", f"{index_mb:.1f} MB"),
            ("peak added by build + ranking", f"{peak_mb:.1f} MB"),
            ("  ru_maxrss growth / VmRSS growth", f"{peak_growth:.1f} / {rss_growth:.1f} MB"),
            ("embeddings", "none"),
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
            "Engine times are rank(limit=10) with explanations, query analysis included; "
            "rank_bm25 times are get_scores + top-10 on pre-tokenized queries."
        )
        write(
            json.dumps(
                {
                    "profiles": n,
                    "queries": q,
                    "build_s": round(build_s, 3),
                    "p50_ms": round(p50, 3),
                    "p95_ms": round(p95, 3),
                    "max_ms": round(worst, 3),
                    "peak_mb": round(peak_mb, 2),
                    "rank_bm25_p50_ms": round(baseline_p50, 3),
                    "speedup": round(speedup, 2),
                }
            )
        )
