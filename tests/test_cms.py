"""The Wagtail home page in English and French, and the language switcher."""

import re

import pytest
from django.urls import reverse

from cms.models import HomePage

pytestmark = pytest.mark.django_db


def _switch_link(page: str, code: str) -> str:
    return re.search(rf'<a href="([^"]+)" lang="{code}" hreflang="{code}"', page).group(1)


def test_home_page_in_english_switches_to_its_french_translation(client):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    assert "Ontario&#x27;s front door to applied research" in page
    assert page.count("<h1") == 1
    assert 'class="skip-link" href="#main"' in page
    assert '<main id="main"' in page

    french = client.get(_switch_link(page, "fr"))
    french_page = french.content.decode()
    assert french.status_code == 200
    assert '<html lang="fr">' in french_page
    assert "La porte d&#x27;entrée de la recherche appliquée en Ontario" in french_page
    assert "Passer au contenu principal" in french_page
    assert _switch_link(french_page, "en") == "/"


def test_home_pages_are_translations_of_each_other():
    english = HomePage.objects.get(locale__language_code="en")
    french = HomePage.objects.get(locale__language_code="fr")
    assert english.translation_key == french.translation_key
    assert english.get_url() == "/"
    assert french.get_url() == "/fr/"


def test_switcher_on_app_pages_keeps_the_page(client):
    page = client.get(reverse("account_login")).content.decode()
    assert _switch_link(page, "fr") == "/fr/accounts/login/"
    french = client.get("/fr/accounts/login/").content.decode()
    assert '<html lang="fr">' in french
    assert _switch_link(french, "en") == "/accounts/login/"


def test_unknown_page_is_a_404_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_app_pages_are_translated(client, business_owner):
    client.force_login(business_owner)
    page = client.get("/fr/dashboard/").content.decode()
    assert '<html lang="fr">' in page
    assert "Tableau de bord" in page
    assert "Inviter une ou un collègue" in page
    invite = client.post(
        f"/fr/companies/{business_owner.company_memberships.get().company.slug}/invite/",
        {"email": "", "language": "fr"},
    ).content.decode()
    assert "Il y a un problème" in invite
    assert "Ce champ est obligatoire" in invite


def test_a_page_not_translated_yet_switches_to_its_sections_translation(client):
    from cms.models import StandardPage

    english_home = HomePage.objects.get(locale__language_code="en")
    english_home.add_child(
        instance=StandardPage(title="Only in English", slug="only-english", intro="Soon.")
    )
    page = client.get("/only-english/").content.decode()
    assert _switch_link(page, "fr") == "/fr/"
