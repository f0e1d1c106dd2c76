"""The pure credential modules: Multikeys, eddsa-rdfc-2022 proofs (against the W3C test vector)
and Bitstring Status Lists."""

from __future__ import annotations

import base64
import copy
import gzip

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from projects.credentials import contexts, data_integrity, multikey
from projects.credentials.status_list import MIN_ENTRIES, BadStatusList, StatusList

# W3C vc-di-eddsa, appendix B.1 (eddsa-rdfc-2022): the key pair, the credential, the proof's
# options and the proof value the Recommendation gives.
PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
ALUMNI = {
    "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_V2],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
EXPECTED_PROOF_VALUE = (
    "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
)
# The examples context is a test fixture: it maps every term into the examples vocabulary.
LOADER = contexts.document_loader(
    {EXAMPLES_V2: {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}}}
)


def signed_alumni() -> dict:
    return data_integrity.sign(
        ALUMNI,
        key=multikey.private_key(SECRET),
        verification_method=f"did:key:{PUBLIC}#{PUBLIC}",
        created="2023-02-24T23:36:38Z",
        loader=LOADER,
    )


def test_the_w3c_test_vector_is_reproduced_to_the_byte():
    secured = signed_alumni()
    assert secured["proof"]["proofValue"] == EXPECTED_PROOF_VALUE
    assert secured["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    data_integrity.verify(secured, key=multikey.public_key(PUBLIC), loader=LOADER)


def test_the_multikeys_of_the_vector_are_one_pair():
    private = multikey.private_key(SECRET)
    assert multikey.public_multibase(private.public_key()) == PUBLIC
    with pytest.raises(multikey.BadKey):
        multikey.public_key(SECRET)
    with pytest.raises(multikey.BadKey):
        multikey.private_key("not-multibase")


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"].update(alumniOf="Another School"),
        lambda d: d.update(validFrom="2024-01-01T00:00:00Z"),
        lambda d: d["proof"].update(created="2023-02-25T00:00:00Z"),
        lambda d: d["proof"].update(proofPurpose="authentication"),
        lambda d: d.update(extra="added"),
    ],
    ids=["subject", "date", "proof created", "proof purpose", "new field"],
)
def test_any_change_breaks_the_proof(change):
    tampered = copy.deepcopy(signed_alumni())
    change(tampered)
    with pytest.raises(data_integrity.ProofError):
        data_integrity.verify(tampered, key=multikey.public_key(PUBLIC), loader=LOADER)


def test_another_key_or_a_missing_proof_is_refused():
    secured = signed_alumni()
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(data_integrity.ProofError, match="signature"):
        data_integrity.verify(secured, key=other, loader=LOADER)
    with pytest.raises(data_integrity.ProofError, match="no single proof"):
        data_integrity.verify(ALUMNI, key=other, loader=LOADER)
    wrong_suite = copy.deepcopy(secured)
    wrong_suite["proof"]["cryptosuite"] = "eddsa-jcs-2022"
    with pytest.raises(data_integrity.ProofError, match="not an eddsa-rdfc-2022"):
        data_integrity.verify(wrong_suite, key=multikey.public_key(PUBLIC), loader=LOADER)


def test_the_loader_serves_shipped_contexts_and_fetches_nothing():
    load = contexts.document_loader()
    for url in contexts.SHIPPED:
        assert "@context" in load(url)["document"]
    with pytest.raises(contexts.UnknownDocument):
        load("https://attacker.example/context.json")
    unknown = {**ALUMNI, "@context": ["https://www.w3.org/ns/credentials/v2", "https://x.example/"]}
    with pytest.raises(data_integrity.ProofError, match="canonicalised"):
        data_integrity.verify(
            {**unknown, "proof": signed_alumni()["proof"]},
            key=multikey.public_key(PUBLIC),
            loader=contexts.document_loader(),
        )


def test_a_status_list_sets_and_reads_bits_from_the_left():
    statuses = StatusList()
    assert statuses.size == MIN_ENTRIES and not statuses.get(0)
    statuses.set(0)
    statuses.set(9)
    assert statuses.bits[:2] == bytes([0b1000_0000, 0b0100_0000])
    statuses.set(9, False)
    assert not statuses.get(9) and statuses.get(0)
    with pytest.raises(IndexError):
        statuses.set(MIN_ENTRIES)


def test_a_status_list_is_gzip_then_multibase_base64url_and_decodes_back():
    statuses = StatusList()
    for index in (0, 7, 42, MIN_ENTRIES - 1):
        statuses.set(index)
    encoded = statuses.encode()
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bytes(statuses.bits)
    decoded = StatusList.decode(encoded)
    assert [decoded.get(i) for i in (0, 1, 7, 42, MIN_ENTRIES - 1)] == [1, 0, 1, 1, 1]
    assert statuses.encode() == encoded  # no timestamp inside: the same list, the same text


def test_bad_status_lists_are_refused():
    with pytest.raises(BadStatusList):
        StatusList(1024)
    for encoded in ("zabc", "u!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode()):
        with pytest.raises(BadStatusList):
            StatusList.decode(encoded)
    bomb = gzip.compress(bytes(32 * 1024 * 1024))
    with pytest.raises(BadStatusList, match="oversized"):
        StatusList.decode("u" + base64.urlsafe_b64encode(bomb).decode().rstrip("="))


def test_a_term_no_context_defines_is_refused_before_signing():
    """pyld would leave it out of what it signs, and the DCC verifier (safe mode) refuses it."""
    assert data_integrity.undefined_terms(ALUMNI, data_integrity.expand(ALUMNI, LOADER)) == 0
    strict = contexts.document_loader()  # no examples vocabulary: alumniOf is undefined
    ob_like = {**ALUMNI, "@context": ["https://www.w3.org/ns/credentials/v2"]}
    assert data_integrity.undefined_terms(ob_like, data_integrity.expand(ob_like, strict)) >= 1
    with pytest.raises(data_integrity.ProofError, match="no context defines"):
        data_integrity.sign(
            ob_like,
            key=multikey.private_key(SECRET),
            verification_method=f"did:key:{PUBLIC}#{PUBLIC}",
            created="2023-02-24T23:36:38Z",
            loader=strict,
        )
