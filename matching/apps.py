from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _start_match_run(sender, diagnostic_id: int, **kwargs) -> None:
    from .tasks import match_run_for_diagnostic

    match_run_for_diagnostic.delay(diagnostic_id)


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Institutions and matching")

    def ready(self) -> None:
        from diagnostics.signals import diagnostic_submitted

        diagnostic_submitted.connect(_start_match_run, dispatch_uid="matching-start-run")
