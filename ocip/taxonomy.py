"""The platform's shared vocabularies (ocip/data/taxonomy.yaml, regions.yaml).

Pure Python on purpose: the scoring and ranking modules use it without Django.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
VOCABULARIES = ("capability_areas", "sectors", "rd_stages", "innovation_types", "profile_kinds")


@cache
def taxonomy() -> dict[str, dict[str, dict[str, str]]]:
    """{vocabulary: {slug: {"en": label, "fr": label}}}, in file order."""
    with open(DATA_DIR / "taxonomy.yaml", encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {
        name: {str(slug): labels for slug, labels in data[name].items()} for name in VOCABULARIES
    }


@cache
def regions() -> dict[str, list[str]]:
    """{region: [neighbouring regions]}."""
    with open(DATA_DIR / "regions.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["regions"]


def label(vocabulary: str, slug: str, language: str) -> str:
    """The label of `slug` in `language` (English when there is no such translation)."""
    labels = taxonomy()[vocabulary].get(slug)
    if labels is None:
        return slug
    return labels.get(language) or labels["en"]
