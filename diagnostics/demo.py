"""The demo companies' diagnostic answers, shipped in data/demo_diagnostics.yaml: read by
`load_demo_data` and by `bench_pages`, which seeds its business with Northwind's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEMO_DIAGNOSTICS = Path(__file__).resolve().parent / "data" / "demo_diagnostics.yaml"


def demo_answers() -> dict[str, dict[str, Any]]:
    """{company name: its answers}."""
    with open(DEMO_DIAGNOSTICS, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
