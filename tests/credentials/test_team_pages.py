"""The project team's micro-credential pages, through the test client: attaching
micro-credentials, inviting students, evidence, assessment, endorsement and issuing, and who
may do each."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from matching.models import InstitutionMembership
from projects import services
from projects.models import (
    Assessment,
    CredentialDefinition,
    Evidence,
    IssuedCredential,
    ProjectInvitation,
    ProjectMember,
)
from tests.credentials.conftest import complete_fields
from tests.credentials.steps import assess
from tests.factories import PASSWORD, CompanyMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _page(client, project) -> str:
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str) -> str:
    """The "Students and micro-credentials" section of the project page."""
    start = page.index('id="credentials-heading"')
    return page[start : page.index("</section>", start)]


def _pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def other_owner(db):
    """The owner of another business, with no part in the project."""
    return CompanyMembershipFactory(
        user__email="owner@other.example", company__name="Other Co"
    ).user


@pytest.fixture
def evidence_files():
    """Deletes the files the test uploads as evidence (the storage is outside the database)."""
    yield
    for evidence in Evidence.objects.exclude(file=""):
        evidence.file.delete(save=False)


def _add_evidence(project, student, *, title="Test report", upload=None, url=""):
    return services.evidence_add(
        actor=project.lead,
        project=project,
        student=student,
        title=title,
        description="The plan and the results.",
        url=url,
        upload=upload,
    )


# --- Micro-credentials of the project ---------------------------------------------------------


def test_the_lead_and_the_office_choose_the_projects_micro_credentials(
    client, project, office, student, business_owner, review, skill_uri
):
    url = reverse("project_definitions", args=[project.pk])
    client.force_login(project.lead)
    section = _section(_page(client, project))
    assert "has not published a micro-credential yet" in section
    assert "Ask its research office to publish one." in section
    client.force_login(office)
    section = _section(_page(client, project))
    assert reverse("definition_list", args=[project.institution.slug]) in section

    draft = services.definition_create(
        actor=office, institution=project.institution, **complete_fields(skill_uri)
    )
    published = services.definition_publish(actor=office, definition=draft)
    client.force_login(project.lead)
    section = _section(_page(client, project))
    assert 'name="credentials-definitions"' in section
    assert "Applied research practice (version 1)" in section
    assert "No micro-credential is attached to the project yet" in section

    response = client.post(url, {"credentials-definitions": [published.pk]})
    assert response.status_code == 302
    assert response["Location"].endswith("#credentials-heading")
    assert list(project.credential_definitions.all()) == [published]
    assert "The project's micro-credentials were saved." in _messages(response)
    section = _section(_page(client, project))
    assert "<li>Applied research practice</li>" in section
    assert reverse("assessment_form", args=[project.pk, student.pk, published.pk]) in section

    # A draft cannot be attached: the form says so and nothing changes.
    other = services.definition_create(
        actor=office, institution=project.institution, title_en="Draft only"
    )
    client.force_login(office)
    response = client.post(url, {"credentials-definitions": [other.pk]})
    assert response.status_code == 400
    assert response.context["form"].errors["definitions"]
    assert list(project.credential_definitions.all()) == [published]

    # Detaching keeps one a student was already assessed against, and says so.
    assess(project.lead, project, student, published)
    response = client.post(url, {})
    assert response.status_code == 302
    assert list(project.credential_definitions.all()) == [published]
    assert any("stays: a student was already assessed" in text for text in _messages(response))

    # The business, another institution's researcher, another business: refused.
    client.force_login(business_owner)
    assert client.post(url, {}).status_code == 403
    for outsider in (review.researchers[1], review.offices[1]):
        client.force_login(outsider)
        assert client.post(url, {}).status_code == 404
    client.force_login(office)
    assert client.get(url).status_code == 405
    assert project.credential_definitions.count() == 1
    assert CredentialDefinition.objects.filter(state="draft").count() == 1


# --- Inviting students --------------------------------------------------------------------------


def _invite(client, project, email, language, capture):
    with capture(execute=True):
        response = client.post(
            reverse("student_invite", args=[project.pk]),
            {"invite-email": email, "invite-language": language},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    message = mail.outbox[-1]
    path = re.search(r"https?://[^/\s]+(/\S*invitations/\S+/)", message.body).group(1)
    return response, message, path


def test_a_student_invited_in_french_signs_up_accepts_and_joins_the_project(
    client, project, django_capture_on_commit_callbacks
):
    client.force_login(project.lead)
    response, message, path = _invite(
        client, project, "Nova.Student@College.example", "fr", django_capture_on_commit_callbacks
    )
    assert "An invitation was sent to nova.student@college.example." in _messages(response)
    assert message.to == ["nova.student@college.example"]
    assert message.subject == f"Invitation à vous joindre à {project.title} sur la PCIO"
    assert "Bonjour" in message.body and "Étudiante ou étudiant" in message.body
    assert path.startswith("/fr/")
    invitation = ProjectInvitation.objects.get(project=project)
    assert (invitation.email, invitation.language) == ("nova.student@college.example", "fr")
    section = _section(_page(client, project))
    assert "nova.student@college.example" in section  # waiting for an answer

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    content = page.content.decode()
    assert f"{project.title} ({project.institution.name})" in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{reverse('account_signup')}?next={path}",
            {
                "first_name": "Nova",
                "last_name": "Student",
                "email": "nova.student@college.example",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == path
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    member = ProjectMember.objects.get(project=project, user__email="nova.student@college.example")
    assert member.role == ProjectMember.Role.STUDENT and member.joined_at is not None
    assert InstitutionMembership.objects.get(
        user=member.user, institution=project.institution
    ).role == (InstitutionMembership.Role.STUDENT)

    section = _section(_page(client, project))  # in French, the student's language
    assert "Votre travail dans le projet" in section
    with translation.override("fr"):
        assert f'href="{reverse("student_credentials")}"' in section
    assert "Nova Student" in section
    assert "Inviter une étudiante ou un étudiant" not in section  # students do not edit it
    assert client.get(path).status_code == 410  # single use


def test_an_existing_account_logs_in_and_accepts(
    client, project, django_capture_on_commit_callbacks
):
    UserFactory(email="kim@college.example", first_name="Kim", last_name="Lee")
    client.force_login(project.lead)
    _response, message, path = _invite(
        client, project, "kim@college.example", "en", django_capture_on_commit_callbacks
    )
    assert message.subject == f"You are invited to join {project.title} on OCIP"
    assert "your work can earn you a micro-credential." in message.body
    assert project.institution.name in message.body
    client.logout()
    assert "Log in to accept" in client.get(path).content.decode()
    response = client.post(
        f"{reverse('account_login')}?next={path}",
        {"login": "kim@college.example", "password": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == path
    response = client.post(path)
    assert response["Location"] == project.get_absolute_url()
    assert project.members.filter(
        user__email="kim@college.example", role=ProjectMember.Role.STUDENT
    ).exists()


def test_a_project_invitation_refuses_another_address_and_expires(
    client, project, django_capture_on_commit_callbacks
):
    client.force_login(project.lead)
    _response, _message, path = _invite(
        client, project, "right@college.example", "en", django_capture_on_commit_callbacks
    )
    intruder = UserFactory(email="wrong@college.example")
    client.force_login(intruder)
    assert client.get(path).status_code == 403
    response = client.post(path)
    assert response.status_code == 403
    assert "another email address" in response.content.decode()
    assert not project.members.filter(user=intruder).exists()
    assert not InstitutionMembership.objects.filter(user=intruder).exists()

    late = UserFactory(email="right@college.example")
    client.force_login(late)
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = client.post(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not project.members.filter(user=late).exists()


def test_inviting_validates_and_is_for_the_project_editors(
    client, project, student, business_owner, review, office
):
    url = reverse("student_invite", args=[project.pk])
    client.force_login(office)
    response = client.post(url, {"invite-email": "not an email", "invite-language": "en"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    response = client.post(url, {"invite-email": student.email, "invite-language": "en"})
    assert response.status_code == 400
    assert "already on the project team" in response.content.decode()
    assert client.get(url).status_code == 405
    for person, status in ((business_owner, 403), (student, 403), (review.researchers[1], 404)):
        client.force_login(person)
        response = client.post(url, {"invite-email": "x@college.example", "invite-language": "en"})
        assert response.status_code == status, person
    assert not ProjectInvitation.objects.exists()
    assert len(mail.outbox) == 0


# --- Evidence -----------------------------------------------------------------------------------


def test_evidence_upload_is_accepted_or_refused_with_nothing_saved(
    client, project, student, settings, evidence_files
):
    url = reverse("evidence_add", args=[project.pk])
    client.force_login(project.lead)
    page = client.get(f"{url}?student={student.pk}")
    assert page.status_code == 200
    content = page.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert 'accept=".pdf,.png,.jpg,' in content
    assert "Accepted types: .pdf, .png" in content and "up to 10.0\xa0MB" in content
    assert page.context["form"].initial["student"] == student.pk
    assert '<label for="id_file">File</label>' in content

    def post(upload, **fields):
        data = {"student": student.pk, "title": "Vibration test report", "description": ""}
        data.update(fields)
        if upload is not None:
            data["file"] = upload
        return client.post(url, data)

    refused = [
        (SimpleUploadedFile("setup.exe", b"MZ\x90\x00binary"), "Upload one of these types"),
        (_pdf("fake.pdf", b"MZ\x90\x00not a pdf at all"), "does not match its type (.pdf)"),
    ]
    for upload, error in refused:
        response = post(upload)
        assert response.status_code == 400
        assert error in response.context["form"].errors["file"][0]
        assert "There is a problem" in response.content.decode()
    settings.OCIP_EVIDENCE_MAX_BYTES = 20
    response = post(_pdf())
    assert response.status_code == 400
    assert "the limit is 20" in response.context["form"].errors["file"][0]
    response = post(None)  # neither a link nor a file
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == ["Give a link or upload a file."]
    assert not Evidence.objects.exists()

    settings.OCIP_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    response = post(_pdf())
    assert response.status_code == 302
    assert response["Location"].endswith(f"#student-{student.pk}")
    evidence = Evidence.objects.get()
    assert (evidence.student, evidence.title, evidence.file_type, evidence.file_size) == (
        student,
        "Vibration test report",
        "application/pdf",
        len(PDF),
    )
    assert evidence.shareable is False
    response = post(None, title="Shared drive", url="https://acme.example/drive/report")
    assert response.status_code == 302
    assert Evidence.objects.get(title="Shared drive").url == "https://acme.example/drive/report"
    section = _section(_page(client, project))
    assert "Vibration test report" in section
    assert reverse("evidence_file", args=[project.pk, evidence.pk]) in section
    assert 'href="https://acme.example/drive/report"' in section
    assert "Not shared: it stays within the project." in section


def test_only_the_project_editors_add_evidence(
    client, project, student, business_owner, other_owner, review
):
    url = reverse("evidence_add", args=[project.pk])
    data = {"student": student.pk, "title": "Mine", "url": "https://example.com/x"}
    for person, status in (
        (business_owner, 403),
        (student, 403),
        (other_owner, 404),
        (review.researchers[1], 404),
    ):
        client.force_login(person)
        assert client.get(url).status_code == status, person
        assert client.post(url, data).status_code == status, person
    client.force_login(project.lead)
    outsider = UserFactory(email="outsider@college.example")
    response = client.post(url, {**data, "student": outsider.pk})
    assert response.status_code == 400
    assert "student" in response.context["form"].errors
    assert not Evidence.objects.exists()


def test_an_evidence_file_is_downloaded_only_by_those_who_may_see_it(
    client, project, student, office, business_owner, other_owner, review, evidence_files
):
    evidence = _add_evidence(project, student, upload=_pdf())
    url = reverse("evidence_file", args=[project.pk, evidence.pk])
    for person in (project.lead, office, business_owner, student):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert ".pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    classmate = UserFactory(email="classmate@college.example")
    ProjectMember.objects.create(project=project, user=classmate, role=ProjectMember.Role.STUDENT)
    for person in (other_owner, review.researchers[1], review.offices[1], classmate):
        client.force_login(person)
        assert client.get(url).status_code == 404, person
    client.force_login(project.lead)
    assert client.post(url).status_code == 405
    link_only = _add_evidence(project, student, title="Link", url="https://example.com/r")
    assert client.get(reverse("evidence_file", args=[project.pk, link_only.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_the_business_shares_evidence_and_explains_why(
    client, project, student, business_owner, other_owner, evidence_files
):
    evidence = _add_evidence(project, student, upload=_pdf())
    url = reverse("evidence_share", args=[project.pk, evidence.pk])
    client.force_login(business_owner)
    section = _section(_page(client, project))
    assert "Only the evidence you share goes into a student's credential" in section
    assert "Project material may be confidential" in section
    assert "Sam Student" in section and student.email not in section  # names only
    assert ">Share<" in section and "Not shared" in section
    assert "Add evidence" not in section and "Invite a student" not in section

    response = client.post(url, {"shareable": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#evidence-{evidence.pk}")
    evidence.refresh_from_db()
    assert evidence.shareable and evidence.shareable_set_by == business_owner
    assert "goes into the credential of Sam Student" in _messages(response)[0]
    section = _section(_page(client, project))
    assert "Stop sharing" in section and "Shared: the business agrees" in section
    client.post(url, {"shareable": "1"})  # a double submit keeps it shared
    evidence.refresh_from_db()
    assert evidence.shareable
    client.post(url, {"shareable": "0"})
    evidence.refresh_from_db()
    assert not evidence.shareable
    assert client.get(url).status_code == 405

    for person, status in ((project.lead, 403), (student, 403), (other_owner, 404)):
        client.force_login(person)
        assert client.post(url, {"shareable": "1"}).status_code == status, person
    evidence.refresh_from_db()
    assert not evidence.shareable


# --- Assessment ---------------------------------------------------------------------------------


def test_the_lead_assesses_a_student_pass_then_fail(client, project, student, definition, settings):
    url = reverse("assessment_form", args=[project.pk, student.pk, definition.pk])
    client.force_login(project.lead)
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "To pass, every criterion must reach at least “Proficient”." in content
    assert "<legend>Research method" in content
    assert "<legend>Communication with the partner" in content
    assert "Beginning (does not pass)" in content and "Exemplary (passes)" in content
    assert 'name="level_0"' in content and 'name="comment_1"' in content
    assert "You can assess again until the credential is issued" in content
    assert f"within {settings.OCIP_ENDORSEMENT_DAYS} business days" in content

    response = client.post(url, {"level_0": "2", "comment": "Half done"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert response.context["form"].errors["level_1"] == ["Choose the level reached."]
    assert not Assessment.objects.exists()

    response = client.post(
        url,
        {
            "level_0": "2",
            "level_1": "1",
            "comment_0": "A careful plan.",
            "comment_1": "Clear reports.",
            "comment": "Strong work.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#student-{student.pk}")
    (message,) = _messages(response)
    assert message.startswith("Passed:")
    assert f"within {settings.OCIP_ENDORSEMENT_DAYS} business days" in message
    assessment = Assessment.objects.get()
    assert (assessment.levels, assessment.passed, assessment.endorsement) == (
        [2, 1],
        True,
        Assessment.Endorsement.PENDING,
    )
    assert assessment.criterion_comments == ["A careful plan.", "Clear reports."]
    assert assessment.endorsement_due is not None
    section = _section(_page(client, project))
    assert "passed; waiting for the business to endorse it, until" in section
    assert ">Assess again<" in section

    page = client.get(url)
    assert page.context["form"].initial["level_0"] == 2
    assert "Last assessed on" in page.content.decode()
    response = client.post(url, {"level_0": "2", "level_1": "0", "comment": "Not yet."})
    assert response.status_code == 302
    assert _messages(response)[0].startswith("Not passed:")
    assessment.refresh_from_db()
    assert (assessment.passed, assessment.endorsement, assessment.version) == (
        False,
        Assessment.Endorsement.NOT_APPLICABLE,
        2,
    )
    assert "not passed (assessed on" in _section(_page(client, project))


def test_only_the_project_editors_assess(
    client, project, student, definition, office, business_owner, other_owner, review
):
    url = reverse("assessment_form", args=[project.pk, student.pk, definition.pk])
    data = {"level_0": "2", "level_1": "2"}
    for person, status in (
        (business_owner, 403),
        (student, 403),
        (other_owner, 404),
        (review.researchers[1], 404),
    ):
        client.force_login(person)
        assert client.get(url).status_code == status, person
        assert client.post(url, data).status_code == status, person
    client.force_login(office)
    assert client.get(url).status_code == 200
    not_a_student = reverse("assessment_form", args=[project.pk, project.lead.pk, definition.pk])
    assert client.get(not_a_student).status_code == 404
    unknown = reverse("assessment_form", args=[project.pk, student.pk, 999999])
    assert client.get(unknown).status_code == 404
    assert not Assessment.objects.exists()


# --- Endorsement --------------------------------------------------------------------------------


def test_the_business_endorses_a_passed_assessment(
    client, project, student, definition, business_owner, office, other_owner
):
    assessment = assess(project.lead, project, student, definition)
    url = reverse("assessment_endorse", args=[project.pk, assessment.pk])
    client.force_login(business_owner)
    section = _section(_page(client, project))
    assert url in section and "Endorse or decline" in section
    assert "(please answer by " in section

    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "What Sam Student was assessed on" in content
    assert "Research method" in content and "Level reached: Exemplary" in content
    assert "Careful plan." in content and "Strong work." in content
    assert f'name="version" value="{assessment.version}"' in content
    assert "Please answer by" in content

    response = client.post(url, {"decision": "decline", "comment": " ", "version": 1})
    assert response.status_code == 400
    assert response.context["form"].errors["comment"] == ["Say why you do not endorse it."]
    response = client.post(url, {"decision": "endorse", "comment": "", "version": 0})
    assert response.status_code == 400  # not a version
    assessment.refresh_from_db()
    assert assessment.endorsement == Assessment.Endorsement.PENDING

    # The lead re-assesses while the page is open: the old version is refused.
    assess(project.lead, project, student, definition, levels=(2, 2))
    response = client.post(url, {"decision": "endorse", "comment": "", "version": 1})
    assert response.status_code == 409
    assert "The assessment changed since you opened it." in response.content.decode()
    assert 'name="version" value="2"' in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.endorsement == Assessment.Endorsement.PENDING

    response = client.post(
        url, {"decision": "endorse", "comment": "Sam made our line quieter.", "version": 2}
    )
    assert response.status_code == 302
    assert "You endorsed the work of Sam Student" in _messages(response)[0]
    assessment.refresh_from_db()
    assert (assessment.endorsement, assessment.endorsed_by, assessment.endorsement_comment) == (
        Assessment.Endorsement.ENDORSED,
        business_owner,
        "Sam made our line quieter.",
    )
    response = client.post(
        url, {"decision": "decline", "comment": "Changed our mind", "version": 2}
    )
    assert response.status_code == 409
    assert "already been answered" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.endorsement == Assessment.Endorsement.ENDORSED
    assert "passed and endorsed by the business." in _section(_page(client, project))

    for person, status in ((project.lead, 403), (office, 403), (student, 403), (other_owner, 404)):
        client.force_login(person)
        assert client.get(url).status_code == status, person
        assert client.post(url, {"decision": "endorse", "version": 2}).status_code == status


def test_the_business_declines_with_a_comment_the_team_reads(
    client, project, student, definition, business_owner, office
):
    assessment = assess(project.lead, project, student, definition)
    url = reverse("assessment_endorse", args=[project.pk, assessment.pk])
    client.force_login(business_owner)
    response = client.post(
        url,
        {"decision": "decline", "comment": "We never saw the final report.", "version": 1},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.endorsement == Assessment.Endorsement.DECLINED
    assert assessment.endorsement_comment == "We never saw the final report."
    client.force_login(project.lead)
    section = _section(_page(client, project))
    assert "the business declined to endorse it." in section
    assert "We never saw the final report." in section
    assert "Issue the credential" not in section  # the lead is not the office
    client.force_login(office)
    section = _section(_page(client, project))
    assert "Issue the credential" in section
    assert "will be issued without its endorsement" in section


def test_a_failed_assessment_is_not_offered_to_the_business(
    client, project, student, definition, business_owner
):
    assessment = assess(project.lead, project, student, definition, levels=(0, 0))
    client.force_login(business_owner)
    section = _section(_page(client, project))
    assert "Endorse or decline" not in section
    assert "No passed assessment to endorse yet." in section
    # A failed assessment stays between the student and the institution: not even its page.
    url = reverse("assessment_endorse", args=[project.pk, assessment.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"decision": "endorse", "version": 1})
    assert response.status_code == 404
    assessment.refresh_from_db()
    assert assessment.endorsement == Assessment.Endorsement.NOT_APPLICABLE


# --- Issuing ------------------------------------------------------------------------------------


def test_the_office_issues_once_the_business_endorsed_and_only_once(
    client, project, student, definition, business_owner, office, review
):
    assessment = assess(project.lead, project, student, definition)
    url = reverse("credential_issue", args=[project.pk, assessment.pk])
    client.force_login(office)
    section = _section(_page(client, project))
    assert url not in section and "Issue the credential" not in section
    assert "The credential can be issued once the business answers, or after" in section
    response = client.post(url)
    assert response.status_code == 409
    assert "The business has until" in response.content.decode()
    assert not IssuedCredential.objects.exists()

    services.assessment_endorse(
        actor=business_owner,
        assessment=assessment,
        endorse=True,
        comment="Great work.",
        expected_version=assessment.version,
    )
    section = _section(_page(client, project))
    assert url in section and "Issue the credential" in section
    assert "the credential carries its endorsement" in section
    for person, status in ((project.lead, 403), (business_owner, 403), (student, 403)):
        client.force_login(person)
        assert url not in _section(_page(client, project))
        assert client.post(url).status_code == status, person
    client.force_login(review.offices[1])
    assert client.post(url).status_code == 404
    assert not IssuedCredential.objects.exists()

    client.force_login(office)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert "was issued to Sam Student" in _messages(response)[0]
    credential = IssuedCredential.objects.get()
    assert (credential.assessment, credential.student, credential.endorsed) == (
        assessment,
        student,
        True,
    )
    response = client.post(url)
    assert response.status_code == 302
    assert "already issued" in _messages(response)[-1]
    assert list(IssuedCredential.objects.all()) == [credential]

    section = _section(_page(client, project))
    assert "credential issued on" in section
    assert reverse("institution_credentials", args=[project.institution.slug]) in section
    assert "Issue the credential" not in section and ">Assess again<" not in section
    client.force_login(project.lead)
    assess_url = reverse("assessment_form", args=[project.pk, student.pk, definition.pk])
    page = client.get(assess_url)
    assert "can no longer be changed" in page.content.decode()
    response = client.post(assess_url, {"level_0": "0", "level_1": "0"})
    assert response.status_code == 409
    assessment.refresh_from_db()
    assert assessment.passed and assessment.version == 1
    client.force_login(student)
    section = _section(_page(client, project))
    assert "credential issued on" in section and reverse("student_credentials") in section


def test_the_office_issues_without_endorsement_after_the_deadline(
    client, project, student, definition, office
):
    assessment = assess(project.lead, project, student, definition)
    Assessment.objects.filter(pk=assessment.pk).update(
        endorsement_due=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(office)
    section = _section(_page(client, project))
    assert "passed; the business did not answer by" in section
    assert "the credential will be issued without its endorsement" in section
    response = client.post(reverse("credential_issue", args=[project.pk, assessment.pk]))
    assert response.status_code == 302
    assert IssuedCredential.objects.get().endorsed is False


# --- Who sees what --------------------------------------------------------------------------------


def test_each_viewer_sees_their_part_and_outsiders_nothing(
    client, project, student, definition, business_owner, other_owner, review, evidence_files
):
    mine = _add_evidence(project, student, title="Report by Sam", url="https://example.com/sam")
    classmate = UserFactory(email="lee@college.example", first_name="Lee", last_name="Classmate")
    ProjectMember.objects.create(project=project, user=classmate, role=ProjectMember.Role.STUDENT)
    _add_evidence(project, classmate, title="Drawings by Lee", url="https://example.com/lee")
    assess(project.lead, project, student, definition)

    client.force_login(student)
    page = _page(client, project)
    section = _section(page)
    assert "Report by Sam" in section and "Drawings by Lee" not in section
    assert "Lee Classmate" not in section
    assert "passed; waiting for the business to endorse it" in section
    assert "Endorse or decline" not in section and ">Share<" not in section
    assert "lee@college.example" not in page  # another student's address stays private
    assert reverse("evidence_file", args=[project.pk, mine.pk]) not in section  # a link only

    client.force_login(business_owner)
    page = _page(client, project)
    section = _section(page)
    assert "Report by Sam" in section and "Drawings by Lee" in section
    assert "Lee Classmate" in section and "lee@college.example" not in page  # names only

    for outsider in (other_owner, review.researchers[1], review.offices[1]):
        client.force_login(outsider)
        assert client.get(reverse("project_detail", args=[project.pk])).status_code == 404


def test_the_section_in_french(client, project, student, definition):
    client.force_login(project.lead)
    response = client.get(f"/fr/projects/{project.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "Pratique de la recherche appliquée" in content  # the definition's French title
    assess_url = f"/fr/projects/{project.pk}/students/{student.pk}/assess/{definition.pk}/"
    assert "Méthode de recherche" in client.get(assess_url).content.decode()
