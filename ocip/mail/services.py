from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboundEmail

# A claimed row not marked sent after this long is assumed lost with its worker.
STALE_CLAIM = timedelta(minutes=15)


def outbox_enqueue(*, message: EmailMessage) -> OutboundEmail:
    if message.attachments:
        raise ValueError("The outbox does not store attachments.")
    html_body = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html_body = content
    email = OutboundEmail.objects.create(
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        headers=dict(message.extra_headers),
        subject=str(message.subject),
        body=str(message.body),
        html_body=html_body,
    )
    from .tasks import outbox_send

    transaction.on_commit(partial(outbox_send.delay, email_id=email.pk))
    return email


def _delivery_connection():
    config = dict(settings.OCIP_DELIVERY_EMAIL)
    backend = config.pop("EMAIL_BACKEND")
    names = {
        "EMAIL_HOST": "host",
        "EMAIL_PORT": "port",
        "EMAIL_HOST_USER": "username",
        "EMAIL_HOST_PASSWORD": "password",
        "EMAIL_USE_TLS": "use_tls",
        "EMAIL_USE_SSL": "use_ssl",
        "EMAIL_TIMEOUT": "timeout",
    }
    options = {names[key]: value for key, value in config.items() if key in names}
    options.setdefault("timeout", 30)
    return get_connection(backend=backend, **options)


def outbox_deliver(*, email_id: int) -> bool:
    """Send one outbox email. Returns False when it was already sent or is being sent.

    The claim is a conditional update, so two runs of the task for one row send it once.
    """
    claimed = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.PENDING).update(
        status=OutboundEmail.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    if claimed != 1:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=email.headers,
        connection=_delivery_connection(),
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    try:
        message.send()
    except Exception as error:
        OutboundEmail.objects.filter(pk=email_id).update(
            status=OutboundEmail.Status.PENDING, last_error=repr(error)[:2000]
        )
        raise
    OutboundEmail.objects.filter(pk=email_id).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def outbox_mark_failed(*, email_id: int, error: str) -> None:
    OutboundEmail.objects.filter(pk=email_id).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.FAILED, last_error=error[:2000]
    )


def outbox_pending_ids() -> list[int]:
    """Ids of emails to (re)enqueue: pending ones, and claims whose worker was lost."""
    now = timezone.now()
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=OutboundEmail.Status.PENDING)
    return list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, created_at__lt=now - timedelta(minutes=2)
        ).values_list("pk", flat=True)[:500]
    )
