"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C vc-di-eddsa).

The document and the proof's options are each canonicalised with RDFC-1.0 against the shipped
contexts (`contexts.document_loader`); the signature covers SHA-256(options) + SHA-256(document)
and is written as a multibase base58btc `proofValue`.
"""

from __future__ import annotations

import copy
import hashlib
import math
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld
from pyld.canon import URDNA2015

from . import multikey

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """The proof is missing, of another kind, malformed, or does not match the document."""


class TooComplex(ValueError):
    """Canonicalising this document would take too much work (symmetric blank nodes)."""


# RDFC-1.0 permutes blank nodes that look alike: n of them cost n! steps, and a few hundred
# bytes can describe a graph that takes hours ("poison graphs", which the Recommendation asks
# implementations to guard against). A credential of ours needs a handful of such steps.
MAX_PERMUTATIONS = 5_000


class _BoundedURDNA2015(URDNA2015):
    """pyld's URDNA2015 with a budget of permutations, refused when spent."""

    def __init__(self) -> None:
        super().__init__()
        self.budget = MAX_PERMUTATIONS

    def create_hash_to_related(self, id_, issuer):
        related = super().create_hash_to_related(id_, issuer)
        for nodes in related.values():
            if len(nodes) > 8:  # 9! alone is past any budget: do not compute it
                raise TooComplex("too many blank nodes alike")
            self.budget -= math.factorial(len(nodes))
        if self.budget < 0:
            raise TooComplex("too many permutations of blank nodes")
        return related


def canonical(document: dict | list, loader: Callable) -> str:
    """RDFC-1.0 (URDNA2015) N-Quads of `document`; TooComplex past the permutation budget."""
    dataset = jsonld.to_rdf(document, {"documentLoader": loader})
    return _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})


_KEYWORD_ALIASES = {"@context", "id", "type"}


def _property_count(node: Any, *, expanded: bool) -> int:
    """Properties in a JSON-LD tree: keywords (and, before expansion, their aliases) left out."""
    if isinstance(node, list):
        return sum(_property_count(item, expanded=expanded) for item in node)
    if not isinstance(node, dict):
        return 0
    return sum(
        (0 if key.startswith("@") or (not expanded and key in _KEYWORD_ALIASES) else 1)
        + _property_count(value, expanded=expanded)
        for key, value in node.items()
    )


def expand(document: dict, loader: Callable) -> list:
    return jsonld.expand(document, {"documentLoader": loader})


def undefined_terms(document: dict, expanded: list) -> int:
    """How many properties of `document` no context defines (`expanded` is its expansion).
    Canonicalisation silently leaves them out, so they would not be signed, and a verifier in
    safe mode (the DCC's) refuses the document: signing refuses it first."""
    return _property_count(document, expanded=False) - _property_count(expanded, expanded=True)


def _hash_data(
    document: dict, options: dict, loader: Callable, expanded: list | None = None
) -> bytes:
    """The two hashes the proof signs. `expanded`, the unsecured document already expanded,
    spares processing its contexts a second time: its RDF dataset, so its canonical form, is
    the document's."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {"@context": document["@context"], **options}
    return (
        hashlib.sha256(canonical(config, loader).encode()).digest()
        + hashlib.sha256(canonical(expanded or unsecured, loader).encode()).digest()
    )


def sign(
    document: dict,
    *,
    key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    loader: Callable,
    purpose: str = "assertionMethod",
) -> dict:
    """`document` with an eddsa-rdfc-2022 proof made with `key` (its `proof` replaced)."""
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    unsecured = {key_: value for key_, value in document.items() if key_ != "proof"}
    expanded = expand(unsecured, loader)
    if undefined_terms(unsecured, expanded):
        raise ProofError("the document has terms no context defines: they would not be signed")
    signature = key.sign(_hash_data(document, options, loader, expanded))
    secured = copy.deepcopy({key_: value for key_, value in document.items() if key_ != "proof"})
    secured["proof"] = {**options, "proofValue": multikey.base58btc(signature)}
    return secured


def proof_of(document: Any) -> dict:
    """The document's one eddsa-rdfc-2022 proof, checked for shape."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if not isinstance(proof, dict):
        raise ProofError("no single proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("not an eddsa-rdfc-2022 Data Integrity proof")
    for name in ("created", "verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise ProofError(f"the proof has no {name}")
    return proof


def verify(document: dict, *, key: Ed25519PublicKey, loader: Callable) -> None:
    """Raise ProofError unless `document`'s proof was made over it by `key`'s private half."""
    proof = proof_of(document)
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    try:
        signature = multikey.from_base58btc(proof["proofValue"])
    except multikey.BadKey as error:
        raise ProofError("the proof value is not base58btc") from error
    try:
        data = _hash_data(document, options, loader)
    except (jsonld.JsonLdError, ValueError, TypeError, KeyError, RecursionError) as error:
        # pyld raises these too on some invalid JSON-LD (a relative context IRI, a list
        # where a type belongs, no @context at all): none of it can carry a valid proof.
        raise ProofError("the document cannot be canonicalised") from error
    try:
        key.verify(signature, data)
    except InvalidSignature as error:
        raise ProofError("the signature does not match the document") from error
