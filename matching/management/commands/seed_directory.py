"""Seed the public expertise directory with synthetic public profiles (for its benchmark).

    python manage.py seed_directory --count 100000
    python manage.py seed_directory --clear --count 0

Makes public, active expertise profiles from the engine's synthetic generator
(matching.engine.synthetic: names, titles, summaries, keywords, capability areas, sectors,
equipment, past projects and languages recombined from the shipped profiles; about one in ten
written in French), spread over the institutions in the database (an institution of the same
kind, and a French-speaking one for French profiles where there is one). Their identifiers start
with "synthetic-", which is how --clear finds them again (and removes nothing else).

Idempotent: profile number n always has the same identifier and content, so running it again
tops the seeded profiles up to --count (a lower --count removes nothing). Inserted with
bulk_create in batches and removed with one DELETE, so neither the site search index nor
signals see them (run `manage.py update_index` for search); the public page cache is made stale
once at the end.
Refused under production settings.
"""

from __future__ import annotations

import random
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from matching.engine.synthetic import synthetic_profiles
from matching.models import ExpertiseProfile, Institution, IntroductionRequest
from ocip.public_cache import public_content_changed

PREFIX = "synthetic-"
BATCH = 2000


def external_id(number: int) -> str:
    return f"{PREFIX}{number:06d}"


class Command(BaseCommand):
    help = "Add synthetic public expertise profiles to the directory (or --clear them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=1000, help="seeded profiles wanted")
        parser.add_argument("--clear", action="store_true", help="remove seeded profiles first")
        parser.add_argument("--seed", type=int, default=17, help="random seed")

    def handle(self, *args, count: int, clear: bool, seed: int, **options) -> None:
        if settings.OCIP_ENVIRONMENT == "production":
            raise CommandError("seed_directory refuses to run under production settings.")
        if count < 0:
            raise CommandError("--count must be 0 or more.")
        started = time.perf_counter()
        seeded = ExpertiseProfile.objects.filter(external_id__startswith=PREFIX)
        if clear:
            removed = self._clear()
            self.stdout.write(f"Removed {removed} seeded profiles.")
        if count:
            made = self._seed(count, seed)
            self.stdout.write(f"Added {made} seeded profiles ({seeded.count()} in all).")
        public_content_changed()
        if connection.vendor == "postgresql" and (clear or count):
            # Fresh statistics for the planner: a whole table changed at once.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE matching_expertiseprofile")
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")

    def _seed(self, count: int, seed: int) -> int:
        institutions = list(Institution.objects.order_by("pk"))
        if not institutions:
            raise CommandError("No institutions: run `python manage.py load_demo_data` first.")
        by_kind: dict[str, list[Institution]] = {}
        for institution in institutions:
            by_kind.setdefault(institution.kind, []).append(institution)
        french = [item for item in institutions if "fr" in (item.languages or [])]
        existing = set(
            ExpertiseProfile.objects.filter(external_id__startswith=PREFIX).values_list(
                "external_id", flat=True
            )
        )
        rng = random.Random(seed)
        batch: list[ExpertiseProfile] = []
        made = 0
        for number, synthetic in enumerate(synthetic_profiles(count, seed=seed), start=1):
            pick = rng.random()  # drawn for every profile, so number n is always the same
            identifier = external_id(number)
            if identifier in existing:
                continue
            in_french = "fr" in synthetic.languages and "en" not in synthetic.languages
            pool = (french if in_french and french else None) or by_kind.get(
                synthetic.institution_kind
            )
            pool = pool or institutions
            batch.append(
                ExpertiseProfile(
                    external_id=identifier,
                    institution=pool[int(pick * len(pool))],
                    kind=synthetic.kind,
                    name=synthetic.name[:200],
                    title=synthetic.title[:300],
                    summary=synthetic.summary[:4000],
                    text_language="fr" if in_french else "en",
                    keywords=list(synthetic.keywords),
                    capability_areas=list(synthetic.capability_areas),
                    sectors=list(synthetic.sectors),
                    trl_min=synthetic.trl_min,
                    trl_max=synthetic.trl_max,
                    rd_stages=list(synthetic.rd_stages),
                    innovation_types=list(synthetic.innovation_types),
                    equipment=list(synthetic.equipment),
                    accepts_students=synthetic.accepts_students,
                    student_levels=list(synthetic.student_levels),
                    languages=list(synthetic.languages),
                    capacity=synthetic.capacity,
                    past_projects=list(synthetic.past_projects),
                    is_active=True,
                    public=True,
                )
            )
            if len(batch) >= BATCH:
                made += self._insert(batch)
                batch = []
        if batch:
            made += self._insert(batch)
        return made

    def _clear(self) -> int:
        """Remove the seeded profiles in one statement: a model delete would send a signal per
        profile (the page cache, the search index) and take minutes for 100,000. A request
        that names one (should a test have made any) keeps its row without the profile, as the
        foreign key's SET_NULL would."""
        seeded = ExpertiseProfile.objects.filter(external_id__startswith=PREFIX)
        with transaction.atomic():
            IntroductionRequest.objects.filter(profile__in=seeded).update(profile=None)
            table = connection.ops.quote_name(ExpertiseProfile._meta.db_table)
            with connection.cursor() as cursor:
                # The table is the model's own name; the prefix is a bound parameter.
                sql = f"DELETE FROM {table} WHERE external_id LIKE %s"  # noqa: S608
                cursor.execute(sql, [f"{PREFIX}%"])
                return cursor.rowcount

    def _insert(self, batch: list[ExpertiseProfile]) -> int:
        with transaction.atomic():
            ExpertiseProfile.objects.bulk_create(batch)
        return len(batch)
