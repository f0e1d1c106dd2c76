"""Timing pages for the benchmark commands: in-process with Django's test client (the whole
view, templates and database, no network)."""

from __future__ import annotations

import time

import numpy as np
from django.core.management.base import CommandError
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext


def percentile(times: list[float], q: int) -> float:
    return round(float(np.percentile(times, q)), 2)


def get_ok(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise CommandError(f"GET {url} answered {response.status_code}, not 200")
    return response


def time_page(client: Client, url: str, *, requests: int, warmup: int) -> dict:
    """`warmup` untimed GETs, one counting its queries, then `requests` timed ones: p50 and p95
    in milliseconds, the queries of one request (savepoints aside) and the page's size."""
    for _ in range(warmup):
        get_ok(client, url)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = get_ok(client, url)
    count = len([query for query in queries if "SAVEPOINT" not in query["sql"]])
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        get_ok(client, url)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "url": url,
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "queries": count,
        "kb": round(len(response.content) / 1024, 1),
    }
