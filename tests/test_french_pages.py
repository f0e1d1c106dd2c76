"""French all the way on the account pages: « courriel », never « e-mail » (allauth's own French
says « e-mail »: our catalogue, first in LOCALE_PATHS, overrides its messages), the platform's
French name (PCIO), and a non-breaking space before « : », « ; », « ? » and « ! ».

These read the project's French catalogue (locale/fr), so they need its merged translations."""

import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from .factories import UserFactory
from .test_accounts import sign_up_luc_in_french

pytestmark = pytest.mark.django_db

SPACE_BEFORE_SIGN = re.compile(r"(?<=[^\s\u00a0\u202f])[:;?!](?=\s|$)|(?<= )[:;?!]")


def visible_text(html: str) -> str:
    """The page's words as a reader meets them: no tags, scripts, styles or attributes."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def main_text(html: str) -> str:
    """The words of the page's main part (the header and footer are other engineers' work)."""
    main = re.search(r"(?s)<main\b.*?</main>", html)
    return visible_text(main.group(0) if main else html)


def french_url(name: str) -> str:
    with translation.override("fr"):
        return reverse(name)


def french_page(client, name: str) -> str:
    response = client.get(french_url(name), HTTP_HOST="localhost")
    assert response.status_code == 200, name
    html = response.content.decode()
    assert '<html lang="fr">' in html
    return html


ACCOUNT_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_pages_in_french_say_courriel_never_e_mail(client, name):
    text = visible_text(french_page(client, name))
    assert "courriel" in text.lower(), name
    assert not re.search(r"(?i)\be-?mail\b", text), re.findall(r".{30}\be-?mail\b.{30}", text)


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_pages_in_french_space_their_signs(client, name):
    text = main_text(french_page(client, name))
    assert not SPACE_BEFORE_SIGN.search(text), SPACE_BEFORE_SIGN.findall(text)


def test_the_login_page_asks_the_french_way(client):
    text = visible_text(french_page(client, "account_login"))
    assert "Mot de passe oublié\u00a0?" in text
    assert "PCIO" in text  # the brand's French form, in the title and the header
    assert "OCIP" not in text


def test_the_check_your_email_page_in_french(client, django_capture_on_commit_callbacks):
    sign_up_luc_in_french(client, django_capture_on_commit_callbacks)
    text = visible_text(french_page(client, "account_email_verification_sent"))
    assert "Confirmez votre adresse courriel" in text
    assert "Renvoyer le courriel" in text
    assert not re.search(r"(?i)\be-?mail\b", text)
    # The email itself, in French too.
    (email,) = mail.outbox
    assert email.subject == "[PCIO] Confirmez votre adresse courriel"
    assert email.body.startswith("Bonjour de la part de l'équipe PCIO\u00a0!")
    assert not re.search(r"(?i)\be-?mail\b", re.sub(r"https?://\S+", "", email.body))


def test_a_wrong_password_is_refused_in_french_with_courriel(client):
    UserFactory(email="someone@example.com")
    response = client.post(
        french_url("account_login"),
        {"login": "someone@example.com", "password": "not the password"},
        HTTP_HOST="localhost",
    )
    text = visible_text(response.content.decode())
    assert "L'adresse courriel ou le mot de passe est incorrect." in text
