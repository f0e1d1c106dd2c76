"""The demo's micro-credential, played through the real services: Algonquin's research office
publishes a definition, attaches it to Northwind's project, the lead invites the demo student,
records her evidence and assesses her, Northwind shares the evidence and endorses her, and the
office issues the credential. Then Algonquin publishes a pathway (MC+): that micro-credential
and a second one lead to a stacked certificate, so the student stands at 1 of 2. Each step is
skipped when it was already done, so this can run on every `load_demo_data` and gives the same
credential each time."""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from . import selectors, services
from .credentials import contexts
from .models import (
    Assessment,
    CredentialDefinition,
    IssuedCredential,
    Pathway,
    Project,
    ProjectMember,
)

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


# The pathway of the demo: the machine-vision micro-credential and a second one of Algonquin's
# lead to a stacked certificate, issued when a learner holds both. The demo student holds the
# first, so her wallet shows "1 of 2".
PATHWAY_TITLE = "Applied Research Practice"
SECOND_TITLE = "Managing an applied research project with an industry partner"
CERTIFICATE_TITLE = "Certificate in Applied Research Practice"
_SHARED = {
    name: DEFINITION[name]
    for name in (
        "rubric", "on_transcript", "participation", "assessment_type_en", "assessment_type_fr",
        "quality_assurance_en", "quality_assurance_fr", "supervision", "partner_endorsement_en",
        "partner_endorsement_fr", "validity_months",
    )
}  # fmt: skip
SECOND = {
    **_SHARED,
    "title_en": SECOND_TITLE,
    "title_fr": "Gestion d'un projet de recherche appliquée avec un partenaire industriel",
    "description_en": "Plans and runs an applied research project with a partner company: "
    "scope, schedule, budget and the reports the company needs.",
    "description_fr": "Planifie et mène un projet de recherche appliquée avec une entreprise "
    "partenaire : portée, échéancier, budget et rapports dont l'entreprise a besoin.",
    "outcomes_en": "Writes a project plan the partner signs off.\n"
    "Tracks milestones and budget, and reports on them every month.\n"
    "Writes the final technical report.",
    "outcomes_fr": "Rédige un plan de projet que le partenaire approuve.\n"
    "Suit les jalons et le budget, et en rend compte chaque mois.\n"
    "Rédige le rapport technique final.",
    "criteria_en": "Assessed at the end of the project against the rubric, on the plan and "
    "reports delivered to the partner.",
    "criteria_fr": "Évalué à la fin du projet selon la grille, sur le plan et les rapports "
    "remis au partenaire.",
    "skills": [
        ESCO + "d5dbc342-8e39-4998-8237-ebbe05a381ce",  # manage R&D projects
        ESCO + "cd5efa8c-e44d-4cbc-91c6-796018dbed68",  # perform project management
        ESCO + "941364b9-1375-4add-9889-d67bae99bc8c",  # write technical reports
    ],
    "workload_hours": Decimal("45"),
    "credit_value": Decimal("1.5"),
    "eqf_level": 5,
}
CERTIFICATE = {
    **_SHARED,
    "title_en": CERTIFICATE_TITLE,
    "title_fr": "Certificat en pratique de la recherche appliquée",
    "description_en": "Recognises a learner who has both carried out and managed applied "
    "research with industry partners: it stacks Algonquin's applied research "
    "micro-credentials.",
    "description_fr": "Reconnaît l'apprenant qui a mené et géré des recherches appliquées avec "
    "des partenaires industriels : il regroupe les microcertifications de recherche appliquée "
    "du Collège Algonquin.",
    "outcomes_en": "Carries out applied research that answers a partner's problem.\n"
    "Manages an applied research project from plan to final report.",
    "outcomes_fr": "Mène une recherche appliquée qui répond au problème d'un partenaire.\n"
    "Gère un projet de recherche appliquée, du plan au rapport final.",
    "criteria_en": "Issued automatically to learners who hold every micro-credential of the "
    "Applied Research Practice pathway.",
    "criteria_fr": "Délivré automatiquement aux apprenants qui détiennent toutes les "
    "microcertifications du parcours Pratique de la recherche appliquée.",
    "skills": [
        ESCO + "4fabca9a-7435-4f33-b1da-3cdb00340fdc",  # perform scientific research
        ESCO + "d5dbc342-8e39-4998-8237-ebbe05a381ce",  # manage R&D projects
        ESCO + "941364b9-1375-4add-9889-d67bae99bc8c",  # write technical reports
    ],
    "workload_hours": Decimal("135"),
    "credit_value": Decimal("4.5"),
    "eqf_level": 5,
}
PATHWAY = {
    "title_en": PATHWAY_TITLE,
    "title_fr": "Pratique de la recherche appliquée",
    "description_en": "For students on applied research projects: carry out the research, "
    "manage the project, and earn the Certificate in Applied Research Practice.",
    "description_fr": "Pour les étudiants des projets de recherche appliquée : mener la "
    "recherche, gérer le projet et obtenir le Certificat en pratique de la recherche appliquée.",
    "rule": Pathway.Rule.ALL,
    "target": Pathway.Target.STACKED,
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
    credential = services.credential_issue(actor=office, assessment=assessment)
    _pathway(office, project.institution, definition)
    return credential


def _published(office, institution, fields: dict) -> CredentialDefinition:
    """The institution's published micro-credential with this English title, published through
    the services the first time."""
    published = CredentialDefinition.objects.filter(
        institution=institution,
        title_en=fields["title_en"],
        state=CredentialDefinition.State.PUBLISHED,
    ).first()
    if published is None:
        draft = services.definition_create(actor=office, institution=institution, **fields)
        published = services.definition_publish(actor=office, definition=draft)
    return published


def _pathway(office, institution, first: CredentialDefinition) -> Pathway:
    """Algonquin's published pathway: the demo's micro-credential and a second one lead to the
    stacked certificate. Made and published through the services the first time."""
    pathway = Pathway.objects.filter(institution=institution, title_en=PATHWAY_TITLE).first()
    if pathway is not None:
        return pathway
    second = _published(office, institution, SECOND)
    certificate = _published(office, institution, CERTIFICATE)
    pathway = services.pathway_create(
        actor=office, institution=institution, stacked_lineage=certificate.lineage, **PATHWAY
    )
    services.pathway_set_components(
        actor=office, pathway=pathway, lineages=[first.lineage, second.lineage]
    )
    return services.pathway_publish(actor=office, pathway=pathway)


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
