"""The reference data shipped in matching/data (copied from the product's shared data)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_institutions() -> list[dict]:
    """Rows of institutions.csv, with `languages` as a list of language codes."""
    with (DATA_DIR / "institutions.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    import yaml

    with (DATA_DIR / "institution_names_fr.yaml").open(encoding="utf-8") as handle:
        french_names = yaml.safe_load(handle) or {}
    for row in rows:
        row["languages"] = [code.strip() for code in row["languages"].split(";") if code.strip()]
        row["name_fr"] = french_names.get(row["slug"], "")
    return rows


def read_expertise() -> list[dict]:
    """Rows of expertise.jsonl (one profile per line)."""
    import json

    with (DATA_DIR / "expertise.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_funding_programs() -> list[dict]:
    import yaml

    with (DATA_DIR / "funding_programs.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["programs"]
