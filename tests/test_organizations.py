"""Editing company and institution profiles, as their members and as platform staff."""

import pytest
from django.urls import reverse

from .factories import CompanyMembershipFactory, InstitutionMembershipFactory

pytestmark = pytest.mark.django_db


def test_business_member_edits_the_company_profile(client, business_owner, company):
    colleague = CompanyMembershipFactory(company=company, role="member").user
    client.force_login(colleague)
    response = client.post(
        reverse("company_edit", args=[company.slug]),
        {
            "name": "Acme Sensors",
            "website": "https://acme.example",
            "city": "Kingston",
            "description": "Sensors for cold storage.",
            "preferred_language": "fr",
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.name, company.city, company.preferred_language) == (
        "Acme Sensors",
        "Kingston",
        "fr",
    )


def test_company_edit_rejects_bad_input_with_messages(client, business_owner, company):
    client.force_login(business_owner)
    response = client.post(
        reverse("company_edit", args=[company.slug]),
        {"name": "", "website": "not a url", "preferred_language": "de", "description": "x" * 2001},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_name"' in page
    assert 'href="#id_website"' in page
    assert 'href="#id_preferred_language"' in page
    assert 'href="#id_description"' in page
    company.refresh_from_db()
    assert company.name == "Acme"


def test_office_staff_edit_their_institution_profile(client, office_staff, institution):
    client.force_login(office_staff)
    response = client.post(
        reverse("institution_edit", args=[institution.slug]),
        {
            "website": "https://college.example",
            "research_office_email": "research@college.example",
            "languages": ["en", "fr"],
            "description": "Applied research in food processing.",
        },
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.languages == ["en", "fr"]
    assert institution.research_office_email == "research@college.example"


def test_platform_staff_edit_any_company_and_institution(
    client, platform_staff, company, institution
):
    client.force_login(platform_staff)
    response = client.post(
        reverse("company_edit", args=[company.slug]),
        {"name": "Acme (verified)", "preferred_language": "en"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("institution_edit", args=[institution.slug]),
        {"languages": ["fr"], "description": "Edited by staff."},
    )
    assert response.status_code == 302
    company.refresh_from_db()
    institution.refresh_from_db()
    assert company.name == "Acme (verified)"
    assert institution.languages == ["fr"]


def test_researchers_and_students_see_their_institution_but_cannot_edit(client, institution):
    for role in ("researcher", "student"):
        member = InstitutionMembershipFactory(institution=institution, role=role).user
        client.force_login(member)
        page = client.get(reverse("institution_detail", args=[institution.slug]))
        assert page.status_code == 200
        assert institution.name in page.content.decode()
        assert "Edit the institution profile" not in page.content.decode()
        assert (
            client.post(reverse("institution_edit", args=[institution.slug]), {}).status_code == 403
        )


def test_platform_staff_list_of_companies_is_paginated(client, platform_staff, settings):
    settings.OCIP_PAGE_SIZE = 2
    for _ in range(5):
        CompanyMembershipFactory()
    client.force_login(platform_staff)
    first = client.get(reverse("company_list")).content.decode()
    assert "Page 1 of 3" in first
    assert 'rel="next"' in first
    last = client.get(reverse("company_list") + "?page=3").content.decode()
    assert "Page 3 of 3" in last
