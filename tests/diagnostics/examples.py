"""Worked examples of diagnostic answers (questionnaire v1), as the wizard stores them."""

MACHINE_SHOP = {
    "organization_type": "for_profit",
    "sector": "31-33",
    "municipality": "Cambridge",
    "region": "Kitchener-Waterloo-Barrie",
    "fte_ontario": 48,
    "fte_global": 48,
    "incorporated": True,
    "province_incorporated": "ON",
    "years_incorporated": 12,
    "ccpc": True,
    "has_cra_business_number": True,
    "has_canadian_operations": True,
    "has_ontario_operations": True,
    "taxable_capital_prior": 3_000_000,
    "taxable_income_prior": 250_000,
    "challenge": (
        "We machine thin-walled aluminum housings on a 5-axis mill. The walls chatter and "
        "spring back, so 9% of parts are scrapped after three hours of machining. We need "
        "someone who understands cutting dynamics and fixtures to redesign our workholding "
        "and toolpaths."
    ),
    "desired_outcome": "Scrap below 2% at the same cycle time.",
    "novelty": "market",
    "timeline": "6_to_12_months",
    "capability_areas": ["advanced-manufacturing"],
    "budget_cash": 40_000,
    "wants_students": True,
    "student_levels": ["masters"],
    "work_location": "on_site",
    "ip_ownership": "company",
    "ip_kinds": ["know_how", "trade_secrets"],
    "trl_1": True,
    "trl_2": True,
    "trl_3": True,
    "trl_4": True,
    "trl_5": False,
    "trl_6": None,
    "trl_7": None,
    "trl_8": None,
    "trl_9": None,
    "rd_aim": "experimental-development",
    "rd_uncertainty": True,
    "rd_advance": True,
    "rd_hypotheses": True,
    "rd_systematic": True,
    "rd_records": True,
    "rd_qualified": True,
    "rd_excluded": ["none"],
    "innovation_types": ["process-production"],
    "maturity_strategy_goals": 3,
    "maturity_strategy_priorities": 2,
    "maturity_organisation_leadership": 4,
    "maturity_organisation_ideas": 3,
    "maturity_processes_ideas": 2,
    "maturity_processes_development": 1,
    "maturity_enablers_resources": 3,
    "maturity_enablers_partners": 2,
    "maturity_results_sales": 1,
    "maturity_results_efficiency": 4,
}

FRENCH_BAKERY_CHALLENGE = (
    "Notre boulangerie veut prolonger la durée de conservation de nos pains sans agents de "
    "conservation. Les pains moisissent après trois jours et nous jetons beaucoup de produits. "
    "Nous aimerions tester de nouvelles recettes et un meilleur emballage."
)
