"""Skip logic as data: which questions apply, decided from stored answers. No database."""

import copy

import pytest

from diagnostics.questionnaire import (
    Questionnaire,
    _check_conditions,
    condition_holds,
    load_definition,
)
from diagnostics.scoring import score

from .conftest import CURRENT
from .examples import MACHINE_SHOP

LADDER = [f"trl_{level}" for level in range(1, 10)]
LEGAL_IF_INCORPORATED = {
    "province_incorporated",
    "years_incorporated",
    "ccpc",
    "taxable_capital_prior",
    "taxable_income_prior",
}
SRED_DETAILS = {"rd_hypotheses", "rd_systematic", "rd_records", "rd_qualified", "rd_excluded"}


@pytest.mark.parametrize(
    ("condition", "answer", "holds"),
    [
        ({"question": "q", "equals": True}, True, True),
        ({"question": "q", "equals": True}, False, False),
        ({"question": "q", "equals": True}, None, False),  # "I don't know" is not "yes"
        ({"question": "q", "equals": True}, 1, False),  # a stored 1 is not True
        ({"question": "q", "not_equals": False}, None, True),  # unsure keeps the question
        ({"question": "q", "not_equals": False}, False, False),
        ({"question": "q", "not_equals": False}, 0, True),
        ({"question": "q", "in": ["a", "b"]}, "b", True),
        ({"question": "q", "in": ["a", "b"]}, "c", False),
        ({"question": "q", "not_in": ["a"]}, "c", True),
        ({"question": "q", "not_in": ["a"]}, "a", False),
    ],
)
def test_a_condition_compares_the_stored_answer(condition, answer, holds):
    assert condition_holds(condition, answer) is holds


def test_nothing_is_skipped_before_anything_is_answered():
    assert CURRENT.skipped_questions({}) == set()
    assert len(CURRENT.shown_questions({})) == sum(1 for _ in CURRENT.questions())


def test_the_readiness_ladder_stops_at_the_first_no_or_unsure():
    answers = {"trl_1": True, "trl_2": True, "trl_3": False}
    assert CURRENT.skipped_questions(answers) >= set(LADDER[3:])
    assert not CURRENT.skipped_questions(answers) & set(LADDER[:3])
    # "I don't know" stops it too; so does a rung left blank once the step is saved.
    assert CURRENT.skipped_questions({"trl_1": None}) >= set(LADDER[1:])
    # A rung with no stored answer yet leaves the rest shown until it is answered.
    assert not CURRENT.skipped_questions({"trl_1": True}) & set(LADDER)


def test_a_question_after_a_skipped_one_is_skipped_too():
    # trl_4 says "yes", but trl_2's "no" already skipped trl_3 and so everything after it.
    skipped = CURRENT.skipped_questions({"trl_1": True, "trl_2": False, "trl_4": True})
    assert {"trl_3", "trl_4", "trl_9"} <= skipped


def test_earlier_answers_skip_what_does_not_apply():
    not_incorporated = CURRENT.skipped_questions({"incorporated": False})
    assert not_incorporated >= LEGAL_IF_INCORPORATED
    # Unsure whether incorporated: the questions stay, someone may still know the answers.
    assert not CURRENT.skipped_questions({"incorporated": None}) & LEGAL_IF_INCORPORATED
    assert "has_canadian_operations" in CURRENT.skipped_questions({"has_ontario_operations": True})
    assert "student_levels" in CURRENT.skipped_questions({"wants_students": False})
    assert "student_levels" in CURRENT.skipped_questions({"wants_students": None})
    assert "student_levels" not in CURRENT.skipped_questions({"wants_students": True})
    assert "ip_kinds" in CURRENT.skipped_questions({"novelty": "firm"})
    assert "ip_kinds" not in CURRENT.skipped_questions({"novelty": None})


def test_sred_details_are_asked_only_while_sred_is_open():
    assert CURRENT.skipped_questions({"rd_aim": "adoption"}) >= SRED_DETAILS
    # Adoption still asks about uncertainty: an open question may make it development.
    assert {"rd_uncertainty", "rd_advance"}.isdisjoint(
        CURRENT.skipped_questions({"rd_aim": "adoption"})
    )
    no_uncertainty = CURRENT.skipped_questions({"rd_uncertainty": False})
    assert {"rd_advance"} | SRED_DETAILS <= no_uncertainty
    assert CURRENT.skipped_questions({"rd_advance": False}) >= SRED_DETAILS
    assert (
        not CURRENT.skipped_questions(
            {"rd_aim": "experimental-development", "rd_uncertainty": True, "rd_advance": None}
        )
        & SRED_DETAILS
    )


def test_applicable_answers_drop_those_to_skipped_questions():
    answers = {"incorporated": False, "ccpc": True, "fte_ontario": 3, "trl_1": False, "trl_2": True}
    assert CURRENT.applicable_answers(answers) == {
        "incorporated": False,
        "fte_ontario": 3,
        "trl_1": False,
    }


def test_a_skip_can_imply_the_answer():
    implied = CURRENT.implied_answers({"incorporated": False, "has_ontario_operations": True})
    assert implied == {"ccpc": False, "years_incorporated": 0, "has_canadian_operations": True}
    assert CURRENT.implied_answers({"incorporated": None}) == {}


def test_version_1_has_no_skip_logic():
    v1 = Questionnaire(load_definition(1))
    assert v1.skipped_questions({**MACHINE_SHOP, "incorporated": False, "trl_1": False}) == set()


@pytest.mark.parametrize(
    ("show_if", "message"),
    [
        ({"question": "later", "equals": True}, "earlier question"),
        ({"question": "nowhere", "equals": True}, "earlier question"),
        ({"question": "amount", "equals": 3}, "integer question"),
        ({"question": "first", "equals": True, "in": [True]}, "exactly one operator"),
        ({"question": "first", "is": True}, "exactly one operator"),
    ],
)
def test_a_condition_that_cannot_work_is_refused_when_loading(show_if, message):
    definition = {
        "steps": [
            {
                "questions": [
                    {"id": "first", "type": "boolean"},
                    {"id": "amount", "type": "integer"},
                    {"id": "dependent", "type": "boolean", "show_if": show_if},
                    {"id": "later", "type": "boolean"},
                ]
            }
        ]
    }
    with pytest.raises(ValueError, match=message):
        _check_conditions(definition)


def test_when_skipped_needs_a_condition():
    definition = {"steps": [{"questions": [{"id": "x", "type": "boolean", "when_skipped": True}]}]}
    with pytest.raises(ValueError, match="when_skipped"):
        _check_conditions(copy.deepcopy(definition))


# --- The scoring counts a skipped question as not applicable, never as unknown ---


def test_machine_shop_scores_the_same_on_the_shorter_questionnaire():
    answers = CURRENT.applicable_answers(MACHINE_SHOP)
    profile = score(answers, CURRENT)
    assert profile["trl"] == 4
    assert profile["rd_stage"] == "experimental-development"
    assert profile["sred"]["band"] == "likely"
    assert profile["unknown_facts"] == []
    assert profile["facts"]["has_canadian_operations"] is True  # operates in Ontario
    assert "has_canadian_operations" in profile["not_applicable"]
    dimensions = {d["id"]: d for d in profile["maturity"]["dimensions"]}
    assert all(d["items"] == d["answered"] == 1 for d in dimensions.values())
    assert dimensions["processes"]["score"] == MACHINE_SHOP["maturity_processes_development"]
    assert profile["warnings"] == []


def test_a_business_that_is_not_incorporated_is_not_asked_nor_warned_about_corporate_facts():
    answers = {
        **CURRENT.applicable_answers({**MACHINE_SHOP, "incorporated": False}),
    }
    assert "ccpc" not in answers and "province_incorporated" not in answers
    profile = score(answers, CURRENT)
    assert profile["unknown_facts"] == []
    assert "unknown_facts" not in [w["code"] for w in profile["warnings"]]
    # What not being incorporated implies, for the funding rules: no CCPC, no years.
    assert profile["facts"]["ccpc"] is False
    assert profile["facts"]["years_incorporated"] == 0
    assert "province_incorporated" not in profile["facts"]


def test_adoption_is_not_told_its_sred_questions_are_unanswered():
    answers = CURRENT.applicable_answers(
        {**MACHINE_SHOP, "rd_aim": "adoption", "rd_uncertainty": False}
    )
    assert not SRED_DETAILS & set(answers)
    profile = score(answers, CURRENT)
    assert profile["sred"]["band"] == "unlikely"
    texts = [reason["text"]["en"] for reason in profile["sred"]["reasons"]]
    assert not any(text.startswith("How: not answered") for text in texts)
    assert all(reason["met"] is not None for reason in profile["sred"]["reasons"])


def test_unanswered_sred_questions_that_apply_are_still_reported():
    answers = {"rd_aim": "experimental-development", "rd_uncertainty": True, "rd_advance": True}
    profile = score(answers, CURRENT)
    texts = [reason["text"]["en"] for reason in profile["sred"]["reasons"]]
    assert any(text.startswith("How: not answered") for text in texts)
    assert profile["sred"]["band"] == "unknown"
