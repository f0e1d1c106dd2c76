"""Time the public catalogue of micro-credentials, as an anonymous visitor, in both languages.

    python manage.py seed_catalogue --count 1000
    python manage.py bench_catalogue --requests 30

For each search (the first page, a word search, one institution, Micro-credentials Plus only, a
combined search, page 10) and each language, makes `--warmup` untimed requests and then
`--requests` timed ones with Django's test client (in-process: the whole view, templates and
database, no network), and prints the wall time's p50 and p95 in milliseconds, the SQL queries
of one request, the page's size and the number of results, with the number of published
micro-credentials. Responses are made with DEBUG off, as in production. The last line of output
is one JSON object with every figure. Refused under production settings.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from matching.models import Institution
from ocip.bench import time_page
from projects import selectors
from projects.catalogue_views import CatalogueForm

# Words a visitor would type, in the page's language.
WORDS = {"en": "data", "fr": "données"}
COMBINED_WORDS = {"en": "partner", "fr": "partenaire"}


def searches(language: str, institution: str) -> dict[str, dict[str, str]]:
    """The catalogue searches timed, by name: their query parameters."""
    return {
        "first page": {},
        "word search": {"q": WORDS[language]},
        "institution": {"institution": institution},
        "MC+ only": {"mc_plus": "on"},
        "combined": {
            "q": COMBINED_WORDS[language],
            "participation": "online",
            "workload": "10_to_40",
            "language": language,
        },
        "page 10": {"page": "10"},
    }


def _results(params: dict[str, str], language: str) -> int:
    """How many micro-credentials the search finds (as the page counts them)."""
    form = CatalogueForm(
        QueryDict(urlencode(params)),
        institutions=selectors.catalogue_institutions(),
        skills=selectors.catalogue_skills(),
        language=language,
    )
    form.is_valid()
    return selectors.catalogue_definitions(**form.criteria(), order_language=language).count()


class Command(BaseCommand):
    help = "Time the public micro-credential catalogue's searches, anonymously, in both languages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30, help="timed requests per search")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")

    def handle(self, *args, requests: int, warmup: int, **options) -> None:
        if settings.OCIP_ENVIRONMENT == "production":
            raise CommandError("bench_catalogue refuses to run under production settings.")
        if requests < 1 or warmup < 0:
            raise CommandError("--requests must be at least 1 and --warmup at least 0.")
        published = selectors.catalogue_published().count()
        if not published:
            raise CommandError(
                "No published micro-credentials: run `python manage.py seed_catalogue` first."
            )
        busiest = (
            Institution.objects.filter(credential_definitions__in=selectors.catalogue_published())
            .annotate(published=Count("credential_definitions"))
            .order_by("-published", "slug")
            .values_list("slug", flat=True)
            .first()
        )
        self.stdout.write(
            f"bench_catalogue on {connection.vendor}: {published} published micro-credentials; "
            f"{requests} timed requests per search after {warmup} untimed."
        )
        self.stdout.write(
            f"{'search':<14} {'lang':<4} {'p50 ms':>8} {'p95 ms':>8} {'queries':>7} "
            f"{'KB':>6} {'results':>7}"
        )
        figures: dict = {"published": published, "requests": requests, "searches": []}
        client = Client()
        with override_settings(DEBUG=False, ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    base = reverse("catalogue")
                for name, params in searches(language, busiest or "").items():
                    url = f"{base}?{urlencode(params)}" if params else base
                    row = time_page(client, url, requests=requests, warmup=warmup)
                    row |= {
                        "search": name,
                        "language": language,
                        "results": _results(params, language),
                    }
                    figures["searches"].append(row)
                    self.stdout.write(
                        f"{name:<14} {language:<4} {row['p50_ms']:>8} {row['p95_ms']:>8} "
                        f"{row['queries']:>7} {row['kb']:>6} {row['results']:>7}"
                    )
        every = [row["p95_ms"] for row in figures["searches"]]
        figures["worst_p95_ms"] = max(every)
        self.stdout.write(f"Worst p95: {figures['worst_p95_ms']} ms.")
        self.stdout.write(json.dumps(figures))
