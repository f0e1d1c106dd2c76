"""Recording notifications and emailing each one once."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Notification


def notify(
    *,
    users: Iterable,
    key: str,
    message: str,
    params: dict | None = None,
    url_name: str = "",
    url_kwargs: dict | None = None,
    email: bool = True,
) -> list[Notification]:
    """Notify each of `users` (once per `key`) and email them after the transaction commits.

    `message` is an English message id marked with gettext_noop, with %(name)s parameters.
    """
    created = []
    for user in {user.pk: user for user in users if user is not None and user.is_active}.values():
        notification, is_new = Notification.objects.get_or_create(
            user=user,
            key=key,
            defaults={
                "message": message,
                "params": params or {},
                "url_name": url_name,
                "url_kwargs": url_kwargs or {},
            },
        )
        if is_new:
            created.append(notification)
    if email:
        from .tasks import notification_email

        for notification in created:
            transaction.on_commit(
                partial(notification_email.delay, notification_id=notification.pk)
            )
    return created


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification in its reader's language. False when it was already emailed.

    The claim (a conditional update) and the outbox row commit together: a task run twice
    sends one email, and a failure leaves the notification to be emailed again.
    """
    with transaction.atomic():
        claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if claimed != 1:
            return False
        notification = Notification.objects.select_related("user").get(pk=notification_id)
        user = notification.user
        with translation.override(user.language):
            path = notification.path
            context = {
                "user": user,
                "text": notification.text,
                "url": settings.OCIP_BASE_URL.rstrip("/") + path if path else "",
                "settings_url": settings.OCIP_BASE_URL.rstrip("/") + reverse("profile"),
            }
            subject = render_to_string("email/notification_subject.txt", context).strip()
            body = render_to_string("email/notification_body.txt", context)
        send_mail(subject, body, None, [user.email])
    return True


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s notifications read (all of them when `ids` is None)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
