"""On PostgreSQL: a diagnostic's concurrent writes never leave it half-written."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from diagnostics import services
from diagnostics.models import Diagnostic, NeedsProfile

from ..diagnostics.conftest import V1, completed_draft
from ..diagnostics.examples import MACHINE_SHOP
from ..factories import CompanyMembershipFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*actions) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action):
        try:
            barrier.wait()
            action()
            outcomes.append(f"{action.__name__}: ok")
        except services.DiagnosticConflict:
            outcomes.append(f"{action.__name__}: conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_a_submit_racing_a_save_never_leaves_a_half_written_diagnostic():
    owner = CompanyMembershipFactory().user
    company = owner.company_memberships.get().company
    for attempt in range(8):
        diagnostic = completed_draft(owner, company)
        budget = 100_000 + attempt

        def save(diagnostic=diagnostic, budget=budget):
            services.diagnostic_step_save(
                actor=owner,
                diagnostic=diagnostic,
                number=5,
                answers={
                    **{q["id"]: MACHINE_SHOP.get(q["id"]) for q in V1.step(5)["questions"]},
                    "budget_cash": budget,
                },
                complete=True,
            )

        def submit(diagnostic=diagnostic):
            services.diagnostic_submit(actor=owner, diagnostic=diagnostic)

        outcomes = run_together(save, submit)
        diagnostic.refresh_from_db()
        assert "save: ok" in outcomes or "submit: ok" in outcomes
        if diagnostic.status == "submitted":
            # The profile was computed from exactly the answers that were frozen.
            profile = NeedsProfile.objects.get(diagnostic=diagnostic).data
            assert profile["facts"]["budget_cash"] == diagnostic.answers["budget_cash"]
            if "save: ok" in outcomes:
                assert diagnostic.answers["budget_cash"] == budget
        else:
            assert outcomes == ["save: ok", "submit: conflict"]
            assert not NeedsProfile.objects.filter(diagnostic=diagnostic).exists()
            services.diagnostic_submit(actor=owner, diagnostic=diagnostic)
    assert connection.vendor == "postgresql"


def test_two_people_starting_at_once_share_one_draft():
    owner = CompanyMembershipFactory().user
    company = owner.company_memberships.get().company
    colleague = CompanyMembershipFactory(company=company).user
    results: list[int] = []

    def start_owner():
        results.append(services.diagnostic_start(actor=owner, company=company)[0].pk)

    def start_colleague():
        results.append(services.diagnostic_start(actor=colleague, company=company)[0].pk)

    assert run_together(start_owner, start_colleague) == [
        "start_colleague: ok",
        "start_owner: ok",
    ]
    assert len(set(results)) == 1
    assert Diagnostic.objects.filter(company=company, status="draft").count() == 1
