from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


def _start_match_run(sender, diagnostic_id: int, **kwargs) -> None:
    from .tasks import match_run_for_diagnostic

    match_run_for_diagnostic.delay(diagnostic_id)


def check_embedder(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from .embedding import EMBEDDERS

    if settings.MATCHING_EMBEDDER and settings.MATCHING_EMBEDDER not in EMBEDDERS:
        return [
            checks.Error(
                f"MATCHING_EMBEDDER is {settings.MATCHING_EMBEDDER!r}.",
                hint=f"Use one of {', '.join(sorted(EMBEDDERS))}, or leave it empty for none.",
                id="matching.E001",
            )
        ]
    return []


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Institutions and matching")

    def ready(self) -> None:
        from diagnostics.signals import diagnostic_submitted

        diagnostic_submitted.connect(_start_match_run, dispatch_uid="matching-start-run")
        checks.register(check_embedder)
