"""Interoperability: what OCIP signs verifies with the Digital Credentials Consortium's libraries
(`@digitalcredentials/vc` with the eddsa-rdfc-2022 cryptosuite), fed only the documents a
verifier dereferences; a copy with any field changed fails there."""

from __future__ import annotations

import copy
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
