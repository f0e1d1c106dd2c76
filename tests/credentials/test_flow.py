"""From a project to a signed credential through the real services: assessment, endorsement,
issuing once, verification against the platform's records, revocation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ocip.errors import Conflict
from projects import selectors, services
from projects.credentials.status_list import StatusList as Bits
from projects.models import Assessment, IssuedCredential, SigningKey
from tests.credentials.steps import assess, endorse
from tests.factories import CompanyMembershipFactory

pytestmark = pytest.mark.django_db


def test_pass_or_fail_follows_the_rubric(office, project, student, definition):
    assert assess(office, project, student, definition, (2, 1)).passed
    failed = assess(office, project, student, definition, (2, 0))
    assert not failed.passed and failed.endorsement == Assessment.Endorsement.NOT_APPLICABLE
    with pytest.raises(ValidationError) as error:
        assess(office, project, student, definition, (3, 1))
    assert "levels" in error.value.message_dict


def test_the_whole_chain_issues_a_credential_that_verifies(
    office, project, student, definition, business_owner
):
    assessment = assess(office, project, student, definition)
    endorse(business_owner, assessment)
    credential = services.credential_issue(actor=office, assessment=assessment)

    document = json.loads(credential.signed_text)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"] == selectors.credential_url(credential)
    assert document["issuer"]["id"] == selectors.institution_did(project.institution)
    assert "student@college.example" not in credential.signed_text
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["alignment"][0]["targetUrl"] == definition.skills[0]
    assert achievement["inLanguage"] == "en" and achievement["creditsAvailable"] == 1.0
    assert [d["name"] for d in achievement["resultDescription"]] == [
        "Research method",
        "Communication with the partner",
    ]
    # The EU elements OB 3.0 has no field for, in OCIP's extension, in the student's language.
    assert {
        name: achievement[name]
        for name in (
            "typeOfAssessment",
            "formOfParticipation",
            "eqfLevel",
            "notionalWorkloadHours",
            "supervisionAndIdentityVerification",
        )
    } == {
        "typeOfAssessment": "Project work assessed against a rubric",
        "formOfParticipation": "On site",
        "eqfLevel": 5,
        "notionalWorkloadHours": 45.0,
        "supervisionAndIdentityVerification": "Supervised on site, identity verified",
    }
    assert document["issuer"]["address"]["addressCountryCode"] == "CA"
    (endorsement,) = document["endorsement"]
    assert endorsement["issuer"]["id"] == selectors.company_did(project.company)
    assert endorsement["credentialSubject"]["id"] == document["id"]

    result = selectors.verify(document, timezone.now())
    assert result.verdict == "valid", result.checks
    # Issued once: a second attempt gives the first.
    assert services.credential_issue(actor=office, assessment=assessment).pk == credential.pk
    assert IssuedCredential.objects.count() == 1

    services.credential_revoke(actor=office, credential=credential, reason="Plagiarised report.")
    assert selectors.verify(document, timezone.now()).verdict == "revoked"
    status_list = credential.status_list
    status_list.refresh_from_db()
    assert Bits(status_list.size, bytes(status_list.bits)).get(credential.status_index)


def test_a_changed_copy_is_tampered(office, project, student, definition, business_owner):
    assessment = assess(office, project, student, definition)
    endorse(business_owner, assessment)
    document = json.loads(
        services.credential_issue(actor=office, assessment=assessment).signed_text
    )
    document["credentialSubject"]["achievement"]["name"] = "Rocket science"
    assert selectors.verify(document, timezone.now()).verdict == "tampered"


def test_the_office_waits_for_the_business_until_its_deadline(
    office, project, student, definition, business_owner
):
    assessment = assess(office, project, student, definition)
    with pytest.raises(Conflict):
        services.credential_issue(actor=office, assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(
        endorsement_due=timezone.localdate() - timedelta(days=1)
    )
    assessment.refresh_from_db()
    credential = services.credential_issue(actor=office, assessment=assessment)
    assert not credential.endorsed and "endorsement" not in json.loads(credential.signed_text)
    with pytest.raises(Conflict):  # too late: the credential is out
        endorse(business_owner, assessment)


def test_a_declined_endorsement_lets_the_office_issue_without_it(
    office, project, student, definition, business_owner
):
    assessment = assess(office, project, student, definition)
    with pytest.raises(ValidationError):
        endorse(business_owner, assessment, endorse=False, comment="")
    endorse(business_owner, assessment, endorse=False, comment="We never saw the final report.")
    assert not services.credential_issue(actor=office, assessment=assessment).endorsed


def test_who_may_do_what(office, project, student, definition, business_owner, review):
    researcher_elsewhere = review.researchers[1]
    with pytest.raises(PermissionDenied):
        assess(researcher_elsewhere, project, student, definition)
    assessment = assess(project.lead, project, student, definition)
    with pytest.raises(PermissionDenied):
        endorse(office, assessment)
    with pytest.raises(PermissionDenied):
        services.credential_issue(actor=review.offices[1], assessment=assessment)
    endorse(business_owner, assessment)
    with pytest.raises(PermissionDenied):
        services.credential_issue(actor=project.lead, assessment=assessment)
    credential = services.credential_issue(actor=office, assessment=assessment)
    with pytest.raises(PermissionDenied):
        services.credential_set_shared(actor=office, credential=credential, shared=True)
    services.credential_set_shared(actor=student, credential=credential, shared=True)
    assert selectors.shared_credential(credential.public_id) == credential


def test_a_french_speaking_student_gets_the_credential_in_french(
    office, project, student, definition, business_owner
):
    student.language = "fr"
    student.save(update_fields=["language"])
    assessment = assess(office, project, student, definition)
    endorse(business_owner, assessment)
    credential = services.credential_issue(actor=office, assessment=assessment)
    achievement = json.loads(credential.signed_text)["credentialSubject"]["achievement"]
    assert credential.language == "fr" and achievement["inLanguage"] == "fr"
    assert achievement["name"] == "Pratique de la recherche appliquée"
    assert achievement["resultDescription"][0]["name"] == "Méthode de recherche"
    assert achievement["formOfParticipation"] == "Sur place"
    assert selectors.verify(json.loads(credential.signed_text), timezone.now()).verdict == "valid"


def test_no_one_endorses_or_issues_their_own_credential(
    office, project, student, definition, business_owner
):
    colleague = CompanyMembershipFactory(company=project.company, user__email="cfo@acme.example")
    for insider in (colleague.user.email, office.email):
        with pytest.raises(ValidationError) as error:
            services.student_invite(actor=office, project=project, email=insider, language="en")
        assert "cannot be one of its students" in str(error.value)
    assessment = assess(office, project, student, definition)
    with pytest.raises(PermissionDenied):
        services.assessment_endorse(
            actor=student, assessment=assessment, endorse=True, comment="", expected_version=1
        )


def test_publishing_a_new_version_offers_it_where_no_one_was_assessed_on_the_old_one(
    office, project, student, definition, skill_uri
):
    revised = services.definition_update(
        actor=office, definition=definition, title_en="Applied research practice II"
    )
    assert revised.version == 2 and revised.state == "draft"
    revised = services.definition_publish(actor=office, definition=revised)
    assert list(project.credential_definitions.all()) == [revised]
    definition.refresh_from_db()
    assert definition.state == "superseded"
    with pytest.raises(ValidationError):  # not attached any more
        assess(office, project, student, definition)
    assert assess(office, project, student, revised).definition == revised


def test_a_credential_issued_in_french_is_french_through_and_through(
    office, project, student, definition, business_owner, client
):
    student.language = "fr"
    student.save(update_fields=["language"])
    assessment = assess(office, project, student, definition)
    endorse(business_owner, assessment)
    credential = services.credential_issue(actor=office, assessment=assessment)
    document = json.loads(credential.signed_text)
    assert document["endorsement"][0]["name"] == "Appui de Acme"
    # The company's DID document is served once it has a key, and still with two.
    SigningKey.objects.filter(company=project.company).update(retired_at=timezone.now())
    services.signing_key_for(company=project.company)
    response = client.get(f"/companies/{project.company.slug}/did.json")
    assert response.status_code == 200 and len(response.json()["assertionMethod"]) == 2
