"""The ESCO skills shipped in projects/data: real concept URIs, both languages, every capability
area of the taxonomy covered, provenance recorded, and the file agrees with its selection.
No database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from django.core.management.base import CommandError

from ocip.taxonomy import taxonomy
from projects.management.commands.build_esco_subset import build, read_labels

DATA = Path(__file__).resolve().parents[2] / "projects" / "data"
URI = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$")
DOCUMENT = json.loads((DATA / "esco_skills.json").read_text("utf-8"))
SELECTION = yaml.safe_load((DATA / "esco_selection.yaml").read_text("utf-8"))
SKILLS = DOCUMENT["skills"]


def test_the_source_records_package_versions_and_licence():
    source = DOCUMENT["source"]
    assert source["registry"] in {"pypi", "npm"}
    for key in ("package", "version", "url", "esco_version", "licence", "licence_url"):
        assert str(source[key]).strip(), key
    assert re.match(r"^v\d+\.\d+\.\d+$", source["esco_version"])
    assert "ESCO classification of the European Commission" in source["attribution"]


def test_every_uri_is_an_esco_skill_uri_and_listed_once():
    uris = [skill["uri"] for skill in SKILLS]
    assert all(URI.match(uri) for uri in uris), [uri for uri in uris if not URI.match(uri)]
    assert len(uris) == len(set(uris))


def test_labels_in_both_languages_and_the_french_source_is_said():
    for skill in SKILLS:
        assert skill["label_en"].strip() and skill["label_fr"].strip(), skill["uri"]
        assert skill["label_fr_source"] in {"esco", "ocip"}, skill["uri"]


def test_every_capability_area_has_at_least_three_skills():
    areas = taxonomy()["capability_areas"]
    counts = dict.fromkeys(areas, 0)
    for skill in SKILLS:
        assert skill["capability_areas"], skill["uri"]
        for area in skill["capability_areas"]:
            assert area in counts or area == "transversal", area
            if area in counts:
                counts[area] += 1
    assert {area: n for area, n in counts.items() if n < 3} == {}
    transversal = [skill for skill in SKILLS if "transversal" in skill["capability_areas"]]
    assert len(transversal) >= 3
    assert all(skill["capability_areas"] == ["transversal"] for skill in transversal)


def test_skills_are_sorted_by_english_label():
    keys = [(skill["label_en"].casefold(), skill["uri"]) for skill in SKILLS]
    assert keys == sorted(keys)


def test_the_file_is_what_the_selection_builds():
    english = {skill["uri"]: skill["label_en"] for skill in SKILLS}
    french = {s["uri"]: s["label_fr"] for s in SKILLS if s["label_fr_source"] == "esco"}
    assert build(SELECTION, english, french) == DOCUMENT


def test_build_prefers_esco_french_labels_and_refuses_unknown_uris(tmp_path):
    uri = "http://data.europa.eu/esco/skill/4fabca9a-7435-4f33-b1da-3cdb00340fdc"
    other = "http://data.europa.eu/esco/skill/0ee7b0d6-db98-4785-9948-f2ef415d155a"
    header = "conceptType,conceptUri,preferredLabel\n"
    (tmp_path / "skills_en.csv").write_text(
        header + f"KnowledgeSkillCompetence,{uri},perform scientific research\n"
        f"KnowledgeSkillCompetence,{other},write research proposals\n",
        "utf-8",
    )
    (tmp_path / "skills_fr.csv").write_text(
        header + f"KnowledgeSkillCompetence,{uri},effectuer des recherches scientifiques\n",
        "utf-8",
    )
    selection = {
        "source": {"package": "test"},
        "areas": {"transversal": [uri, other]},
        "fr": {other: "rédiger des propositions de recherche"},
    }
    skills = {skill["uri"]: skill for skill in build(selection, *read_labels(tmp_path))["skills"]}
    assert skills[uri]["label_fr_source"] == "esco"
    assert skills[other]["label_fr_source"] == "ocip"
    selection["areas"]["transversal"].append(uri.replace("4fabca9a", "00000000"))
    with pytest.raises(CommandError, match="no English preferred label"):
        build(selection, *read_labels(tmp_path))
