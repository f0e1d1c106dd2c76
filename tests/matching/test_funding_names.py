"""Funding programs and their partners are named in the reader's language, from one source: the
programs' own data (matching/data/funding_programs.yaml, loaded into FundingProgram)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from matching import selectors
from matching.catalogue import read_funding_programs
from matching.models import FundingProgram

OFFICIAL_FRENCH = {
    "mitacs-accelerate": ("Mitacs", "Mitacs Accélération"),
    "nrc-irap": ("Conseil national de recherches Canada", "PARI-CNRC"),
    "nrc-irap-yep": ("Conseil national de recherches Canada", "PARI-CNRC"),
    "nserc-alliance": ("CRSNG", "CRSNG"),
    "nserc-ard": ("CRSNG", "CRSNG"),
    "sred": ("Agence du revenu du Canada", "RS&DE"),
    "ontario-oitc": ("Gouvernement de l'Ontario", "Crédit d'impôt de l'Ontario pour l'innovation"),
}


def test_every_program_has_its_french_names_in_the_data():
    programs = {program["slug"]: program for program in read_funding_programs()}
    for program in programs.values():
        assert program["name_fr"].strip() and program["partner_fr"].strip(), program["slug"]
    for slug, (partner, in_name) in OFFICIAL_FRENCH.items():
        assert programs[slug]["partner_fr"] == partner
        assert in_name in programs[slug]["name_fr"]


@pytest.mark.django_db
def test_a_loaded_program_is_named_in_the_active_language(catalogue):
    program = FundingProgram.objects.get(slug="nrc-irap")
    assert program.name_in("en") == "NRC Industrial Research Assistance Program"
    assert "PARI-CNRC" in program.name_in("fr")
    assert program.partner_in("fr") == "Conseil national de recherches Canada"
    with translation.override("fr"):
        assert "PARI-CNRC" in str(program) == program.display_name
        assert program.display_partner == "Conseil national de recherches Canada"
    with translation.override("en"):
        assert str(program) == "NRC Industrial Research Assistance Program"
    # A program without French names (one added in the admin) keeps its English ones.
    program.name_fr = program.partner_fr = ""
    assert program.name_in("fr") == program.name
    assert program.partner_in("fr") == program.partner


@pytest.mark.django_db
def test_the_funding_assessment_names_programs_in_the_readers_language(run):
    english = {p["slug"]: p for p in selectors.run_funding(run, "en")["programs"]}
    with translation.override("fr"):
        funding = selectors.run_funding(run, "fr")
    french = {p["slug"]: p for p in funding["programs"]}
    assert english["mitacs-accelerate"]["name"] == "Mitacs Accelerate"
    assert french["mitacs-accelerate"]["name"] == "Mitacs Accélération"
    assert english["nserc-alliance"]["partner"] == "NSERC"
    assert french["nserc-alliance"]["partner"] == "CRSNG"
    assert "RS&DE" in french["sred"]["name"]
    if funding["reachable"]:
        french_names = {p["name"] for p in french.values()}
        assert set(funding["reachable"]["names"]) <= french_names
    # The stored assessment is untouched: it keeps the names it was made with.
    stored = {p["slug"]: p for p in run.funding["programs"]}
    assert stored["mitacs-accelerate"]["name"] == "Mitacs Accelerate"


@pytest.mark.django_db
def test_partner_kinds_and_verdicts_are_words_not_codes(run):
    with translation.override("en"):
        funding = selectors.run_funding(run, "en")
    rules = [rule for p in funding["programs"] for rule in p["rules"] if rule["partner_kind"]]
    assert rules, "some rules are checked per kind of partner"
    for rule in rules:
        assert rule["partner_label"].startswith("with a"), rule
        assert rule["partner_label"] != rule["partner_kind"]
    split = [p for p in funding["programs"] if p["by_partner"]]
    assert split
    program = split[0]
    assert program["verdict_text"].startswith(f"{program['verdict_label']}: ")
    assert "; " in program["by_partner_text"] or len(program["by_partner"]) == 1
    assert program["by_partner_text"].split(" with a")[0] in {
        "eligible",
        "not eligible",
        "can't tell yet",
    }


@pytest.mark.django_db
def test_the_sred_grind_is_in_dollars_and_cents(run):
    with translation.override("en"):
        stacking = selectors.run_funding(run, "en")["stacking"]
    (grind,) = [s for s in stacking if "each $100 of grant" in s]  # SR&ED and grants are candidates
    assert re.search(r"costs about \$\d+\.\d\d of credits\.", grind), grind


@pytest.mark.django_db
def test_the_french_results_page_shows_the_french_names(run, client, business_owner):
    client.force_login(business_owner)
    page = client.get(
        "/fr" + reverse("match_results", args=[run.diagnostic_id]), HTTP_HOST="localhost"
    ).content.decode()
    assert "Mitacs Accélération" in page
    assert "CRSNG" in page
    assert "Mitacs Accelerate" not in page
