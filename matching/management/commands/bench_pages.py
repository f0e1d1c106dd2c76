"""What the busiest pages cost, as multiples of the login page, as runs and requests grow.

Seeds its own throwaway data in the configured database, under a `bench-pages-…` prefix, and
removes it at the end (unless --keep): a business with a submitted diagnostic and N match runs
(the first made by the real matching service, the others copies of it: each run is stored
whole, about 137 KB), an institution whose research office receives M introduction requests
from that business (bulk-created, about a third of them open), and an office member with
two-factor set up. Loads the shipped catalogue first if the database has none (as
load_demo_data does; that part is left in place).

Then it times `--repeat` requests to each page, made in-process with Django's test client after
`--warmup` ones (the pages take turns, so that they all meet the same load), and prints the CPU
time of this process per request (what a server worker spends: with SQLite it includes the
database's work, with PostgreSQL not), the wall time, the number of SQL queries, the page's size
and its CPU cost as a multiple of the login page's at the same size of data:

    manage.py bench_pages --runs 1,5,20 --requests 25,5000 --repeat 30

Responses are made with DEBUG off, as in production (no query log), and the test client's host
allowed. Refused in production.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from diagnostics.demo import demo_answers
from diagnostics.models import Company, Diagnostic
from diagnostics.services import company_create, diagnostic_demo_submit
from matching import workflow
from matching.models import (
    ExpertiseProfile,
    FundingProgram,
    Institution,
    InstitutionMembership,
    IntroductionRequest,
    MatchRun,
)
from matching.services import (
    expertise_load_catalogue,
    funding_programs_load_catalogue,
    institutions_load_catalogue,
    match_run_for_diagnostic,
)

ANSWERS_OF = "Northwind Robotics Inc."
PREFIX = "bench-pages-"
PAGES = ("login", "diagnostic results", "match results", "business requests", "office queue")
# Ten requests in a row: three open, seven closed in the ways requests close.
STATUS_CYCLE = (
    workflow.SUBMITTED,
    workflow.ACCEPTED,
    workflow.DECLINED,
    workflow.IN_REVIEW,
    workflow.DECLINED,
    workflow.WITHDRAWN,
    workflow.INFO_REQUESTED,
    workflow.ACCEPTED,
    workflow.REFERRED,
    workflow.DECLINED,
)
MESSAGE = (
    "We would like to test automated inspection of machined parts with a camera in our clients' "
    "shops, and would value your lab's advice on lighting for shiny aluminium. We can host a "
    "student for the summer and share parts and defect samples."
)
RUN_FIELDS = (
    "status",
    "error",
    "backend",
    "meaning_model",
    "meaning_unavailable",
    "index_checksum",
    "profile_count",
    "query",
    "matches",
    "funding",
    "requested_by",
)


def _levels(text: str, name: str, minimum: int) -> list[int]:
    try:
        levels = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise CommandError(f"--{name} takes numbers separated by commas, not {text!r}") from error
    if not levels or levels[0] < minimum:
        raise CommandError(f"--{name} needs numbers of at least {minimum}")
    return levels


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class Timing:
    page: str
    runs: int
    requests: int
    cpu_ms: list[float]
    wall_ms: list[float]
    queries: int
    size_kb: float

    @property
    def cpu_p50(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def wall_p50(self) -> float:
        return statistics.median(self.wall_ms)


class Cast:
    """The throwaway business, institution and people, all named after one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.profile_count = 0

    def seed(self) -> None:
        prefix = self.prefix
        users = get_user_model().objects
        self.owner = users.create_user(email=f"{prefix}-owner@bench.invalid", first_name="Bench")
        self.office = users.create_user(email=f"{prefix}-office@bench.invalid", first_name="Desk")
        for user in (self.owner, self.office):
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        TOTP.activate(self.office, generate_totp_secret())
        self.company = company_create(owner=self.owner, name=f"{prefix} company")
        answers = demo_answers()[ANSWERS_OF]
        self.diagnostic: Diagnostic = diagnostic_demo_submit(
            actor=self.owner, company=self.company, answers=answers
        )
        first = match_run_for_diagnostic(diagnostic_id=self.diagnostic.pk)
        if first is None or first.status != MatchRun.Status.DONE:
            raise CommandError("The benchmark's diagnostic could not be matched.")
        self.first_run: MatchRun = first
        self.institution = Institution.objects.create(
            slug=f"{prefix}-college",
            name=f"{prefix} College",
            kind=Institution.Kind.COLLEGE,
            city="Ottawa",
            region="Ottawa",
            languages=["en", "fr"],
        )
        InstitutionMembership.objects.create(
            institution=self.institution,
            user=self.office,
            role=InstitutionMembership.Role.OFFICE_STAFF,
        )

    def set_runs(self, count: int) -> None:
        """Exactly `count` runs: copies of the first, numbered after it."""
        runs = MatchRun.objects.filter(diagnostic=self.diagnostic)
        runs.filter(sequence__gt=count).delete()
        have = runs.count()
        copies = [
            MatchRun(
                diagnostic=self.diagnostic,
                sequence=sequence,
                **{name: getattr(self.first_run, name) for name in RUN_FIELDS},
            )
            for sequence in range(have + 1, count + 1)
        ]
        MatchRun.objects.bulk_create(copies, batch_size=50)

    def add_requests(self, total: int) -> None:
        """Top the business's requests at the institution up to `total`; each open one is to a
        profile of its own (one open request per profile), made inactive so matching never
        sees it."""
        existing = IntroductionRequest.objects.filter(company=self.company).count()
        statuses = [STATUS_CYCLE[n % len(STATUS_CYCLE)] for n in range(existing, total)]
        opened = sum(status in workflow.OPEN for status in statuses)
        start = self.profile_count
        profiles = ExpertiseProfile.objects.bulk_create(
            [
                ExpertiseProfile(
                    external_id=f"{self.prefix}-{number}",
                    institution=self.institution,
                    kind=ExpertiseProfile.Kind.RESEARCHER,
                    name=f"Researcher {number}",
                    title="Machine vision",
                    languages=["en"],
                    is_active=False,
                )
                for number in range(start, start + opened)
            ],
            batch_size=500,
        )
        self.profile_count += opened
        if any(profile.pk is None for profile in profiles):  # backends that return no keys
            profiles = list(
                ExpertiseProfile.objects.filter(
                    institution=self.institution,
                    external_id__in=[profile.external_id for profile in profiles],
                ).order_by("pk")
            )
        needs = self.diagnostic.needs_profile.data
        sector = str(needs.get("facts", {}).get("sector") or "")
        areas = [area["slug"] for area in needs.get("capability_areas", [])]
        now = timezone.now()
        free = iter(profiles)
        rows = []
        for status in statuses:
            closed = status not in workflow.OPEN
            rows.append(
                IntroductionRequest(
                    company=self.company,
                    diagnostic=self.diagnostic,
                    match_run=self.first_run,
                    institution=self.institution,
                    profile=None if closed else next(free),
                    requested_by=self.owner,
                    message=MESSAGE,
                    hopes=["advice", "students"],
                    score=0.5,
                    sector=sector,
                    capability_areas=areas,
                    status=status,
                    decline_reason="no_capacity" if status == workflow.DECLINED else "",
                    closed_at=now if closed else None,
                )
            )
        IntroductionRequest.objects.bulk_create(rows, batch_size=500)
        # Sent over the past months in the order they were stored, as real ones are (sorts
        # depend on it), one every 47 minutes (bulk_create stamps them all "now"); closed a
        # few days after they were sent.
        every = list(
            IntroductionRequest.objects.filter(company=self.company)
            .order_by("pk")
            .only("pk", "created_at", "closed_at")
        )
        for number, row in enumerate(every):
            row.created_at = now - timedelta(minutes=47 * (total - number))
            if row.closed_at is not None:
                row.closed_at = min(now, row.created_at + timedelta(days=3))
        IntroductionRequest.objects.bulk_update(every, ["created_at", "closed_at"], batch_size=500)

    def remove(self) -> None:
        """Everything named after the prefix, however far seeding got."""
        # The company takes its diagnostics, runs and requests along; the institution its
        # profiles and memberships.
        Company.objects.filter(name__startswith=self.prefix).delete()
        Institution.objects.filter(slug__startswith=self.prefix).delete()
        get_user_model().objects.filter(email__startswith=self.prefix).delete()


class Command(BaseCommand):
    help = (
        "Time the diagnostic results, match results, request list and office queue pages "
        "against the login page, on throwaway data in the configured database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", default="1,5,20", help="match runs of the diagnostic")
        parser.add_argument("--requests", default="25,5000", help="requests of the business")
        parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
        parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
        parser.add_argument(
            "--profile",
            choices=[page.replace(" ", "-") for page in PAGES],
            help="also print a cProfile of this page (the last round)",
        )
        parser.add_argument("--keep", action="store_true", help="leave the data in place")
        parser.add_argument(
            "--clean", action="store_true", help="only remove what earlier runs left behind"
        )

    def handle(self, *args, **options) -> None:
        if settings.OCIP_ENVIRONMENT == "production":
            raise CommandError("bench_pages refuses to run under production settings.")
        runs_levels = _levels(options["runs"], "runs", 1)
        request_levels = _levels(options["requests"], "requests", 0)
        repeat, warmup = options["repeat"], options["warmup"]
        if repeat < 1 or warmup < 0:
            raise CommandError("--repeat must be at least 1 and --warmup at least 0")
        self._ensure_catalogue()
        if options["clean"]:
            Cast(PREFIX).remove()
            self.stdout.write(f"Removed every {PREFIX}… company, institution and person.")
            return
        started = time.perf_counter()
        cast = Cast(f"{PREFIX}{uuid.uuid4().hex[:8]}")
        self.stdout.write(
            f"bench_pages on {connection.vendor} ({settings.SETTINGS_MODULE}), "
            f"{repeat} timed requests per page after {warmup} untimed; "
            f"data prefix {cast.prefix}"
        )
        timings: list[Timing] = []
        profile_page = (options["profile"] or "").replace("-", " ")
        clients: dict[str, tuple[Client, str]] = {}
        try:
            cast.seed()
            clients = self._clients(cast)
            for requests in request_levels:
                seeded = time.perf_counter()
                cast.add_requests(requests)
                self.stdout.write(
                    f"  {requests} requests seeded in {time.perf_counter() - seeded:.1f} s"
                )
                for runs in runs_levels:
                    cast.set_runs(runs)
                    with self._as_served():
                        timings += self._time(clients, runs, requests, repeat, warmup)
            if profile_page:
                client, url = clients[profile_page]
                with self._as_served():
                    self._print_profile(client, url, profile_page, repeat)
        finally:
            for client, _url in clients.values():
                client.logout()
            if options["keep"]:
                self.stdout.write(f"Data kept under the prefix {cast.prefix}.")
            else:
                cast.remove()
        self._print_table(timings)
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")

    def _as_served(self):
        """Production's DEBUG (no query log), and the test client's host name allowed."""
        return override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"])

    def _ensure_catalogue(self) -> None:
        if not Institution.objects.exists():
            institutions_load_catalogue()
        if not ExpertiseProfile.objects.filter(is_active=True).exists():
            expertise_load_catalogue()
        if not FundingProgram.objects.exists():
            funding_programs_load_catalogue()

    def _clients(self, cast: Cast) -> dict[str, tuple[Client, str]]:
        anonymous, owner, office = Client(), Client(), Client()
        owner.force_login(cast.owner)
        office.force_login(cast.office)  # two-factor set up: the office pages let them in
        pk = cast.diagnostic.pk
        return {
            "login": (anonymous, reverse("account_login")),
            "diagnostic results": (owner, reverse("diagnostic_results", args=[pk])),
            "match results": (owner, reverse("match_results", args=[pk])),
            "business requests": (owner, reverse("request_list")),
            "office queue": (office, reverse("request_queue", args=[cast.institution.slug])),
        }

    def _time(self, clients, runs: int, requests: int, repeat: int, warmup: int) -> list[Timing]:
        """Each page once per round, in turn, so that they all meet the same load."""
        timings = {}
        for page, (client, url) in clients.items():
            for _ in range(warmup):
                self._get(client, url)
            reset_queries()  # a full log (seeding under DEBUG) would count nothing
            with CaptureQueriesContext(connection) as queries:
                response = self._get(client, url)
            timings[page] = Timing(
                page, runs, requests, [], [], len(queries), len(response.content) / 1024
            )
        for _ in range(repeat):
            for page, (client, url) in clients.items():
                cpu, wall = time.process_time(), time.perf_counter()
                self._get(client, url)
                timings[page].cpu_ms.append((time.process_time() - cpu) * 1000)
                timings[page].wall_ms.append((time.perf_counter() - wall) * 1000)
        return list(timings.values())

    def _get(self, client: Client, url: str):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}, not 200")
        return response

    def _print_profile(self, client: Client, url: str, page: str, repeat: int) -> None:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(repeat):
            self._get(client, url)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        self.stdout.write(f"cProfile of {page} ({repeat} requests):")
        self.stdout.write(out.getvalue())

    def _print_table(self, timings: list[Timing]) -> None:
        login = {(t.runs, t.requests): t.cpu_p50 for t in timings if t.page == "login"}
        header = (
            f"{'page':<20} {'runs':>4} {'requests':>8} {'cpu p50':>8} {'cpu p95':>8} "
            f"{'wall p50':>8} {'wall p95':>8} {'queries':>7} {'KB':>6} {'x login':>7}"
        )
        self.stdout.write("Per request, in ms; x login = CPU p50 over the login page's.")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        worst: dict[str, float] = {}
        for t in sorted(timings, key=lambda t: (PAGES.index(t.page), t.requests, t.runs)):
            multiple = t.cpu_p50 / login[(t.runs, t.requests)] if login[(t.runs, t.requests)] else 0
            worst[t.page] = max(worst.get(t.page, 0.0), multiple)
            self.stdout.write(
                f"{t.page:<20} {t.runs:>4} {t.requests:>8} {t.cpu_p50:>8.2f} "
                f"{_p95(t.cpu_ms):>8.2f} {t.wall_p50:>8.2f} {_p95(t.wall_ms):>8.2f} "
                f"{t.queries:>7} {t.size_kb:>6.1f} {multiple:>7.2f}"
            )
        self.stdout.write(
            "Worst multiple of login: "
            + ", ".join(f"{page} {worst[page]:.2f}" for page in PAGES if page in worst)
        )
