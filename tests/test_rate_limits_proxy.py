"""Login rate limits behind a reverse proxy: one counter per client, not one for everybody.

Every request reaches the app from the proxy's address (REMOTE_ADDR); the proxy appends the
address it saw to X-Forwarded-For. ALLAUTH_TRUSTED_PROXY_COUNT (OCIP_TRUSTED_PROXY_COUNT in the
environment) says how many entries from the right are ours to trust.
"""

from __future__ import annotations

from itertools import count

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .production import run_under_production

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ALICE = "198.51.100.1"
BOB = "198.51.100.2"
_emails = count()


def failed_logins_allowed_per_address() -> int:
    """The per-address part of ACCOUNT_RATE_LIMITS["login_failed"] ("10/m/ip,5/5m/key")."""
    (rate,) = [r for r in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",") if "/ip" in r]
    return int(rate.split("/")[0])


def through_the_proxy(client_address: str, *, sent: str = "") -> Client:
    """A client behind the proxy: the proxy appends the address it saw to what the client sent."""
    forwarded = f"{sent}, {client_address}" if sent else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def fail_login(client: Client) -> bool:
    """One failed login (a new email each time, so only the per-address limit counts).
    True if the rate limit refused it."""
    email = f"nobody{next(_emails)}@example.com"
    response = client.post(reverse("account_login"), {"login": email, "password": "wrong"})
    if response.status_code == 429:
        return True
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    too_many = str(get_adapter().error_messages["too_many_login_attempts"])
    return too_many in errors


def exhaust(client: Client) -> None:
    for _ in range(failed_logins_allowed_per_address()):
        assert not fail_login(client)
    assert fail_login(client)


def test_two_clients_behind_one_proxy_have_their_own_counters(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    exhaust(through_the_proxy(ALICE))
    assert not fail_login(through_the_proxy(BOB))
    assert fail_login(through_the_proxy(ALICE))


def test_a_forged_x_forwarded_for_stays_in_its_own_counter(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    exhaust(through_the_proxy(ALICE))
    # Alice makes up addresses in front of hers: the proxy's entry, the right-most, still counts.
    for forged in ["1.2.3.4", "203.0.113.9, 8.8.8.8", BOB, "not an address", "::1"]:
        assert fail_login(through_the_proxy(ALICE, sent=forged)), forged


def test_a_forged_x_forwarded_for_cannot_spend_someone_elses_counter(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    mallory = through_the_proxy("192.0.2.66", sent=BOB)
    for _ in range(failed_logins_allowed_per_address() + 3):
        fail_login(mallory)
    assert not fail_login(through_the_proxy(BOB))


def test_without_trusting_the_proxy_everyone_behind_it_shares_its_counter(settings):
    # The old behaviour (and the right one with no proxy in front): the TCP peer is the client.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    exhaust(through_the_proxy(ALICE))
    assert fail_login(through_the_proxy(BOB))


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0  # the base settings' default: no proxy in front
    alice = Client(REMOTE_ADDR=ALICE)
    exhaust(alice)
    assert fail_login(Client(REMOTE_ADDR=ALICE, HTTP_X_FORWARDED_FOR=BOB))
    assert not fail_login(Client(REMOTE_ADDR=BOB))


def production_trusted_proxy_count(**environment: str) -> int:
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    return int(run_under_production(code, **environment))


@pytest.mark.django_db(databases=[])
def test_production_trusts_one_proxy_unless_told_otherwise():
    assert production_trusted_proxy_count() == 1
    assert production_trusted_proxy_count(OCIP_TRUSTED_PROXY_COUNT="2") == 2
    assert production_trusted_proxy_count(OCIP_TRUSTED_PROXY_COUNT="0") == 0
