"""Worked examples of the scoring: answers in, needs profile out. No database."""

import subprocess
import sys

import pytest

from diagnostics.questionnaire import Questionnaire, load_definition
from diagnostics.scoring import score

from .examples import FRENCH_BAKERY_CHALLENGE, MACHINE_SHOP

V1 = Questionnaire(load_definition(1))


def codes(items):
    return [item["code"] for item in items]


def all_recommendations(profile):
    return [item for term in ("short", "mid", "long") for item in profile["recommendations"][term]]


def test_machine_shop_worked_example():
    profile = score(MACHINE_SHOP, V1)

    assert profile["trl"] == 4  # yes up to 4, no at 5
    assert profile["trl_meaning"]["en"].startswith("Validated in the lab")
    assert profile["rd_stage"] == "experimental-development"
    assert profile["sred"]["band"] == "likely"
    assert all(reason["met"] for reason in profile["sred"]["reasons"])
    assert profile["innovation_types"] == ["process-production"]
    assert [a["slug"] for a in profile["capability_areas"]] == ["advanced-manufacturing"]
    assert profile["capability_areas"][0]["source"] == "chosen"
    assert profile["capability_areas"][0]["terms"]  # the words that point there
    assert profile["language"] == "en"

    dimensions = {d["id"]: d for d in profile["maturity"]["dimensions"]}
    assert dimensions["strategy"]["score"] == 2.5
    assert dimensions["processes"]["score"] == 1.5
    assert dimensions["processes"]["level"] == "beginning"
    assert dimensions["organisation"]["level"] == "established"
    assert dimensions["results"]["answered"] == dimensions["results"]["items"] == 2
    assert profile["maturity"]["overall"] == pytest.approx((2.5 + 3.5 + 1.5 + 2.5 + 2.5) / 5)

    recommended = codes(all_recommendations(profile))
    assert "prototype_validation" in recommended  # TRL 4-6
    assert "keep_records" in recommended and "file_sred" in recommended
    # The two weakest dimensions get their advice, weakest first.
    assert recommended.index("maturity_processes") < recommended.index("maturity_strategy")
    assert "feasibility_study" not in recommended  # only for TRL 3 or less
    assert "set_cash_budget" not in recommended  # $40,000 is enough for a matched unit
    assert profile["facts"]["onsite_needed"] is True
    assert profile["facts"]["trl_current"] == 4
    assert profile["unknown_facts"] == []
    assert profile["warnings"] == []


def test_everything_unknown_stays_unknown():
    profile = score({}, V1)

    assert profile["trl"] is None
    assert profile["rd_stage"] is None
    assert profile["sred"]["band"] == "unknown"
    assert profile["maturity"]["overall"] is None
    assert all(d["score"] is None for d in profile["maturity"]["dimensions"])
    assert profile["capability_areas"] == []
    assert profile["language"] is None
    # No fact is invented: the funding rules will see every one as unknown.
    assert set(profile["facts"]) == set()
    assert "organization_type" in profile["unknown_facts"]
    assert "unknown_facts" in codes(profile["warnings"])
    recommended = codes(all_recommendations(profile))
    assert recommended[0] == "scope_with_expert"
    assert "answer_unknown_facts" in recommended
    assert codes(profile["recommendations"]["long"]) == [
        "innovation_routine",
        "lasting_partnership",
    ]


def test_every_group_of_recommendations_has_english_and_french_text():
    for answers in ({}, MACHINE_SHOP):
        profile = score(answers, V1)
        for item in all_recommendations(profile):
            assert item["text"]["en"] and item["text"]["fr"]
            assert "{" not in item["text"]["en"] + item["text"]["fr"]
        assert profile["recommendations"]["short"] and profile["recommendations"]["long"]


def test_ladder_stops_at_first_no_and_flags_a_later_yes():
    answers = {"trl_1": True, "trl_2": True, "trl_3": False, "trl_4": True, "trl_5": True}
    profile = score(answers, V1)
    assert profile["trl"] == 2
    warning = next(w for w in profile["warnings"] if w["code"] == "trl_yes_after_no")
    assert "level 4" in warning["text"]["en"] and "niveau 3" in warning["text"]["fr"]


def test_ladder_no_at_the_first_rung_is_level_zero_and_unsure_stops():
    assert score({"trl_1": False}, V1)["trl"] == 0
    profile = score({"trl_1": True, "trl_2": None, "trl_3": True}, V1)
    assert profile["trl"] == 1
    assert "level 2" in profile["trl_note"]["en"]


def test_adoption_with_open_uncertainty_is_flagged_and_not_sred():
    answers = {"rd_aim": "adoption", "rd_uncertainty": True, "rd_advance": True}
    profile = score(answers, V1)
    assert profile["rd_stage"] == "adoption"
    assert profile["sred"]["band"] == "unlikely"
    assert "adoption_with_uncertainty" in codes(profile["warnings"])
    assert "adoption_support" in codes(all_recommendations(profile))


@pytest.mark.parametrize(
    ("changes", "band"),
    [
        ({}, "likely"),
        ({"rd_records": False}, "possible"),
        ({"rd_records": False, "rd_qualified": False}, "unlikely"),
        ({"rd_uncertainty": False}, "unlikely"),
        ({"rd_advance": False}, "unlikely"),
        ({"rd_systematic": False}, "unlikely"),
        ({"rd_excluded": ["social_sciences"]}, "unlikely"),
        ({"rd_hypotheses": None}, "unknown"),
        ({"rd_advance": None}, "unknown"),
        ({"novelty": "firm"}, "possible"),
    ],
)
def test_sred_band(changes, band):
    profile = score({**MACHINE_SHOP, **changes}, V1)
    assert profile["sred"]["band"] == band
    assert profile["sred"]["label"]["fr"]


def test_sred_reasons_name_what_failed():
    profile = score({**MACHINE_SHOP, "rd_systematic": False}, V1)
    failed = [r["text"]["en"] for r in profile["sred"]["reasons"] if r["met"] is False]
    assert any("testing them by experiment or analysis" in text for text in failed)


def test_contradictory_company_facts_are_not_trusted():
    answers = {
        "fte_ontario": 40,
        "fte_global": 12,
        "student_levels": ["masters"],
        "wants_students": False,
    }
    profile = score(answers, V1)
    assert "fte_global" not in profile["facts"]
    assert "student_levels" not in profile["facts"]
    assert {"fte_global_below_ontario", "students_without_wish"} <= set(codes(profile["warnings"]))


def test_excluded_and_none_together():
    profile = score({**MACHINE_SHOP, "rd_excluded": ["none", "routine_testing"]}, V1)
    assert profile["sred"]["band"] == "unlikely"
    assert "excluded_and_none" in codes(profile["warnings"])


def test_rd_stage_inferred_when_the_aim_is_skipped():
    base = {k: v for k, v in MACHINE_SHOP.items() if k != "rd_aim"}
    assert score(base, V1)["rd_stage"] == "experimental-development"  # TRL 4, uncertain
    assert score({**base, "trl_3": False}, V1)["rd_stage"] == "applied-research"  # TRL 2
    assert score({**base, "rd_uncertainty": False}, V1)["rd_stage"] == "adoption"


def test_capability_areas_read_from_french_text_when_the_step_was_skipped():
    profile = score({"challenge": FRENCH_BAKERY_CHALLENGE}, V1)
    assert profile["language"] == "fr"
    slugs = [a["slug"] for a in profile["capability_areas"]]
    assert slugs[0] == "food-beverage"
    assert all(a["source"] == "text" for a in profile["capability_areas"])


def test_chosen_areas_win_over_the_text_and_innovation_types_add_related_ones():
    answers = {
        "challenge": FRENCH_BAKERY_CHALLENGE,
        "capability_areas": [],
        "innovation_types": ["process-logistics", "process-marketing"],
    }
    profile = score(answers, V1)
    assert profile["capability_areas"] == []  # the business unticked every suggestion
    assert profile["related_capability_areas"] == ["supply-chain", "business-strategy"]


def test_scoring_and_questionnaire_modules_do_not_import_django():
    code = (
        "import sys, diagnostics.scoring, diagnostics.questionnaire, diagnostics.text; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 (our own code)
