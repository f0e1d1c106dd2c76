"""Find (and with --fix, clean) stored text that the text boundary would refuse today.

Rows written before the boundary existed may hold a lone surrogate (SQLite stores one inside a
JSON value; no page can then be encoded) or a NUL character. This lists each one by model, row
and field, and --fix rewrites it: lone surrogates become U+FFFD, NUL characters are removed.
Exits 1 when it found rows and did not fix them, so it can guard a deployment.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from ocip import text

APPS = ("accounts", "mail", "notifications", "diagnostics", "matching", "projects", "cms")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _holds_forbidden(value) -> bool:
    return value is not None and text.scrubbed(value) != value


def stored_text_problems():
    """(model, pk, field name, value) for every stored value with a NUL or a lone surrogate."""
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            names = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, TEXT_FIELDS) and not field.primary_key
            ]
            if not names:
                continue
            rows = model._base_manager.values_list("pk", *names).iterator(chunk_size=2000)
            for pk, *values in rows:
                for name, value in zip(names, values, strict=True):
                    if _holds_forbidden(value):
                        yield model, pk, name, value


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Rewrite the rows found.")

    def handle(self, *args, fix: bool = False, **options):
        found = list(stored_text_problems())
        for model, pk, name, _value in found:
            self.stdout.write(f"{model._meta.label} #{pk} {name}")
        if not found:
            self.stdout.write("No stored text holds a NUL character or a lone surrogate.")
            return
        if not fix:
            raise CommandError(
                f"{len(found)} stored values hold a NUL character or a lone surrogate: "
                "run again with --fix to clean them."
            )
        with transaction.atomic():
            for model, pk, name, value in found:
                model._base_manager.filter(pk=pk).update(**{name: text.scrubbed(value)})
        self.stdout.write(f"Cleaned {len(found)} stored values.")
