"""The project pages: accepting a request by creating its project, then the project's work."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from matching import services as request_services
from matching.models import FundingProgram, InstitutionMembership, IntroductionRequest
from projects.models import FundingApplication, Milestone, Project, ProjectMember
from tests.factories import CompanyMembershipFactory


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _estimates(run) -> dict[str, int | None]:
    return {
        program["slug"]: (program.get("estimate") or {}).get("amount_high")
        for program in run.funding["programs"]
    }


@pytest.fixture
def other_owner(db):
    return CompanyMembershipFactory(
        user__email="owner@other.example", company__name="Other Co"
    ).user


def test_the_office_accepts_a_request_by_creating_its_project(client, review, intro):
    office, researcher = review.offices[0], review.researchers[0]
    url = reverse("request_accept", args=[intro.pk])
    request_services.request_assign(
        actor=office, request=intro, expected_version=intro.version, assignee=researcher
    )
    client.force_login(office)

    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    challenge = review.run.diagnostic.needs_profile.data["challenge"]
    assert form.initial["scope"].startswith(challenge)
    assert "Scrap below 2%" in form.initial["scope"]
    assert form.initial["title"] == f"Acme with {intro.target_name}"
    assert form.initial["version"] == intro.version == 2
    assert form.initial["lead"] == researcher.pk  # the person the request is assigned to
    offered = [slug for slug, _label in form.fields["programs"].choices]
    possible = [p["slug"] for p in review.run.funding["programs"] if p["verdict"] != "not_eligible"]
    assert offered == possible
    assert (
        "Mitacs Accelerate" in page.content.decode()
        and "$75,000 to $90,000" in page.content.decode()
    )

    response = client.post(
        url,
        {
            "title": "Chatter-free housings",
            "scope": "Find the cutting parameters that stop the chatter.",
            "lead": researcher.pk,
            "start_date": "2026-12-01",
            "programs": ["mitacs-accelerate", "nserc-ard"],
            "version": intro.version,
        },
    )
    project = Project.objects.get(request=intro)
    assert response.status_code == 302
    assert response["Location"] == reverse("project_detail", args=[project.pk])
    assert (project.company, project.institution, project.lead) == (
        intro.company,
        intro.institution,
        researcher,
    )
    assert str(project.start_date) == "2026-12-01"
    assert set(project.members.values_list("user__email", "role")) == {
        (researcher.email, ProjectMember.Role.LEAD),
        ("owner@acme.example", ProjectMember.Role.BUSINESS),
    }
    estimates = _estimates(review.run)
    assert {
        application.program.slug: application.amount
        for application in project.funding_applications.select_related("program")
    } == {slug: Decimal(estimates[slug]) for slug in ("mitacs-accelerate", "nserc-ard")}
    intro.refresh_from_db()
    assert intro.status == IntroductionRequest.Status.ACCEPTED
    assert "The request was accepted and the project created." in _messages(response)[0]

    # The page of an accepted request now leads to its project.
    again = client.get(url)
    assert again.status_code == 302
    assert again["Location"] == reverse("project_detail", args=[project.pk])


def test_a_stale_accept_form_changes_nothing_and_says_why(client, review, intro):
    office = review.offices[0]
    client.force_login(office)
    seen_version = intro.version
    # A colleague assigns the request while the form is open.
    request_services.request_assign(
        actor=office, request=intro, expected_version=seen_version, assignee=review.researchers[0]
    )
    response = client.post(
        reverse("request_accept", args=[intro.pk]),
        {
            "title": "Too late",
            "scope": "Anything",
            "lead": review.researchers[0].pk,
            "start_date": "2026-12-01",
            "version": seen_version,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("request_detail", args=[intro.pk])
    assert "This request changed" in _messages(response)[0]
    assert not Project.objects.exists()
    intro.refresh_from_db()
    assert intro.status == IntroductionRequest.Status.IN_REVIEW


def test_the_accept_form_refuses_a_lead_from_elsewhere(client, review, intro):
    client.force_login(review.offices[0])
    response = client.post(
        reverse("request_accept", args=[intro.pk]),
        {
            "title": "Chatter-free housings",
            "scope": "Scope",
            "lead": review.researchers[1].pk,  # a researcher of another institution
            "start_date": "2026-12-01",
            "version": intro.version,
        },
    )
    assert response.status_code == 400
    assert "lead" in response.context["form"].errors
    assert not Project.objects.exists()


def test_only_the_institutions_office_may_accept(client, review, intro, business_owner):
    url = reverse("request_accept", args=[intro.pk])
    request_services.request_assign(
        actor=review.offices[0],
        request=intro,
        expected_version=intro.version,
        assignee=review.researchers[0],
    )
    # The assigned researcher and the business see the request but may not accept it.
    for person in (review.researchers[0], business_owner):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    # Another institution's office does not even see it.
    client.force_login(review.offices[1])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert not Project.objects.exists()


def test_who_sees_a_project(client, review, project, business_owner, other_owner):
    url = reverse("project_detail", args=[project.pk])
    for person in (business_owner, review.offices[0], review.researchers[0]):
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200, person
        assert "Chatter-free housings" in page.content.decode()
        listing = client.get(reverse("project_list"))
        assert list(listing.context["page_obj"]) == [project]
    for person in (other_owner, review.offices[1]):
        client.force_login(person)
        assert client.get(url).status_code == 404, person
        listing = client.get(reverse("project_list"))
        assert list(listing.context["page_obj"]) == []
        assert "No projects yet." in listing.content.decode()


def test_the_project_page_shows_the_team_funding_and_the_way_back(client, review, project):
    client.force_login(review.offices[0])
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert review.researchers[0].email in page and "owner@acme.example" in page
    assert reverse("request_detail", args=[project.request_id]) in page
    estimates = _estimates(review.run)
    total = estimates["mitacs-accelerate"] + estimates["nrc-irap"]
    assert f"Total estimated funding: ${total:,}" in page
    assert "No milestones yet." in page


def test_the_lead_and_the_office_keep_the_project_up_to_date(
    client, review, project, business_owner
):
    lead, office = review.researchers[0], review.offices[0]
    client.force_login(lead)
    response = client.post(
        reverse("milestone_add", args=[project.pk]),
        {"milestone-title": "Vibration study", "milestone-due_date": "2027-02-01"},
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(project=project)
    assert (milestone.title, str(milestone.due_date)) == ("Vibration study", "2027-02-01")

    client.force_login(office)
    toggle = reverse("milestone_toggle", args=[project.pk, milestone.pk])
    assert client.post(toggle, {"done": "1"}).status_code == 302
    milestone.refresh_from_db()
    done_at = milestone.done_at
    assert done_at is not None
    assert client.post(toggle, {"done": "1"}).status_code == 302  # a double submit
    milestone.refresh_from_db()
    assert milestone.done_at == done_at
    client.post(toggle, {"done": "0"})
    milestone.refresh_from_db()
    assert milestone.done_at is None

    application = project.funding_applications.get(program__slug="nrc-irap")
    edit = reverse("funding_application_edit", args=[project.pk, application.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"status": "submitted", "amount": "18000"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.amount) == ("submitted", Decimal("18000"))

    client.force_login(lead)
    response = client.post(
        reverse("funding_application_add", args=[project.pk]),
        {"funding-program": FundingProgram.objects.get(slug="sred").pk, "funding-amount": ""},
    )
    assert response.status_code == 302
    added = project.funding_applications.get(program__slug="sred")
    assert added.amount == Decimal(_estimates(review.run)["sred"])

    # The business follows the project but does not edit it.
    client.force_login(business_owner)
    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "Add a milestone" not in page and "Vibration study" in page
    for url, data in (
        (reverse("milestone_add", args=[project.pk]), {"milestone-title": "Ours"}),
        (toggle, {"done": "1"}),
        (edit, {"status": "approved", "amount": "1"}),
        (reverse("funding_application_add", args=[project.pk]), {}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert client.get(edit).status_code == 403
    assert Milestone.objects.filter(project=project).count() == 1
    application.refresh_from_db()
    assert application.status == "submitted"


def test_project_writes_validate_and_refuse_get(client, review, project):
    client.force_login(review.researchers[0])
    response = client.post(reverse("milestone_add", args=[project.pk]), {"milestone-title": " "})
    assert response.status_code == 400
    assert response.context["milestone_form"].errors
    assert not Milestone.objects.exists()
    application = project.funding_applications.first()
    response = client.post(
        reverse("funding_application_edit", args=[project.pk, application.pk]),
        {"status": "approved", "amount": "-5"},
    )
    assert response.status_code == 400
    assert FundingApplication.objects.get(pk=application.pk).status == "planned"
    assert client.get(reverse("milestone_add", args=[project.pk])).status_code == 405
    assert client.get(reverse("funding_application_add", args=[project.pk])).status_code == 405
    # Another project's milestone cannot be reached through this one.
    assert (
        client.post(reverse("milestone_toggle", args=[project.pk, 999999]), {}).status_code == 404
    )


def test_the_project_page_in_french(client, review, project):
    client.force_login(review.offices[0])
    response = client.get(f"/fr/projects/{project.pk}/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()
    assert client.get(f"/fr/requests/{project.request_id}/accept/").status_code == 302
    assert client.get("/fr/projects/").status_code == 200


def test_platform_staff_correct_a_project_in_the_admin(client, project, platform_staff):
    client.force_login(platform_staff)
    page = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert reverse("admin:matching_introductionrequest_change", args=[project.request_id]) in (
        content
    )
    assert "Mitacs Accelerate" in content  # the funding applications inline
    assert client.get(reverse("admin:projects_project_add")).status_code == 403


def test_a_lead_who_left_the_institution_no_longer_edits_the_project(client, review, project):
    lead = review.researchers[0]
    client.force_login(lead)
    add = reverse("milestone_add", args=[project.pk])
    assert (
        client.post(add, {"milestone-title": "Before", "milestone-due_date": ""}).status_code == 302
    )
    InstitutionMembership.objects.filter(user=lead).delete()
    assert (
        client.post(add, {"milestone-title": "After", "milestone-due_date": ""}).status_code == 403
    )
    assert list(project.milestones.values_list("title", flat=True)) == ["Before"]


def test_the_business_timeline_names_no_one_at_the_institution(
    client, review, intro, business_owner
):
    office = review.offices[0]
    office.first_name, office.last_name = "Octavia", "Officer"
    office.save()
    request_services.request_decline(
        actor=office, request=intro, expected_version=intro.version, reason="no_capacity"
    )
    client.force_login(business_owner)
    page = client.get(reverse("request_detail", args=[intro.pk])).content.decode()
    assert "Declined" in page and "Octavia" not in page
    client.force_login(office)
    assert "Octavia" in client.get(reverse("request_detail", args=[intro.pk])).content.decode()
