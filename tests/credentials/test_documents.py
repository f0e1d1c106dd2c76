"""The full Open Badges 3.0 credential OCIP issues: every term defined, no plain email, the
business's endorsement verifying on its own, the platform's verifier and the DCC's libraries
agreeing on valid, revoked and tampered."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projects.credentials import contexts, data_integrity, did_web, documents, multikey
from projects.credentials.status_list import StatusList
from projects.credentials.verify import verify_credential

from .test_interop import dcc_verify

BASE = "https://ocip.example"
EXTENSION = contexts.eu_extension_url(BASE)
LOADER = contexts.document_loader({EXTENSION: contexts.eu_extension()})
STATUS_URL = f"{BASE}/institutions/algonquin/status/1"
NOW = datetime(2026, 12, 5, tzinfo=UTC)
EMAIL = "Sam.Student@algonquin.example"


class Party:
    """An issuer of ours: a did:web with a key the platform holds."""

    def __init__(self, *path: str, name: str):
        self.key = Ed25519PrivateKey.generate()
        self.did = did_web.did_for(BASE, *path)
        self.public = multikey.public_multibase(self.key.public_key())
        self.method = did_web.key_id(self.did, self.public)
        self.profile = documents.Issuer(id=self.did, name=name)

    def sign(self, document: dict) -> dict:
        return data_integrity.sign(
            document,
            key=self.key,
            verification_method=self.method,
            created="2026-12-01T00:00:00Z",
            loader=LOADER,
        )

    def documents(self) -> dict:
        did_document = did_web.did_document(self.did, [self.public])
        return {self.did: did_document, self.method: did_document["verificationMethod"][0]}


ACHIEVEMENT = documents.Achievement(
    id=f"{BASE}/micro-credentials/applied-research-practice/v1",
    name="Applied research practice",
    description="Plans and carries out an applied research task with a business partner.",
    criteria="Assessed on the project against a three-criterion rubric; pass at 'meets' or above.",
    language="en",
    skills=(
        documents.Skill(
            "http://data.europa.eu/esco/skill/example-uuid-research", "conduct research activity"
        ),
    ),
    rubric=(
        documents.Criterion(
            id=f"{BASE}/micro-credentials/applied-research-practice/v1#method",
            name="Method",
            levels=(
                documents.Level(f"{BASE}/micro-credentials/arp/v1#method-meets", "Meets"),
                documents.Level(f"{BASE}/micro-credentials/arp/v1#method-exceeds", "Exceeds"),
            ),
        ),
    ),
    credits=1.0,
    workload_hours=45,
    type_of_assessment="Project work assessed against a rubric",
    form_of_participation="On site",
    quality_assurance="Internal quality assurance of the institution",
)


@pytest.fixture(scope="module")
def world():
    college = Party("institutions", "algonquin", name="Algonquin College")
    business = Party("companies", "northwind-robotics", name="Northwind Robotics")
    statuses = StatusList()
    award = documents.Award(
        credential_id="urn:uuid:2f1c7e52-9b7e-4d55-8f3e-3f2b6a1d9c01",
        recipient_email=EMAIL,
        salt="f3a9c0d1",
        valid_from="2026-12-01T00:00:00Z",
        results={ACHIEVEMENT.rubric[0].id: ACHIEVEMENT.rubric[0].levels[1].id},
        evidence=(documents.Evidence("Test rig report", "The rig and its first results."),),
    )
    endorsement = business.sign(
        documents.endorsement_credential(
            credential_id="urn:uuid:9d0f3c1a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            endorser=business.profile,
            endorsed_id=award.credential_id,
            comment="Sam's work shortened our test cycle.",
            valid_from="2026-12-01T00:00:00Z",
        )
    )
    unsigned = documents.achievement_credential(
        issuer=college.profile,
        achievement=ACHIEVEMENT,
        award=award,
        extension_context=EXTENSION,
        status=documents.StatusEntry(STATUS_URL, 12),
        endorsements=[endorsement],
    )
    return college, business, statuses, college.sign(unsigned)


def verdict(credential: dict, resolve) -> str:
    return verify_credential(credential, resolve=resolve, now=NOW, loader=LOADER).verdict


def served(college, business, statuses) -> dict:
    status_list = college.sign(
        documents.status_list_credential(
            url=STATUS_URL,
            issuer_id=college.did,
            encoded_list=statuses.encode(),
            valid_from="2026-12-01T00:00:00Z",
        )
    )
    return {
        **college.documents(),
        **business.documents(),
        STATUS_URL: status_list,
        EXTENSION: contexts.eu_extension(),
    }


def test_every_term_is_defined_and_no_email_is_in_it(world):
    _college, _business, _statuses, credential = world
    unsigned = {key: value for key, value in credential.items() if key != "proof"}
    assert data_integrity.undefined_terms(unsigned, data_integrity.expand(unsigned, LOADER)) == 0
    text = json.dumps(credential).lower()
    assert EMAIL.lower() not in text and "sam.student" not in text
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["identityHash"].startswith("sha256$") and identity["hashed"] is True
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["typeOfAssessment"] and achievement["notionalWorkloadHours"] == 45
    assert credential["issuer"]["address"]["addressCountryCode"] == "CA"


def test_the_recipient_hash_is_open_badges_own():
    # The Open Badges 3.0 schema's example: the hash of "a@example.com" salted with "Kosher".
    assert documents.hashed_identity("a@example.com", "Kosher")["identityHash"].startswith(
        "sha256$b5809d"
    )


def test_the_platform_verifier_says_valid_and_the_endorsement_verifies_on_its_own(world):
    college, business, statuses, credential = world
    resolve = served(college, business, statuses).get
    assert verdict(credential, resolve) == "valid"
    endorsement = credential["endorsement"][0]
    assert endorsement["issuer"]["id"] == business.did
    assert (
        verify_credential(endorsement, resolve=resolve, now=NOW, loader=LOADER).verdict
        == "malformed"
    )
    data_integrity.verify(
        endorsement, key=multikey.public_key(business.public), loader=contexts.document_loader()
    )


@pytest.mark.node
def test_the_dcc_libraries_agree_on_valid_revoked_and_tampered(world):
    college, business, statuses, credential = world
    assert dcc_verify(credential, served(college, business, statuses)) == {
        "verified": True,
        "errors": [],
    }
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["notionalWorkloadHours"] = 450
    assert dcc_verify(tampered, served(college, business, statuses))["verified"] is False

    revoked_list = StatusList()
    revoked_list.set(12)
    result = dcc_verify(credential, served(college, business, revoked_list))
    assert result["verified"] is False and "revoked" in result["errors"]
    resolve = served(college, business, revoked_list).get
    assert verdict(credential, resolve) == "revoked"
