"""did:web identifiers and DID documents (pure): one DID per issuing institution under the
platform's own address, listing every key it ever signed with, so that credentials signed before
a key rotation keep verifying while the newest key signs from then on."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, unquote, urlsplit

from . import contexts


class BadDid(ValueError):
    pass


def did_for(base_url: str, *path: str) -> str:
    """`did:web:host%3Aport:path:segments` for the document at https://host:port/path/did.json."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise BadDid(f"not a base address: {base_url!r}")
    segments = [s for s in parts.path.split("/") if s] + [s for s in path if s]
    return ":".join(["did", "web", quote(parts.netloc, safe="")] + [quote(s) for s in segments])


def document_url(did: str) -> str:
    """Where a did:web DID document is published (the did:web method's own rule)."""
    if not did.startswith("did:web:"):
        raise BadDid(f"not a did:web identifier: {did!r}")
    host, *segments = did.removeprefix("did:web:").split(":")
    host = unquote(host)
    path = "/".join(unquote(s) for s in segments) if segments else ".well-known"
    return f"https://{host}/{path}/did.json"


def key_id(did: str, public_multibase: str) -> str:
    return f"{did}#{public_multibase}"


def did_document(did: str, public_keys: Sequence[str]) -> dict:
    """The DID document of `did` with its Ed25519 Multikeys (`public_keys`, oldest first)."""
    methods = [
        {
            "id": key_id(did, key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key,
        }
        for key in public_keys
    ]
    return {
        "@context": [contexts.DID_V1, contexts.MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def assertion_key(document: dict, method_id: str) -> str | None:
    """The public Multikey of `method_id` if `document` lets it make assertions, else None."""
    if not isinstance(document, dict) or method_id not in document.get("assertionMethod", []):
        return None
    for method in document.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("id") == method_id:
            key = method.get("publicKeyMultibase")
            return key if isinstance(key, str) else None
    return None
