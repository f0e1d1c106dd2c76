"""Celery tasks of projects: thin, taking ids, safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model

from . import services
from .models import Pathway


@shared_task(ignore_result=True)
def pathways_complete_for(student_id: int) -> None:
    """Record the pathways the student has completed and issue their stacked credentials."""
    student = get_user_model().objects.filter(pk=student_id, is_active=True).first()
    if student is not None:
        services.pathways_complete_for(student=student)


@shared_task(ignore_result=True)
def pathway_complete_for_holders(pathway_id: int) -> None:
    """After a pathway is published: the learners who already hold enough of it complete it."""
    pathway = Pathway.objects.filter(pk=pathway_id, state=Pathway.State.PUBLISHED).first()
    if pathway is not None:
        services.pathways_complete_all(pathway=pathway)


@shared_task(ignore_result=True)
def pathways_complete_all() -> None:
    """The daily sweep: completions that a failed check after an issue left undone."""
    services.pathways_complete_all()
