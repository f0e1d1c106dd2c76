"""Time the public expertise directory, as an anonymous visitor, in both languages, with the
public page cache off and on.

    python manage.py seed_directory --count 100000
    python manage.py bench_directory --requests 50

For each page (the directory's first page, a word search, a capability area, a combined search,
page 10, a profile's page, an institution's page) and each language, makes `--warmup` untimed
requests and then `--requests` timed ones with Django's test client (in-process: the whole view,
templates and database, no network), first with the cache off (OCIP_PUBLIC_CACHE_SECONDS=0),
then on; prints the wall time's p50 and p95 in milliseconds, the SQL queries of one request,
the page's size and the number of public profiles. Responses are made with DEBUG off, as in
production. The last line of output is one JSON object with every figure. Refused under
production settings.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from matching import selectors
from ocip.bench import time_page

# Words a visitor would type, in the page's language.
WORDS = {"en": "sensor", "fr": "données"}
COMBINED_WORDS = {"en": "testing", "fr": "essais"}


def pages(language: str, profile: str, institution: str) -> dict[str, str]:
    """The addresses timed, by name."""
    with translation.override(language):
        directory = reverse("directory")
        profile_url = reverse("public_profile", args=[profile])
        institution_url = reverse("public_institution", args=[institution])

    def search(**params) -> str:
        return f"{directory}?{urlencode(params)}"

    return {
        "first page": directory,
        "word search": search(q=WORDS[language]),
        "area": search(area="ai-data"),
        "combined": search(
            q=COMBINED_WORDS[language], sector="31-33", students="on", language=language
        ),
        "page 10": search(page="10"),
        "profile": profile_url,
        "institution": institution_url,
    }


class Command(BaseCommand):
    help = "Time the public expertise directory, anonymously, in both languages, cache off and on."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")

    def handle(self, *args, requests: int, warmup: int, **options) -> None:
        if settings.OCIP_ENVIRONMENT == "production":
            raise CommandError("bench_directory refuses to run under production settings.")
        if requests < 1 or warmup < 0:
            raise CommandError("--requests must be at least 1 and --warmup at least 0.")
        public = selectors.public_expertise_profiles()
        total = public.count()
        if not total:
            raise CommandError(
                "No public profiles: run `python manage.py load_demo_data` (or seed_directory)."
            )
        profile = public.order_by("name", "id").values_list("external_id", flat=True).first()
        busiest = (
            selectors.public_institutions()
            .annotate(public=Count("expertise_profiles"))
            .order_by("-public", "slug")
            .values_list("slug", flat=True)
            .first()
        )
        self.stdout.write(
            f"bench_directory on {connection.vendor}: {total} public profiles; "
            f"{requests} timed requests per page after {warmup} untimed."
        )
        self.stdout.write(
            f"{'page':<12} {'lang':<4} {'cache':<9} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'queries':>7} {'KB':>6}"
        )
        figures: dict = {"public_profiles": total, "requests": requests, "pages": []}
        client = Client()
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        for seconds in (0, 300):
            mode = "cache on" if seconds else "cache off"
            with override_settings(
                DEBUG=False, ALLOWED_HOSTS=hosts, OCIP_PUBLIC_CACHE_SECONDS=seconds
            ):
                for language, _name in settings.LANGUAGES:
                    for name, url in pages(language, profile or "", busiest or "").items():
                        row = time_page(client, url, requests=requests, warmup=warmup)
                        row |= {"page": name, "language": language, "cache": mode}
                        figures["pages"].append(row)
                        self.stdout.write(
                            f"{name:<12} {language:<4} {mode:<9} {row['p50_ms']:>8} "
                            f"{row['p95_ms']:>8} {row['queries']:>7} {row['kb']:>6}"
                        )
        for mode in ("cache off", "cache on"):
            first = [
                row["p95_ms"]
                for row in figures["pages"]
                if row["cache"] == mode and row["page"] == "first page"
            ]
            key = "first_page_p95_ms_" + mode.replace(" ", "_")
            figures[key] = max(first)
            self.stdout.write(f"First page, worst p95 with the {mode}: {figures[key]} ms.")
        figures["worst_p95_ms"] = max(row["p95_ms"] for row in figures["pages"])
        self.stdout.write(f"Worst p95 of every page: {figures['worst_p95_ms']} ms.")
        self.stdout.write(json.dumps(figures))
