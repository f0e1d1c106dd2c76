"""Signup, email verification, login, logout and password reset, as a business user meets them."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import CompanyMembership
from ocip.mail.models import OutboundEmail

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _link(message, pattern: str) -> str:
    match = re.search(rf"https?://[^\s]+{pattern}[^\s]*", message.body)
    assert match, message.body
    return match.group(0).split("testserver", 1)[-1].replace("http://127.0.0.1:8000", "")


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_business_signs_up_verifies_email_and_lands_on_business_dashboard(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "first_name": "Maya",
                "last_name": "Singh",
                "company_name": "Lakeshore Sensors",
                "email": "Maya@Lakeshore.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    membership = CompanyMembership.objects.get(user__email="maya@lakeshore.example")
    assert membership.company.name == "Lakeshore Sensors"
    assert membership.role == CompanyMembership.Role.OWNER

    # Not verified yet: logging in only re-sends the confirmation.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "maya@lakeshore.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")

    # The email went through the outbox and was delivered once.
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() >= 1
    confirmation = mail.outbox[0]
    assert confirmation.to == ["maya@lakeshore.example"]
    # The platform's name and address from settings, not the host the request came through.
    assert confirmation.subject.startswith("[OCIP] ")
    domain = urlsplit(settings.OCIP_BASE_URL).netloc
    assert confirmation.body.startswith("Hello from OCIP!")
    assert confirmation.body.endswith(f"Thank you for using OCIP!\n{domain}")
    confirm_path = _path(re.search(r"https?://\S+/confirm-email/\S+/", confirmation.body).group(0))
    response = client.get(confirm_path)
    assert response.status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302

    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "maya@lakeshore.example", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    page = response.content.decode()
    assert "Business dashboard" in page
    assert "Lakeshore Sensors" in page


def sign_up_luc_in_french(client, django_capture_on_commit_callbacks) -> None:
    """A business signs up on the French pages (the confirmation email is sent)."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/fr/accounts/signup/",
            {
                "first_name": "Luc",
                "last_name": "Bélanger",
                "company_name": "Érablière Bélanger",
                "email": "luc@erabliere.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )


def test_signup_in_french_gives_a_french_account(client, django_capture_on_commit_callbacks):
    sign_up_luc_in_french(client, django_capture_on_commit_callbacks)
    membership = CompanyMembership.objects.get(user__email="luc@erabliere.example")
    assert membership.user.language == "fr"
    assert membership.company.preferred_language == "fr"
    assert "Confirmez votre adresse" in mail.outbox[0].subject
    assert "/fr/accounts/confirm-email/" in mail.outbox[0].body


def test_signup_form_shows_errors_in_a_summary(client):
    response = client.post(
        reverse("account_signup"),
        {"first_name": "", "last_name": "X", "email": "not-an-email", "password1": "a"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert 'href="#id_first_name"' in page
    assert 'href="#id_company_name"' in page


def test_wrong_password_is_refused_and_rate_limited(client):
    user = UserFactory(email="someone@example.com")
    for _attempt in range(5):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "wrong password"}
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    # allauth's limit of 5 failures per 5 minutes per account, kept in the shared cache.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client):
    user = UserFactory(email="someone@example.com")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="forgetful@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    reset_url = _path(
        re.search(r"https?://\S+/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    )
    response = client.get(reset_url)
    assert response.status_code == 302  # allauth moves the key into the session
    form_url = response["Location"]
    response = client.post(
        form_url, {"password1": "a brand new passphrase", "password2": "a brand new passphrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")


def test_profile_edit(client):
    user = UserFactory(email="someone@example.com")
    client.force_login(user)
    response = client.post(
        reverse("profile"), {"first_name": "Ada", "last_name": "Lovelace", "language": "fr"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.language) == ("Ada", "fr")
    response = client.post(
        reverse("profile"), {"first_name": "Ada", "last_name": "L", "language": "xx"}
    )
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()


def test_staff_without_two_factors_get_a_json_403_from_the_api(client, db):
    """The two-factor rule stops them before any view; the API still answers in JSON."""
    from matching.models import InstitutionMembership
    from tests.factories import InstitutionMembershipFactory

    user = InstitutionMembershipFactory(role=InstitutionMembership.Role.OFFICE_STAFF).user
    client.force_login(user)
    response = client.get("/api/v1/requests/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "two-factor" in response.json()["detail"]
    page = client.get("/dashboard/")
    assert page.status_code == 302  # pages send them to set it up instead


# --- "Check your email": send it again, or write to us ----------------------------------------


def _sign_up(client, prefix: str = "", email: str = "maya@lakeshore.example"):
    return client.post(
        f"{prefix}/accounts/signup/",
        {
            "first_name": "Maya",
            "last_name": "Singh",
            "company_name": "Lakeshore Sensors",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def _confirmations_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address] and "/confirm-email/" in m.body]


@pytest.fixture
def later():
    """Moves the clock past allauth's "confirm_email" rate limit (one email every 3 minutes)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield lambda: traveller.shift(timedelta(minutes=3, seconds=1))


@pytest.mark.parametrize(
    ("prefix", "resend_label", "contact"),
    [("", "Send the email again", "Write to us at"), ("/fr", "Renvoyer le courriel", "Écrivez")],
)
def test_check_your_email_page_offers_a_resend_button_and_a_contact_link(
    client, prefix, resend_label, contact
):
    """The French labels need the project's French catalogue (the merged translations)."""
    _sign_up(client, prefix)
    page = client.get(f"{prefix}/accounts/confirm-email/").content.decode()
    assert f'action="{prefix}/accounts/confirm-email/resend/"' in page
    assert resend_label in page
    assert f'href="mailto:{settings.OCIP_CONTACT_EMAIL}"' in page
    assert contact in page


def test_resend_is_rate_limited_and_says_so_then_sends_again(
    client, django_capture_on_commit_callbacks, later
):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client)
    assert len(_confirmations_to("maya@lakeshore.example")) == 1

    # allauth's "confirm_email" limit (one email per address every 3 minutes): said, not sent.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email_verification_resend"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    page = response.content.decode()
    assert "We already sent you a confirmation email less than 3 minutes ago" in page
    assert len(_confirmations_to("maya@lakeshore.example")) == 1

    later()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email_verification_resend"), follow=True)
    assert "Confirmation email sent to maya@lakeshore.example" in response.content.decode()
    resent = _confirmations_to("maya@lakeshore.example")
    assert len(resent) == 2
    # The new link confirms the address.
    confirm_path = _path(re.search(r"https?://\S+/confirm-email/\S+/", resent[-1].body).group(0))
    assert client.post(confirm_path).status_code == 302
    assert EmailAddress.objects.get(email="maya@lakeshore.example").verified


def test_resend_in_french_sends_a_french_email(client, django_capture_on_commit_callbacks, later):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "/fr", email="luc@erabliere.example")
    later()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/fr/accounts/confirm-email/resend/")
    assert response["Location"] == "/fr/accounts/confirm-email/"
    resent = _confirmations_to("luc@erabliere.example")
    assert len(resent) == 2
    assert "/fr/accounts/confirm-email/" in resent[-1].body


def test_resend_without_a_pending_signup_asks_to_log_in(client):
    response = client.post(reverse("account_email_verification_resend"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_login")
    assert "Log in with your email address and password" in response.content.decode()
    assert client.get(reverse("account_email_verification_resend")).status_code == 405


def test_resend_after_signing_up_with_a_taken_address_answers_alike(
    client, django_capture_on_commit_callbacks, later
):
    """Nobody learns that an address has an account: its owner is told instead, as at signup."""
    UserFactory(email="taken@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, email="taken@example.com")
    later()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_email_verification_resend"), follow=True)
    assert "Confirmation email sent to taken@example.com" in response.content.decode()
    to_owner = [m for m in mail.outbox if m.to == ["taken@example.com"]]
    assert len(to_owner) == 2
    assert not _confirmations_to("taken@example.com")


# --- The platform's name in the reader's language ---------------------------------------------


def test_account_emails_name_the_platform_in_french_pcio(
    client, django_capture_on_commit_callbacks
):
    """Needs the project's French catalogue with {"OCIP": "PCIO"} (the merged translations)."""
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(client, "/fr", email="luc@erabliere.example")
    (confirmation,) = _confirmations_to("luc@erabliere.example")
    assert confirmation.subject.startswith("[PCIO] ")
    assert "PCIO" in confirmation.body
    assert "OCIP" not in confirmation.body
    assert "e-mail" not in confirmation.body.lower()
    assert "courriel" in confirmation.subject.lower()
