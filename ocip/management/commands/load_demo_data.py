"""Load the institutions and the demo personas. Safe to run again; never in production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cms.demo import public_pages_load
from diagnostics.demo import demo_answers
from diagnostics.models import Company, CompanyMembership, Diagnostic
from diagnostics.services import company_create, diagnostic_demo_submit
from matching.business_days import add_business_days, business_days_between, is_business_day
from matching.models import (
    ExpertiseProfile,
    FundingProgram,
    Institution,
    InstitutionMembership,
    IntroductionRequest,
    MatchRun,
    RequestEvent,
    RequestMessage,
)
from matching.services import (
    expertise_load_catalogue,
    funding_programs_load_catalogue,
    institutions_load_catalogue,
    match_run_for_diagnostic,
    request_answer,
    request_ask_info,
    request_create,
    request_decline,
    request_message,
    request_refer,
    request_withdraw,
    requests_check_service_levels,
)
from ocip.accounts.mfa import totp_secret_of
from ocip.accounts.models import User
from ocip.notifications.models import Notification
from projects.demo import demo_credential
from projects.models import FundingApplication, Project, ProjectMember
from projects.services import funding_application_update, project_start

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
        # Apart, once the diagnostics are committed: their match runs are what is requested.
        with transaction.atomic():
            requests = DemoRequests({user.email: user for _persona, user, _secret in logins}).load()
        with transaction.atomic():
            last_before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
            credential = demo_credential()
            # Played out for the demo: no one is emailed about it.
            Notification.objects.filter(pk__gt=last_before).update(emailed_at=timezone.now())
        # Last: the success stories are told from the demo projects made above.
        pages = public_pages_load()
        self.stdout.write(
            f"Institutions: {count}. Expertise profiles: {profiles}. Funding programs: "
            f"{programs}. Personas: {len(PERSONAS)}. New diagnostics: {diagnostics}. "
            f"New introduction requests: {requests}. Demo credential: "
            f"{credential.public_id if credential else 'none'}. New public pages: {pages}."
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
        answers_by_company = demo_answers()
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


# --- Introduction requests: every state, a referral chain, projects --------------------------


@dataclass(frozen=True)
class Story:
    """One demo request: sent by `business` to its `rank`-th match at `institution`, some
    business days ago; what the office (and the business) did next, `response_days` business
    days after it arrived. Stories whose match is missing from the run are left out."""

    business: str  # persona email
    institution: str  # slug
    rank: int
    sent_days_ago: int
    plot: str  # see DemoRequests._play
    message: str
    response_days: int = 1
    decline_reason: str = ""


ALICE = "alice.tremblay@northwind.example"
BENOIT = "benoit.gagnon@boulangerie-lumiere.example"
OLIVIA = "olivia.chen@algonquin.example"
ETIENNE = "etienne.roy@lacite.example"
RAJ = "raj.patel@algonquin.example"
OFFICES = {"algonquin": OLIVIA, "la-cite": ETIENNE}

STORIES = [
    Story(
        ALICE,
        "algonquin",
        0,
        45,
        "ask_answer_accept",
        "We would like to test automated inspection of machined parts with a drone-mounted "
        "camera in our clients' shops.",
    ),
    Story(
        ALICE,
        "la-cite",
        0,
        30,
        "refer_accept",
        "Could your vision lab help us detect surface defects on small aluminium parts?",
        response_days=2,
    ),
    Story(
        ALICE,
        "algonquin",
        2,
        20,
        "decline",
        "We are looking for help with the motion control of our inspection cell.",
        response_days=4,
        decline_reason="no_capacity",
    ),
    Story(
        ALICE,
        "la-cite",
        1,
        8,
        "wait",
        "We would value an expert opinion on the electronics of our prototype.",
    ),
    Story(
        BENOIT,
        "la-cite",
        0,
        15,
        "accept",
        "Nous voulons prolonger la fraîcheur de nos pains sans agents de conservation.",
    ),
    Story(
        BENOIT,
        "la-cite",
        1,
        12,
        "decline",
        "Pourriez-vous analyser l'eau de notre boulangerie?",
        decline_reason="outside_expertise",
    ),
    Story(
        BENOIT,
        "algonquin",
        0,
        10,
        "decline",
        "We would like to make our bakery's building more energy efficient.",
        response_days=2,
        decline_reason="too_early",
    ),
    Story(
        BENOIT,
        "la-cite",
        2,
        6,
        "ask",
        "Nous cherchons une experte pour améliorer la conservation de nos produits.",
    ),
    Story(
        BENOIT,
        "la-cite",
        3,
        5,
        "message",
        "Nous aimerions agrandir notre fournil avec une construction préfabriquée.",
        response_days=0,
    ),
    Story(
        BENOIT,
        "algonquin",
        1,
        4,
        "withdraw",
        "Nous aimerions un avis sur l'enveloppe de notre bâtiment.",
    ),
    Story(
        BENOIT,
        "la-cite",
        5,
        3,
        "wait",
        "Pourriez-vous nous aider à automatiser le contrôle de nos fours?",
    ),
    Story(
        BENOIT,
        "la-cite",
        4,
        0,
        "wait",
        "Nous voulons vérifier la cuisson de nos pains avec une caméra.",
    ),
]


def _business_days_before(today: date, days: int) -> date:
    """The business day `days` business days before `today`."""
    day = today
    while business_days_between(day, today) < days or not is_business_day(day):
        day -= timedelta(days=1)
    return day


class DemoRequests:
    """Plays the STORIES through the real services, then moves each request's history back in
    time so the dashboards' response times and the service-level flags mean something."""

    def __init__(self, users: dict[str, User]):
        self.users = users
        self.now = timezone.now()

    def load(self) -> int:
        companies = Company.objects.filter(memberships__user__email__in=[ALICE, BENOIT])
        if IntroductionRequest.objects.filter(company__in=companies).exists():
            return 0
        runs = {email: self._run(email) for email in (ALICE, BENOIT)}
        last_before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        created = 0
        for story in STORIES:
            run = runs[story.business]
            if run is None:
                continue
            match = self._match(run, story.institution, story.rank)
            if match is not None:
                created += self._play(story, run, match)
        requests_check_service_levels(now=self.now)
        # The stories happened in the past: no one is emailed about them now.
        Notification.objects.filter(pk__gt=last_before).update(emailed_at=self.now)
        return created

    def _run(self, email: str) -> MatchRun | None:
        diagnostic = (
            Diagnostic.objects.filter(
                company__memberships__user__email=email, status=Diagnostic.Status.SUBMITTED
            )
            .order_by("-submitted_at")
            .first()
        )
        run = match_run_for_diagnostic(diagnostic_id=diagnostic.pk) if diagnostic else None
        return run if run is not None and run.status == MatchRun.Status.DONE else None

    @staticmethod
    def _match(run: MatchRun, institution: str, rank: int) -> dict | None:
        matches = [match for match in run.matches if match["institution"] == institution]
        return matches[rank] if rank < len(matches) else None

    def _play(self, story: Story, run: MatchRun, match: dict) -> int:
        """Send the request and act out its plot; returns how many requests it made."""
        business = self.users[story.business]
        office = self.users[OFFICES[story.institution]]
        (request,) = request_create(
            actor=business,
            run=run,
            profile_ids=[match["profile"]],
            message=story.message,
            hopes=[IntroductionRequest.Hope.PROJECT, IntroductionRequest.Hope.STUDENTS],
            contact_preference=IntroductionRequest.Contact.EMAIL,
        )
        french = business.language == "fr"
        if story.plot == "ask_answer_accept":
            request_ask_info(
                actor=office,
                request=request,
                expected_version=None,
                question="How many parts a day would the cell inspect, and in which shops?",
            )
            request_answer(
                actor=business,
                request=request,
                expected_version=None,
                answer="About 400 parts a day, in two machine shops in Ottawa.",
            )
            self._start_project(office, request, "Drone-based inspection of machined parts")
        elif story.plot == "accept":
            self._start_project(
                office,
                request,
                "Pain sans agents de conservation" if french else "Preservative-free bread",
            )
        elif story.plot == "refer_accept":
            colleague = self._match(run, "algonquin", 1)
            if colleague is not None:
                received = request_refer(
                    actor=office,
                    request=request,
                    expected_version=None,
                    note="Algonquin's machine vision researchers fit this better than our lab.",
                    to_profile=ExpertiseProfile.objects.get(external_id=colleague["profile"]),
                )
                times = self._backdate(request, story)
                self._start_project(
                    self.users[OLIVIA], received, "Surface defect detection on aluminium parts"
                )
                self._backdate(received, story, arrived=times[-1])
                return 2
        elif story.plot == "decline":
            request_decline(
                actor=office,
                request=request,
                expected_version=None,
                reason=story.decline_reason,
                note="Nous vous suggérons les prochaines correspondances."
                if french
                else "See the next best matches the platform suggests.",
            )
        elif story.plot == "ask":
            request_ask_info(
                actor=office,
                request=request,
                expected_version=None,
                question="Quels produits voulez-vous conserver plus longtemps, et combien de "
                "jours de plus visez-vous?",
            )
        elif story.plot == "message":
            request_message(
                actor=office,
                request=request,
                body="Merci, nous étudions votre demande avec notre équipe de construction.",
            )
        elif story.plot == "withdraw":
            request_withdraw(
                actor=business,
                request=request,
                expected_version=None,
                note="Nous avons trouvé une autre solution.",
            )
        self._backdate(request, story)
        return 1

    def _start_project(self, office: User, request: IntroductionRequest, title: str) -> None:
        lead = self.users[RAJ] if request.institution.slug == "algonquin" else office
        funding = request.match_run.funding if request.match_run else {}
        slugs = [
            program["slug"]
            for program in funding.get("programs", [])
            if program.get("verdict") == "eligible"
            and ((program.get("estimate") or {}).get("amount_high") or 0) > 0
        ][:3]
        project = project_start(
            actor=office,
            request=request,
            expected_version=None,
            title=title,
            scope=request.message,
            lead=lead,
            start_date=timezone.localdate(self.now),  # moved with the request's history
            programs=list(FundingProgram.objects.filter(slug__in=slugs)),
        )
        # The first application won, the second turned down (the dashboard's funding leveraged
        # leaves it out), the third still planned.
        statuses = [FundingApplication.Status.APPROVED, FundingApplication.Status.DECLINED]
        for application, status in zip(project.funding_applications.all(), statuses, strict=False):
            funding_application_update(
                actor=office, application=application, status=status, amount=application.amount
            )

    def _timeline(self, story: Story, arrived: datetime | None, count: int) -> list[datetime]:
        """When each of `count` events happened: arrival, the first response `response_days`
        business days later, then one business day apart; never in the future."""
        if arrived is None:
            day = _business_days_before(timezone.localdate(self.now), story.sent_days_ago)
            arrived = timezone.make_aware(datetime.combine(day, time(9, 30)))
        first = add_business_days(timezone.localdate(arrived), story.response_days)
        moments = [arrived] + [
            timezone.make_aware(datetime.combine(add_business_days(first, step), time(14, 0)))
            for step in range(count - 1)
        ]
        latest = [self.now - timedelta(minutes=10 * (count - index)) for index in range(count)]
        return [min(moment, cap) for moment, cap in zip(moments, latest, strict=True)]

    def _backdate(
        self, request: IntroductionRequest, story: Story, *, arrived: datetime | None = None
    ) -> list[datetime]:
        """Move the request, its events, messages, notifications and project to the story's
        timeline (queryset updates: these dates are written once by the services)."""
        request.refresh_from_db()
        events = list(request.events.order_by("created_at", "pk"))
        moments = self._timeline(story, arrived, len(events))

        def moment_after(stamp: datetime | None) -> datetime | None:
            if stamp is None:
                return None
            return next(
                (
                    moment
                    for event, moment in zip(events, moments, strict=True)
                    if event.created_at >= stamp
                ),
                moments[-1],
            )

        for event, moment in zip(events, moments, strict=True):
            RequestEvent.objects.filter(pk=event.pk).update(created_at=moment)
            Notification.objects.filter(key=f"request-event-{event.pk}").update(created_at=moment)
        for message in request.messages.all():
            # Written with the event just before it (the question, the answer).
            written = [
                moment
                for event, moment in zip(events, moments, strict=True)
                if event.created_at <= message.created_at
            ]
            RequestMessage.objects.filter(pk=message.pk).update(created_at=written[-1])
        closed = moment_after(request.closed_at)
        IntroductionRequest.objects.filter(pk=request.pk).update(
            created_at=moments[0],
            first_response_at=moment_after(request.first_response_at),
            closed_at=closed,
            updated_at=moments[-1],
        )
        if closed is not None and request.status == IntroductionRequest.Status.ACCEPTED:
            start = min(
                timezone.localdate(closed) + timedelta(days=7), timezone.localdate(self.now)
            )
            Project.objects.filter(request=request).update(created_at=closed, start_date=start)
            ProjectMember.objects.filter(project__request=request).update(joined_at=closed)
        return moments
