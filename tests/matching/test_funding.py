"""The funding rules engine: eligibility, fit, estimates and stacking. No database.

The real programs come from matching/data/funding_programs.yaml; edge cases use hand-made ones.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from matching.engine import funding
from matching.engine.funding import (
    ELIGIBLE,
    ESTIMATE_BASES,
    FIT_REASON_CODES,
    KNOWN_FACTS,
    NOT_ELIGIBLE,
    NOTE_CODES,
    PARTNER_KINDS,
    STACKING_CODES,
    UNKNOWN,
    FundingResult,
    ProgramAssessment,
    assess_programs,
    estimate_funding,
    invalid_rules,
    sred_with_grants,
    unknown_rule_facts,
)

YAML_PATH = Path(__file__).resolve().parents[2] / "matching" / "data" / "funding_programs.yaml"

# An Ontario CCPC that meets every company rule in the YAML.
ONTARIO_SME: dict[str, Any] = {
    "organization_type": "for_profit",
    "incorporated": True,
    "province_incorporated": "ON",
    "years_incorporated": 3,
    "fte_ontario": 8,
    "fte_global": 8,
    "ccpc": True,
    "has_canadian_operations": True,
    "has_ontario_operations": True,
    "has_cra_business_number": True,
    "taxable_capital_prior": 2_000_000,
    "taxable_income_prior": 100_000,
    "wants_students": True,
    "student_levels": ["graduate"],
    "rd_stage": "applied-research",
    "trl_current": 4,
    "budget_cash": 40_000,
    "owner_related_to_intern": False,
}


@cache
def _yaml_programs() -> tuple[dict[str, Any], ...]:
    with open(YAML_PATH, encoding="utf-8") as handle:
        return tuple(yaml.safe_load(handle)["programs"])


def real_programs(*slugs: str) -> list[dict[str, Any]]:
    """Fresh copies of the YAML programs (all of them, or those named, in that order)."""
    programs = copy.deepcopy(list(_yaml_programs()))
    if not slugs:
        return programs
    by_slug = {program["slug"]: program for program in programs}
    return [by_slug[slug] for slug in slugs]


def real_funding(slug: str) -> dict[str, Any]:
    return real_programs(slug)[0]["funding"]


def make_program(rules: list[Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A program dict with every key the platform stores."""
    program: dict[str, Any] = {
        "slug": "test-program",
        "category": "federal_grant",
        "partner": "Test partner",
        "name": "Test program",
        "status": "active",
        "last_verified": "2026-01",
        "kind": "matched_grant",
        "summary": "",
        "eligibility": list(rules or []),
        "funding": {},
        "fit": {},
        "notes": "",
        "stacking": {},
    }
    program.update(overrides)
    return program


def facts_with(**changes: Any) -> dict[str, Any]:
    facts = dict(ONTARIO_SME)
    for key, value in changes.items():
        if value is _ABSENT:
            facts.pop(key, None)
        else:
            facts[key] = value
    return facts


_ABSENT = object()


def assess_one(program: dict[str, Any], facts: dict[str, Any], **kwargs: Any) -> ProgramAssessment:
    (assessment,) = assess_programs([program], facts, **kwargs).programs
    return assessment


def by_slug(result: FundingResult) -> dict[str, ProgramAssessment]:
    return {assessment.slug: assessment for assessment in result.programs}


def single_rule(rule: dict[str, Any], facts: dict[str, Any]):
    (result,) = assess_one(make_program([rule]), facts).rules
    return result


def estimate_for(slug: str, **changes: Any):
    return estimate_funding(real_funding(slug), facts_with(**changes))


# --- The data and the module ---------------------------------------------------------------


def test_every_fact_the_real_yaml_rules_read_is_known_and_every_rule_is_well_formed():
    programs = real_programs()
    assert unknown_rule_facts(programs) == set()
    assert invalid_rules(programs) == []


def test_engine_knows_every_funding_fact_the_diagnostic_collects():
    from diagnostics.scoring import FUNDING_FACTS

    assert set(FUNDING_FACTS) <= KNOWN_FACTS
    assert "partner_kind" in KNOWN_FACTS


def test_funding_engine_does_not_import_django():
    code = (
        "import sys, matching.engine.funding; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 (our own code)


def test_code_tuples_have_no_duplicates():
    for codes in (FIT_REASON_CODES, ESTIMATE_BASES, NOTE_CODES, STACKING_CODES):
        assert len(codes) == len(set(codes))


# --- Rule operators ------------------------------------------------------------------------


IN_RULE = {"fact": "organization_type", "in": ["for_profit", "nonprofit"], "why": "a business"}
EQUALS_TRUE_RULE = {"fact": "incorporated", "equals": True, "why": "incorporated"}
EQUALS_TEXT_RULE = {"fact": "province_incorporated", "equals": "ON", "why": "in Ontario"}
AT_LEAST_RULE = {"fact": "years_incorporated", "at_least": 2, "why": "two years"}
AT_MOST_RULE = {"fact": "fte_global", "at_most": 500, "why": "500 or fewer"}


@pytest.mark.parametrize(
    ("rule", "value", "outcome"),
    [
        (IN_RULE, "for_profit", "passed"),
        (IN_RULE, " For_Profit ", "passed"),
        (IN_RULE, "public", "failed"),
        (IN_RULE, None, "unknown"),
        (IN_RULE, "", "unknown"),
        (IN_RULE, _ABSENT, "unknown"),
        (EQUALS_TRUE_RULE, True, "passed"),
        (EQUALS_TRUE_RULE, "yes", "passed"),
        (EQUALS_TRUE_RULE, False, "failed"),
        (EQUALS_TRUE_RULE, "no", "failed"),
        (EQUALS_TRUE_RULE, None, "unknown"),
        (EQUALS_TRUE_RULE, _ABSENT, "unknown"),
        (EQUALS_TEXT_RULE, "ON", "passed"),
        (EQUALS_TEXT_RULE, "on", "passed"),
        (EQUALS_TEXT_RULE, "QC", "failed"),
        (EQUALS_TEXT_RULE, None, "unknown"),
        (AT_LEAST_RULE, 2, "passed"),
        (AT_LEAST_RULE, 2.0, "passed"),
        (AT_LEAST_RULE, Decimal("2.5"), "passed"),
        (AT_LEAST_RULE, "3", "passed"),
        (AT_LEAST_RULE, 1, "failed"),
        (AT_LEAST_RULE, "1.5", "failed"),
        (AT_LEAST_RULE, None, "unknown"),
        (AT_LEAST_RULE, _ABSENT, "unknown"),
        (AT_MOST_RULE, 500, "passed"),
        (AT_MOST_RULE, Decimal("499"), "passed"),
        (AT_MOST_RULE, "1,000", "failed"),
        (AT_MOST_RULE, 501.5, "failed"),
        (AT_MOST_RULE, None, "unknown"),
        (AT_MOST_RULE, _ABSENT, "unknown"),
    ],
)
def test_each_operator_passes_fails_or_is_unknown(rule, value, outcome):
    result = single_rule(rule, facts_with(**{rule["fact"]: value}))

    assert result.outcome == outcome
    assert result.fact == rule["fact"]
    assert result.why == rule["why"]
    operator = next(op for op in ("in", "equals", "at_least", "at_most") if op in rule)
    assert result.operator == operator
    assert result.expected == rule[operator]
    assert result.partner_kind is None
    if outcome == "unknown":
        assert result.actual is None  # an unknown fact is never shown as a value
    else:
        assert result.actual == value


def test_in_rule_on_a_list_fact_passes_when_any_chosen_value_is_listed():
    rule = {"fact": "student_levels", "in": ["graduate", "postdoc"], "why": "grad students"}

    assert single_rule(rule, facts_with(student_levels=["college", "graduate"])).outcome == "passed"
    assert single_rule(rule, facts_with(student_levels=["college"])).outcome == "failed"
    # An answered multi-choice with nothing chosen is a "no", not an unknown.
    assert single_rule(rule, facts_with(student_levels=[])).outcome == "failed"


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        (AT_LEAST_RULE, "lots"),
        (AT_LEAST_RULE, True),  # a yes/no is not a number of years
        (EQUALS_TRUE_RULE, "maybe"),
        (AT_MOST_RULE, ["10"]),
    ],
)
def test_a_value_that_cannot_be_compared_is_unknown_not_failed(rule, value):
    result = single_rule(rule, facts_with(**{rule["fact"]: value}))

    assert result.outcome == "unknown"
    assert result.actual == value  # shown so staff can see the odd answer


def test_any_failed_rule_makes_the_program_not_eligible_even_with_unknowns():
    program = make_program([IN_RULE, AT_LEAST_RULE, EQUALS_TRUE_RULE])
    assessment = assess_one(program, {"organization_type": "public", "incorporated": None})

    assert [rule.outcome for rule in assessment.rules] == ["failed", "unknown", "unknown"]
    assert assessment.verdict == NOT_ELIGIBLE
    assert assessment.deciding_facts == ()


def test_unknown_rules_without_failures_give_unknown_and_name_the_deciding_facts():
    program = make_program([IN_RULE, AT_LEAST_RULE, EQUALS_TRUE_RULE])
    assessment = assess_one(program, {"organization_type": "for_profit"})

    assert assessment.verdict == UNKNOWN
    assert assessment.deciding_facts == ("years_incorporated", "incorporated")


def test_all_rules_passing_gives_eligible():
    program = make_program([IN_RULE, AT_LEAST_RULE, EQUALS_TRUE_RULE, AT_MOST_RULE])
    assessment = assess_one(program, ONTARIO_SME)

    assert all(rule.outcome == "passed" for rule in assessment.rules)
    assert assessment.verdict == ELIGIBLE
    assert assessment.deciding_facts == ()


def test_program_without_rules_is_eligible():
    assessment = assess_one(make_program([]), {})

    assert assessment.verdict == ELIGIBLE
    assert assessment.rules == ()


def test_real_oci_vip_for_an_unknown_company_lists_every_company_fact_it_needs():
    assessment = by_slug(assess_programs(real_programs("oci-vip"), {}))["oci-vip"]

    assert assessment.verdict == UNKNOWN
    assert assessment.deciding_facts == (
        "organization_type",
        "province_incorporated",
        "years_incorporated",
        "fte_ontario",
        "has_cra_business_number",
    )


# --- Partner kinds -------------------------------------------------------------------------


def test_oci_vip_is_eligible_with_a_college_or_university_but_not_an_indigenous_institute():
    assessment = by_slug(assess_programs(real_programs("oci-vip"), ONTARIO_SME))["oci-vip"]

    assert assessment.verdict == ELIGIBLE
    assert assessment.by_partner_kind == {
        "college": ELIGIBLE,
        "university": ELIGIBLE,
        "indigenous_institute": NOT_ELIGIBLE,
    }
    partner_rows = [rule for rule in assessment.rules if rule.fact == "partner_kind"]
    assert [(rule.partner_kind, rule.actual, rule.outcome) for rule in partner_rows] == [
        ("college", "college", "passed"),
        ("university", "university", "passed"),
        ("indigenous_institute", "indigenous_institute", "failed"),
    ]


def test_partner_kind_verdicts_carry_the_company_verdict():
    facts = facts_with(years_incorporated=None)
    unknown = by_slug(assess_programs(real_programs("oci-vip"), facts))["oci-vip"]
    assert unknown.verdict == UNKNOWN
    assert unknown.by_partner_kind == {
        "college": UNKNOWN,
        "university": UNKNOWN,
        "indigenous_institute": NOT_ELIGIBLE,
    }

    facts = facts_with(fte_ontario=2)
    failed = by_slug(assess_programs(real_programs("oci-vip"), facts))["oci-vip"]
    assert failed.verdict == NOT_ELIGIBLE
    assert set(failed.by_partner_kind.values()) == {NOT_ELIGIBLE}


def test_nserc_ard_is_college_only():
    assessment = by_slug(assess_programs(real_programs("nserc-ard"), {}))["nserc-ard"]

    assert assessment.verdict == ELIGIBLE  # its only rule is on the partner
    assert assessment.by_partner_kind == {
        "college": ELIGIBLE,
        "university": NOT_ELIGIBLE,
        "indigenous_institute": NOT_ELIGIBLE,
    }


def test_nserc_alliance_is_university_only_and_needs_partner_cash():
    programs = real_programs("nserc-alliance")
    with_cash = by_slug(assess_programs(programs, ONTARIO_SME))["nserc-alliance"]
    assert with_cash.verdict == ELIGIBLE
    assert with_cash.by_partner_kind == {
        "college": NOT_ELIGIBLE,
        "university": ELIGIBLE,
        "indigenous_institute": NOT_ELIGIBLE,
    }

    little_cash = by_slug(assess_programs(programs, facts_with(budget_cash=5_000)))
    assert little_cash["nserc-alliance"].verdict == NOT_ELIGIBLE
    assert set(little_cash["nserc-alliance"].by_partner_kind.values()) == {NOT_ELIGIBLE}


def test_programs_without_partner_rules_have_no_partner_verdicts():
    assessment = by_slug(assess_programs(real_programs("nrc-irap"), ONTARIO_SME))["nrc-irap"]

    assert assessment.by_partner_kind == {}
    assert all(rule.partner_kind is None for rule in assessment.rules)


def test_a_partner_rule_no_kind_can_pass_makes_the_program_not_eligible():
    rule = {"fact": "partner_kind", "in": ["research_hospital"], "why": "a hospital partner"}
    assessment = assess_one(make_program([rule]), ONTARIO_SME)

    assert assessment.verdict == NOT_ELIGIBLE
    assert set(assessment.by_partner_kind) == set(PARTNER_KINDS)
    assert set(assessment.by_partner_kind.values()) == {NOT_ELIGIBLE}


def test_a_partner_kind_in_the_facts_is_ignored():
    programs = real_programs("nserc-ard")
    assessment = by_slug(assess_programs(programs, {"partner_kind": "university"}))["nserc-ard"]

    assert assessment.verdict == ELIGIBLE
    assert assessment.by_partner_kind["college"] == ELIGIBLE
    assert assessment.by_partner_kind["university"] == NOT_ELIGIBLE


# --- Status --------------------------------------------------------------------------------


def test_inactive_programs_are_never_returned():
    hand_made = make_program(slug="closed", status=" Inactive ")
    result = assess_programs([*real_programs(), hand_made], ONTARIO_SME)
    slugs = {assessment.slug for assessment in result.programs}

    assert "soscip" not in slugs
    assert "closed" not in slugs
    assert len(result.programs) == len(real_programs()) - 1
    assert all("soscip" not in warning.programs for warning in result.stacking)


def test_programs_to_verify_are_kept_and_flagged():
    result = by_slug(assess_programs(real_programs(), ONTARIO_SME))

    assert result["mitacs-bsi"].status == "verify"
    assert result["mitacs-bsi"].needs_verification is True
    assert result["magnet-swpp"].needs_verification is True
    assert result["oci-vip"].needs_verification is False
    assert result["oci-vip"].last_verified == "2026-03"


def test_an_unrecognised_status_is_kept_but_flagged():
    assessment = assess_one(make_program(status="draft"), {})

    assert assessment.needs_verification is True


# --- Robustness ----------------------------------------------------------------------------


def test_a_rule_on_a_fact_the_engine_does_not_know_is_unknown_and_reported():
    rule = {"fact": "export_revenue_share", "at_least": 0.2, "why": "an exporter"}
    program = make_program([rule, EQUALS_TRUE_RULE])
    # Even a value in the facts is not read: nothing collects this fact yet.
    assessment = assess_one(program, facts_with(export_revenue_share=0.5))

    assert assessment.rules[0].outcome == "unknown"
    assert assessment.rules[0].operator == "at_least"
    assert assessment.rules[0].actual is None
    assert assessment.verdict == UNKNOWN
    assert assessment.deciding_facts == ("export_revenue_share",)
    assert unknown_rule_facts([program, *real_programs()]) == {"export_revenue_share"}


MALFORMED_RULES = [
    {"fact": "incorporated", "why": "no operator"},
    {"fact": "incorporated", "equals": True, "in": [True], "why": "two operators"},
    {"fact": "province_incorporated", "in": "ON", "why": "a text where a list belongs"},
    {"fact": "years_incorporated", "at_least": "many", "why": "not a number"},
    {"fact": "province_incorporated", "equals": ["ON"], "why": "a list where a value belongs"},
    {"fact": "province_incorporated", "equals": None, "why": "no value"},
    {"fact": "province_incorporated", "in": [["ON"]], "why": "nested list"},
    {"in": ["for_profit"], "why": "no fact"},
    {"fact": 5, "equals": 1, "why": "fact is not a name"},
    "incorporated must be true",
    None,
]


@pytest.mark.parametrize("rule", MALFORMED_RULES)
def test_a_malformed_rule_does_not_crash_and_is_unknown_with_operator_invalid(rule):
    assessment = assess_one(make_program([rule]), ONTARIO_SME)

    (result,) = assessment.rules
    assert result.outcome == "unknown"
    assert result.operator == "invalid"
    assert result.actual is None
    assert assessment.verdict == UNKNOWN
    # No answer from the business would settle a broken rule: staff must fix it.
    assert assessment.deciding_facts == ()
    json.dumps(assess_programs([make_program([rule])], ONTARIO_SME).to_dict())


def test_invalid_rules_lists_each_malformed_rule_by_program_and_position():
    program = make_program([EQUALS_TRUE_RULE, *MALFORMED_RULES], slug="broken")

    assert invalid_rules([program]) == [("broken", i) for i in range(1, len(MALFORMED_RULES) + 1)]


def test_a_failed_rule_still_decides_next_to_a_malformed_one():
    program = make_program([MALFORMED_RULES[0], IN_RULE])
    assessment = assess_one(program, {"organization_type": "public"})

    assert assessment.verdict == NOT_ELIGIBLE


def test_a_bare_program_dict_with_missing_keys_is_assessed():
    assessment = assess_one({"slug": "bare", "name": "Bare", "status": "active"}, {})

    assert assessment.verdict == ELIGIBLE
    assert assessment.estimate is None
    assert assessment.fit == 0.5
    assert assessment.fit_reasons == ("no_fit_data",)


def test_a_program_that_is_not_a_dict_is_a_programming_error():
    with pytest.raises(TypeError):
        assess_programs(["oci-vip"], {})  # type: ignore[list-item]


# --- Estimates -----------------------------------------------------------------------------


def test_empty_funding_has_no_estimate():
    assert estimate_funding({}, ONTARIO_SME) is None
    assert assess_one(make_program(funding={}), ONTARIO_SME).estimate is None


def test_unrecognised_funding_shape_is_not_estimated():
    estimate = estimate_funding({"in_kind_hours": 40}, ONTARIO_SME)

    assert estimate is not None
    assert estimate.basis == "not_estimated"
    assert (estimate.amount_low, estimate.amount_high) == (None, None)


def test_malformed_funding_numbers_do_not_crash():
    estimate = estimate_funding({"unit_award": "lots", "partner_cash_per_unit": 7500}, {})
    zero_unit = estimate_funding({"unit_award": 15000, "partner_cash_per_unit": 0}, ONTARIO_SME)

    assert estimate is not None and estimate.basis == "invalid_funding"
    assert zero_unit is not None and zero_unit.basis == "invalid_funding"


def test_mitacs_40k_buys_5_units_at_the_standard_rate_and_6_at_the_large_rate():
    estimate = estimate_for("mitacs-accelerate", budget_cash=40_000)

    assert estimate.basis == "mitacs_units"
    # 40,000 / 7,500 = 5 units x 15,000.
    assert estimate.detail["units"] == 5
    assert estimate.amount_low == 75_000
    # 40,000 / 6,000 = 6 units reaches the large rate, which also needs 3+ interns (unknown).
    assert estimate.detail["units_high"] == 6
    assert estimate.amount_high == 90_000
    assert "large_rate_assumes_3_interns" in estimate.detail["notes"]
    assert estimate.detail["large_rate_min_interns"] == 3
    assert estimate.detail["program_share_low"] == 37_500  # the award includes company cash
    assert estimate.missing == ()


def test_mitacs_budget_short_of_the_large_rate_gives_one_figure():
    estimate = estimate_for("mitacs-accelerate", budget_cash=30_000)

    # 30,000 / 6,000 = 5 units: below the 6 the large rate needs.
    assert (estimate.amount_low, estimate.amount_high) == (60_000, 60_000)
    assert estimate.detail["units"] == estimate.detail["units_high"] == 4
    assert "large_rate_assumes_3_interns" not in estimate.detail["notes"]


def test_mitacs_large_budget_uses_the_large_rate_for_the_high_figure():
    estimate = estimate_for("mitacs-accelerate", budget_cash=60_000)

    assert estimate.amount_low == 8 * 15_000
    assert estimate.amount_high == 10 * 15_000


def test_mitacs_budget_below_one_unit_is_zero_and_says_one_unit_needs_7500():
    estimate = estimate_for("mitacs-accelerate", budget_cash=5_000)

    assert (estimate.amount_low, estimate.amount_high) == (0, 0)
    assert "below_one_unit" in estimate.detail["notes"]
    assert estimate.detail["one_unit_partner_cash"] == 7_500


def test_mitacs_without_a_budget_cannot_be_estimated_and_asks_for_it():
    estimate = estimate_for("mitacs-accelerate", budget_cash=None)

    assert (estimate.amount_low, estimate.amount_high) == (None, None)
    assert estimate.missing == ("budget_cash",)
    assert estimate.detail["unit_award"] == 15_000


@pytest.mark.parametrize(
    ("budget", "award", "note"),
    [
        (6_000, 10_000, None),
        (7_500, 15_000, None),
        (8_000, 15_000, None),
        (4_000, 0, "below_smallest_option"),
    ],
)
def test_mitacs_bsi_takes_the_best_option_the_budget_affords(budget, award, note):
    estimate = estimate_for("mitacs-bsi", budget_cash=budget)

    assert estimate.basis == "mitacs_bsi_option"
    assert (estimate.amount_low, estimate.amount_high) == (award, award)
    if note:
        assert note in estimate.detail["notes"]


@pytest.mark.parametrize(
    ("budget", "amount", "note"),
    [
        (40_000, 40_000, None),
        (20_000, 20_000, None),
        (200_000, 150_000, "capped_at_max"),
        (10_000, 0, "below_minimum_match"),
    ],
)
def test_oci_vip_matches_company_cash_one_to_one_between_20k_and_150k(budget, amount, note):
    estimate = estimate_for("oci-vip", budget_cash=budget)

    assert estimate.basis == "oci_vip_match"
    assert (estimate.amount_low, estimate.amount_high) == (amount, amount)
    assert estimate.detail["match_ratio"] == 1.0
    assert estimate.detail["lifetime_cap"] == 525_000
    assert "active_total_assumes_no_other_projects" in estimate.detail["notes"]
    if note:
        assert note in estimate.detail["notes"]


def test_oci_vip_below_the_minimum_says_how_much_cash_the_minimum_needs():
    estimate = estimate_for("oci-vip", budget_cash=10_000)

    assert estimate.detail["company_cash_needed"] == 20_000
    assert estimate.detail["min"] == 20_000


@pytest.mark.parametrize(("budget", "amount"), [(50_000, 50_000), (300_000, 150_000), (15_000, 0)])
def test_oci_c2c_matches_one_to_one_within_min_and_max(budget, amount):
    estimate = estimate_for("oci-c2c", budget_cash=budget)

    assert estimate.basis == "oci_c2c_match"
    assert estimate.amount_high == amount
    assert estimate.detail["match_ratio"] == 1.0  # 50% of the costs


def test_irap_gives_only_an_upper_figure_and_none_without_a_budget():
    without = estimate_for("nrc-irap", budget_cash=None)
    assert (without.amount_low, without.amount_high) == (None, None)
    assert without.missing == ("budget_cash",)
    assert without.detail["fast_track_max"] == 50_000

    with_budget = estimate_for("nrc-irap", budget_cash=40_000)
    assert with_budget.basis == "irap_share_of_contractors"
    assert (with_budget.amount_low, with_budget.amount_high) == (None, 20_000)
    assert {"budget_as_contractor_cost", "upper_estimate"} <= set(with_budget.detail["notes"])


def test_irap_yep_is_up_to_its_maximum():
    estimate = estimate_for("nrc-irap-yep")

    assert estimate.basis == "up_to_max"
    assert (estimate.amount_low, estimate.amount_high) == (None, 30_000)


@pytest.mark.parametrize(
    ("budget", "amount"),
    [(10_000, 20_000), (100_000, 200_000), (600_000, 1_000_000), (5_000, 0)],
)
def test_nserc_alliance_pays_two_dollars_per_partner_dollar_within_min_and_max(budget, amount):
    estimate = estimate_for("nserc-alliance", budget_cash=budget)

    assert estimate.basis == "nserc_alliance_match"
    assert estimate.detail["match_ratio"] == 2.0
    assert (estimate.amount_low, estimate.amount_high) == (amount, amount)
    if amount == 0:
        assert "below_minimum_match" in estimate.detail["notes"]
        assert estimate.detail["company_cash_needed"] == 10_000


def test_nserc_ard_is_up_to_its_maximum_without_a_budget():
    estimate = estimate_for("nserc-ard", budget_cash=None)

    assert estimate.basis == "nserc_ard_up_to_max"
    assert (estimate.amount_low, estimate.amount_high) == (None, 150_000)
    assert estimate.detail["overhead_bonus"] == 0.2
    assert estimate.missing == ("budget_cash",)


def test_nserc_ard_with_a_budget_is_a_one_to_one_rule_of_thumb_capped_at_max():
    estimate = estimate_for("nserc-ard", budget_cash=40_000)
    assert estimate.basis == "nserc_ard_match"
    assert (estimate.amount_low, estimate.amount_high) == (40_000, 40_000)
    assert estimate.detail["overhead_to_institution"] == 8_000
    assert "rule_of_thumb_1_to_1" in estimate.detail["notes"]

    capped = estimate_for("nserc-ard", budget_cash=500_000)
    assert capped.amount_high == 150_000
    assert "capped_at_max" in capped.detail["notes"]


def test_sred_ccpc_earns_35_percent():
    estimate = estimate_for("sred", budget_cash=100_000)

    assert estimate.basis == "sred_ccpc"
    assert (estimate.amount_low, estimate.amount_high) == (35_000, 35_000)
    assert estimate.missing == ()


def test_sred_base_is_reduced_by_government_assistance():
    estimate = estimate_for("sred", budget_cash=100_000, government_assistance=20_000)

    # (100,000 - 20,000) x 35%.
    assert (estimate.amount_low, estimate.amount_high) == (28_000, 28_000)
    assert estimate.detail["base"] == 80_000
    assert "assistance_deducted" in estimate.detail["notes"]


def test_sred_non_ccpc_earns_15_percent():
    estimate = estimate_for("sred", budget_cash=100_000, ccpc=False)

    assert estimate.basis == "sred_general"
    assert (estimate.amount_low, estimate.amount_high) == (15_000, 15_000)
    assert "federal_credit_if_oitc_claimed" not in estimate.detail


def test_sred_with_unknown_ccpc_gives_the_15_to_35_percent_range():
    estimate = estimate_for("sred", budget_cash=100_000, ccpc=None)

    assert estimate.basis == "sred_ccpc_unknown"
    assert (estimate.amount_low, estimate.amount_high) == (15_000, 35_000)
    assert "ccpc" in estimate.missing


def test_sred_expenditure_limit_phases_out_with_taxable_capital():
    # Capital 45M is half way from 15M to 75M: the 6M limit halves to 3M.
    estimate = estimate_for("sred", budget_cash=4_000_000, taxable_capital_prior=45_000_000)

    assert estimate.detail["expenditure_limit_applied"] == 3_000_000
    # 3M x 35% + 1M x 15%.
    assert estimate.amount_high == 1_200_000
    assert {"limit_reduced_by_capital", "above_limit_at_general_rate"} <= set(
        estimate.detail["notes"]
    )

    no_limit = estimate_for("sred", budget_cash=100_000, taxable_capital_prior=80_000_000)
    assert no_limit.amount_high == 15_000


def test_sred_unknown_capital_assumes_the_full_limit_and_asks_for_it():
    estimate = estimate_for("sred", budget_cash=100_000, taxable_capital_prior=None)

    assert estimate.amount_high == 35_000
    assert "taxable_capital_prior" in estimate.missing
    assert "capital_unknown_full_limit_assumed" in estimate.detail["notes"]


def test_sred_shows_the_federal_credit_left_once_the_oitc_is_claimed():
    estimate = estimate_for("sred", budget_cash=100_000)

    # The 8,000 OITC is itself assistance: (100,000 - 8,000) x 35%.
    assert estimate.detail["federal_credit_if_oitc_claimed"] == 32_200
    assert "oitc_reduces_federal_base" in estimate.detail["notes"]


def test_sred_accepts_numbers_as_text_and_decimals():
    as_text = estimate_for("sred", budget_cash="100,000", government_assistance="20000")
    as_decimal = estimate_for("sred", budget_cash=Decimal("100000.00"))

    assert as_text.amount_high == 28_000
    assert as_decimal.amount_high == 35_000


def test_oitc_is_8_percent_when_income_and_capital_are_small():
    estimate = estimate_for("ontario-oitc", budget_cash=100_000)

    assert estimate.basis == "oitc"
    assert (estimate.amount_low, estimate.amount_high) == (8_000, 8_000)
    assert estimate.missing == ()


def test_oitc_income_of_650k_halves_the_expenditure_limit():
    estimate = estimate_for("ontario-oitc", budget_cash=2_000_000, taxable_income_prior=650_000)

    # (800k - 650k) / (800k - 500k) = 1/2 of the 3M limit; 8% of 1.5M.
    assert estimate.detail["expenditure_limit_applied"] == 1_500_000
    assert estimate.amount_high == 120_000
    assert "limit_reduced_by_income" in estimate.detail["notes"]


def test_oitc_limit_is_nil_at_800k_income_and_the_smaller_limit_wins():
    nil = estimate_for("ontario-oitc", budget_cash=100_000, taxable_income_prior=800_000)
    assert nil.amount_high == 0

    both = estimate_for(
        "ontario-oitc",
        budget_cash=2_000_000,
        taxable_income_prior=650_000,  # limit x 1/2
        taxable_capital_prior=43_750_000,  # limit x 1/4
    )
    assert both.detail["expenditure_limit_applied"] == 750_000
    assert both.amount_high == 60_000


def test_oitc_base_is_reduced_by_grants_before_the_limit():
    estimate = estimate_for("ontario-oitc", budget_cash=100_000, government_assistance=20_000)

    assert estimate.amount_high == 6_400


def test_oitc_with_unknown_income_gives_the_full_limit_figure_as_high_only():
    estimate = estimate_for(
        "ontario-oitc", budget_cash=100_000, taxable_income_prior=None, taxable_capital_prior=None
    )

    assert (estimate.amount_low, estimate.amount_high) == (None, 8_000)
    assert estimate.missing == ("taxable_income_prior", "taxable_capital_prior")
    assert "income_or_capital_unknown_full_limit_assumed" in estimate.detail["notes"]


def test_magnet_is_up_to_5000_or_7000_for_under_represented_students():
    estimate = estimate_for("magnet-swpp")

    assert estimate.basis == "magnet_wage_share"
    assert (estimate.amount_low, estimate.amount_high) == (5_000, 7_000)
    assert estimate.detail["share"] == 0.5
    assert estimate.detail["share_underrepresented"] == 0.7


# --- SR&ED and grants ----------------------------------------------------------------------


def test_each_100_of_grant_costs_an_ontario_ccpc_43_in_the_plain_35_plus_8_model():
    impact = sred_with_grants(100_000, 20_000, True, oitc_reduces_federal_base=False)

    assert impact["federal_credit"] == 28_000
    assert impact["oitc"] == 6_400
    assert impact["total"] == 34_400
    assert impact["total_without_grants"] == 43_000
    assert impact["reduction"] == 8_600
    assert impact["reduction_per_100"] == 43.0


def test_each_100_of_grant_costs_an_ontario_ccpc_about_40_when_the_oitc_grinds_sred():
    impact = sred_with_grants(100_000, 20_000, True)

    # OITC 8% of 80,000 = 6,400; federal 35% of (80,000 - 6,400) = 25,760.
    assert impact["oitc"] == 6_400
    assert impact["federal_credit"] == 25_760
    assert impact["total_without_grants"] == 40_200
    assert impact["reduction"] == 8_040
    assert impact["reduction_per_100"] == 40.2


def test_grind_without_oitc_is_the_federal_rate_alone():
    non_ccpc = sred_with_grants(100_000, 100, False)
    outside_ontario = sred_with_grants(100_000, 100, True, province_ontario=False)

    assert non_ccpc["oitc"] == 0
    assert non_ccpc["reduction_per_100"] == 15.0
    assert outside_ontario["oitc"] == 0
    assert outside_ontario["reduction_per_100"] == 35.0


def test_grants_larger_than_the_spend_wipe_out_the_credits_but_no_more():
    impact = sred_with_grants(50_000, 80_000, True)

    assert impact["base"] == 0
    assert impact["total"] == 0
    assert impact["reduction"] == impact["total_without_grants"] == 20_100


def test_no_grant_reports_the_effect_of_a_first_100():
    impact = sred_with_grants(100_000, 0, True)

    assert impact["reduction"] == 0
    assert impact["reduction_per_100"] == 40.2


# --- Stacking ------------------------------------------------------------------------------


def test_oci_vip_and_irap_together_warn_that_they_do_not_stack():
    result = assess_programs(real_programs("oci-vip", "nrc-irap"), ONTARIO_SME)

    (warning,) = [w for w in result.stacking if w.code == "no_stack_with"]
    assert warning.programs == ("oci-vip", "nrc-irap")
    assert warning.detail["categories"] == ["federal_grant", "provincial_grant"]
    assert warning.detail["conflicts"] == ["nrc-irap"]


def test_a_program_that_is_not_eligible_raises_no_stacking_warning():
    facts = facts_with(fte_global=900)  # IRAP is for 500 or fewer employees
    result = assess_programs(real_programs("oci-vip", "nrc-irap"), facts)

    assert by_slug(result)["nrc-irap"].verdict == NOT_ELIGIBLE
    assert [w for w in result.stacking if w.code == "no_stack_with"] == []


def test_programs_of_unknown_eligibility_still_count_for_stacking():
    facts = facts_with(fte_global=None)
    result = assess_programs(real_programs("oci-vip", "nrc-irap"), facts)

    assert by_slug(result)["nrc-irap"].verdict == UNKNOWN
    assert any(w.code == "no_stack_with" for w in result.stacking)


def test_grants_next_to_sred_warn_of_the_grind_with_the_dollars_per_100():
    programs = real_programs("oci-vip", "nrc-irap", "sred", "ontario-oitc")
    result = assess_programs(programs, facts_with(budget_cash=100_000))

    (warning,) = [w for w in result.stacking if w.code == "reduces_sred_base"]
    assert set(warning.programs) == {"oci-vip", "nrc-irap"}
    assert warning.detail["tax_credits"] == ["ontario-oitc", "sred"]
    assert warning.detail["grant_amounts"] == {"oci-vip": 100_000, "nrc-irap": 50_000}
    assert warning.detail["reduction_per_100"] == 40.2
    irap = warning.detail["impact_by_program"]["nrc-irap"]
    assert irap["grants"] == 50_000
    assert irap["reduction"] == 20_100  # 50,000 x 40.2%
    # The OCI match equals the whole spend: both credits are gone.
    assert warning.detail["impact_by_program"]["oci-vip"]["total"] == 0
    assert warning.detail["notes"] == []


def test_grind_uses_the_program_share_of_a_mitacs_award_not_the_company_cash():
    programs = real_programs("mitacs-accelerate", "sred")
    result = assess_programs(programs, facts_with(budget_cash=30_000))

    (warning,) = [w for w in result.stacking if w.code == "reduces_sred_base"]
    # 4 units: 60,000 award of which 30,000 is the company's own cash.
    assert warning.detail["grant_amounts"] == {"mitacs-accelerate": 30_000}


def test_grind_with_unknown_ccpc_and_amounts_says_what_it_assumed():
    programs = real_programs("oci-vip", "sred", "ontario-oitc")
    result = assess_programs(programs, facts_with(ccpc=None, budget_cash=None))

    (warning,) = [w for w in result.stacking if w.code == "reduces_sred_base"]
    assert warning.programs == ("oci-vip",)
    assert warning.detail["grant_amounts"] == {"oci-vip": None}
    assert warning.detail["impact_by_program"] == {"oci-vip": None}
    assert set(warning.detail["notes"]) == {"ccpc_assumed", "grant_amounts_partly_unknown"}
    assert warning.detail["reduction_per_100"] == 40.2  # on a nominal spend


def test_no_grind_warning_without_an_sred_candidate():
    result = assess_programs(real_programs("oci-vip", "nrc-irap"), ONTARIO_SME)
    not_rd = assess_programs(real_programs("nrc-irap", "sred"), facts_with(rd_stage="adoption"))

    assert all(w.code != "reduces_sred_base" for w in result.stacking)
    assert by_slug(not_rd)["sred"].verdict == NOT_ELIGIBLE
    assert all(w.code != "reduces_sred_base" for w in not_rd.stacking)


# --- Fit -----------------------------------------------------------------------------------


FIT = {"rd_stages": ["applied-research"], "trl": [3, 5]}


@pytest.mark.parametrize(
    ("rd_stage", "trl", "fit", "reasons"),
    [
        ("applied-research", 4, 1.0, ("rd_stage_fits", "trl_fits")),
        ("applied-research", 6, 0.75, ("rd_stage_fits", "trl_outside")),  # 1 level: 0.5
        ("applied-research", 7, 0.5, ("rd_stage_fits", "trl_outside")),  # 2 levels: 0
        ("applied-research", 1, 0.5, ("rd_stage_fits", "trl_outside")),
        ("basic-research", 4, 0.5, ("rd_stage_outside", "trl_fits")),
        (None, None, 0.5, ("rd_stage_unknown", "trl_unknown")),
        ("applied-research", "4", 1.0, ("rd_stage_fits", "trl_fits")),
    ],
)
def test_fit_scores_rd_stage_and_trl(rd_stage, trl, fit, reasons):
    assessment = assess_one(make_program(fit=FIT), {"rd_stage": rd_stage, "trl_current": trl})

    assert assessment.fit == fit
    assert assessment.fit_reasons == reasons


@pytest.mark.parametrize(
    ("wants", "fit", "reason"),
    [
        (True, 1.0, "students_wanted"),
        (False, 0.0, "needs_students_but_none_wanted"),
        (None, 0.5, "students_unknown"),
    ],
)
def test_fit_of_a_program_that_needs_students(wants, fit, reason):
    program = make_program(fit={"needs_students": True})
    assessment = assess_one(program, {"wants_students": wants})

    assert assessment.fit == fit
    assert assessment.fit_reasons == (reason,)


def test_a_program_that_does_not_need_students_is_not_scored_on_them():
    program = make_program(fit={"needs_students": False, "trl": [1, 9]})
    assessment = assess_one(program, {"wants_students": False, "trl_current": 5})

    assert assessment.fit == 1.0
    assert assessment.fit_reasons == ("trl_fits",)


@pytest.mark.parametrize(
    ("areas", "fit", "reason"),
    [
        (["software", "Supply-Chain"], 1.0, "capability_overlap"),
        (["software"], 0.0, "capability_no_overlap"),
        ([], 0.5, "capability_unknown"),
    ],
)
def test_fit_on_capability_areas_when_the_program_lists_some(areas, fit, reason):
    program = make_program(fit={"capability_areas": ["business-strategy", "supply-chain"]})
    assessment = assess_one(program, {}, capability_areas=areas)

    assert assessment.fit == fit
    assert assessment.fit_reasons == (reason,)


def test_fit_averages_the_parts_of_the_real_mitacs_bsi():
    program = real_programs("mitacs-bsi")[0]
    facts = facts_with(rd_stage="adoption", trl_current=5, wants_students=False)
    assessment = assess_one(program, facts, capability_areas=["supply-chain"])

    # rd_stage 1, trl 1, students 0, capability 1.
    assert assessment.fit == 0.75
    assert assessment.fit_reasons == (
        "rd_stage_fits",
        "trl_fits",
        "needs_students_but_none_wanted",
        "capability_overlap",
    )


# --- Sorting and output --------------------------------------------------------------------


def test_results_sort_eligible_then_unknown_then_not_eligible_by_fit_then_name():
    fits = {"rd_stages": ["applied-research"]}
    programs = [
        make_program([IN_RULE], slug="not-eligible", name="Aaa", fit=fits),
        make_program([AT_LEAST_RULE], slug="unknown", name="Aardvark", fit=fits),
        make_program([], slug="low-fit", name="Beta", fit={"rd_stages": ["adoption"]}),
        make_program([], slug="zeta", name="Zeta", fit=fits),
        make_program([], slug="alpha", name="alpha", fit=fits),
    ]
    facts = {"organization_type": "public", "rd_stage": "applied-research"}
    result = assess_programs(programs, facts)

    assert [a.slug for a in result.programs] == [
        "alpha",
        "zeta",
        "low-fit",
        "unknown",
        "not-eligible",
    ]
    assert [a.verdict for a in result.programs] == [
        ELIGIBLE,
        ELIGIBLE,
        ELIGIBLE,
        UNKNOWN,
        NOT_ELIGIBLE,
    ]


def test_to_dict_is_plain_json_that_round_trips():
    odd = make_program(
        [AT_LEAST_RULE],
        slug="dated",
        last_verified=date(2026, 1, 15),
        funding={"min": 1, "max": 10},
    )
    facts = facts_with(years_incorporated=Decimal("3"), budget_cash=Decimal("40000.50"))
    result = assess_programs([*real_programs(), odd], facts, capability_areas=("software",))

    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data  # only JSON types: nothing turns into a string
    assert data["engine_version"] == funding.ENGINE_VERSION
    assert len(data["programs"]) == len(result.programs)
    assert set(data["programs"][0]) == {f.name for f in dataclasses.fields(ProgramAssessment)}
    dated = next(p for p in data["programs"] if p["slug"] == "dated")
    assert dated["last_verified"] == "2026-01-15"
    assert dated["rules"][0]["actual"] == 3
    assert {w["code"] for w in data["stacking"]} == set(STACKING_CODES)


def test_every_emitted_code_is_listed_for_translation():
    scenarios = [
        ({}, ()),
        (ONTARIO_SME, ("software",)),
        (facts_with(budget_cash=5_000, ccpc=None, wants_students=False), ("supply-chain",)),
        (facts_with(budget_cash=4_000_000, taxable_capital_prior=45_000_000), ()),
        (facts_with(budget_cash=2_000_000, taxable_income_prior=650_000), ()),
        (facts_with(budget_cash=100_000, government_assistance=20_000, trl_current=9), ()),
        (facts_with(budget_cash=500_000, rd_stage="adoption"), ("business-strategy",)),
    ]
    fit_reasons, bases, notes, stacking = set(), set(), set(), set()
    for facts, areas in scenarios:
        result = assess_programs(real_programs(), facts, capability_areas=areas)
        for assessment in result.programs:
            fit_reasons.update(assessment.fit_reasons)
            if assessment.estimate:
                bases.add(assessment.estimate.basis)
                notes.update(assessment.estimate.detail["notes"])
        for warning in result.stacking:
            stacking.add(warning.code)
            notes.update(warning.detail.get("notes", ()))

    assert fit_reasons <= set(FIT_REASON_CODES)
    assert bases <= set(ESTIMATE_BASES)
    assert notes <= set(NOTE_CODES)
    assert stacking <= set(STACKING_CODES)
    # The scenarios reach most of the vocabulary, so the check above means something.
    assert len(bases) >= 12
    assert len(fit_reasons) >= 9


def _assessed(slug: str, verdict: str, low: int | None, high: int | None) -> dict[str, Any]:
    estimate = None if high is None else {"amount_low": low, "amount_high": high}
    return {"slug": slug, "verdict": verdict, "estimate": estimate}


def test_reachable_total_never_combines_programs_that_exclude_each_other():
    programs = [
        _assessed("grant_a", ELIGIBLE, 10_000, 50_000),
        _assessed("grant_b", ELIGIBLE, 20_000, 40_000),
        _assessed("credit", ELIGIBLE, 5_000, 30_000),
        _assessed("not_for_you", NOT_ELIGIBLE, 0, 1_000_000),
        _assessed("maybe", UNKNOWN, 0, 900_000),
        _assessed("no_estimate", ELIGIBLE, None, None),
    ]
    stacking = [
        {"code": "no_stack_with", "detail": {"program": "grant_a", "conflicts": ["grant_b"]}},
        {"code": "reduces_sred_base", "detail": {}},
    ]
    total = funding.reachable_total(programs, stacking)
    # a + credit (80,000) beats b + credit (70,000) and a + b (excluded).
    assert total == {"low": 15_000, "high": 80_000, "programs": ["grant_a", "credit"]}
    assert funding.reachable_total(programs, []) == {
        "low": 35_000,
        "high": 120_000,
        "programs": ["grant_a", "grant_b", "credit"],
    }
    assert funding.reachable_total([_assessed("maybe", UNKNOWN, 0, 5)], []) is None
