import pytest

from diagnostics import services
from diagnostics.answers import answers_as_form_data
from diagnostics.questionnaire import Questionnaire, load_definition

from .examples import MACHINE_SHOP

V1 = Questionnaire(load_definition(1))


def step_post_data(number: int, answers=MACHINE_SHOP, action: str = "next") -> dict:
    return {**answers_as_form_data(V1, number, answers), "action": action}


def completed_draft(owner, company, answers=MACHINE_SHOP):
    """A draft with every step completed, ready to submit."""
    diagnostic, _created = services.diagnostic_start(actor=owner, company=company)
    for number in range(1, V1.step_count + 1):
        step_ids = [q["id"] for q in V1.step(number)["questions"]]
        diagnostic = services.diagnostic_step_save(
            actor=owner,
            diagnostic=diagnostic,
            number=number,
            answers={qid: answers.get(qid) for qid in step_ids},
            complete=True,
        )
    return diagnostic


@pytest.fixture
def complete_draft(business_owner, company):
    return completed_draft(business_owner, company)
