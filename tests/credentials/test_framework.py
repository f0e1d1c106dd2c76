"""The framework check (pure): what a micro-credential must state before it is published, and
the rubric's rule for passing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects.credentials import framework
from tests.credentials.conftest import RUBRIC, complete_fields

COMPLETE = {
    **complete_fields("http://data.europa.eu/esco/skill/x"),
    "country": "CA",
    "awarding_body": "College",
}


def test_a_complete_definition_misses_nothing():
    assert framework.missing_elements(COMPLETE) == []


def test_an_empty_definition_misses_every_element_in_form_order():
    assert framework.missing_elements({}) == [element.code for element in framework.ELEMENTS]


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"title_fr": ""}, ["title"]),
        ({"description_en": "  "}, ["description"]),
        ({"outcomes_fr": ""}, ["outcomes"]),
        ({"skills": []}, ["competencies"]),
        ({"rubric": {}}, ["assessment"]),
        ({"workload_hours": Decimal(0)}, ["workload"]),
        ({"on_transcript": False}, ["credit"]),
        ({"credit_value": None}, ["credit"]),
        ({"eqf_level": None}, ["level"]),  # no EQF level and no words on the level
        ({"eqf_level": None, "level_note_en": "n/a", "level_note_fr": "s.o."}, []),
        ({"participation": ""}, ["participation"]),
        ({"quality_assurance_en": ""}, ["quality_assurance"]),
        ({"partner_endorsement_fr": ""}, ["partner_endorsement"]),
        ({"assessment_type_en": ""}, ["assessment_type"]),
        ({"country": ""}, ["country"]),
        ({"prerequisites_en": "", "validity_months": None}, []),  # optional
    ],
)
def test_each_missing_element_is_named(change, missing):
    assert framework.missing_elements({**COMPLETE, **change}) == missing


def test_every_element_says_which_framework_asks_for_it():
    for element in framework.ELEMENTS:
        assert set(element.sources) <= {"ecampusontario", "eu", "openbadges"}, element
        assert element.sources and element.fields, element


@pytest.mark.parametrize(
    ("rubric", "errors"),
    [
        (RUBRIC, []),
        (None, ["rubric_missing"]),
        ({**RUBRIC, "criteria": []}, ["rubric_no_criteria"]),
        (
            {**RUBRIC, "levels": [{"en": "Only", "fr": "Seul"}], "pass_level": 0},
            ["rubric_one_level"],
        ),
        ({**RUBRIC, "criteria": [{"en": "Method", "fr": ""}]}, ["rubric_criteria_untranslated"]),
        ({**RUBRIC, "pass_level": 3}, ["rubric_no_pass_rule"]),
        ({**RUBRIC, "pass_level": True}, ["rubric_no_pass_rule"]),
    ],
)
def test_rubric_errors(rubric, errors):
    assert framework.rubric_errors(rubric) == errors


def test_passing_needs_every_criterion_at_the_pass_level():
    # RUBRIC: two criteria, levels Beginning < Proficient < Exemplary, pass from Proficient.
    assert framework.passes(RUBRIC, [1, 1]) and framework.passes(RUBRIC, [2, 1])
    assert not framework.passes(RUBRIC, [2, 0])
    with pytest.raises(ValueError):
        framework.passes(RUBRIC, [1])
    with pytest.raises(ValueError):
        framework.passes(RUBRIC, [1, 3])
