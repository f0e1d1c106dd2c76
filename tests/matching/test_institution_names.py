"""Institutions' names in both languages, and the shipped data's vocabularies in forms."""

import pytest

from matching.models import Institution
from matching.services import institutions_load_catalogue

pytestmark = pytest.mark.django_db


def test_bilingual_institutions_get_their_french_name_and_offices_keep_theirs():
    institutions_load_catalogue()
    ottawa = Institution.objects.get(slug="uottawa")
    assert ottawa.name_in("fr") == "Université d'Ottawa"
    assert ottawa.name_in("en") == "University of Ottawa"
    Institution.objects.filter(slug="algonquin").update(name_fr="Collège Algonquin")
    institutions_load_catalogue()
    assert Institution.objects.get(slug="algonquin").name_in("fr") == "Collège Algonquin"
    assert Institution.objects.get(slug="carleton").name_in("fr") == "Carleton University"


def test_the_profile_form_offers_every_student_level_of_the_shipped_data():
    from matching.catalogue import read_expertise
    from matching.forms import ExpertiseProfileForm

    shipped = {level for row in read_expertise() for level in row["student_levels"]}
    offered = {value for value, _label in ExpertiseProfileForm().fields["student_levels"].choices}
    assert shipped <= offered


def test_an_institution_name_carries_its_language_on_a_page_in_the_other_one(client):
    institutions_load_catalogue()
    la_cite = Institution.objects.get(slug="la-cite")
    algonquin = Institution.objects.get(slug="algonquin")
    assert (la_cite.name_language("en"), la_cite.name_language("fr")) == ("fr", "fr")
    assert (algonquin.name_language("en"), algonquin.name_language("fr")) == ("en", "en")
    ottawa = Institution.objects.get(slug="uottawa")
    assert (ottawa.name_language("en"), ottawa.name_language("fr")) == ("en", "fr")

    english = client.get("/institutions/la-cite/").content.decode()
    assert '<h1 lang="fr">La Cité</h1>' in english
    french = client.get("/fr/institutions/algonquin/").content.decode()
    assert '<h1 lang="en">Algonquin College</h1>' in french
    assert (
        "<h1>Université d&#x27;Ottawa</h1>"
        in client.get("/fr/institutions/uottawa/").content.decode()
    )
