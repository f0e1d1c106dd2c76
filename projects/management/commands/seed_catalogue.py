"""Seed the public catalogue with synthetic published micro-credentials (for its benchmark).

    python manage.py seed_catalogue --count 1000
    python manage.py seed_catalogue --clear

Creates published micro-credential definitions, spread across the institutions in the database,
with bilingual titles, descriptions and learning outcomes made from word lists, ESCO skills of
the matching capability area, workloads, forms of participation and levels; and published
pathways so that the Micro-credentials Plus filter has data: every 10th seeded micro-credential
belongs to one (three to a pathway, from up to three institutions, each agreed; half lead to a
program, half to a stacked micro-credential).

Idempotent: seeded micro-credential number n always has the same lineage, so running it again
tops the seeded ones up to --count and never duplicates one (a lower --count removes nothing).
Everything it makes is created by its own inactive user, seed-catalogue@ocip.invalid, which is
how --clear finds it again. Refused under production settings.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from matching.models import Institution
from projects import esco
from projects.models import CredentialDefinition, Pathway, PathwayComponent

SEED_EMAIL = "seed-catalogue@ocip.invalid"
NAMESPACE = uuid.UUID("6f1c7a52-3b0e-4d52-9d7e-0c2a6c1e5a10")  # lineages of seeded definitions
EVERY = 10  # every 10th seeded micro-credential is in a pathway
PER_PATHWAY = 3

# (capability area of its ESCO skills, English, French): the subject of a micro-credential.
DOMAINS = (
    ("ai-data", "data analysis", "analyse de données"),
    ("photonics-sensing", "machine vision", "vision artificielle"),
    ("cybersecurity", "cybersecurity", "cybersécurité"),
    ("additive-prototyping", "additive manufacturing", "fabrication additive"),
    ("clean-energy", "renewable energy", "énergie renouvelable"),
    ("food-beverage", "food processing", "transformation alimentaire"),
    ("supply-chain", "supply chain management", "gestion de la chaîne d'approvisionnement"),
    ("design-ux", "user experience design", "conception de l'expérience utilisateur"),
    ("robotics-automation", "industrial robotics", "robotique industrielle"),
    ("digital-media", "digital media production", "production de médias numériques"),
    ("construction", "sustainable construction", "construction durable"),
    ("environment-water", "water quality monitoring", "surveillance de la qualité de l'eau"),
    ("agriculture", "precision agriculture", "agriculture de précision"),
    ("health-medtech", "health technology", "technologies de la santé"),
    ("software", "mobile app development", "développement d'applications mobiles"),
    ("materials-chemistry", "materials testing", "essais de matériaux"),
    ("business-strategy", "innovation management", "gestion de l'innovation"),
    ("iot-embedded", "embedded systems", "systèmes embarqués"),
    ("advanced-manufacturing", "lean manufacturing", "production allégée"),
    ("mobility", "electric mobility", "mobilité électrique"),
    (
        "indigenous-partnerships",
        "Indigenous-led enterprise",
        "entreprise dirigée par des Autochtones",
    ),
    ("fintech", "financial technology", "technologie financière"),
    ("forestry-bioproducts", "forest bioproducts", "bioproduits forestiers"),
    ("tourism-hospitality", "tourism innovation", "innovation touristique"),
    ("biotech", "applied biotechnology", "biotechnologie appliquée"),
)
# Title patterns: {} is the subject.
TITLES = (
    ("Applied research in {}", "Recherche appliquée en {}"),
    ("Project practicum: {}", "Stage de projet : {}"),
    ("Advanced practice in {}", "Pratique avancée en {}"),
    ("Industry partnership in {}", "Partenariat industriel en {}"),
    ("Field methods in {}", "Méthodes de terrain en {}"),
    ("Prototyping and testing in {}", "Prototypage et essais en {}"),
)
DESCRIPTIONS = (
    (
        "Recognises a learner who applies {} to a partner business's problem, from a plan to "
        "results the business can act on.",
        "Reconnaît l'apprenant qui applique {} au problème d'une entreprise partenaire, du plan "
        "aux résultats utilisables.",
    ),
    (
        "Earned on an applied research project: the learner works with a business team on a "
        "real question in {} and reports what they found.",
        "Obtenue sur un projet de recherche appliquée : l'apprenant travaille avec l'équipe "
        "d'une entreprise sur une vraie question en {} et présente ses résultats.",
    ),
)
OUTCOMES = (
    ("Plans a test in {} with a business partner.", "Planifie un essai en {} avec un partenaire."),
    ("Collects and cleans the data the test needs.",
     "Recueille et nettoie les données de l'essai."),
    ("Chooses a method suited to the partner's constraints.",
     "Choisit une méthode adaptée aux contraintes du partenaire."),
    ("Documents the work so others can repeat it.",
     "Documente le travail pour que d'autres puissent le refaire."),
    ("Reports results and their limits in plain language.",
     "Présente les résultats et leurs limites en langage clair."),
    ("Works safely and ethically in the partner's workplace.",
     "Travaille de façon sûre et éthique chez le partenaire."),
)  # fmt: skip
ASSESSMENTS = (
    ("Project work assessed against a rubric", "Travail de projet évalué selon une grille"),
    ("Portfolio and presentation to the partner", "Portfolio et présentation au partenaire"),
    ("Practical demonstration observed by the lead researcher",
     "Démonstration pratique observée par le chercheur principal"),
)  # fmt: skip
QUALITY = (
    ("Reviewed each year by the institution's academic quality office.",
     "Examiné chaque année par le bureau de la qualité académique de l'établissement."),
    ("Approved by the program advisory committee, with industry members.",
     "Approuvé par le comité consultatif du programme, qui compte des membres de l'industrie."),
)  # fmt: skip
ENDORSEMENT = (
    ("The partner business endorses each learner's assessed work.",
     "L'entreprise partenaire appuie le travail évalué de chaque apprenant."),
    ("An industry panel reviews the rubric and endorses the results.",
     "Un comité de l'industrie examine la grille et appuie les résultats."),
)  # fmt: skip
RUBRIC = {
    "criteria": [
        {"en": "Method", "fr": "Méthode"},
        {"en": "Results", "fr": "Résultats"},
        {"en": "Communication with the partner", "fr": "Communication avec le partenaire"},
    ],
    "levels": [
        {"en": "Beginning", "fr": "Débutant"},
        {"en": "Proficient", "fr": "Compétent"},
        {"en": "Exemplary", "fr": "Exemplaire"},
    ],
    "pass_level": 1,
}
WORKLOADS = (6, 8, 10, 12, 15, 20, 25, 30, 40, 45, 60, 90)
PARTICIPATION = ("online", "on_site", "hybrid")
# Programs a pathway leads to: its kind, and its name in English and French.
PROGRAMS = (
    (Pathway.ProgramKind.CERTIFICATE, "{} practice", "Pratique en {}"),
    (Pathway.ProgramKind.DIPLOMA, "{} technology", "Technologie en {}"),
    (Pathway.ProgramKind.DEGREE, "Applied {}", "Études appliquées en {}"),
)


def lineage_of(number: int) -> uuid.UUID:
    """The lineage of seeded micro-credential `number` (the same on every run)."""
    return uuid.uuid5(NAMESPACE, f"definition-{number}")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _skills_by_area() -> dict[str, list[str]]:
    areas: dict[str, list[str]] = {}
    for uri, skill in sorted(esco.skills().items()):
        for area in skill["capability_areas"]:
            areas.setdefault(area, []).append(uri)
    return areas


def definition_fields(number: int, areas: dict[str, list[str]]) -> dict:
    """Seeded micro-credential `number`: varied, bilingual, every framework element stated."""
    area, subject_en, subject_fr = DOMAINS[number % len(DOMAINS)]
    title_en, title_fr = TITLES[(number // len(DOMAINS)) % len(TITLES)]
    description_en, description_fr = DESCRIPTIONS[number % len(DESCRIPTIONS)]
    first = number % len(OUTCOMES)
    count = 2 + number % 4  # two to five outcomes
    outcomes = [OUTCOMES[(first + step) % len(OUTCOMES)] for step in range(count)]
    pool = areas.get(area) or areas.get("transversal") or sorted(esco.skills())
    skills = [pool[(number + step) % len(pool)] for step in range(1 + number % 3)]
    transversal = areas.get("transversal", [])
    if transversal:
        skills.append(transversal[number % len(transversal)])
    assessment = ASSESSMENTS[number % len(ASSESSMENTS)]
    quality = QUALITY[number % len(QUALITY)]
    endorsement = ENDORSEMENT[(number // 2) % len(ENDORSEMENT)]
    without_eqf = number % 9 == 4
    return {
        "title_en": _sentence(title_en.format(subject_en)),
        "title_fr": _sentence(title_fr.format(subject_fr)),
        "description_en": description_en.format(subject_en),
        "description_fr": description_fr.format(subject_fr),
        "outcomes_en": "\n".join(line[0].format(subject_en) for line in outcomes),
        "outcomes_fr": "\n".join(line[1].format(subject_fr) for line in outcomes),
        "criteria_en": "Assessed at the end of the project against the rubric.",
        "criteria_fr": "Évalué à la fin du projet selon la grille.",
        "skills": list(dict.fromkeys(skills)),
        "rubric": RUBRIC,
        "workload_hours": Decimal(WORKLOADS[number % len(WORKLOADS)]),
        "credit_value": Decimal("0.5") * (1 + number % 4),
        "on_transcript": True,
        "eqf_level": None if without_eqf else 4 + number % 4,
        "level_note_en": "Open to learners of any program level." if without_eqf else "",
        "level_note_fr": "Ouvert aux apprenants de tout niveau." if without_eqf else "",
        "participation": PARTICIPATION[number % len(PARTICIPATION)],
        "assessment_type_en": assessment[0],
        "assessment_type_fr": assessment[1],
        "quality_assurance_en": quality[0],
        "quality_assurance_fr": quality[1],
        "partner_endorsement_en": endorsement[0],
        "partner_endorsement_fr": endorsement[1],
        "supervision": CredentialDefinition.Supervision.SUPERVISED_ON_SITE,
    }


class Command(BaseCommand):
    help = "Seed (or --clear) synthetic published micro-credentials and pathways for the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count", type=int, default=1000, help="seeded published micro-credentials wanted"
        )
        parser.add_argument("--clear", action="store_true", help="remove what this command seeded")

    def handle(self, *args, count: int, clear: bool, **options) -> None:
        if settings.OCIP_ENVIRONMENT == "production":
            raise CommandError("seed_catalogue refuses to run under production settings.")
        if clear:
            self._clear()
            return
        if count < 0:
            raise CommandError("--count must be 0 or more.")
        institutions = list(Institution.objects.order_by("slug"))
        if not institutions:
            raise CommandError("No institutions: run `python manage.py load_demo_data` first.")
        with transaction.atomic():
            seeder = self._seeder()
            added = self._definitions(seeder, institutions, count)
            pathways = self._pathways(seeder, count)
        seeded = CredentialDefinition.objects.filter(created_by=seeder).count()
        published = CredentialDefinition.objects.filter(
            state=CredentialDefinition.State.PUBLISHED
        ).count()
        self.stdout.write(
            f"Seeded {added} micro-credentials and {pathways} pathways "
            f"({seeded} seeded in all, across {len(institutions)} institutions; "
            f"{published} published micro-credentials in the catalogue)."
        )

    def _seeder(self):
        user, created = get_user_model().objects.get_or_create(
            email=SEED_EMAIL, defaults={"first_name": "Catalogue seed", "is_active": False}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def _definitions(self, seeder, institutions: list[Institution], count: int) -> int:
        wanted = {lineage_of(number): number for number in range(count)}
        have = set(
            CredentialDefinition.objects.filter(lineage__in=list(wanted)).values_list(
                "lineage", flat=True
            )
        )
        areas = _skills_by_area()
        now = timezone.now()
        rows = [
            CredentialDefinition(
                institution=institutions[number % len(institutions)],
                lineage=lineage,
                version=1,
                state=CredentialDefinition.State.PUBLISHED,
                created_by=seeder,
                published_at=now - timedelta(hours=number),
                **definition_fields(number, areas),
            )
            for lineage, number in wanted.items()
            if lineage not in have
        ]
        CredentialDefinition.objects.bulk_create(rows, batch_size=250)
        return len(rows)

    def _pathways(self, seeder, count: int) -> int:
        """Pathway k holds seeded micro-credentials 30k, 30k+10 and 30k+20, once they exist."""
        span = EVERY * PER_PATHWAY
        complete = [k for k in range(count // span + 1) if span * k + EVERY * 2 < count]
        first_lineages = {lineage_of(span * k): k for k in complete}
        have = set(
            PathwayComponent.objects.filter(
                pathway__created_by=seeder, lineage__in=list(first_lineages)
            ).values_list("lineage", flat=True)
        )
        todo = [k for lineage, k in first_lineages.items() if lineage not in have]
        if not todo:
            return 0
        numbers = {k: [span * k + EVERY * step for step in range(PER_PATHWAY)] for k in todo}
        lineages = [lineage_of(number) for members in numbers.values() for number in members]
        lineages += [lineage_of(span * k + 5) for k in todo]  # what stacked ones issue
        definitions = {
            definition.lineage: definition
            for definition in CredentialDefinition.objects.filter(
                lineage__in=lineages, state=CredentialDefinition.State.PUBLISHED
            ).select_related("institution")
        }
        now = timezone.now()
        pathways = []
        for k in todo:
            first = definitions[lineage_of(span * k)]
            _area, subject_en, subject_fr = DOMAINS[(span * k) % len(DOMAINS)]
            stacked = definitions.get(lineage_of(span * k + 5))
            institution = first.institution
            if k % 2 and stacked is not None:
                # The stacked micro-credential is one of the pathway's own institution.
                institution = stacked.institution
                target = {"target": Pathway.Target.STACKED, "stacked_lineage": stacked.lineage}
            else:
                kind, name_en, name_fr = PROGRAMS[k % len(PROGRAMS)]
                target = {
                    "target": Pathway.Target.PROGRAM,
                    "program_kind": kind,
                    "program_name_en": _sentence(name_en.format(subject_en)),
                    "program_name_fr": _sentence(name_fr.format(subject_fr)),
                    "program_credit_en": "Grants advanced standing for one course of the program.",
                    "program_credit_fr": "Accorde l'équivalence d'un cours du programme.",
                }
            any_two = k % 3 == 0
            pathways.append(
                Pathway(
                    institution=institution,
                    title_en=_sentence(f"{subject_en} pathway {k + 1}"),
                    title_fr=_sentence(f"parcours en {subject_fr} {k + 1}"),
                    description_en="Micro-credentials that together lead to a larger credential.",
                    description_fr="Des microcertifications qui mènent ensemble à un titre plus "
                    "important.",
                    rule=Pathway.Rule.ANY if any_two else Pathway.Rule.ALL,
                    required_count=2 if any_two else None,
                    state=Pathway.State.PUBLISHED,
                    published_at=now,
                    created_by=seeder,
                    **target,
                )
            )
        created = Pathway.objects.bulk_create(pathways)
        if any(pathway.pk is None for pathway in created):  # a database that returns no keys
            created = list(Pathway.objects.filter(created_by=seeder).order_by("-pk")[: len(todo)])
            created.reverse()
        components = [
            PathwayComponent(
                pathway=pathway,
                lineage=lineage_of(number),
                institution=definitions[lineage_of(number)].institution,
                agreed_at=now,
            )
            for pathway, k in zip(created, todo, strict=True)
            for number in numbers[k]
        ]
        PathwayComponent.objects.bulk_create(components, batch_size=500)
        return len(created)

    def _clear(self) -> None:
        seeder = get_user_model().objects.filter(email=SEED_EMAIL).first()
        if seeder is None:
            self.stdout.write("Nothing seeded to remove.")
            return
        try:
            with transaction.atomic():
                pathways = Pathway.objects.filter(created_by=seeder)
                removed_pathways = pathways.count()
                pathways.delete()  # their components go with them
                definitions = CredentialDefinition.objects.filter(created_by=seeder)
                removed = definitions.count()
                definitions.delete()
                seeder.delete()
        except ProtectedError as error:
            raise CommandError(
                "Some seeded micro-credentials have issued credentials or assessments: "
                "nothing was removed."
            ) from error
        self.stdout.write(
            f"Removed {removed} seeded micro-credentials and {removed_pathways} pathways."
        )
