"""Interoperability: what OCIP signs verifies with the Digital Credentials Consortium's libraries
(`@digitalcredentials/vc` with the eddsa-rdfc-2022 cryptosuite), fed only the documents a
verifier dereferences; a copy with any field changed fails there."""

from __future__ import annotations

import copy
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projects.credentials import contexts, data_integrity, multikey

pytestmark = pytest.mark.node

HARNESS = Path(__file__).with_name("interop")
ISSUER = "https://ocip.example/issuers/test-college"


def dcc_verify(credential: dict, documents: dict) -> dict:
    completed = subprocess.run(  # noqa: S603 - node on our own harness
        [shutil.which("node") or "node", str(HARNESS / "verify.js")],
        input=json.dumps({"credential": credential, "documents": documents}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def signed():
    """An Open Badges 3.0 credential signed by a key its issuer's controller document lists."""
    key = Ed25519PrivateKey.generate()
    public = multikey.public_multibase(key.public_key())
    method = {
        "@context": contexts.MULTIKEY_V1,
        "id": f"{ISSUER}#{public}",
        "type": "Multikey",
        "controller": ISSUER,
        "publicKeyMultibase": public,
    }
    controller = {
        "@context": [contexts.DID_V1, contexts.MULTIKEY_V1],
        "id": ISSUER,
        "assertionMethod": [method],
    }
    credential = {
        "@context": [contexts.CREDENTIALS_V2, contexts.OPEN_BADGES_V3],
        "id": "urn:uuid:6f5b5a52-7a7e-4f0c-9a57-0c8d1f1e2a10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Test College"},
        "validFrom": "2026-12-01T00:00:00Z",
        "name": "Applied research practice",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://ocip.example/achievements/1",
                "type": ["Achievement"],
                "name": "Applied research practice",
                "description": "Works on an applied research project with a business.",
                "criteria": {"narrative": "Assessed against the project rubric."},
                "achievementType": "MicroCredential",
            },
        },
    }
    secured = data_integrity.sign(
        credential,
        key=key,
        verification_method=method["id"],
        created="2026-12-01T00:00:00Z",
        loader=contexts.document_loader(),
    )
    return secured, {ISSUER: controller, method["id"]: method}


def test_an_ocip_signed_credential_verifies_with_the_dcc_libraries(signed):
    credential, documents = signed
    result = dcc_verify(credential, documents)
    assert result == {"verified": True, "errors": []}, result


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.update(name="Another name"),
        lambda c: c["credentialSubject"]["achievement"].update(achievementType="Badge"),
        lambda c: c.update(validFrom="2020-01-01T00:00:00Z"),
    ],
    ids=["name", "achievement type", "valid from"],
)
def test_a_changed_copy_fails_there(signed, change):
    credential, documents = signed
    tampered = copy.deepcopy(credential)
    change(tampered)
    assert dcc_verify(tampered, documents)["verified"] is False


# --- The demo credential, issued through the real services -------------------------------------


@pytest.fixture
def demo_files(db, tmp_path, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    out, documents = tmp_path / "credential.json", tmp_path / "documents.json"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_demo_credential", out=out, documents=documents, stdout=io.StringIO())
    return out, documents


def _read(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


# OB 3.0 (and VC 2.0) required properties, as paths into the credential.
REQUIRED = [
    "@context", "id", "type", "issuer.id", "issuer.type", "issuer.name", "validFrom", "name",
    "credentialSubject.type", "credentialSubject.identifier", "credentialSubject.achievement.id",
    "credentialSubject.achievement.type", "credentialSubject.achievement.name",
    "credentialSubject.achievement.description", "credentialSubject.achievement.criteria",
    "credentialStatus.type", "credentialStatus.statusListIndex",
    "credentialStatus.statusListCredential", "proof.type", "proof.cryptosuite",
    "proof.verificationMethod", "proof.proofPurpose", "proof.proofValue",
]  # fmt: skip


def test_the_demo_credential_has_every_required_field_and_verifies_with_the_dcc_libraries(
    demo_files,
):
    out, documents_file = demo_files
    credential, documents = _read(out), _read(documents_file)
    for path in REQUIRED:
        node = credential
        for part in path.split("."):
            node = node[part]
        assert node, path
    assert credential["@context"][:2] == [contexts.CREDENTIALS_V2, contexts.OPEN_BADGES_V3]
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "sofia.martin@" not in out.read_text("utf-8")  # the recipient is a salted hash

    assert dcc_verify(credential, documents) == {"verified": True, "errors": []}
    # The business's endorsement verifies on its own, as a credential of its issuer.
    (endorsement,) = credential["endorsement"]
    assert dcc_verify(endorsement, documents) == {"verified": True, "errors": []}


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["credentialSubject"]["result"][0].update(
            achievedLevel=c["credentialSubject"]["result"][0]["achievedLevel"][:-1] + "1"
        ),
        lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="sha256$00"),
        lambda c: c.pop("evidence"),
        lambda c: c["endorsement"][0]["credentialSubject"].update(endorsementComment="Meh."),
        lambda c: c["credentialStatus"].update(statusListIndex="1"),
    ],
    ids=["result level", "recipient", "evidence removed", "endorsement comment", "status index"],
)
def test_a_changed_demo_credential_fails_there(demo_files, change):
    out, documents_file = demo_files
    tampered = _read(out)
    change(tampered)
    assert dcc_verify(tampered, _read(documents_file))["verified"] is False


def test_a_revoked_demo_credential_fails_there(demo_files, tmp_path):
    from django.core.management import call_command

    out, documents = tmp_path / "revoked.json", tmp_path / "revoked-documents.json"
    call_command(
        "issue_demo_credential", out=out, documents=documents, revoke=True, stdout=io.StringIO()
    )
    assert out.read_bytes() == demo_files[0].read_bytes()  # issued once: the same credential
    result = dcc_verify(_read(out), _read(documents))
    assert result["verified"] is False and "revoked" in result["errors"]


# --- A stacked credential, issued when a pathway completes --------------------------------------


@pytest.fixture
def stacked(db, office, project, student, definition, business_owner, skill_uri):
    """Two micro-credentials issued through the real services complete an "all of these"
    pathway, which issues its stacked micro-credential."""
    from django.utils import timezone

    from projects import services
    from projects.models import Pathway, PathwayComponent
    from tests.credentials.conftest import complete_fields
    from tests.credentials.steps import issue

    def published(**titles):
        draft = services.definition_create(
            actor=office, institution=project.institution, **(complete_fields(skill_uri) | titles)
        )
        return services.definition_publish(actor=office, definition=draft)

    second = published(title_en="Research data management", title_fr="Gestion des données")
    certificate = published(
        title_en="Certificate in Applied Research Practice",
        title_fr="Certificat en pratique de la recherche appliquée",
    )
    services.project_set_definitions(
        actor=office, project=project, definitions=[definition, second]
    )
    pathway = Pathway.objects.create(
        institution=project.institution,
        title_en="Applied Research Practice",
        target=Pathway.Target.STACKED,
        stacked_lineage=certificate.lineage,
        state=Pathway.State.PUBLISHED,
        published_at=timezone.now(),
    )
    for part in (definition, second):
        PathwayComponent.objects.create(
            pathway=pathway,
            lineage=part.lineage,
            institution=part.institution,
            agreed_at=timezone.now(),
        )
    issue(office, project, student, definition, business_owner)
    issue(office, project, student, second, business_owner)
    (completion,) = services.pathways_complete_for(student=student)
    return completion.credential


def test_a_stacked_credential_verifies_with_the_dcc_libraries(stacked):
    from projects import demo

    credential = json.loads(stacked.signed_text)
    stacks = [
        item
        for item in credential["credentialSubject"]["achievement"]["alignment"]
        if item["targetType"] == "ceterms:Credential"
    ]
    assert len(stacks) == 2 and len(credential["evidence"]) == 2
    documents = demo.verifier_documents(stacked)
    assert dcc_verify(credential, documents) == {"verified": True, "errors": []}
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["alignment"].pop()
    assert dcc_verify(tampered, documents)["verified"] is False
