from smtplib import SMTPException

from celery import shared_task

from . import services

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def outbox_send(self, email_id: int) -> bool:
    try:
        return services.outbox_deliver(email_id=email_id)
    except (SMTPException, OSError) as error:
        if self.request.retries >= MAX_RETRIES:
            services.outbox_mark_failed(email_id=email_id, error=repr(error))
            return False
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error


@shared_task
def outbox_requeue_pending() -> int:
    ids = services.outbox_pending_ids()
    for email_id in ids:
        outbox_send.delay(email_id=email_id)
    return len(ids)
