"""Celery tasks of matching: thin, taking ids, safe to run twice."""

from celery import shared_task
from celery.signals import worker_process_init

from . import embedding, search, services


@worker_process_init.connect
def _load_embedding_model(**kwargs) -> None:
    """Each worker process loads the model at start (about a second), not on a challenge."""
    embedding.warm_up()


@shared_task(ignore_result=True)
def matching_index_rebuild() -> None:
    """Embed new or changed profiles' passages, then rebuild the stored index if profiles
    changed or anything was embedded (a no-op otherwise)."""
    search.index_rebuild()


@shared_task(ignore_result=True)
def match_run_for_diagnostic(diagnostic_id: int) -> None:
    services.match_run_for_diagnostic(diagnostic_id=diagnostic_id)


@shared_task(ignore_result=True)
def requests_check_service_levels() -> None:
    """Flag, remind and escalate requests waiting for a first response (idempotent)."""
    services.requests_check_service_levels()
