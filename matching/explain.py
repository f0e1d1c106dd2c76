"""Plain-words reasons for a stored match or funding assessment, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from diagnostics.questionnaire import localized
from matching.engine.funding import reachable_total
from ocip import taxonomy
from ocip.formatting import dollar_text, labelled_text, list_text

FIT_REASONS = {
    "rd_stage_fits": gettext_lazy("It funds this stage of R&D."),
    "rd_stage_outside": gettext_lazy("It usually funds another stage of R&D."),
    "rd_stage_unknown": gettext_lazy("Your stage of R&D is not known yet."),
    "trl_fits": gettext_lazy("Your readiness level is in its usual range."),
    "trl_outside": gettext_lazy("Your readiness level is outside its usual range."),
    "trl_unknown": gettext_lazy("Your readiness level is not known yet."),
    "students_wanted": gettext_lazy("It places students, as you asked."),
    "needs_students_but_none_wanted": gettext_lazy(
        "It works through students, and you said you do not want any."
    ),
    "students_unknown": gettext_lazy(
        "It works through students; you have not said if you want any."
    ),
    "capability_overlap": gettext_lazy("It covers the kind of expertise you need."),
    "capability_no_overlap": gettext_lazy("It targets other kinds of expertise."),
    "capability_unknown": gettext_lazy("Your areas of expertise are not known yet."),
    "no_fit_data": gettext_lazy("Its usual projects are not described."),
}
ESTIMATE_BASES = {
    "mitacs_units": gettext_lazy("Internship units your cash budget buys (a unit is 4 months)."),
    "mitacs_bsi_option": gettext_lazy("The largest award option your cash budget covers."),
    "oci_vip_match": gettext_lazy("OCI matches your cash one to one, within its minimum and caps."),
    "oci_c2c_match": gettext_lazy("Matched one to one on your cash, within the program's range."),
    "irap_share_of_contractors": gettext_lazy(
        "Up to half of contractor costs, taking your budget as the contract: an upper estimate."
    ),
    "up_to_max": gettext_lazy("Up to the program's maximum."),
    "nserc_alliance_match": gettext_lazy("Up to two NSERC dollars for each dollar of your cash."),
    "nserc_ard_up_to_max": gettext_lazy("Up to the program's yearly maximum."),
    "nserc_ard_match": gettext_lazy(
        "About one NSERC dollar per dollar of your cash (a rule of thumb)."
    ),
    "sred_ccpc": gettext_lazy(
        "35% refundable credit on eligible spending (Canadian-controlled private corporation)."
    ),
    "sred_general": gettext_lazy("15% non-refundable credit on eligible spending."),
    "sred_ccpc_unknown": gettext_lazy(
        "15% to 35% of eligible spending, depending on whether you are Canadian-controlled."
    ),
    "oitc": gettext_lazy("8% refundable Ontario credit on eligible spending."),
    "magnet_wage_share": gettext_lazy(
        "Half of the student's wages up to $5,000, or 70% up to $7,000 for "
        "under-represented students."
    ),
    "not_estimated": gettext_lazy("No estimate: the answers it depends on are missing."),
    "invalid_funding": gettext_lazy("No estimate: the program's terms need checking."),
}
VERDICTS = {
    "eligible": gettext_lazy("Eligible"),
    "not_eligible": gettext_lazy("Not eligible"),
    "unknown": gettext_lazy("Can't tell yet"),
}
PARTNER_KINDS = {
    "college": gettext_lazy("with a college partner"),
    "university": gettext_lazy("with a university partner"),
    "indigenous_institute": gettext_lazy("with an Indigenous institute partner"),
}
FACT_LABELS = {
    "partner_kind": gettext_lazy("the kind of institution you work with"),
    "owner_related_to_intern": gettext_lazy(
        "whether the intern or supervisor is related to the company (known once the team forms)"
    ),
}

RUN_ERRORS = {
    "no_text": gettext_lazy(
        "The challenge has no words we can read. Start a new diagnostic and describe your "
        "challenge in English or French."
    ),
    "no_profiles": gettext_lazy(
        "No expertise profiles are loaded yet. The platform team has been told; try again later."
    ),
    "no_matches": gettext_lazy(
        "No expertise profile shares words with your challenge. Try describing it in English or "
        "French, with the technical terms you know."
    ),
    "unavailable": gettext_lazy(
        "The matching service did not answer. Your diagnostic is safe: use “Refresh the "
        "matches” in a few minutes."
    ),
}


def run_error_message(run) -> str | None:
    """Why a failed match run failed, in the reader's language; None for a run that is done."""
    if run.status != "failed":
        return None
    return str(RUN_ERRORS.get(run.error, gettext_lazy("Something went wrong while matching.")))


def _fact_label(fact: str, questions: dict, language: str) -> str:
    if fact in FACT_LABELS:
        return str(FACT_LABELS[fact])
    question = questions.get(fact)
    return localized(question["label"], language) if question else fact


class Reason(str):
    """A reason's sentence; one that quotes the profile also carries the quotes apart, so that a
    page can mark each with its own language (`lead` is the sentence before them)."""

    lead: str = ""
    quotes: tuple[dict[str, str], ...] = ()


def _meaning_reason(passages: list[dict[str, Any]], for_staff: bool) -> Reason:
    lead = (
        _("Close in meaning to the business's challenge. From the profile:")
        if for_staff
        else _("Close in meaning to your challenge. From the profile:")
    )
    quoted = " ".join(_("“%(passage)s”") % {"passage": passage["text"]} for passage in passages)
    reason = Reason(f"{lead} {quoted}")
    reason.lead = lead
    reason.quotes = tuple(
        {"text": passage["text"], "language": passage.get("language", "")} for passage in passages
    )
    return reason


def match_reasons(match: dict[str, Any], language: str, for_staff: bool = False) -> list[str]:
    """One sentence per signal that speaks for or against the match: to the business by default,
    about the business (`for_staff`) on the institution's side."""

    def say(to_business: str, to_staff: str) -> str:
        return to_staff if for_staff else to_business

    reasons: list[str] = []
    capped_by: list[str] = next(
        (s["detail"].get("capped_by", []) for s in match["signals"] if s["name"] == "capacity"),
        [],
    )
    for signal in match["signals"]:
        name, value, detail = signal["name"], signal["value"], signal["detail"]
        if name == "text" and detail.get("terms"):
            reasons.append(
                say(
                    _("Words in common with your challenge: %(terms)s."),
                    _("Words in common with the business's challenge: %(terms)s."),
                )
                % {"terms": ", ".join(detail["terms"])}
            )
        elif name == "meaning" and detail.get("passages"):
            reasons.append(_meaning_reason(detail["passages"], for_staff))
        elif name == "capability" and detail.get("areas"):
            labels = [taxonomy.label("capability_areas", a, language) for a in detail["areas"]]
            reasons.append(
                say(
                    _("Expertise you need: %(areas)s."),
                    _("Expertise the business needs: %(areas)s."),
                )
                % {"areas": list_text(labels)}
            )
        elif name == "trl" and detail.get("profile", [-1])[0] > 0:
            low, high = detail["profile"]
            template = (
                say(
                    _("Works at readiness levels %(low)s to %(high)s; your project is at %(trl)s."),
                    _(
                        "Works at readiness levels %(low)s to %(high)s; the business's project "
                        "is at %(trl)s."
                    ),
                )
                if value >= 1
                else say(
                    _(
                        "Works at readiness levels %(low)s to %(high)s, away from your level "
                        "%(trl)s."
                    ),
                    _(
                        "Works at readiness levels %(low)s to %(high)s, away from the business's "
                        "level %(trl)s."
                    ),
                )
            )
            reasons.append(template % {"low": low, "high": high, "trl": detail["project"]})
        elif name == "rd_stage":
            stage = taxonomy.label("rd_stages", detail.get("stage") or "", language)
            reasons.append(
                (_("Does %(stage)s.") if value else _("Does not list %(stage)s."))
                % {"stage": stage.lower()}
            )
        elif name == "sector" and value:
            reasons.append(
                say(_("Has worked in your sector."), _("Has worked in the business's sector."))
            )
        elif name == "language":
            if value:
                reasons.append(
                    say(_("Works in your language."), _("Works in the business's language."))
                )
            elif "language" in capped_by:
                reasons.append(
                    say(
                        _("Does not list your language: ranked lower."),
                        _("Does not list the business's language: ranked lower."),
                    )
                )
            else:
                reasons.append(
                    say(
                        _("Does not list your language."),
                        _("Does not list the business's language."),
                    )
                )
        elif name == "students":
            reasons.append(_("Can place students.") if value else _("Does not take students."))
        elif name == "region":
            if value >= 1:
                reasons.append(
                    say(
                        _("In your region, for the on-site work you asked for."),
                        _("In the business's region, for the on-site work it asked for."),
                    )
                )
            elif value > 0:
                reasons.append(
                    _("In a neighbouring region (%(region)s), for on-site work.")
                    % {"region": detail["profile"]}
                )
            else:
                reasons.append(
                    (
                        say(
                            _(
                                "Far from you (%(region)s) for the on-site work you asked for: "
                                "ranked lower."
                            ),
                            _(
                                "Far from the business (%(region)s) for the on-site work it "
                                "asked for: ranked lower."
                            ),
                        )
                        if "distance" in capped_by
                        else say(
                            _("Far from you (%(region)s) for the on-site work you asked for."),
                            _(
                                "Far from the business (%(region)s) for the on-site work it "
                                "asked for."
                            ),
                        )
                    )
                    % {"region": detail["profile"]}
                )
        elif name == "capacity":
            if value == 0:
                reasons.append(_("Has no capacity left this term: ranked lower."))
            elif detail.get("left"):
                reasons.append(_("Can take %(count)s more project(s).") % {"count": detail["left"]})
            if "students" in capped_by:
                reasons.append(
                    say(
                        _(
                            "Works through student projects, and you want no students: ranked "
                            "lower."
                        ),
                        _(
                            "Works through student projects, and the business wants no "
                            "students: ranked lower."
                        ),
                    )
                )
    return reasons


def with_reasons(
    matches: list[dict[str, Any]], language: str, for_staff: bool = False
) -> list[dict[str, Any]]:
    return [{**match, "reasons": match_reasons(match, language, for_staff)} for match in matches]


def funding_view(
    funding: dict[str, Any],
    questions: dict,
    language: str,
    names_in_language: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The stored funding assessment with its codes turned into sentences.

    `names_in_language` gives (name, partner) by slug in the reader's language (the programs'
    French names); a program it does not name keeps the names stored with the assessment.
    """
    localized_names = names_in_language or {}
    programs = []
    for stored in funding.get("programs", []):
        name, partner = localized_names.get(stored["slug"], (stored["name"], stored["partner"]))
        program = {**stored, "name": name, "partner": partner}
        estimate = program.get("estimate") or {}
        verdict_label = VERDICTS.get(program["verdict"], program["verdict"])
        by_partner = [
            {
                "label": PARTNER_KINDS.get(kind, kind),
                "verdict": verdict,
                "verdict_label": VERDICTS.get(verdict, verdict),
            }
            for kind, verdict in program.get("by_partner_kind", {}).items()
        ]
        # "not eligible with a college partner; eligible with a university partner"
        by_partner_text = list_text(
            f"{str(partner['verdict_label']).lower()} {partner['label']}" for partner in by_partner
        )
        programs.append(
            {
                **program,
                "verdict_label": verdict_label,
                "by_partner": by_partner,
                "by_partner_text": by_partner_text,
                # The verdict as one text: "Eligible: …" ("Admissible : …" in French).
                "verdict_text": labelled_text(verdict_label, by_partner_text)
                if by_partner_text
                else str(verdict_label),
                "rules": [
                    {
                        **rule,
                        "fact_label": _fact_label(rule["fact"], questions, language),
                        # The partner kind a rule was checked for, in words, never its code.
                        "partner_label": str(PARTNER_KINDS.get(rule["partner_kind"], ""))
                        if rule.get("partner_kind")
                        else "",
                    }
                    for rule in program["rules"]
                ],
                "deciding": [
                    _fact_label(fact, questions, language) for fact in program["deciding_facts"]
                ],
                "fit_sentences": [FIT_REASONS.get(code, code) for code in program["fit_reasons"]],
                "estimate_basis": ESTIMATE_BASES.get(estimate.get("basis", ""), ""),
                "estimate_missing": [
                    _fact_label(fact, questions, language) for fact in estimate.get("missing", [])
                ],
            }
        )
    names = {program["slug"]: program["name"] for program in programs}
    stacking = []
    for warning in funding.get("stacking", []):
        if warning["code"] == "no_stack_with":
            detail = warning["detail"]
            stacking.append(
                _("%(program)s cannot be combined with other grants of these kinds: %(others)s.")
                % {
                    "program": names.get(detail["program"], detail["program"]),
                    "others": ", ".join(names.get(s, s) for s in detail["conflicts"]),
                }
            )
        elif warning["code"] == "reduces_sred_base":
            stacking.append(
                _(
                    "Grants lower the spending on which SR&ED and the Ontario innovation tax "
                    "credit are claimed: each %(grant)s of grant costs about %(credits)s of "
                    "credits."
                )
                % {
                    "grant": dollar_text(100),
                    "credits": dollar_text(warning["detail"].get("reduction_per_100", 40), 2),
                }
            )
    reachable = reachable_total(funding.get("programs", []), funding.get("stacking", []))
    if reachable is not None:
        reachable["names"] = [names[slug] for slug in reachable["programs"]]
    return {"programs": programs, "stacking": stacking, "reachable": reachable}
