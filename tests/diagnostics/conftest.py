import pytest

from diagnostics import services
from diagnostics.answers import answers_as_form_data
from diagnostics.questionnaire import CURRENT_VERSION, Questionnaire, load_definition

from .examples import MACHINE_SHOP

V1 = Questionnaire(load_definition(1))
CURRENT = Questionnaire(load_definition(CURRENT_VERSION))


def step_post_data(number: int, answers=MACHINE_SHOP, action: str = "next") -> dict:
    """A step's form as the wizard posts it, for the current questionnaire."""
    return {**answers_as_form_data(CURRENT, number, answers), "action": action}


def completed_draft(owner, company, answers=MACHINE_SHOP):
    """A draft with every step completed, ready to submit."""
    diagnostic, _created = services.diagnostic_start(actor=owner, company=company)
    for number in range(1, CURRENT.step_count + 1):
        step_ids = [q["id"] for q in CURRENT.step(number)["questions"]]
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
