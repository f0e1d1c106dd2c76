"""Celery tasks of projects: thin, taking ids, safe to run twice."""

from celery import shared_task
from django.contrib.auth import get_user_model

from . import services


@shared_task(ignore_result=True)
def pathways_complete_for(student_id: int) -> None:
    """Record the pathways the student has completed and issue their stacked credentials."""
    student = get_user_model().objects.filter(pk=student_id, is_active=True).first()
    if student is not None:
        services.pathways_complete_for(student=student)
