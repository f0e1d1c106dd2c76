"""Load the institutions and the demo personas. Safe to run again; never in production."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from diagnostics.models import Company, CompanyMembership, Diagnostic
from diagnostics.services import company_create, diagnostic_demo_submit
from matching.models import Institution, InstitutionMembership
from matching.services import (
    expertise_load_catalogue,
    funding_programs_load_catalogue,
    institutions_load_catalogue,
)
from ocip.accounts.mfa import totp_secret_of
from ocip.accounts.models import User

DEMO_DIAGNOSTICS = (
    Path(__file__).resolve().parents[3] / "diagnostics" / "data" / "demo_diagnostics.yaml"
)
DEMO_PASSWORD = "ocip-demo-2026"  # noqa: S105  (dev-only personas; the command refuses production)


@dataclass(frozen=True)
class Persona:
    email: str
    first_name: str
    last_name: str
    language: str
    description: str
    company: tuple[str, str, str] | None = None  # (name, city, description)
    institution: str | None = None  # slug
    role: str | None = None
    platform_staff: bool = False

    @property
    def needs_totp(self) -> bool:
        return self.platform_staff or self.role == InstitutionMembership.Role.OFFICE_STAFF


PERSONAS = [
    Persona(
        "alice.tremblay@northwind.example",
        "Alice",
        "Tremblay",
        "en",
        "business owner, Northwind Robotics",
        company=(
            "Northwind Robotics Inc.",
            "Ottawa",
            "Builds small robotic cells that let machine shops automate part inspection.",
        ),
    ),
    Persona(
        "benoit.gagnon@boulangerie-lumiere.example",
        "Benoît",
        "Gagnon",
        "fr",
        "propriétaire d'entreprise, Boulangerie Lumière",
        company=(
            "Boulangerie Lumière",
            "Sudbury",
            "Boulangerie artisanale qui veut prolonger la fraîcheur de ses pains sans "
            "agents de conservation.",
        ),
    ),
    Persona(
        "olivia.chen@algonquin.example",
        "Olivia",
        "Chen",
        "en",
        "research-office staff, Algonquin College",
        institution="algonquin",
        role=InstitutionMembership.Role.OFFICE_STAFF,
    ),
    Persona(
        "etienne.roy@lacite.example",
        "Étienne",
        "Roy",
        "fr",
        "personnel du bureau de recherche, La Cité",
        institution="la-cite",
        role=InstitutionMembership.Role.OFFICE_STAFF,
    ),
    Persona(
        "raj.patel@algonquin.example",
        "Raj",
        "Patel",
        "en",
        "researcher, Algonquin College",
        institution="algonquin",
        role=InstitutionMembership.Role.RESEARCHER,
    ),
    Persona(
        "sofia.martin@algonquin.example",
        "Sofia",
        "Martin",
        "en",
        "student, Algonquin College",
        institution="algonquin",
        role=InstitutionMembership.Role.STUDENT,
    ),
    Persona(
        "pat.morgan@ocip.example",
        "Pat",
        "Morgan",
        "en",
        "platform staff (Django and Wagtail admins)",
        platform_staff=True,
    ),
]


def _totp_secret(user) -> str:
    secret = totp_secret_of(user)
    if secret is None:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
    return secret


class Command(BaseCommand):
    help = "Load all institutions and the demo personas (idempotent; refused in production)."

    def handle(self, *args, **options) -> None:
        if settings.OCIP_ENVIRONMENT == "production":
            raise CommandError("load_demo_data refuses to run under production settings.")
        with transaction.atomic():
            count = institutions_load_catalogue()
            profiles = expertise_load_catalogue()
            programs = funding_programs_load_catalogue()
            logins = [self._persona(persona) for persona in PERSONAS]
            diagnostics = self._diagnostics(logins)
        self.stdout.write(
            f"Institutions: {count}. Expertise profiles: {profiles}. Funding programs: "
            f"{programs}. Personas: {len(PERSONAS)}. New diagnostics: {diagnostics}."
        )
        if settings.OCIP_ENVIRONMENT == "dev":
            self._print_logins(logins)

    def _persona(self, persona: Persona) -> tuple[Persona, User, str | None]:
        user, created = get_user_model().objects.get_or_create(
            email=persona.email,
            defaults={
                "first_name": persona.first_name,
                "last_name": persona.last_name,
                "language": persona.language,
                "is_staff": persona.platform_staff,
                "is_superuser": persona.platform_staff,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=persona.email, defaults={"verified": True, "primary": True}
        )
        if persona.company:
            name, city, description = persona.company
            company = Company.objects.filter(memberships__user=user, name=name).first()
            if company is None:
                company = company_create(
                    owner=user,
                    name=name,
                    city=city,
                    description=description,
                    preferred_language=persona.language,
                )
            CompanyMembership.objects.get_or_create(
                company=company, user=user, defaults={"role": CompanyMembership.Role.OWNER}
            )
        if persona.institution:
            InstitutionMembership.objects.update_or_create(
                institution=Institution.objects.get(slug=persona.institution),
                user=user,
                defaults={"role": persona.role},
            )
        secret = _totp_secret(user) if persona.needs_totp else None
        return persona, user, secret

    def _diagnostics(self, logins: list[tuple[Persona, User, str | None]]) -> int:
        """A submitted diagnostic for each demo company that has none."""
        with open(DEMO_DIAGNOSTICS, encoding="utf-8") as handle:
            answers_by_company = yaml.safe_load(handle)
        created = 0
        for persona, user, _secret in logins:
            if not persona.company or persona.company[0] not in answers_by_company:
                continue
            company = Company.objects.get(memberships__user=user, name=persona.company[0])
            if not Diagnostic.objects.filter(company=company).exists():
                diagnostic_demo_submit(
                    actor=user, company=company, answers=answers_by_company[company.name]
                )
                created += 1
        return created

    def _print_logins(self, logins: list[tuple[Persona, User, str | None]]) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logins (development only)"))
        self.stdout.write(f"Password for every persona: {DEMO_PASSWORD}")
        for persona, user, secret in logins:
            self.stdout.write(f"  {persona.email:45} {persona.description}")
            if secret:
                uri = get_mfa_adapter().build_totp_url(user, secret)
                self.stdout.write(f"      TOTP secret {secret}  ({uri})")
        self.stdout.write(
            "Staff personas need a TOTP code at login: add the secret to an authenticator app, "
            "or run `python manage.py demo_totp`."
        )
