from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def notification_email(notification_id: int) -> None:
    services.notification_email_send(notification_id=notification_id)
