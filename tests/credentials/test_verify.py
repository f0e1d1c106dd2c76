"""The pure verifier: each verdict (valid, revoked, expired, not yet valid, tampered, unknown
issuer, malformed) from the platform's own documents; did:web identifiers and key rotation."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projects.credentials import contexts, data_integrity, did_web, multikey
from projects.credentials.status_list import StatusList
from projects.credentials.verify import verify_credential

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BASE = "https://ocip.example"
STATUS_URL = f"{BASE}/credentials/status/algonquin/1"
INDEX = 7


class Issuer:
    def __init__(self, slug: str):
        self.did = did_web.did_for(BASE, "institutions", slug)
        self.keys = [Ed25519PrivateKey.generate()]
        self.statuses = StatusList()

    @property
    def public_keys(self) -> list[str]:
        return [multikey.public_multibase(key.public_key()) for key in self.keys]

    def rotate(self) -> None:
        self.keys.append(Ed25519PrivateKey.generate())

    def sign(self, document: dict, *, key_number: int = -1) -> dict:
        key = self.keys[key_number]
        return data_integrity.sign(
            document,
            key=key,
            verification_method=did_web.key_id(
                self.did, multikey.public_multibase(key.public_key())
            ),
            created="2026-12-01T00:00:00Z",
            loader=contexts.document_loader(),
        )

    def status_list_credential(self) -> dict:
        return self.sign(
            {
                "@context": [contexts.CREDENTIALS_V2],
                "id": STATUS_URL,
                "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                "issuer": self.did,
                "validFrom": "2026-12-01T00:00:00Z",
                "credentialSubject": {
                    "id": f"{STATUS_URL}#list",
                    "type": "BitstringStatusList",
                    "statusPurpose": "revocation",
                    "encodedList": self.statuses.encode(),
                },
            }
        )

    def credential(self, **fields) -> dict:
        document = {
            "@context": [contexts.CREDENTIALS_V2, contexts.OPEN_BADGES_V3],
            "id": "urn:uuid:0c8d1f1e-2a10-4f0c-9a57-6f5b5a527a7e",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": self.did, "type": ["Profile"], "name": "Algonquin College"},
            "validFrom": "2026-12-01T00:00:00Z",
            "name": "Applied research practice",
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "achievement": {
                    "id": f"{BASE}/achievements/1",
                    "type": ["Achievement"],
                    "name": "Applied research practice",
                    "description": "Works on an applied research project with a business.",
                    "criteria": {"narrative": "Assessed against the project rubric."},
                    "achievementType": "MicroCredential",
                },
            },
            "credentialStatus": {
                "id": f"{STATUS_URL}#{INDEX}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(INDEX),
                "statusListCredential": STATUS_URL,
            },
            **fields,
        }
        return self.sign(document)

    def resolver(self):
        documents = {
            self.did: did_web.did_document(self.did, self.public_keys),
            STATUS_URL: self.status_list_credential(),
        }
        return documents.get


@pytest.fixture
def issuer():
    return Issuer("algonquin")


def verdict(credential, resolve) -> str:
    return verify_credential(credential, resolve=resolve, now=NOW).verdict


def test_did_web_identifiers_and_their_document_address():
    assert did_web.did_for("https://ocip.example", "institutions", "algonquin") == (
        "did:web:ocip.example:institutions:algonquin"
    )
    did = did_web.did_for("https://localhost:8000/", "institutions", "la-cite")
    assert did == "did:web:localhost%3A8000:institutions:la-cite"
    assert did_web.document_url(did) == "https://localhost:8000/institutions/la-cite/did.json"
    with pytest.raises(did_web.BadDid):
        did_web.did_for("ftp://x.example")


def test_a_fresh_credential_is_valid_with_every_check_passed(issuer):
    result = verify_credential(issuer.credential(), resolve=issuer.resolver(), now=NOW)
    assert result.verdict == "valid"
    assert {check.name for check in result.checks} == {
        "shape",
        "issuer",
        "key",
        "proof",
        "dates",
        "status",
    }
    assert all(check.passed for check in result.checks)


def test_a_revoked_credential_says_so(issuer):
    credential = issuer.credential()
    issuer.statuses.set(INDEX)
    assert verdict(credential, issuer.resolver()) == "revoked"


def test_dates_decide_expired_and_not_yet_valid(issuer):
    resolve = issuer.resolver()
    assert verdict(issuer.credential(validUntil="2026-12-04T00:00:00Z"), resolve) == "expired"
    assert verdict(issuer.credential(validFrom="2027-01-01T00:00:00Z"), resolve) == "not_yet_valid"
    assert verdict(issuer.credential(validFrom="yesterday"), resolve) == "malformed"


def test_a_changed_field_or_a_copied_proof_is_tampered(issuer):
    resolve = issuer.resolver()
    credential = issuer.credential()
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] = "Something grander"
    assert verdict(changed, resolve) == "tampered"
    other = issuer.credential(name="Another credential")
    other["proof"] = credential["proof"]
    assert verdict(other, resolve) == "tampered"


def test_a_key_the_issuer_does_not_list_is_tampered(issuer):
    intruder = Issuer("algonquin")  # same DID, a key of its own
    assert verdict(intruder.credential(), issuer.resolver()) == "tampered"


def test_an_unknown_issuer_is_said_plainly(issuer):
    stranger = Issuer("nowhere")
    assert verdict(stranger.credential(), issuer.resolver()) == "unknown_issuer"


def test_after_a_key_rotation_old_and_new_credentials_verify(issuer):
    old = issuer.credential()
    issuer.rotate()
    new = issuer.credential()
    assert old["proof"]["verificationMethod"] != new["proof"]["verificationMethod"]
    resolve = issuer.resolver()
    assert verdict(old, resolve) == verdict(new, resolve) == "valid"


@pytest.mark.parametrize(
    "credential",
    [None, [], "text", {"@context": "x"}, {"type": ["VerifiableCredential"]}],
)
def test_what_is_not_a_credential_is_malformed(issuer, credential):
    assert verdict(credential, issuer.resolver()) == "malformed"


def test_a_status_list_signed_by_someone_else_is_not_trusted(issuer):
    credential = issuer.credential()
    forged = Issuer("algonquin").status_list_credential()  # the issuer's DID, another key
    documents = {issuer.did: did_web.did_document(issuer.did, issuer.public_keys)}
    documents[STATUS_URL] = forged
    result = verify_credential(credential, resolve=documents.get, now=NOW)
    assert result.verdict == "tampered"
    assert [c.name for c in result.checks if not c.passed] == ["status"]


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["type"].__setitem__(0, []),
        lambda d: d["@context"].__setitem__(1, "relative"),
        lambda d: d.__setitem__("endorsement", [{"proof": {}, "issuer": "x"}]),
        lambda d: d.__setitem__("endorsement", "not a list"),
        lambda d: d["proof"].__setitem__("proofValue", "z!!!"),
        lambda d: d["credentialStatus"].__setitem__("statusListIndex", "-1"),
        lambda d: d.__setitem__("validUntil", "tomorrow"),
    ],
    ids=[
        "list in type",
        "relative context",
        "endorsement without context",
        "endorsement not a list",
        "proof value",
        "negative index",
        "unreadable date",
    ],
)
def test_odd_values_get_a_verdict_not_an_exception(issuer, change):
    """The verifier itself (no wrapper) answers anything with a verdict."""
    document = issuer.credential()
    change(document)
    assert verdict(document, issuer.resolver()) in {"malformed", "tampered"}


def test_a_poison_graph_is_refused_quickly_not_canonicalised_for_minutes(issuer):
    """Blank nodes that all link to each other make RDFC-1.0 permute them (n! steps): seven
    took seconds, nine would take minutes. The budget refuses them at once."""
    import time

    document = issuer.credential()
    names = [f"_:b{n}" for n in range(9)]
    linked = "https://example.org/linked"  # a full IRI: JSON-LD keeps it without a context
    document["credentialSubject"][linked] = [
        {"@id": name, linked: [{"@id": other} for other in names]} for name in names
    ]
    started = time.perf_counter()
    with pytest.raises(data_integrity.TooComplex):
        data_integrity.canonical(document, contexts.document_loader())
    assert verdict(document, issuer.resolver()) == "tampered"
    assert time.perf_counter() - started < 2


def test_an_issuer_that_names_a_known_document_that_is_not_a_did_document_is_unknown(issuer):
    """The resolver knows the status list's URL too: as an issuer, it is still no one."""
    document = issuer.credential()
    document["issuer"]["id"] = STATUS_URL
    assert verdict(document, issuer.resolver()) == "unknown_issuer"
