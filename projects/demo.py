"""The demo's micro-credential, played through the real services: Algonquin's research office
publishes a definition, attaches it to Northwind's project, the lead invites the demo student,
records her evidence and assesses her, Northwind shares the evidence and endorses her, and the
office issues the credential. Each step is skipped when it was already done, so this can run on
every `load_demo_data` and gives the same credential each time."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from . import selectors, services
from .credentials import contexts
from .models import Assessment, CredentialDefinition, IssuedCredential, Project, ProjectMember

OFFICE = "olivia.chen@algonquin.example"
LEAD = "raj.patel@algonquin.example"
STUDENT = "sofia.martin@algonquin.example"
BUSINESS = "alice.tremblay@northwind.example"
TITLE = "Applied research in machine vision"
ESCO = "http://data.europa.eu/esco/skill/"
SKILLS = [
    ESCO + "8369c2d6-c100-4cf6-bd83-9668d8678433",  # utilise machine learning
    ESCO + "70a7b3b3-31ef-4b29-a30f-bb7299dff39b",  # sensors
    ESCO + "4fabca9a-7435-4f33-b1da-3cdb00340fdc",  # perform scientific research
    ESCO + "477173ca-5fc2-406b-9122-95d92811f284",  # communicate with stakeholders
]
DEFINITION = {
    "title_en": TITLE,
    "title_fr": "Recherche appliquée en vision artificielle",
    "description_en": "Applies machine vision to a partner company's production problem, from "
    "a test plan to results the company can act on.",
    "description_fr": "Applique la vision artificielle à un problème de production d'une "
    "entreprise partenaire, du plan d'essai aux résultats utilisables.",
    "outcomes_en": "Designs and runs an image-acquisition test plan.\n"
    "Trains and evaluates a defect-detection model on the partner's parts.\n"
    "Reports results and limits to the partner in plain language.",
    "outcomes_fr": "Conçoit et mène un plan d'essai d'acquisition d'images.\n"
    "Entraîne et évalue un modèle de détection de défauts sur les pièces du partenaire.\n"
    "Présente les résultats et leurs limites au partenaire en langage clair.",
    "criteria_en": "Assessed at the end of the project against the rubric, on the work "
    "delivered to the partner.",
    "criteria_fr": "Évalué à la fin du projet selon la grille, sur le travail remis au partenaire.",
    "skills": SKILLS,
    "rubric": {
        "criteria": [
            {"en": "Test plan and data collection", "fr": "Plan d'essai et collecte de données"},
            {"en": "Model and evaluation", "fr": "Modèle et évaluation"},
            {"en": "Communication with the partner", "fr": "Communication avec le partenaire"},
        ],
        "levels": [
            {"en": "Beginning", "fr": "Débutant"},
            {"en": "Developing", "fr": "En développement"},
            {"en": "Proficient", "fr": "Compétent"},
            {"en": "Exemplary", "fr": "Exemplaire"},
        ],
        "pass_level": 2,
    },
    "workload_hours": Decimal("90"),
    "credit_value": Decimal("3"),
    "on_transcript": True,
    "eqf_level": 5,
    "participation": CredentialDefinition.Participation.HYBRID,
    "assessment_type_en": "Project work assessed against a rubric by the lead researcher",
    "assessment_type_fr": "Travail de projet évalué selon une grille par le chercheur principal",
    "quality_assurance_en": "Reviewed each year by Algonquin College's Applied Research "
    "quality committee, under the Ontario College Quality Assurance Service.",
    "quality_assurance_fr": "Examiné chaque année par le comité qualité de la recherche "
    "appliquée du Collège Algonquin, sous le Service de l'assurance de la qualité des "
    "collèges de l'Ontario.",
    "prerequisites_en": "Second-year standing in a computer engineering technology program.",
    "prerequisites_fr": "Deuxième année d'un programme de technologie du génie informatique.",
    "supervision": CredentialDefinition.Supervision.SUPERVISED_ON_SITE,
    "partner_endorsement_en": "The partner company endorses each learner's assessed work "
    "before the credential is issued.",
    "partner_endorsement_fr": "L'entreprise partenaire appuie le travail évalué de chaque "
    "apprenant avant la délivrance du microtitre.",
    "validity_months": None,
}


def _people() -> dict:
    return get_user_model().objects.in_bulk([OFFICE, LEAD, STUDENT, BUSINESS], field_name="email")


def _definition(office, project: Project) -> CredentialDefinition:
    published = CredentialDefinition.objects.filter(
        institution=project.institution, title_en=TITLE, state=CredentialDefinition.State.PUBLISHED
    ).first()
    if published is None:
        draft = services.definition_create(
            actor=office, institution=project.institution, **DEFINITION
        )
        published = services.definition_publish(actor=office, definition=draft)
    if not project.credential_definitions.filter(pk=published.pk).exists():
        services.project_set_definitions(
            actor=office,
            project=project,
            definitions=[*project.credential_definitions.all(), published],
        )
    return published


def _student_on(project: Project, lead, student) -> None:
    if project.members.filter(user=student, role=ProjectMember.Role.STUDENT).exists():
        return
    invitation = services.student_invite(
        actor=lead, project=project, email=student.email, language=student.language
    )
    services.project_invitation_accept(user=student, invitation=invitation)


def _evidence(project: Project, lead, business, student) -> None:
    if project.evidence.filter(student=student).exists():
        return
    shared = services.evidence_add(
        actor=lead,
        project=project,
        student=student,
        title="Defect-detection test report",
        description="Test plan, image set and results on 400 machined parts.",
        url="https://northwind.example/reports/defect-detection",
    )
    services.evidence_add(
        actor=lead,
        project=project,
        student=student,
        title="Line camera layout (confidential)",
        description="Drawings of Northwind's inspection cell.",
        url="https://northwind.example/internal/cell-layout",
    )
    services.evidence_set_shareable(actor=business, evidence=shared, shareable=True)


@transaction.atomic
def demo_credential() -> IssuedCredential | None:
    """The demo student's credential, issued through every step the first time. None when the
    demo's Algonquin project does not exist (no demo data)."""
    people = _people()
    project = (
        Project.objects.filter(
            institution__slug="algonquin", company__memberships__user__email=BUSINESS
        )
        .order_by("pk")
        .first()
    )
    if project is None or len(people) < 4:
        return None
    office, lead, student, business = (people[e] for e in (OFFICE, LEAD, STUDENT, BUSINESS))
    definition = _definition(office, project)
    _student_on(project, lead, student)
    _evidence(project, lead, business, student)
    assessment = Assessment.objects.filter(
        project=project, student=student, definition=definition
    ).first()
    if assessment is None:
        assessment = services.assessment_record(
            actor=lead,
            project=project,
            student=student,
            definition=definition,
            levels=[3, 2, 2],
            criterion_comments=[
                "A careful plan, with lighting controlled for every shift.",
                "Recall of 0.97 on the held-out parts, with the limits stated.",
                "Clear weekly updates to Northwind's shop lead.",
            ],
            comment="Sofia met every outcome; her test plan is now Northwind's standard.",
        )
    if assessment.endorsement == Assessment.Endorsement.PENDING:
        services.assessment_endorse(
            actor=business,
            assessment=assessment,
            endorse=True,
            comment="Sofia's inspection cell now checks every part we machine.",
            expected_version=assessment.version,
        )
        assessment.refresh_from_db()
    return services.credential_issue(actor=office, assessment=assessment)


def verifier_documents(credential: IssuedCredential) -> dict[str, dict]:
    """Every document a verifier dereferences for `credential`, by URL or id: the issuer's and
    the endorser's DID documents, each key under its full id, the status list credential and
    OCIP's extension context."""
    document = json.loads(credential.signed_text)
    found: dict[str, dict] = {
        contexts.eu_extension_url(settings.OCIP_BASE_URL): contexts.eu_extension()
    }
    status_url = document["credentialStatus"]["statusListCredential"]
    found[status_url] = json.loads(credential.status_list.signed_text)
    for signed in [document, *document.get("endorsement", [])]:
        did = signed["issuer"]["id"]
        did_document = selectors.resolve_document(did)
        assert did_document is not None  # the platform signed it: it holds the keys
        found[did] = did_document
        for method in did_document["verificationMethod"]:
            found[method["id"]] = {"@context": did_document["@context"], **method}
    return found
