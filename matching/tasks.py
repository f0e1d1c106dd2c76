"""Celery tasks of matching: thin, taking ids, safe to run twice."""

from celery import shared_task

from . import search, services


@shared_task(ignore_result=True)
def matching_index_rebuild() -> None:
    """Rebuild the stored index if profiles changed (a no-op otherwise)."""
    search.index_rebuild()


@shared_task(ignore_result=True)
def match_run_for_diagnostic(diagnostic_id: int) -> None:
    services.match_run_for_diagnostic(diagnostic_id=diagnostic_id)


@shared_task(ignore_result=True)
def requests_check_service_levels() -> None:
    """Flag, remind and escalate requests waiting for a first response (idempotent)."""
    services.requests_check_service_levels()
