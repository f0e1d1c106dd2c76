"""Shared fixtures, and the switches for tests that need a service this machine may lack."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import caches
from django.utils import translation

from matching.models import InstitutionMembership
from ocip.accounts.mfa import current_totp_code, totp_secret_of

from .factories import (
    CompanyMembershipFactory,
    InstitutionMembershipFactory,
    UserFactory,
    enrol_totp,
)

INTEROP = Path(__file__).parent / "credentials" / "interop"  # the credential verifiers in node
# marker -> (is it available here?, how to switch it on)
SERVICES = {
    "postgres": (
        os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/ocip",
    ),
    "integration": (
        os.environ.get("OCIP_INTEGRATION") == "1"
        and os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
        and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        "set OCIP_INTEGRATION=1, CELERY_BROKER_URL=redis://127.0.0.1:6379/0 and a PostgreSQL "
        "DATABASE_URL",
    ),
    "e2e": (
        os.environ.get("OCIP_E2E") == "1"
        and bool(shutil.which("chromium"))
        and bool(shutil.which("chromedriver")),
        "install chromium and chromium-driver (Debian) and set OCIP_E2E=1",
    ),
    "node": (
        bool(shutil.which("node")) and (INTEROP / "node_modules/@digitalcredentials/vc").is_dir(),
        "install node 20 and run `npm ci --prefix tests/credentials/interop`",
    ),
}
_skipped: dict[str, int] = {}


def pytest_collection_modifyitems(config, items):
    # CI has every service: there, a test skipped for lack of one is a failure, not a skip.
    require_all = os.environ.get("OCIP_REQUIRE_ALL_SERVICES") == "1"
    missing = [marker for marker, (available, _how) in SERVICES.items() if not available]
    if require_all and missing:
        raise pytest.UsageError(f"OCIP_REQUIRE_ALL_SERVICES=1 but missing: {', '.join(missing)}")
    for item in items:
        for marker, (available, how) in SERVICES.items():
            if item.get_closest_marker(marker) and not available:
                item.add_marker(pytest.mark.skip(reason=f"needs {marker}: {how}"))
                _skipped[marker] = _skipped.get(marker, 0) + 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _skipped:
        return
    terminalreporter.section("tests left out for lack of a service")
    for marker, count in sorted(_skipped.items()):
        terminalreporter.write_line(f"{count:4d} {marker:12s} to run them: {SERVICES[marker][1]}")
    terminalreporter.write_line("`.ci/run` sets all of these up and runs every test.")


@pytest.fixture(autouse=True)
def _outbox_email_backend(settings):
    # Django's test set-up swaps EMAIL_BACKEND for locmem; put the outbox back so every email
    # takes its real path (outbox row -> task -> delivery backend, which is locmem in tests).
    settings.EMAIL_BACKEND = "ocip.mail.backends.OutboxEmailBackend"


@pytest.fixture(autouse=True)
def _english_by_default():
    # A French request leaves French active in this thread; each test starts in English.
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits and TOTP replay protection live in the cache, public pages in theirs; tests
    # must not share them.
    for alias in caches:
        caches[alias].clear()
    yield
    for alias in caches:
        caches[alias].clear()


def totp_code(user) -> str:
    return current_totp_code(totp_secret_of(user))


@pytest.fixture
def business_owner(db):
    return CompanyMembershipFactory(user__email="owner@acme.example", company__name="Acme").user


@pytest.fixture
def company(business_owner):
    return business_owner.company_memberships.get().company


@pytest.fixture
def office_staff(db):
    membership = InstitutionMembershipFactory(
        user__email="office@college.example",
        institution__slug="college",
        institution__name="College",
        role=InstitutionMembership.Role.OFFICE_STAFF,
    )
    enrol_totp(membership.user)
    return membership.user


@pytest.fixture
def institution(office_staff):
    return office_staff.institution_memberships.get().institution


@pytest.fixture
def platform_staff(db):
    user = UserFactory(email="staff@ocip.example", is_staff=True, is_superuser=True)
    enrol_totp(user)
    return user
