"""The pages of issued credentials through the test client: the verify page (anyone), the
student's credentials (download, share), the public pages of a shared credential and of a
micro-credential, and the research office's list and revocation."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects import services
from projects.models import CredentialDefinition, IssuedCredential, ProjectMember
from tests.credentials.steps import issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VERIFY = "/verify/"


@pytest.fixture
def classmate(project):
    user = UserFactory(email="lee@college.example", first_name="Lee", last_name="Classmate")
    ProjectMember.objects.create(project=project, user=user, role=ProjectMember.Role.STUDENT)
    return user


def text(response) -> str:
    return response.content.decode()


def verify_text(client, value, path=VERIFY):
    body = value if isinstance(value, str) else json.dumps(value)
    return client.post(path, {"verbatim_credential": body})


def result_panel(response) -> str:
    """The result section of the verify page (before the form)."""
    page = text(response)
    start = page.index('id="result"')
    return page[start : page.index("<form", start)]


# --- Verify page -------------------------------------------------------------------------------


def test_the_verify_page_is_a_form_anyone_can_use(client):
    response = client.get(VERIFY)
    assert response.status_code == 200
    page = text(response)
    assert 'enctype="multipart/form-data"' in page
    assert '<textarea name="verbatim_credential"' in page
    assert 'type="file" name="file"' in page and 'accept=".json' in page
    assert '<label for="id_verbatim_credential">' in page and '<label for="id_file">' in page
    assert "<pre" not in page  # long JSON never widens the page: it stays in the textarea
    assert 'id="result"' not in page


def test_a_valid_credential_says_so_and_what_it_holds(client, issued, no_network):
    response = verify_text(client, issued.signed_text)
    assert response.status_code == 200
    panel = result_panel(response)
    assert "Result: Valid" in panel
    for label in ("Shape", "Issuer", "Key", "Signature", "Dates", "Revocation status"):
        assert f"<strong>{label}: Passed.</strong>" in panel
    assert "<strong>Endorsement: Passed.</strong>" in panel
    assert "Failed" not in panel and "Not checked" not in panel
    assert "What the credential says" in panel
    assert "Applied research practice" in panel
    assert issued.institution.name in panel
    assert "Endorsed by Acme" in panel and "Careful work." in panel
    assert "<dt>Research method</dt><dd>Exemplary</dd>" in panel
    assert "<dt>Communication with the partner</dt><dd>Proficient</dd>" in panel
    assert "Does not expire" in panel
    assert "student@college.example" not in text(response)
    assert "sha256$" not in text(response)  # the checked text is not sent back


def test_a_file_verifies_as_it_is(client, issued):
    upload = SimpleUploadedFile(
        "credential.json", issued.signed_text.encode(), content_type="application/json"
    )
    response = client.post(VERIFY, {"file": upload, "verbatim_credential": "not used"})
    assert response.status_code == 200
    assert "Result: Valid" in result_panel(response)


def test_revoked_after_the_office_revokes_it(client, issued, office):
    services.credential_revoke(actor=office, credential=issued, reason="Plagiarised report.")
    panel = result_panel(verify_text(client, issued.signed_text))
    assert "Result: Revoked" in panel
    assert "<strong>Revocation status: Failed.</strong> The issuer has revoked it." in panel
    assert "Plagiarised" not in panel
    assert "What the credential says" not in panel  # only a valid credential's content


def test_a_changed_copy_is_changed_or_forged(client, issued):
    document = json.loads(issued.signed_text)
    document["credentialSubject"]["achievement"]["name"] = "Rocket science"
    panel = result_panel(verify_text(client, document))
    assert "Result: Changed or forged" in panel
    assert "<strong>Signature: Failed.</strong>" in panel
    assert "<strong>Dates: Not checked.</strong>" in panel
    assert "Rocket science" not in panel


def test_a_proof_from_another_credential_is_changed_or_forged(
    client, issued, office, project, classmate, definition, business_owner
):
    theirs = issue(office, project, classmate, definition, business_owner)
    assert "Result: Valid" in result_panel(verify_text(client, theirs.signed_text))
    mine = json.loads(issued.signed_text)
    mine["proof"] = json.loads(theirs.signed_text)["proof"]
    assert "Result: Changed or forged" in result_panel(verify_text(client, mine))


def test_another_issuer_is_unknown_without_fetching_it(client, issued, no_network):
    document = json.loads(issued.signed_text)
    document["issuer"]["id"] = "did:web:evil.example"
    panel = result_panel(verify_text(client, document))
    assert "Result: Unknown issuer" in panel
    assert "<strong>Issuer: Failed.</strong>" in panel


def test_expired_once_its_validity_has_passed(
    client, office, project, student, definition, business_owner
):
    CredentialDefinition.objects.filter(pk=definition.pk).update(validity_months=1)
    definition.refresh_from_db()
    credential = issue(office, project, student, definition, business_owner)
    assert "Result: Valid" in result_panel(verify_text(client, credential.signed_text))
    with time_machine.travel(credential.valid_until + timedelta(days=1), tick=False):
        panel = result_panel(verify_text(client, credential.signed_text))
    assert "Result: Expired" in panel
    assert "It has expired: its end date has passed." in panel


def test_json_that_is_not_a_credential_is_malformed(client):
    for value in ([], [1, 2, 3], '"a JSON string"', "42", {"hello": "world"}):
        response = verify_text(client, value)
        assert response.status_code == 200
        panel = result_panel(response)
        assert "Result: Not a credential that can be checked" in panel
        assert "<strong>Shape: Failed.</strong>" in panel


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("{not json", "This is not valid JSON (the problem is at line 1, column 2)"),
        ('{"a": NaN}', "This is not valid JSON"),
        ("   ", "Paste the credential"),
        ("[" * 40 + "]" * 40, "nests deeper than 32 levels"),
        ("x" * (300 * 1024), "larger than 64 KiB"),
    ],
)
def test_text_that_cannot_be_read_is_a_400_that_says_why(client, given, says):
    response = client.post(VERIFY, {"verbatim_credential": given})
    assert response.status_code == 400
    panel = result_panel(response)
    assert "Result: Not a credential that can be checked" in panel
    assert says in panel
    if len(given) > 1000:
        assert given[:1000] not in text(response)  # a huge paste is not sent back


def test_a_file_that_cannot_be_read_is_a_400(client):
    for content, says in (
        (b"\xff\xfe\x00{", "not UTF-8"),
        (b"{" + b" " * (300 * 1024) + b"}", "larger than 64 KiB"),
    ):
        upload = SimpleUploadedFile("credential.json", content, content_type="application/json")
        response = client.post(VERIFY, {"file": upload})
        assert response.status_code == 400
        assert says in result_panel(response)


def test_a_paste_past_the_form_limit_is_a_400_not_an_error(client):
    response = client.post(VERIFY, {"verbatim_credential": "[" + "1," * (1_400_000) + "1]"})
    assert response.status_code == 400  # Django's form limit (2.5 MB), on its 400 page
    upload = SimpleUploadedFile("big.json", b"[" + b"1," * 1_600_000 + b"1]")
    response = client.post(VERIFY, {"file": upload})
    assert response.status_code == 400 and "larger than 64 KiB" in result_panel(response)


def test_the_verdict_in_french(client, issued, office):
    services.credential_revoke(actor=office, credential=issued, reason="Plagiat.")
    with translation.override("fr"):
        path = reverse("credential_verify")
    assert path == "/fr/verify/"
    response = verify_text(client, issued.signed_text, path=path)
    assert response.status_code == 200
    assert '<html lang="fr">' in text(response)
    assert "Révoquée" in result_panel(response)
    assert "Result: Revoked" not in text(response)


def test_many_checks_from_one_address_are_slowed_down(client):
    for _ in range(30):
        assert verify_text(client, []).status_code == 200
    response = verify_text(client, [])
    assert response.status_code == 429
    assert "Wait" in text(response) and 'name="verbatim_credential"' in text(response)


# --- The student -------------------------------------------------------------------------------


def test_the_student_sees_their_projects_and_credentials(client, issued, student, project):
    client.force_login(student)
    response = client.get(reverse("student_credentials"))
    assert response.status_code == 200
    page = text(response)
    assert project.title in page
    assert "Applied research practice" in page
    assert 'badge-ok">Valid</span>' in page
    assert "private" in page
    assert reverse("credential_download", kwargs={"public_id": issued.public_id}) in page
    assert 'name="shared" value="1"' in page and "Share on a public page" in page
    assert "Public link" not in page  # not shared
    assert "My credentials" in page  # in the main navigation


def test_the_student_downloads_the_signed_text_byte_for_byte(client, issued, student):
    client.force_login(student)
    url = reverse("credential_download", kwargs={"public_id": issued.public_id})
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    stored = IssuedCredential.objects.get(pk=issued.pk).signed_text.encode("utf-8")
    assert first.content == second.content == stored
    assert first["Content-Type"] == "application/vc+ld+json"
    date = issued.issued_at.date().isoformat()
    assert first["Content-Disposition"] == (
        f'attachment; filename="applied-research-practice-{date}.json"'
    )


def test_only_the_holder_downloads_or_shares(client, issued, classmate, office):
    download = reverse("credential_download", kwargs={"public_id": issued.public_id})
    share = reverse("credential_share", kwargs={"public_id": issued.public_id})
    assert client.get(download).status_code == 302  # to the login page
    for someone in (classmate, office):
        client.force_login(someone)
        assert client.get(download).status_code == 404
        assert client.post(share, {"shared": "1"}).status_code == 404
    issued.refresh_from_db()
    assert not issued.shared
    client.force_login(classmate)
    assert "Applied research practice" not in text(client.get(reverse("student_credentials")))


def test_sharing_gives_a_public_page_and_unsharing_takes_it_down(client, issued, student):
    public = reverse("credential_public", kwargs={"public_id": issued.public_id})
    anonymous = Client()
    assert anonymous.get(public).status_code == 404  # private by default

    client.force_login(student)
    share = reverse("credential_share", kwargs={"public_id": issued.public_id})
    assert client.get(share).status_code == 405
    assert client.post(share, {"shared": "maybe"}).status_code == 400
    response = client.post(share, {"shared": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#credential-{issued.public_id}")
    page = text(client.get(reverse("student_credentials")))
    assert "Public link" in page and f"/credentials/{issued.public_id}/" in page
    assert 'name="shared" value="0"' in page and "Stop sharing" in page

    shown = anonymous.get(public)
    assert shown.status_code == 200
    page = text(shown)
    assert "Applied research practice" in page
    assert "Result: Valid" in page
    assert "holder of this link" in page
    assert "Endorsed by Acme" in page
    assert "Designs a test plan." in page  # an outcome
    assert "student@college.example" not in page
    assert "Sam Student" not in page and ">Sam<" not in page
    file = anonymous.get(public, {"format": "json"})
    assert file.status_code == 200 and file.content == issued.signed_text.encode()

    assert client.post(share, {"shared": "0"}).status_code == 302
    assert anonymous.get(public).status_code == 404
    assert anonymous.get(public, {"format": "json"}).status_code == 404


def test_a_revoked_credential_says_so_and_why_to_its_holder(client, issued, student, office):
    services.credential_revoke(actor=office, credential=issued, reason="Plagiarised report.")
    services.credential_set_shared(actor=student, credential=issued, shared=True)
    client.force_login(student)
    page = text(client.get(reverse("student_credentials")))
    assert 'badge-danger">Revoked</span>' in page and "Reason given: Plagiarised report." in page
    public = text(Client().get(issued.get_absolute_url()))
    assert "Result: Revoked" in public and "Plagiarised" not in public


def test_the_achievement_id_is_the_public_description(client, issued):
    document = json.loads(issued.signed_text)
    path = urlsplit(document["credentialSubject"]["achievement"]["id"]).path
    response = client.get(path)
    assert response.status_code == 200
    page = text(response)
    assert "Applied research practice" in page
    assert "Reports results to a business partner." in page
    assert "Research method" in page and "Proficient (passes)" in page
    assert "45 hours" in page


def test_drafts_are_not_public_and_a_superseded_version_points_to_the_current(
    client, office, definition
):
    draft = services.definition_update(
        actor=office, definition=definition, title_en="Applied research practice, revised"
    )
    assert draft.state == CredentialDefinition.State.DRAFT and draft.version == 2
    url = reverse("definition_public", kwargs={"lineage": draft.lineage, "version": 2})
    assert client.get(url).status_code == 404
    services.definition_publish(actor=office, definition=draft)
    assert client.get(url).status_code == 200
    old = text(
        client.get(reverse("definition_public", kwargs={"lineage": draft.lineage, "version": 1}))
    )
    assert "A newer version of this micro-credential replaced this one." in old
    assert f'href="{url}"' in old
    missing = reverse("definition_public", kwargs={"lineage": draft.lineage, "version": 9})
    assert client.get(missing).status_code == 404


def test_the_navigation(client, issued, student, business_owner):
    assert f'href="{VERIFY}"' in text(client.get(VERIFY))  # in the footer, for everyone
    mine = reverse("student_credentials")
    client.force_login(business_owner)
    assert f'href="{mine}"' not in text(client.get(reverse("dashboard")))
    client.force_login(student)
    assert f'href="{mine}"' in text(client.get(reverse("dashboard")))


# --- Research office ---------------------------------------------------------------------------


def test_the_office_lists_what_it_issued(client, issued, office, project):
    client.force_login(office)
    url = reverse("institution_credentials", kwargs={"slug": project.institution.slug})
    response = client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "Sam Student" in page and "student@college.example" in page
    assert "Applied research practice" in page and "<strong>Valid</strong>" in page
    revoke = reverse("credential_revoke", kwargs={"public_id": issued.public_id})
    assert revoke in page
    assert "Sam Student" in text(client.get(url, {"state": "valid"}))
    assert "Sam Student" not in text(client.get(url, {"state": "revoked"}))
    assert "Sam Student" in text(client.get(url, {"state": "nonsense"}))  # all


def test_the_office_revokes_with_a_reason(client, issued, office, project):
    client.force_login(office)
    url = reverse("credential_revoke", kwargs={"public_id": issued.public_id})
    form = client.get(url)
    assert form.status_code == 200
    assert '<textarea name="reason"' in text(form) and "Sam Student" in text(form)

    for empty in ("", "   "):
        refused = client.post(url, {"reason": empty})
        assert refused.status_code == 400
        assert "Say why the credential is revoked." in text(refused)
    issued.refresh_from_db()
    assert issued.revoked_at is None and issued.revoked_reason == ""

    done = client.post(url, {"reason": "Plagiarised report."})
    listing = reverse("institution_credentials", kwargs={"slug": project.institution.slug})
    assert done.status_code == 302 and done["Location"] == listing
    issued.refresh_from_db()
    assert issued.revoked_at is not None and issued.revoked_reason == "Plagiarised report."
    assert issued.revoked_by == office
    revoked = text(client.get(listing, {"state": "revoked"}))
    assert "Sam Student" in revoked and "Reason given: Plagiarised report." in revoked
    assert url not in revoked  # no second revocation
    assert "Result: Revoked" in result_panel(verify_text(Client(), issued.signed_text))
    again = client.post(url, {"reason": "Twice."})
    assert again.status_code == 302
    issued.refresh_from_db()
    assert issued.revoked_reason == "Plagiarised report."


def test_no_one_else_sees_or_revokes_the_institutions_credentials(
    client, issued, review, project, student, business_owner
):
    listing = reverse("institution_credentials", kwargs={"slug": project.institution.slug})
    revoke = reverse("credential_revoke", kwargs={"public_id": issued.public_id})
    assert client.get(listing).status_code == 302  # to the login page
    assert client.get(revoke).status_code == 302

    other_office = review.offices[1]
    client.force_login(other_office)
    assert client.get(listing).status_code == 404  # not their institution
    assert client.get(revoke).status_code == 404
    assert client.post(revoke, {"reason": "Not mine to revoke."}).status_code == 404

    client.force_login(review.researchers[0])  # of the institution, not its office
    assert client.get(listing).status_code == 403
    assert client.get(revoke).status_code == 404

    for someone in (student, business_owner):
        client.force_login(someone)
        assert client.get(listing).status_code == 404
        assert client.post(revoke, {"reason": "No."}).status_code == 404
    issued.refresh_from_db()
    assert issued.revoked_at is None


def test_the_office_pages_in_french(client, issued, office, project):
    client.force_login(office)
    with translation.override("fr"):
        listing = reverse("institution_credentials", kwargs={"slug": project.institution.slug})
    response = client.get(listing)
    assert response.status_code == 200 and '<html lang="fr">' in text(response)
    assert "Pratique de la recherche appliquée" in text(response)  # the definition's French title


def test_the_public_page_in_french_keeps_the_credentials_language(client, issued):
    services.credential_set_shared(actor=issued.student, credential=issued, shared=True)
    with translation.override("fr"):
        french = reverse("credential_public", kwargs={"public_id": issued.public_id})
    assert french.startswith("/fr/")
    page = text(client.get(french))
    assert '<html lang="fr">' in page
    assert '<h1 lang="en">Applied research practice</h1>' in page


def test_a_pasted_credential_is_verified_as_it_was_signed_not_normalised(
    client, office, project, student, definition, business_owner
):
    """Form text is stored NFC-normalised, but a pasted credential is a signed document: its
    decomposed "é" (e + combining accent) must reach the verifier as it is."""
    services.evidence_add(
        actor=office,
        project=project,
        student=student,
        title="Re\u0301sume\u0301 of the tests",  # not NFC
        description="",
        url="https://acme.example/report",
    )
    services.evidence_set_shareable(
        actor=business_owner, evidence=project.evidence.get(), shareable=True
    )
    credential = issue(office, project, student, definition, business_owner)
    assert "Re\u0301sume\u0301" in credential.signed_text
    response = verify_text(client, credential.signed_text)
    assert response.status_code == 200
    assert response.context["verdict"] == "valid"


def test_the_office_replaces_its_signing_key_and_old_credentials_keep_verifying(
    client, office, issued, review
):
    list_url = reverse("institution_credentials", args=[issued.institution.slug])
    rotate_url = reverse("signing_key_rotate", args=[issued.institution.slug])
    client.force_login(office)
    page = text(client.get(list_url))
    (old_key,) = issued.institution.signing_keys.all()
    assert old_key.public_multibase in page and rotate_url in page
    assert client.get(rotate_url).status_code == 405

    response = client.post(rotate_url)
    assert response.status_code == 302 and response["Location"] == list_url
    old_key.refresh_from_db()
    assert old_key.retired_at is not None
    assert issued.institution.signing_keys.filter(retired_at__isnull=True).count() == 1
    assert verify_text(client, issued.signed_text).context["verdict"] == "valid"

    client.force_login(review.offices[1])  # another institution's office
    assert client.post(rotate_url).status_code == 404
    client.force_login(issued.student)
    assert client.post(rotate_url).status_code == 404
    assert issued.institution.signing_keys.count() == 2
