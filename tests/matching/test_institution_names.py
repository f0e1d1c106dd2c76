"""Institutions' names in both languages."""

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
