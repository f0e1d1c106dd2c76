"""Real PostgreSQL, Redis broker and a Celery worker: an invitation email travels the whole way.

A research-office member invites people; the email is an outbox row, its task goes through
Redis to a worker, which delivers it; the invitee accepts, enrols TOTP where the role requires
it, and reaches their dashboard.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from matching.models import InstitutionMembership
from ocip.accounts.mfa import current_totp_code
from ocip.celery import app
from ocip.mail.models import OutboundEmail

from ..conftest import totp_code
from ..factories import PASSWORD, InstitutionMembershipFactory, enrol_totp

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    app.conf.update(task_always_eager=False, broker_url=os.environ["CELERY_BROKER_URL"])
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(task_always_eager=True)


def _wait_for_email(to: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if to in message.to:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email to {to} within {timeout}s")


def _log_in_with_totp(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert response.status_code == 302


def _invite_and_open(client, office, email: str, role: str):
    institution = office.institution_memberships.get().institution
    _log_in_with_totp(client, office)
    response = client.post(
        reverse("institution_invite", args=[institution.slug]),
        {"email": email, "role": role, "language": "en"},
    )
    assert response.status_code == 302
    message = _wait_for_email(email)
    assert OutboundEmail.objects.get(to=[email]).status == OutboundEmail.Status.SENT
    return re.search(r"https?://[^/\s]+(/\S*invitations/\S+/)", message.body).group(1)


def _sign_up_and_accept(client, path: str, email: str):
    client.get(path)
    response = client.post(
        f"{reverse('account_signup')}?next={path}",
        {
            "first_name": "New",
            "last_name": "Person",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response["Location"] == path
    response = client.post(path)
    assert response["Location"] == reverse("dashboard")


@pytest.fixture
def office():
    membership = InstitutionMembershipFactory(
        institution__slug="algonquin", institution__name="Algonquin College", role="office_staff"
    )
    enrol_totp(membership.user)
    return membership.user


def test_researcher_invitation_goes_through_the_worker(client, office, worker):
    path = _invite_and_open(client, office, "researcher@algonquin.example", "researcher")
    client.logout()
    _sign_up_and_accept(client, path, "researcher@algonquin.example")
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Algonquin College" in dashboard.content.decode()
    assert InstitutionMembership.objects.get(user__email="researcher@algonquin.example").role == (
        "researcher"
    )


def test_office_staff_invitee_enrols_totp_then_reaches_the_dashboard(client, office, worker):
    path = _invite_and_open(client, office, "second.office@algonquin.example", "office_staff")
    client.logout()
    _sign_up_and_accept(client, path, "second.office@algonquin.example")
    response = client.get(reverse("dashboard"))
    assert response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    client.post(response["Location"], {"password": PASSWORD})  # allauth asks again first
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = current_totp_code(secret)
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Research-office staff" in dashboard.content.decode()
