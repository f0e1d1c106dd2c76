"""Who may edit expertise profiles, and what the form refuses."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from matching import services
from matching.models import ExpertiseProfile, InstitutionMembership
from tests.factories import InstitutionMembershipFactory, UserFactory, enrol_totp

VALID = {
    "kind": "lab",
    "name": "Food Safety Lab",
    "title": "College applied research lab",
    "summary": "Shelf-life studies and challenge testing for small food processors.",
    "keywords": "shelf life\nchallenge testing",
    "capability_areas": ["food-beverage"],
    "sectors": "311",
    "trl_min": "3",
    "trl_max": "7",
    "rd_stages": ["applied-research"],
    "languages": ["en", "fr"],
    "capacity": "2",
    "accepts_students": "on",
    "student_levels": ["college"],
    "is_active": "on",
}


@pytest.fixture
def researcher(institution):
    return InstitutionMembershipFactory(
        institution=institution, role=InstitutionMembership.Role.RESEARCHER
    ).user


@pytest.fixture
def own_profile(researcher, institution):
    return ExpertiseProfile.objects.create(
        external_id="own-1",
        institution=institution,
        kind="researcher",
        name="Dr. Own",
        owner=researcher,
        languages=["en"],
    )


def test_office_staff_create_a_profile_that_reaches_the_index(
    client, office_staff, institution, django_capture_on_commit_callbacks
):
    client.force_login(office_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("expertise_create", args=[institution.slug]), VALID)
    assert response.status_code == 302
    profile = ExpertiseProfile.objects.get(name="Food Safety Lab")
    assert profile.keywords == ["shelf life", "challenge testing"]
    assert (profile.trl_min, profile.trl_max, profile.sectors) == (3, 7, ["311"])
    from matching.models import MatchingIndex

    assert MatchingIndex.objects.first().profile_count == 1


def test_researchers_edit_their_own_profile_only(client, researcher, own_profile, institution):
    other = ExpertiseProfile.objects.create(
        external_id="other-1", institution=institution, kind="lab", name="Someone else's lab"
    )
    client.force_login(researcher)
    assert client.get(reverse("expertise_edit", args=[own_profile.external_id])).status_code == 200
    assert (
        client.post(reverse("expertise_edit", args=[other.external_id]), VALID).status_code == 404
    )
    response = client.post(reverse("expertise_edit", args=[own_profile.external_id]), VALID)
    assert response.status_code == 302
    own_profile.refresh_from_db()
    assert own_profile.name == "Food Safety Lab"
    with pytest.raises(PermissionDenied):
        services.expertise_profile_update(actor=researcher, profile=other, name="Taken over")


def test_other_institutions_and_businesses_cannot_edit(
    client, own_profile, business_owner, institution
):
    outsider = InstitutionMembershipFactory(role=InstitutionMembership.Role.OFFICE_STAFF).user
    enrol_totp(outsider)
    for user in (outsider, business_owner):
        client.force_login(user)
        url = reverse("expertise_edit", args=[own_profile.external_id])
        assert client.post(url, VALID).status_code == 404
        assert (
            client.post(reverse("expertise_create", args=[institution.slug]), VALID).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            services.expertise_profile_update(actor=user, profile=own_profile, name="x")


def test_platform_staff_edit_any_profile(client, platform_staff, own_profile):
    client.force_login(platform_staff)
    response = client.post(reverse("expertise_edit", args=[own_profile.external_id]), VALID)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("trl_max", "2", "cannot be below"),
        ("sectors", "food", "is not a NAICS code"),
        ("keywords", "\n".join(["k"] * 25), "At most 20 lines"),
        ("capability_areas", ["not-an-area"], "Select a valid choice"),
        ("name", "", "This field is required"),
    ],
)
def test_the_form_refuses_bad_input(client, researcher, own_profile, field, value, message):
    client.force_login(researcher)
    data = {**VALID, field: value}
    response = client.post(reverse("expertise_edit", args=[own_profile.external_id]), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_profile_with_missing_fields_is_matched_without_error(db, institution):
    from matching.engine.types import Query
    from matching.search import InProcessBackend, index_rebuild

    ExpertiseProfile.objects.create(
        external_id="bare-1",
        institution=institution,
        kind="facility",
        name="Bare facility",
        summary="Cryogenic grinding of spices.",
    )
    index_rebuild()
    InProcessBackend.forget()
    matches = InProcessBackend().rank(Query(text="cryogenic grinding"), limit=3)
    assert [m.profile_id for m in matches] == ["bare-1"]


def test_funding_rules_on_unknown_facts_are_refused_in_the_admin(db):
    from django.core.exceptions import ValidationError

    from matching.models import FundingProgram

    program = FundingProgram(
        slug="x",
        category="federal_grant",
        partner="X",
        name="X",
        status="active",
        eligibility=[{"fact": "shoe_size", "at_least": 3, "why": "big feet"}],
    )
    with pytest.raises(ValidationError, match="shoe_size"):
        program.clean()


def test_inactive_profiles_are_not_shown(client, own_profile):
    own_profile.is_active = False
    own_profile.save()
    client.force_login(UserFactory())
    assert (
        client.get(reverse("expertise_detail", args=[own_profile.external_id])).status_code == 404
    )
