"""POST /api/v1/credentials/verify/: anyone posts a credential's JSON and gets the verdict and
each check, in words in the language asked for; any JSON value gets a verdict, a body that is
not JSON is the parser's 400; the platform never fetches what a posted credential names."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from projects import services
from projects.models import CredentialDefinition, ProjectMember
from tests.credentials.steps import issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/credentials/verify/"
CHECKS = ["shape", "issuer", "key", "proof", "dates", "status", "endorsement"]


def post(client, body, **headers):
    """`body` as it is when bytes, else as JSON."""
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_the_route_is_named():
    assert reverse("api_credential_verify") == URL


def test_an_issued_credential_is_valid_for_anyone(client, issued, no_network):
    response = post(client, issued.signed_text.encode())
    assert response.status_code == 200
    answer = response.json()
    assert answer["verdict"] == "valid"
    assert answer["message"].startswith("Valid: ")
    assert [check["check"] for check in answer["checks"]] == CHECKS[:4] + [
        "dates",
        "dates",
        "dates",
        "status",
        "endorsement",
    ]
    assert all(check["passed"] for check in answer["checks"])
    proof = next(check for check in answer["checks"] if check["check"] == "proof")
    assert proof == {
        "check": "proof",
        "passed": True,
        "code": "tampered",
        "message": "The signature matches the content: nothing was changed after signing.",
    }
    assert not no_network


def test_a_logged_in_person_needs_no_csrf_token(issued):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(issued.student)
    assert post(client, issued.signed_text.encode()).json()["verdict"] == "valid"


def test_revoked_after_the_office_revokes_it(client, issued, office):
    services.credential_revoke(actor=office, credential=issued, reason="Plagiarised report.")
    answer = post(client, issued.signed_text.encode()).json()
    assert answer["verdict"] == "revoked"
    status = next(check for check in answer["checks"] if check["check"] == "status")
    assert status["passed"] is False and status["message"] == "The issuer has revoked it."
    # The reason is the student's and the office's business, not a verifier's.
    assert "Plagiarised" not in json.dumps(answer)


def test_a_changed_copy_is_tampered(client, issued):
    document = json.loads(issued.signed_text)
    document["credentialSubject"]["achievement"]["name"] = "Rocket science"
    answer = post(client, document).json()
    assert answer["verdict"] == "tampered"
    failed = [check for check in answer["checks"] if not check["passed"]]
    assert [(check["check"], check["code"]) for check in failed] == [("proof", "tampered")]
    assert "does not match" in answer["message"]


def test_a_proof_taken_from_another_credential_is_tampered(
    client, issued, office, project, definition, business_owner
):
    other = UserFactory(email="lee@college.example", first_name="Lee", last_name="Classmate")
    ProjectMember.objects.create(project=project, user=other, role=ProjectMember.Role.STUDENT)
    theirs = issue(office, project, other, definition, business_owner)
    assert post(client, theirs.signed_text.encode()).json()["verdict"] == "valid"

    mine = json.loads(issued.signed_text)
    mine["proof"] = json.loads(theirs.signed_text)["proof"]
    answer = post(client, mine).json()
    assert answer["verdict"] == "tampered"
    assert {check["check"] for check in answer["checks"] if not check["passed"]} == {"proof"}


def test_another_issuer_is_unknown_and_never_fetched(client, issued, no_network):
    document = json.loads(issued.signed_text)
    document["issuer"]["id"] = "did:web:evil.example"
    document["proof"]["verificationMethod"] = "did:web:evil.example#key-1"
    answer = post(client, document).json()
    assert answer["verdict"] == "unknown_issuer"
    assert [check["check"] for check in answer["checks"]] == ["shape", "issuer"]
    assert not no_network


def test_expired_once_its_validity_has_passed(
    client, office, project, student, definition, business_owner
):
    CredentialDefinition.objects.filter(pk=definition.pk).update(validity_months=1)
    definition.refresh_from_db()
    credential = issue(office, project, student, definition, business_owner)
    assert credential.valid_until is not None
    assert post(client, credential.signed_text.encode()).json()["verdict"] == "valid"
    with time_machine.travel(credential.valid_until + timedelta(days=1), tick=False):
        answer = post(client, credential.signed_text.encode()).json()
    assert answer["verdict"] == "expired"
    dates = [check for check in answer["checks"] if check["check"] == "dates"]
    assert [check["passed"] for check in dates] == [True, True, False]
    assert dates[-1]["message"] == "It has expired: its end date has passed."


@pytest.mark.parametrize(
    "value",
    [[], [1, 2], "a string", 42, None, {}, {"hello": "world"}, {"@context": "nope", "proof": 1}],
)
def test_any_json_value_gets_a_verdict(client, value):
    response = post(client, value)
    assert response.status_code == 200
    answer = response.json()
    assert answer["verdict"] == "malformed"
    assert answer["checks"] == [
        {
            "check": "shape",
            "passed": False,
            "code": "malformed",
            "message": "It is not an Open Badges 3.0 credential: a required part is missing "
            "or of the wrong kind.",
        }
    ]


def test_odd_values_inside_a_credential_are_malformed_not_errors(client, issued):
    """Values the verifier did not expect (a list in `type`, an endorsement without a
    context, a relative context) still get a verdict."""
    document = json.loads(issued.signed_text)
    variants = []
    for change in (
        lambda d: d["type"].__setitem__(0, []),
        lambda d: d["endorsement"][0].pop("@context"),
        lambda d: d["@context"].__setitem__(1, "relative"),
        lambda d: d["proof"].__setitem__("proofValue", "z!!!"),
        lambda d: d["credentialStatus"].__setitem__("statusListIndex", "-1"),
        lambda d: d.__setitem__("validUntil", "tomorrow"),
    ):
        variant = copy.deepcopy(document)
        change(variant)
        variants.append(variant)
    for variant in variants:
        response = post(client, variant)
        assert response.status_code == 200, variant
        assert response.json()["verdict"] in {"malformed", "tampered"}


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"a": 1', b"\xff\xfe{}", b"[" * 5000 + b"]" * 5000, b'{"a": NaN}'],
)
def test_a_body_that_is_not_json_is_a_400_that_says_why(client, body):
    response = post(client, body)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_no_body_is_a_400(client):
    response = client.post(URL, data=b"", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Send the credential's JSON as the body."}


def test_a_body_that_is_not_sent_as_json_is_a_415(client, issued):
    text = client.post(URL, data=issued.signed_text.encode(), content_type="text/plain")
    assert text.status_code == 415 and text.json()["detail"]
    form = client.post(URL, {"credential": issued.signed_text})  # a form, as a page sends it
    assert form.status_code == 415 and form.json()["detail"]


def test_a_body_over_the_limit_is_a_400(client, issued):
    document = json.loads(issued.signed_text)
    document["padding"] = "x" * (300 * 1024)
    response = post(client, document)
    assert response.status_code == 400
    assert "larger than" in response.json()["detail"]


def test_only_post(client):
    assert client.get(URL).status_code == 405


def test_the_words_follow_accept_language(client, issued, office):
    services.credential_revoke(actor=office, credential=issued, reason="Plagiarised report.")
    answer = post(client, issued.signed_text.encode(), HTTP_ACCEPT_LANGUAGE="fr").json()
    assert answer["verdict"] == "revoked"  # codes stay as they are
    assert answer["message"].startswith("Révoquée")


def test_many_verifications_from_one_address_are_slowed_down(client):
    answers = [post(client, []).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30
    assert answers[30] == 429
    response = post(client, [])
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["detail"]
    # Another address is not held up; a forged X-Forwarded-For is not another address.
    assert post(client, [], HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429
    assert post(client, [], REMOTE_ADDR="198.51.100.7").status_code == 200
    assert post(client, [], REMOTE_ADDR="").status_code == 200  # no address: counted apart


def test_the_limit_is_a_setting(client, settings):
    settings.OCIP_VERIFY_RATE = "2/minute"
    assert [post(client, []).status_code for _ in range(3)] == [200, 200, 429]


def test_the_schema_documents_it():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["post"]
    assert operation["requestBody"]["required"] is True
    assert set(operation["responses"]) == {"200", "400", "403", "415", "429"}
    verdicts = schema["components"]["schemas"]["VerdictEnum"]["enum"]
    assert set(verdicts) == {
        "valid",
        "revoked",
        "expired",
        "not_yet_valid",
        "tampered",
        "unknown_issuer",
        "malformed",
    }
