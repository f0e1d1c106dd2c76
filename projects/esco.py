"""The ESCO skills shipped with the project (projects/data/esco_skills.json; provenance and
licence in projects/data/ESCO.md): the competencies a micro-credential can align to."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "esco_skills.json"
FRAMEWORK_NAME = "ESCO"


@cache
def _data() -> dict:
    return json.loads(DATA.read_text("utf-8"))


def source() -> dict:
    return _data()["source"]


@cache
def skills() -> dict[str, dict]:
    """Every shipped skill by concept URI."""
    return {skill["uri"]: skill for skill in _data()["skills"]}


def label(uri: str, language: str) -> str:
    skill = skills()[uri]
    return skill["label_fr"] if language == "fr" else skill["label_en"]


def is_platform_translation(uri: str, language: str) -> bool:
    """Whether the label shown in `language` is the platform's translation, not ESCO's own."""
    return language == "fr" and skills()[uri].get("label_fr_source") == "ocip"


def by_area(language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(capability area slug, [(uri, label)]) for a grouped choice list, labels sorted."""
    areas: dict[str, list[tuple[str, str]]] = {}
    for uri, skill in skills().items():
        for area in skill["capability_areas"]:
            areas.setdefault(area, []).append((uri, label(uri, language)))
    return [
        (area, sorted(items, key=lambda item: item[1].casefold()))
        for area, items in sorted(areas.items())
    ]
