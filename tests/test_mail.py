"""Every email is an outbox row delivered by a task; running the task twice sends once."""

import pytest
from django.core import mail
from django.core.mail import send_mail

from ocip.mail import services
from ocip.mail.models import OutboundEmail
from ocip.mail.tasks import outbox_send

pytestmark = pytest.mark.django_db


def test_send_mail_writes_an_outbox_row_and_delivers_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_mail("Hello", "Body", None, ["a@example.com"])
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.PENDING
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Hello"]


def test_task_run_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_mail("Once", "Body", None, ["a@example.com"])
    email = OutboundEmail.objects.get()
    assert outbox_send.apply(kwargs={"email_id": email.pk}).get() is False
    assert len(mail.outbox) == 1


def test_failed_delivery_goes_back_to_pending_and_is_retried(settings, monkeypatch):
    send_mail("Retry me", "Body", None, ["a@example.com"])
    email = OutboundEmail.objects.get()

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(OSError):
        services.outbox_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.PENDING
    assert "mail server down" in email.last_error
    monkeypatch.undo()
    assert services.outbox_deliver(email_id=email.pk) is True
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 2)
