"""A project with a published micro-credential and a student on its team."""

import socket
from decimal import Decimal

import pytest

from projects import services
from projects.models import ProjectMember
from tests.credentials.steps import issue
from tests.factories import UserFactory
from tests.projects.conftest import (  # noqa: F401
    _fresh_index,
    catalogue,
    intro,
    project,
    review,
    run,
)

RUBRIC = {
    "criteria": [
        {"en": "Research method", "fr": "Méthode de recherche"},
        {"en": "Communication with the partner", "fr": "Communication avec le partenaire"},
    ],
    "levels": [
        {"en": "Beginning", "fr": "Débutant"},
        {"en": "Proficient", "fr": "Compétent"},
        {"en": "Exemplary", "fr": "Exemplaire"},
    ],
    "pass_level": 1,
}


def complete_fields(skill_uri: str) -> dict:
    """Every framework element, in both languages."""
    return {
        "title_en": "Applied research practice",
        "title_fr": "Pratique de la recherche appliquée",
        "description_en": "Plans and carries out an applied research task with a business.",
        "description_fr": "Planifie et mène une tâche de recherche appliquée avec une entreprise.",
        "outcomes_en": "Designs a test plan.\nReports results to a business partner.",
        "outcomes_fr": "Conçoit un plan d'essai.\nPrésente les résultats à un partenaire.",
        "criteria_en": "Assessed on the project against the rubric.",
        "criteria_fr": "Évalué sur le projet selon la grille.",
        "skills": [skill_uri],
        "rubric": RUBRIC,
        "workload_hours": Decimal("45"),
        "credit_value": Decimal("1"),
        "on_transcript": True,
        "eqf_level": 5,
        "participation": "on_site",
        "assessment_type_en": "Project work assessed against a rubric",
        "assessment_type_fr": "Travail de projet évalué selon une grille",
        "quality_assurance_en": "Reviewed by the college's academic quality office.",
        "quality_assurance_fr": "Examiné par le bureau de la qualité académique du collège.",
        "partner_endorsement_en": "The business endorses each learner's work.",
        "partner_endorsement_fr": "L'entreprise appuie le travail de chaque apprenant.",
        "supervision": "supervised_on_site",
    }


@pytest.fixture
def skill_uri():
    from projects import esco

    return next(iter(esco.skills()))


@pytest.fixture
def office(review):  # noqa: F811
    return review.offices[0]


@pytest.fixture
def definition(office, project, skill_uri):  # noqa: F811
    draft = services.definition_create(
        actor=office, institution=project.institution, **complete_fields(skill_uri)
    )
    published = services.definition_publish(actor=office, definition=draft)
    services.project_set_definitions(actor=office, project=project, definitions=[published])
    return published


@pytest.fixture
def student(project):  # noqa: F811
    user = UserFactory(email="student@college.example", first_name="Sam", last_name="Student")
    ProjectMember.objects.create(project=project, user=user, role=ProjectMember.Role.STUDENT)
    return user


@pytest.fixture
def issued(office, project, student, definition, business_owner):  # noqa: F811
    return issue(office, project, student, definition, business_owner)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"the verifier tried the network: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts
