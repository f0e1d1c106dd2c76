from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from . import services


class OutboxEmailBackend(BaseEmailBackend):
    """Django email backend that writes each message to the outbox instead of sending it.

    Delivery happens in a Celery task after the transaction commits, so an email is never sent
    for work that was rolled back, and a slow mail server never slows a page.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            services.outbox_enqueue(message=message)
        return len(email_messages)
