"""Funding rules engine: which programs a company's project can draw on, and about how much.

Pure Python (no Django): `assess_programs(programs, facts)` reads programs as plain dicts with the
keys of matching/data/funding_programs.yaml (slug, category, partner, name, status, last_verified,
kind, summary, eligibility, funding, fit, notes, stacking) and a dict of company/project facts.

- Eligibility: each rule `{fact, in|equals|at_least|at_most, why}` passes, fails or is unknown.
  A fact that is absent, None or blank is unknown: its rule is "can't tell yet", never passed or
  failed (the YAML header's rule). `partner_kind` is never a fact: rules on it are evaluated once
  per kind in PARTNER_KINDS.
- Fit (0..1) of the project's R&D stage, TRL, student wish and capability areas to the program.
- Estimate of the dollars at stake, from the program's `funding` dict and the facts.
- Stacking warnings between candidate programs (`no_stack_with`, the SR&ED "grind").

Nothing user-facing is worded here: outcomes, reasons, estimate bases, notes and warnings are
stable codes (listed in the module-level tuples below) that the platform translates; only the
YAML's own `why` texts pass through. `FundingResult.to_dict()` is plain JSON for a JSONField.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeGuard

from diagnostics.scoring import FUNDING_FACTS

ENGINE_VERSION = "2026.1"

PARTNER_KINDS = ("college", "university", "indigenous_institute")
ELIGIBLE, NOT_ELIGIBLE, UNKNOWN = "eligible", "not_eligible", "unknown"
VERDICTS = (ELIGIBLE, UNKNOWN, NOT_ELIGIBLE)  # also the sort order of results
PASSED, FAILED = "passed", "failed"
RULE_OUTCOMES = (PASSED, FAILED, UNKNOWN)
OPERATORS = ("in", "equals", "at_least", "at_most")
INVALID_OPERATOR = "invalid"
ACTIVE, VERIFY, INACTIVE = "active", "verify", "inactive"

# The facts the rules may read: the header of funding_programs.yaml. The company's are those the
# diagnostic collects for funding (diagnostics.scoring, Django-free like this module).
COMPANY_FACTS = FUNDING_FACTS
PROJECT_FACTS = (
    "wants_students",
    "student_levels",
    "rd_stage",
    "trl_current",
    "budget_cash",
    "owner_related_to_intern",
)
PARTNER_KIND_FACT = "partner_kind"
KNOWN_FACTS = frozenset((*COMPANY_FACTS, *PROJECT_FACTS, PARTNER_KIND_FACT))
# Read by the estimates only (never by rules): government assistance already received or expected
# for the project's costs, in dollars, which reduces the SR&ED and OITC base.
ASSISTANCE_FACT = "government_assistance"

FIT_REASON_CODES = (
    "rd_stage_fits",
    "rd_stage_outside",
    "rd_stage_unknown",
    "trl_fits",
    "trl_outside",
    "trl_unknown",
    "students_wanted",
    "needs_students_but_none_wanted",
    "students_unknown",
    "capability_overlap",
    "capability_no_overlap",
    "capability_unknown",
    "no_fit_data",
)
ESTIMATE_BASES = (
    "mitacs_units",
    "mitacs_bsi_option",
    "oci_vip_match",
    "oci_c2c_match",
    "irap_share_of_contractors",
    "up_to_max",
    "nserc_alliance_match",
    "nserc_ard_up_to_max",
    "nserc_ard_match",
    "sred_ccpc",
    "sred_general",
    "sred_ccpc_unknown",
    "oitc",
    "magnet_wage_share",
    "not_estimated",
    "invalid_funding",
)
# Codes in `Estimate.detail["notes"]` and `StackingWarning.detail["notes"]`.
NOTE_CODES = (
    "below_one_unit",
    "large_rate_assumes_3_interns",
    "below_smallest_option",
    "below_minimum_match",
    "capped_at_max",
    "active_total_assumes_no_other_projects",
    "budget_as_contractor_cost",
    "upper_estimate",
    "per_year_cap",
    "rule_of_thumb_1_to_1",
    "overhead_paid_to_institution",
    "assistance_deducted",
    "capital_unknown_full_limit_assumed",
    "limit_reduced_by_capital",
    "limit_reduced_by_income",
    "above_limit_at_general_rate",
    "oitc_reduces_federal_base",
    "income_or_capital_unknown_full_limit_assumed",
    "wage_unknown_max_shown",
    "underrepresented_rate_as_high",
    "ccpc_assumed",
    "grant_amounts_partly_unknown",
)
STACKING_CODES = ("no_stack_with", "reduces_sred_base")

# Mitacs Accelerate: the lower partner rate needs 6+ units AND 3+ interns (YAML comment on
# partner_cash_per_unit_large; Mitacs's published large-project terms).
MITACS_LARGE_MIN_UNITS = 6
MITACS_LARGE_MIN_INTERNS = 3

# Defaults for `sred_with_grants`, mirroring the `sred` and `ontario-oitc` entries of the YAML.
SRED_CCPC_RATE = Decimal("0.35")
SRED_GENERAL_RATE = Decimal("0.15")
SRED_CCPC_EXPENDITURE_LIMIT = Decimal(6_000_000)
OITC_RATE = Decimal("0.08")
OITC_EXPENDITURE_LIMIT = Decimal(3_000_000)
NOMINAL_SPEND = 100_000  # for the grind per $100 when the project's spend is unknown


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class RuleResult:
    fact: str
    outcome: str  # passed | failed | unknown
    why: str  # the rule's plain-words text from the YAML
    expected: Any  # the rule's operand, for display
    actual: Any  # the fact's value (None when unknown)
    operator: str  # in | equals | at_least | at_most | invalid
    partner_kind: str | None = None  # set for rules on partner_kind


@dataclass(frozen=True)
class Estimate:
    amount_low: int | None  # dollars, None when it cannot be estimated
    amount_high: int | None
    basis: str  # one of ESTIMATE_BASES
    detail: dict[str, Any]  # the numbers behind it; detail["notes"] holds NOTE_CODES
    missing: tuple[str, ...]  # facts that would sharpen or allow the estimate


@dataclass(frozen=True)
class ProgramAssessment:
    slug: str
    name: str
    partner: str
    category: str
    status: str
    kind: str
    last_verified: str
    verdict: str  # eligible | not_eligible | unknown, ignoring partner kind
    by_partner_kind: dict[str, str]  # verdict per partner kind when there are partner_kind rules
    rules: tuple[RuleResult, ...]
    deciding_facts: tuple[str, ...]  # for "unknown": the facts whose answer would decide it
    fit: float  # 0..1
    fit_reasons: tuple[str, ...]  # FIT_REASON_CODES
    estimate: Estimate | None
    needs_verification: bool  # status is not "active" (normally "verify")
    notes: str


@dataclass(frozen=True)
class StackingWarning:
    code: str  # one of STACKING_CODES
    programs: tuple[str, ...]  # slugs involved
    detail: dict[str, Any]


@dataclass(frozen=True)
class FundingResult:
    programs: tuple[ProgramAssessment, ...]  # eligible, unknown, not eligible; fit desc, name
    stacking: tuple[StackingWarning, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only (lists, dicts, str, int, float, bool, None)."""
        return {
            "engine_version": ENGINE_VERSION,
            "programs": [_jsonable(program) for program in self.programs],
            "stacking": [_jsonable(warning) for warning in self.stacking],
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(item) for item in value), key=repr)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------------------------
# Reading values robustly


def _is_unknown(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _num(value: Any) -> Decimal | None:
    """A finite number from int/float/Decimal/numeric text ("7,500", "$7500"); bools are not."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "").replace(" ", "").lstrip("$")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


_TRUE_WORDS = frozenset({"true", "yes", "y", "1", "oui", "vrai"})
_FALSE_WORDS = frozenset({"false", "no", "n", "0", "non", "faux"})


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | bool | int | Decimal)


def _is_collection(
    value: Any,
) -> TypeGuard[list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any]]:
    return isinstance(value, list | tuple | set | frozenset)


def _equal(actual: Any, operand: Any) -> bool | None:
    """Whether a known scalar fact equals a rule operand; None when they cannot be compared."""
    if _is_collection(actual) or isinstance(actual, Mapping):
        return None
    if isinstance(operand, bool):
        flag = _as_bool(actual)
        return None if flag is None else flag == operand
    if isinstance(operand, int | float | Decimal):
        number = _num(actual)
        return None if number is None else number == _num(operand)
    if isinstance(operand, str):
        if isinstance(actual, str):
            return actual.strip().casefold() == operand.strip().casefold()
        left, right = _num(actual), _num(operand)
        if left is not None and right is not None:
            return left == right
        return None
    return None


def _compare(operator: str, operand: Any, actual: Any) -> bool | None:
    """True (passed), False (failed) or None (the value cannot be compared: unknown)."""
    if operator == "in":
        values = list(actual) if _is_collection(actual) else [actual]
        if not values:  # an answered multi-choice with nothing chosen
            return False
        matches = [_equal(value, option) for value in values for option in operand]
        if any(match is True for match in matches):
            return True
        if matches and all(match is None for match in matches):
            return None
        return False
    if operator == "equals":
        return _equal(actual, operand)
    number, bound = _num(actual), _num(operand)
    if number is None or bound is None or _is_collection(actual):
        return None
    return number >= bound if operator == "at_least" else number <= bound


def _valid_operand(operator: str, operand: Any) -> bool:
    if operator == "in":
        return _is_collection(operand) and all(_is_scalar(option) for option in operand)
    if operator == "equals":
        return _is_scalar(operand)
    return _num(operand) is not None  # at_least / at_most


# --------------------------------------------------------------------------------------------
# Rules


@dataclass(frozen=True)
class _Rule:
    fact: str
    operator: str  # one of OPERATORS, or INVALID_OPERATOR
    operand: Any
    why: str


def _parse_rule(raw: Any) -> _Rule:
    if not isinstance(raw, Mapping):
        return _Rule("", INVALID_OPERATOR, raw, "")
    fact = raw.get("fact")
    why = raw.get("why")
    why_text = why if isinstance(why, str) else ""
    fact_name = fact.strip() if isinstance(fact, str) else ""
    operators = [operator for operator in OPERATORS if operator in raw]
    if not fact_name or len(operators) != 1:
        operands = {key: value for key, value in raw.items() if key in OPERATORS}
        return _Rule(fact_name, INVALID_OPERATOR, operands or None, why_text)
    operator = operators[0]
    operand = raw[operator]
    if not _valid_operand(operator, operand):
        return _Rule(fact_name, INVALID_OPERATOR, {operator: operand}, why_text)
    return _Rule(fact_name, operator, operand, why_text)


def _outcome(comparison: bool | None) -> str:
    return UNKNOWN if comparison is None else PASSED if comparison else FAILED


def _evaluate(rule: _Rule, facts: Mapping[str, Any]) -> list[RuleResult]:
    if rule.operator == INVALID_OPERATOR:
        return [RuleResult(rule.fact, UNKNOWN, rule.why, rule.operand, None, INVALID_OPERATOR)]
    if rule.fact == PARTNER_KIND_FACT:
        # Never read from the facts: the partner is known only per match.
        return [
            RuleResult(
                rule.fact,
                _outcome(_compare(rule.operator, rule.operand, kind)),
                rule.why,
                rule.operand,
                kind,
                rule.operator,
                partner_kind=kind,
            )
            for kind in PARTNER_KINDS
        ]
    actual = facts.get(rule.fact) if rule.fact in KNOWN_FACTS else None
    if _is_unknown(actual):
        return [RuleResult(rule.fact, UNKNOWN, rule.why, rule.operand, None, rule.operator)]
    outcome = _outcome(_compare(rule.operator, rule.operand, actual))
    return [RuleResult(rule.fact, outcome, rule.why, rule.operand, actual, rule.operator)]


def _combine(outcomes: Iterable[str]) -> str:
    seen = set(outcomes)
    if FAILED in seen:
        return NOT_ELIGIBLE
    if UNKNOWN in seen:
        return UNKNOWN
    return ELIGIBLE


def _verdicts(results: Sequence[RuleResult]) -> tuple[str, dict[str, str]]:
    base_outcomes = [result.outcome for result in results if result.partner_kind is None]
    base = _combine(base_outcomes)
    partner_results = [result for result in results if result.partner_kind is not None]
    if not partner_results:
        return base, {}
    alone = {
        kind: _combine(r.outcome for r in partner_results if r.partner_kind == kind)
        for kind in PARTNER_KINDS
    }
    by_kind = {
        kind: _combine(
            [*base_outcomes, *(r.outcome for r in partner_results if r.partner_kind == kind)]
        )
        for kind in PARTNER_KINDS
    }
    if all(verdict == NOT_ELIGIBLE for verdict in alone.values()):
        return NOT_ELIGIBLE, by_kind
    if base == ELIGIBLE and ELIGIBLE not in alone.values():
        return UNKNOWN, by_kind  # only malformed partner rules: can't tell
    return base, by_kind


def _rules_of(program: Mapping[str, Any]) -> list[Any]:
    rules = program.get("eligibility")
    return list(rules) if _is_collection(rules) else []


def unknown_rule_facts(programs: Iterable[Mapping[str, Any]]) -> set[str]:
    """Fact names that rules test but the engine does not know (a typo, or a new question)."""
    names: set[str] = set()
    for program in programs:
        for raw in _rules_of(program):
            rule = _parse_rule(raw)
            if rule.fact and rule.fact not in KNOWN_FACTS:
                names.add(rule.fact)
    return names


def invalid_rules(programs: Iterable[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """(slug, index in `eligibility`) of every malformed rule, so staff can fix them."""
    return [
        (str(program.get("slug", "")), index)
        for program in programs
        for index, raw in enumerate(_rules_of(program))
        if _parse_rule(raw).operator == INVALID_OPERATOR
    ]


# --------------------------------------------------------------------------------------------
# Fit


def _fit(
    fit: Mapping[str, Any], facts: Mapping[str, Any], capability_areas: Sequence[str]
) -> tuple[float, tuple[str, ...]]:
    """Average of the parts the program's `fit` speaks to; an unknown fact scores 0.5."""
    parts: list[tuple[float, str]] = []

    stages = fit.get("rd_stages")
    if _is_collection(stages) and stages:
        stage = facts.get("rd_stage")
        if _is_unknown(stage):
            parts.append((0.5, "rd_stage_unknown"))
        elif any(_equal(stage, option) for option in stages if _is_scalar(option)):
            parts.append((1.0, "rd_stage_fits"))
        else:
            parts.append((0.0, "rd_stage_outside"))

    trl = fit.get("trl")
    if _is_collection(trl) and len(trl) == 2:
        low, high = (_num(bound) for bound in trl)
        if low is not None and high is not None:
            current = _num(facts.get("trl_current"))
            if current is None:
                parts.append((0.5, "trl_unknown"))
            elif low <= current <= high:
                parts.append((1.0, "trl_fits"))
            else:
                # 0.5 lost per level outside the range, floored at 0.
                distance = low - current if current < low else current - high
                parts.append((max(0.0, 1.0 - 0.5 * float(distance)), "trl_outside"))

    # Only a program that needs students can fit badly with a project that wants none.
    if _as_bool(fit.get("needs_students")) is True:
        wants = _as_bool(facts.get("wants_students"))
        if wants is None:
            parts.append((0.5, "students_unknown"))
        elif wants:
            parts.append((1.0, "students_wanted"))
        else:
            parts.append((0.0, "needs_students_but_none_wanted"))

    areas = fit.get("capability_areas")
    if _is_collection(areas) and areas:
        wanted = {str(area).casefold() for area in capability_areas if str(area).strip()}
        if not wanted:
            parts.append((0.5, "capability_unknown"))
        elif wanted & {str(area).casefold() for area in areas}:
            parts.append((1.0, "capability_overlap"))
        else:
            parts.append((0.0, "capability_no_overlap"))

    if not parts:
        return 0.5, ("no_fit_data",)
    score = sum(value for value, _ in parts) / len(parts)
    return round(score, 4), tuple(reason for _, reason in parts)


# --------------------------------------------------------------------------------------------
# Estimates


def _d(value: Any) -> Decimal:
    """A required number from the program's funding dict (raises for the caller to catch)."""
    number = _num(value)
    if number is None:
        raise ValueError(f"not a number: {value!r}")
    return number


def _dollars(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _floor(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


def _rate(value: Decimal) -> float:
    return float(value)


def _money_fact(facts: Mapping[str, Any], name: str) -> Decimal | None:
    """A dollar fact, or None when unknown (a negative amount is not an answer either)."""
    number = _num(facts.get(name))
    return None if number is None or number < 0 else number


def _estimate(
    low: int | None,
    high: int | None,
    basis: str,
    detail: dict[str, Any],
    notes: Iterable[str] = (),
    missing: Iterable[str] = (),
) -> Estimate:
    detail = {**detail, "notes": list(dict.fromkeys(notes))}
    return Estimate(low, high, basis, detail, tuple(dict.fromkeys(missing)))


def _mitacs_units(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML mitacs-accelerate (unit_award, partner_cash_per_unit[_large]). The company's
    # cash buys 4-month units: units = floor(budget_cash / partner_cash_per_unit); award = units *
    # unit_award (the award includes the company's cash). The large rate needs 6+ units and 3+
    # interns; the intern count is unknown, so it only raises the high figure.
    award, cash = _d(funding["unit_award"]), _d(funding["partner_cash_per_unit"])
    large = _num(funding.get("partner_cash_per_unit_large"))
    detail: dict[str, Any] = {
        "unit_award": _dollars(award),
        "partner_cash_per_unit": _dollars(cash),
        "partner_cash_per_unit_large": None if large is None else _dollars(large),
        "large_rate_min_units": MITACS_LARGE_MIN_UNITS,
        "large_rate_min_interns": MITACS_LARGE_MIN_INTERNS,
    }
    budget = _money_fact(facts, "budget_cash")
    if budget is None:
        return _estimate(None, None, "mitacs_units", detail, missing=("budget_cash",))
    units = _floor(budget / cash)
    units_high, cash_high = units, cash
    notes: list[str] = []
    if large is not None and large > 0:
        units_large = _floor(budget / large)
        if units_large >= MITACS_LARGE_MIN_UNITS and units_large > units:
            units_high, cash_high = units_large, large
            notes.append("large_rate_assumes_3_interns")
    if units_high == 0:
        notes.append("below_one_unit")
        detail["one_unit_partner_cash"] = _dollars(cash)
    low, high = units * award, units_high * award
    detail.update(
        budget_cash=_dollars(budget),
        units=units,
        units_high=units_high,
        partner_cash=_dollars(units * cash),
        partner_cash_high=_dollars(units_high * cash_high),
        program_share_low=_dollars(low - units * cash),
        program_share_high=_dollars(high - units_high * cash_high),
    )
    return _estimate(_dollars(low), _dollars(high), "mitacs_units", detail, notes)


def _mitacs_options(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML mitacs-bsi `options`: one internship, the largest award whose partner cash
    # the company's budget covers.
    options = sorted(
        ((_d(option["award"]), _d(option["partner_cash"])) for option in funding["options"]),
        key=lambda option: option[0],
    )
    detail: dict[str, Any] = {
        "options": [
            {"award": _dollars(award), "partner_cash": _dollars(cash)} for award, cash in options
        ]
    }
    budget = _money_fact(facts, "budget_cash")
    if budget is None:
        return _estimate(None, None, "mitacs_bsi_option", detail, missing=("budget_cash",))
    detail["budget_cash"] = _dollars(budget)
    affordable = [option for option in options if option[1] <= budget]
    if not affordable:
        detail["smallest_partner_cash"] = min(_dollars(cash) for _, cash in options)
        return _estimate(0, 0, "mitacs_bsi_option", detail, ["below_smallest_option"])
    award, cash = affordable[-1]
    detail.update(
        award=_dollars(award),
        partner_cash=_dollars(cash),
        program_share_high=_dollars(award - cash),
    )
    return _estimate(_dollars(award), _dollars(award), "mitacs_bsi_option", detail)


def _matched(
    basis: str,
    budget: Decimal | None,
    ratio: Decimal,
    minimum: Decimal | None,
    cap: Decimal | None,
    detail: dict[str, Any],
    notes: list[str],
) -> Estimate:
    """The program puts `ratio` dollars per company cash dollar, up to `cap`; under `minimum`
    there is no project at all (amount 0, with the company cash the minimum needs)."""
    detail = {
        **detail,
        "match_ratio": float(ratio),
        "min": None if minimum is None else _dollars(minimum),
        "max": None if cap is None else _dollars(cap),
    }
    if budget is None:
        return _estimate(None, None, basis, detail, notes, missing=("budget_cash",))
    match = budget * ratio
    amount = match if cap is None else min(match, cap)
    if cap is not None and match > cap:
        notes = [*notes, "capped_at_max"]
    detail["budget_cash"] = _dollars(budget)
    if minimum is not None and amount < minimum:
        detail["company_cash_needed"] = _dollars(minimum / ratio) if ratio else None
        return _estimate(0, 0, basis, detail, [*notes, "below_minimum_match"])
    return _estimate(_dollars(amount), _dollars(amount), basis, detail, notes)


def _share_ratio(share: Decimal) -> Decimal:
    """Program dollars per company dollar when the program pays `share` of the total cost."""
    return share / (1 - share)


def _oci_vip(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML oci-vip: OCI matches company cash (company_cash_match_ratio, 1:1), within
    # max_share_of_costs of the project, between min (20k) and max (150k) per project, and at most
    # max_active_total over the company's active projects (others unknown: assumed none).
    ratio = _d(funding.get("company_cash_match_ratio", 1))
    share = _num(funding.get("max_share_of_costs"))
    if share is not None and 0 < share < 1:
        ratio = min(ratio, _share_ratio(share))
    caps = [_d(funding[key]) for key in ("max", "max_active_total") if key in funding]
    lifetime = _num(funding.get("lifetime_cap"))
    detail = {
        "max_share_of_costs": None if share is None else float(share),
        "max_active_total": _dollars(_d(funding["max_active_total"]))
        if "max_active_total" in funding
        else None,
        "lifetime_cap": None if lifetime is None else _dollars(lifetime),
    }
    notes = ["active_total_assumes_no_other_projects"] if "max_active_total" in funding else []
    minimum = _num(funding.get("min"))
    budget = _money_fact(facts, "budget_cash")
    return _matched(
        "oci_vip_match", budget, ratio, minimum, min(caps) if caps else None, detail, notes
    )


def _oci_c2c(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML oci-c2c: OCI pays at most max_share_of_costs (0.5) of the project, i.e. it
    # matches company cash 1:1, between min and max.
    share = _d(funding["max_share_of_costs"])
    if not 0 < share < 1:
        raise ValueError("max_share_of_costs must be between 0 and 1")
    detail = {"max_share_of_costs": float(share)}
    return _matched(
        "oci_c2c_match",
        _money_fact(facts, "budget_cash"),
        _share_ratio(share),
        _num(funding.get("min")),
        _num(funding.get("max")),
        detail,
        [],
    )


def _irap(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML nrc-irap: IRAP pays up to max_share_of_salaries (80%) of the firm's R&D
    # salaries and max_share_of_contractors (50%) of contractor costs; the amount is set with an
    # advisor, so the only honest figure is an upper one: the company's cash for the academic
    # partner's work treated as contractor cost, times the contractor share.
    contractors = _d(funding["max_share_of_contractors"])
    salaries = _num(funding.get("max_share_of_salaries"))
    fast_track = _num(funding.get("fast_track_max"))
    detail: dict[str, Any] = {
        "max_share_of_contractors": float(contractors),
        "max_share_of_salaries": None if salaries is None else float(salaries),
        "fast_track_max": None if fast_track is None else _dollars(fast_track),
    }
    budget = _money_fact(facts, "budget_cash")
    if budget is None:
        return _estimate(None, None, "irap_share_of_contractors", detail, missing=("budget_cash",))
    detail["budget_cash"] = _dollars(budget)
    return _estimate(
        None,
        _dollars(budget * contractors),
        "irap_share_of_contractors",
        detail,
        ["budget_as_contractor_cost", "upper_estimate"],
    )


def _up_to_max(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: the program's `max` (e.g. YAML nrc-irap-yep: up to $30,000); nothing to compute.
    detail = {"max": _dollars(_d(funding["max"]))}
    notes = ["per_year_cap"] if funding.get("per_year") else []
    return _estimate(None, detail["max"], "up_to_max", detail, notes)


def _nserc_alliance(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML nserc-alliance: NSERC pays up to program_share_max (0.667, i.e. 2/3) of the
    # cost, so 2 dollars per partner cash dollar; capped at max per year, and a project below min
    # does not exist.
    share = _d(funding["program_share_max"])
    if not 0 < share < 1:
        raise ValueError("program_share_max must be between 0 and 1")
    ratio = _share_ratio(share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # 0.667 -> 2.0
    detail = {
        "program_share_max": float(share),
        "per_year": bool(funding.get("per_year")),
        "max_years": funding.get("max_years"),
    }
    notes = ["per_year_cap"] if funding.get("per_year") else []
    return _matched(
        "nserc_alliance_match",
        _money_fact(facts, "budget_cash"),
        ratio,
        _num(funding.get("min")),
        _num(funding.get("max")),
        detail,
        notes,
    )


def _nserc_ard(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML nserc-ard: up to max per year; NSERC adds overhead_bonus (20%) paid to the
    # college, not the company. With a budget: a 1:1 rule of thumb on the company's cash, capped.
    maximum = _d(funding["max"])
    bonus = _num(funding.get("overhead_bonus"))
    detail: dict[str, Any] = {
        "max": _dollars(maximum),
        "per_year": bool(funding.get("per_year")),
        "max_years": funding.get("max_years"),
        "overhead_bonus": None if bonus is None else float(bonus),
    }
    notes = ["per_year_cap"] if funding.get("per_year") else []
    budget = _money_fact(facts, "budget_cash")
    if budget is None:
        return _estimate(
            None, _dollars(maximum), "nserc_ard_up_to_max", detail, notes, missing=("budget_cash",)
        )
    amount = min(budget, maximum)
    detail["budget_cash"] = _dollars(budget)
    if bonus is not None:
        detail["overhead_to_institution"] = _dollars(amount * bonus)
        notes.append("overhead_paid_to_institution")
    if budget > maximum:
        notes.append("capped_at_max")
    notes.append("rule_of_thumb_1_to_1")
    return _estimate(_dollars(amount), _dollars(amount), "nserc_ard_match", detail, notes)


def _linear_factor(value: Decimal, phaseout: Any) -> Decimal:
    """1 below the phase-out range, 0 above it, linear in between."""
    low, high = (_d(bound) for bound in phaseout)
    if value <= low:
        return Decimal(1)
    if value >= high or high <= low:
        return Decimal(0)
    return (high - value) / (high - low)


def _sred_credit(
    base: Decimal, ccpc: bool, limit: Decimal, ccpc_rate: Decimal, general_rate: Decimal
) -> Decimal:
    """Federal SR&ED credit: a CCPC gets the enhanced rate up to its expenditure limit and the
    general rate above it; any other corporation the general rate."""
    if not ccpc:
        return base * general_rate
    enhanced = min(base, max(limit, Decimal(0)))
    return enhanced * ccpc_rate + (base - enhanced) * general_rate


def _sred(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML sred: 35% (ccpc_rate) on eligible spending up to the CCPC expenditure limit
    # ($6M, reduced linearly as taxable_capital_prior goes from $15M to $75M), 15% (general_rate)
    # above it or for non-CCPCs. Eligible spending = budget_cash minus government assistance
    # (the "grind", facts["government_assistance"]).
    ccpc_rate, general_rate = _d(funding["ccpc_rate"]), _d(funding["general_rate"])
    full_limit = _d(funding["ccpc_expenditure_limit"])
    detail: dict[str, Any] = {
        "ccpc_rate": _rate(ccpc_rate),
        "general_rate": _rate(general_rate),
        "expenditure_limit": _dollars(full_limit),
    }
    ccpc = _as_bool(facts.get("ccpc"))
    basis = {True: "sred_ccpc", False: "sred_general", None: "sred_ccpc_unknown"}[ccpc]
    missing: list[str] = []
    notes: list[str] = []
    spend = _money_fact(facts, "budget_cash")
    if spend is None:
        missing.append("budget_cash")
    if ccpc is None:
        missing.append("ccpc")
    limit = full_limit
    if ccpc is not False:
        capital = _money_fact(facts, "taxable_capital_prior")
        phaseout = funding.get("ccpc_taxable_capital_phaseout")
        if capital is None:
            missing.append("taxable_capital_prior")
            notes.append("capital_unknown_full_limit_assumed")
        elif phaseout:
            limit = full_limit * _linear_factor(capital, phaseout)
            if limit < full_limit:
                notes.append("limit_reduced_by_capital")
    detail["expenditure_limit_applied"] = _dollars(limit)
    if spend is None:
        return _estimate(None, None, basis, detail, notes, missing)
    assistance = _money_fact(facts, ASSISTANCE_FACT) or Decimal(0)
    base = max(spend - assistance, Decimal(0))
    if assistance:
        notes.append("assistance_deducted")
    if ccpc is not False and base > limit:
        notes.append("above_limit_at_general_rate")
    detail.update(spend=_dollars(spend), assistance=_dollars(assistance), base=_dollars(base))
    general = _sred_credit(base, False, limit, ccpc_rate, general_rate)
    enhanced = _sred_credit(base, True, limit, ccpc_rate, general_rate)
    low, high = {True: (enhanced, enhanced), False: (general, general), None: (general, enhanced)}[
        ccpc
    ]
    if ccpc is not False and _as_bool(facts.get("has_ontario_operations")) is not False:
        # An Ontario credit is itself government assistance for the federal credit: show the
        # federal credit left once the OITC (8%, full limit) is claimed on the same base.
        oitc = min(base, OITC_EXPENDITURE_LIMIT) * OITC_RATE
        detail["federal_credit_if_oitc_claimed"] = _dollars(
            _sred_credit(max(base - oitc, Decimal(0)), True, limit, ccpc_rate, general_rate)
        )
        notes.append("oitc_reduces_federal_base")
    return _estimate(_dollars(low), _dollars(high), basis, detail, notes, missing)


def _oitc_limit(
    funding: Mapping[str, Any], income: Decimal | None, capital: Decimal | None
) -> tuple[Decimal, list[str]]:
    limit = _d(funding["expenditure_limit"])
    factor, notes = Decimal(1), []
    if income is not None and funding.get("income_phaseout"):
        income_factor = _linear_factor(income, funding["income_phaseout"])
        if income_factor < 1:
            notes.append("limit_reduced_by_income")
        factor = min(factor, income_factor)
    if capital is not None and funding.get("capital_phaseout"):
        capital_factor = _linear_factor(capital, funding["capital_phaseout"])
        if capital_factor < 1:
            notes.append("limit_reduced_by_capital")
        factor = min(factor, capital_factor)
    return limit * factor, notes


def _oitc(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML ontario-oitc: 8% (rate) on SR&ED spending in Ontario up to the expenditure
    # limit ($3M), which shrinks linearly as prior taxable income goes from $500k to $800k or
    # prior taxable capital from $25M to $50M (the smaller limit applies). Government assistance
    # reduces the spending first: credit = rate * min(spend - assistance, limit).
    rate = _d(funding["rate"])
    income = _money_fact(facts, "taxable_income_prior")
    capital = _money_fact(facts, "taxable_capital_prior")
    limit, notes = _oitc_limit(funding, income, capital)
    detail: dict[str, Any] = {
        "rate": _rate(rate),
        "expenditure_limit": _dollars(_d(funding["expenditure_limit"])),
        "expenditure_limit_applied": _dollars(limit),
    }
    missing = [
        name
        for name, value in (("taxable_income_prior", income), ("taxable_capital_prior", capital))
        if value is None
    ]
    spend = _money_fact(facts, "budget_cash")
    if spend is None:
        return _estimate(None, None, "oitc", detail, notes, ["budget_cash", *missing])
    assistance = _money_fact(facts, ASSISTANCE_FACT) or Decimal(0)
    base = max(spend - assistance, Decimal(0))
    if assistance:
        notes.append("assistance_deducted")
    detail.update(spend=_dollars(spend), assistance=_dollars(assistance), base=_dollars(base))
    credit = _dollars(rate * min(base, limit))
    if missing:
        # The limit could be smaller than assumed: the figure is only an upper one.
        notes.append("income_or_capital_unknown_full_limit_assumed")
        return _estimate(None, credit, "oitc", detail, notes, missing)
    return _estimate(credit, credit, "oitc", detail, notes)


def _magnet(funding: Mapping[str, Any], facts: Mapping[str, Any]) -> Estimate:
    # Source: YAML magnet-swpp: 50% (share) of the placement's wages up to $5,000 (max); 70% up to
    # $7,000 for a student from an under-represented group (given as the high figure). The wage
    # is not a fact, so the caps are shown.
    share, maximum = _d(funding["share"]), _d(funding["max"])
    share_high = _num(funding.get("share_underrepresented"))
    max_high = _num(funding.get("max_underrepresented"))
    detail: dict[str, Any] = {
        "share": float(share),
        "max": _dollars(maximum),
        "share_underrepresented": None if share_high is None else float(share_high),
        "max_underrepresented": None if max_high is None else _dollars(max_high),
    }
    notes = ["wage_unknown_max_shown"]
    high = maximum
    if max_high is not None:
        high = max(maximum, max_high)
        notes.append("underrepresented_rate_as_high")
    return _estimate(_dollars(maximum), _dollars(high), "magnet_wage_share", detail, notes)


# Dispatch on the shape of the `funding` dict (first match wins), so a program keeps its formula
# whatever its slug; the most specific keys come first.
Estimator = Callable[[Mapping[str, Any], Mapping[str, Any]], Estimate]
ESTIMATORS: tuple[tuple[str, Estimator], ...] = (
    ("unit_award", _mitacs_units),
    ("options", _mitacs_options),
    ("company_cash_match_ratio", _oci_vip),
    ("ccpc_rate", _sred),
    ("income_phaseout", _oitc),
    ("program_share_max", _nserc_alliance),
    ("overhead_bonus", _nserc_ard),
    ("max_share_of_contractors", _irap),
    ("share_underrepresented", _magnet),
    ("max_share_of_costs", _oci_c2c),
    ("max", _up_to_max),
)


def estimate_funding(funding: Any, facts: Mapping[str, Any]) -> Estimate | None:
    """The estimate for one program's `funding` dict; None when the dict is empty."""
    if not isinstance(funding, Mapping) or not funding:
        return None
    for key, estimator in ESTIMATORS:
        if key in funding:
            try:
                return estimator(funding, facts)
            except (KeyError, TypeError, ValueError, ArithmeticError):
                return _estimate(None, None, "invalid_funding", {})
    return _estimate(None, None, "not_estimated", {})


# --------------------------------------------------------------------------------------------
# SR&ED and grants


def sred_with_grants(
    spend: Any,
    grants: Any,
    ccpc: bool,
    province_ontario: bool = True,
    *,
    sred_limit: Any = SRED_CCPC_EXPENDITURE_LIMIT,
    oitc_limit: Any = OITC_EXPENDITURE_LIMIT,
    oitc_reduces_federal_base: bool = True,
) -> dict[str, Any]:
    """What grants on the same costs do to the SR&ED credit and the OITC (the "grind").

    Grants reduce the eligible spending of both credits. The OITC (8%, Ontario CCPCs only) is
    itself government assistance for the federal credit, so by default it also reduces the
    federal base: an Ontario CCPC loses 8 + 35 x 0.92 = 40.2 dollars of credits per 100 dollars of
    grant (43 when `oitc_reduces_federal_base` is False, the plain 35% + 8%).
    """
    spend_d, grants_d = _d(spend), _d(grants)
    if spend_d < 0 or grants_d < 0:
        raise ValueError("spend and grants cannot be negative")
    with_oitc = bool(ccpc) and province_ontario

    def credits(base: Decimal) -> tuple[Decimal, Decimal]:
        oitc = min(base, _d(oitc_limit)) * OITC_RATE if with_oitc else Decimal(0)
        federal_base = max(base - oitc, Decimal(0)) if oitc_reduces_federal_base else base
        federal = _sred_credit(
            federal_base, bool(ccpc), _d(sred_limit), SRED_CCPC_RATE, SRED_GENERAL_RATE
        )
        return federal, oitc

    base = max(spend_d - grants_d, Decimal(0))
    federal, oitc = credits(base)
    federal_without, oitc_without = credits(spend_d)
    reduction = federal_without + oitc_without - federal - oitc
    # Per $100: the average over the grants given, or the effect of a first $100 of grant.
    if grants_d > 0:
        per_100 = reduction / grants_d * 100
    else:
        federal_100, oitc_100 = credits(max(spend_d - 100, Decimal(0)))
        per_100 = federal_without + oitc_without - federal_100 - oitc_100
    return {
        "spend": _dollars(spend_d),
        "grants": _dollars(grants_d),
        "base": _dollars(base),
        "ccpc": bool(ccpc),
        "province_ontario": bool(province_ontario),
        "oitc_reduces_federal_base": oitc_reduces_federal_base,
        "federal_credit": _dollars(federal),
        "oitc": _dollars(oitc),
        "total": _dollars(federal + oitc),
        "total_without_grants": _dollars(federal_without + oitc_without),
        "reduction": _dollars(reduction),
        "reduction_per_100": float(per_100.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
    }


# --------------------------------------------------------------------------------------------
# Stacking


def _stacking_of(program: Mapping[str, Any]) -> Mapping[str, Any]:
    stacking = program.get("stacking")
    return stacking if isinstance(stacking, Mapping) else {}


def _grant_amount(estimate: Estimate | None) -> int | None:
    """The assistance a program's estimate stands for (its high figure: the larger grind)."""
    if estimate is None:
        return None
    share = estimate.detail.get("program_share_high")
    return share if isinstance(share, int) else estimate.amount_high


def _stacking(
    candidates: Sequence[tuple[ProgramAssessment, Mapping[str, Any]]], facts: Mapping[str, Any]
) -> list[StackingWarning]:
    warnings: list[StackingWarning] = []
    for assessment, program in candidates:
        raw = _stacking_of(program).get("no_stack_with")
        categories = [str(c) for c in raw] if _is_collection(raw) else []
        if not categories:
            continue
        others = [
            other.slug
            for other, _ in candidates
            if other.slug != assessment.slug and other.category in categories
        ]
        if others:
            warnings.append(
                StackingWarning(
                    "no_stack_with",
                    (assessment.slug, *others),
                    {"program": assessment.slug, "categories": categories, "conflicts": others},
                )
            )

    tax_credits = [a for a, _ in candidates if a.category == "federal_tax_credit"]
    grants = [a for a, p in candidates if _as_bool(_stacking_of(p).get("reduces_sred_base"))]
    if not tax_credits or not grants:
        return warnings
    sred = tax_credits[0]
    ccpc = _as_bool(facts.get("ccpc"))
    as_ccpc = ccpc is not False  # unknown: the larger, CCPC grind is shown
    ontario = any(a.category == "provincial_tax_credit" for a, _ in candidates)
    amounts = {grant.slug: _grant_amount(grant.estimate) for grant in grants}
    notes = ["ccpc_assumed"] if ccpc is None else []
    if None in amounts.values():
        notes.append("grant_amounts_partly_unknown")
    base = sred.estimate.detail.get("base") if sred.estimate else None
    spend = base if isinstance(base, int) else None
    # The grants are alternatives more often than not, so each one's grind is shown on its own
    # (never their sum). Per $100: a first $100 of grant on the project's spend (or a nominal one).
    per_100 = sred_with_grants(spend or NOMINAL_SPEND, 0, as_ccpc, ontario)["reduction_per_100"]
    impacts = {
        slug: None
        if spend is None or amount is None
        else sred_with_grants(spend, amount, as_ccpc, ontario)
        for slug, amount in amounts.items()
    }
    detail = {
        "tax_credits": [a.slug for a, _ in candidates if a.category.endswith("_tax_credit")],
        "grant_amounts": amounts,
        "ccpc": ccpc,
        "province_ontario": ontario,
        "spend": spend,
        "reduction_per_100": per_100,
        "impact_by_program": impacts,
        "notes": notes,
    }
    warnings.append(
        StackingWarning("reduces_sred_base", tuple(grant.slug for grant in grants), detail)
    )
    return warnings


# --------------------------------------------------------------------------------------------
# Entry point


def _assess(
    program: Mapping[str, Any], facts: Mapping[str, Any], capability_areas: Sequence[str]
) -> ProgramAssessment:
    rules = [_parse_rule(raw) for raw in _rules_of(program)]
    results = [result for rule in rules for result in _evaluate(rule, facts)]
    verdict, by_kind = _verdicts(results)
    deciding = (
        tuple(
            dict.fromkeys(
                r.fact
                for r in results
                if r.outcome == UNKNOWN and r.partner_kind is None and r.operator in OPERATORS
            )
        )
        if verdict == UNKNOWN
        else ()
    )
    fit_spec = program.get("fit")
    fit, reasons = _fit(fit_spec if isinstance(fit_spec, Mapping) else {}, facts, capability_areas)
    status = str(program.get("status") or "").strip().casefold()
    return ProgramAssessment(
        slug=str(program.get("slug") or ""),
        name=str(program.get("name") or ""),
        partner=str(program.get("partner") or ""),
        category=str(program.get("category") or ""),
        status=status,
        kind=str(program.get("kind") or ""),
        last_verified=str(_jsonable(program.get("last_verified")) or ""),
        verdict=verdict,
        by_partner_kind=by_kind,
        rules=tuple(results),
        deciding_facts=deciding,
        fit=fit,
        fit_reasons=reasons,
        estimate=estimate_funding(program.get("funding"), facts),
        needs_verification=status != ACTIVE,
        notes=str(program.get("notes") or ""),
    )


def _sort_key(assessment: ProgramAssessment) -> tuple[int, float, str, str]:
    return (
        VERDICTS.index(assessment.verdict),
        -assessment.fit,
        assessment.name.casefold(),
        assessment.slug,
    )


def assess_programs(
    programs: Iterable[Mapping[str, Any]],
    facts: Mapping[str, Any],
    *,
    capability_areas: Sequence[str] = (),
) -> FundingResult:
    """Assess every program that is not inactive against the facts (see the module docstring).

    A program whose status is anything but "active" (normally "verify") is kept and flagged
    `needs_verification`. `facts["partner_kind"]` is ignored: partner kinds are assessed each.
    """
    assessed: list[tuple[ProgramAssessment, Mapping[str, Any]]] = []
    for program in programs:
        if not isinstance(program, Mapping):
            raise TypeError(f"a program must be a mapping, not {type(program).__name__}")
        if str(program.get("status") or "").strip().casefold() == INACTIVE:
            continue
        assessed.append((_assess(program, facts, capability_areas), program))
    assessed.sort(key=lambda pair: _sort_key(pair[0]))
    candidates = [pair for pair in assessed if pair[0].verdict != NOT_ELIGIBLE]
    return FundingResult(
        programs=tuple(assessment for assessment, _ in assessed),
        stacking=tuple(_stacking(candidates, facts)),
    )


__all__ = [
    "ELIGIBLE",
    "ESTIMATE_BASES",
    "FIT_REASON_CODES",
    "KNOWN_FACTS",
    "NOTE_CODES",
    "NOT_ELIGIBLE",
    "PARTNER_KINDS",
    "STACKING_CODES",
    "UNKNOWN",
    "Estimate",
    "FundingResult",
    "ProgramAssessment",
    "RuleResult",
    "StackingWarning",
    "assess_programs",
    "estimate_funding",
    "invalid_rules",
    "sred_with_grants",
    "unknown_rule_facts",
]


def reachable_total(
    programs: Sequence[Mapping[str, Any]], stacking: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The most a business may reach from the programs it looks eligible for, without combining
    two that exclude each other (`no_stack_with`): {"low", "high", "programs"}, or None when no
    eligible program has an estimate. The largest compatible set is found by trying them all
    (a run assesses about ten programs). The SR&ED grind is not subtracted: pages say so."""
    eligible = [
        p
        for p in programs
        if p.get("verdict") == "eligible" and (p.get("estimate") or {}).get("amount_high")
    ]
    if not eligible:
        return None
    conflicts: set[frozenset[str]] = set()
    for warning in stacking:
        if warning.get("code") == "no_stack_with":
            detail = warning["detail"]
            conflicts |= {frozenset((detail["program"], other)) for other in detail["conflicts"]}
    best: tuple[int, int, tuple[str, ...]] = (0, 0, ())
    for size in range(len(eligible), 0, -1):
        for chosen in itertools.combinations(eligible, size):
            slugs = tuple(p["slug"] for p in chosen)
            if any(frozenset(pair) in conflicts for pair in itertools.combinations(slugs, 2)):
                continue
            high = sum(int(p["estimate"]["amount_high"]) for p in chosen)
            low = sum(int(p["estimate"].get("amount_low") or 0) for p in chosen)
            best = max(best, (high, low, slugs))
    high, low, slugs = best
    return {"low": low, "high": high, "programs": list(slugs)}
