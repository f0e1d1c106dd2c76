"""Verification of an Open Badges 3.0 credential (pure): its shape, its issuer's DID document
and key, its proof, its dates and its status, each a check with a code; the verdict is the most
serious failure. Documents come from `resolve` (the platform's own records), never the network.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import contexts, data_integrity, did_web, multikey
from .status_list import BadStatusList, StatusList

# From the most serious: the first failed check's verdict is the credential's.
VERDICTS = ("malformed", "unknown_issuer", "tampered", "revoked", "expired", "not_yet_valid")
VALID = "valid"


@dataclass(frozen=True)
class Check:
    name: str  # shape, issuer, key, proof, dates, status
    passed: bool
    code: str  # why, as a code the caller words in the reader's language


@dataclass
class Verification:
    checks: list[Check] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        failed = {check.code for check in self.checks if not check.passed}
        return next((verdict for verdict in VERDICTS if verdict in failed), VALID)

    def add(self, name: str, passed: bool, code: str) -> bool:
        self.checks.append(Check(name, passed, code))
        return passed


def _issuer_id(credential: dict) -> str | None:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer_id if isinstance(issuer_id, str) else None


def _shape_ok(credential: Any) -> bool:
    if not isinstance(credential, dict):
        return False
    context = credential.get("@context")
    types = credential.get("type")
    return (
        isinstance(context, list)
        and context[:1] == [contexts.CREDENTIALS_V2]
        and isinstance(types, list)
        and all(isinstance(name, str) for name in types)
        and {"VerifiableCredential", "OpenBadgeCredential"} <= set(types)
        and _issuer_id(credential) is not None
        and isinstance(credential.get("validFrom"), str)
        and isinstance(credential.get("credentialSubject"), dict)
        and isinstance(credential.get("proof"), dict)
    )


def instant(text: Any) -> datetime | None:
    """A timezone-aware moment from an XML Schema dateTime, or None."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def signed_by_issuer(
    document: dict,
    issuer: str,
    resolve: Callable[[str], Any],
    result: Verification,
    loader: Callable,
) -> bool:
    """The issuer's DID document, the key the proof names in it, and the proof itself."""
    did_document = resolve(issuer)
    # A DID document about this issuer: not any document the resolver knows (a status list).
    known = (
        isinstance(did_document, dict)
        and did_document.get("id") == issuer
        and isinstance(did_document.get("verificationMethod"), list)
    )
    if not result.add("issuer", known, "unknown_issuer"):
        return False
    method = document["proof"].get("verificationMethod")
    key_text = did_web.assertion_key(did_document, method) if isinstance(method, str) else None
    if not result.add("key", key_text is not None, "tampered"):
        return False
    assert key_text is not None
    seen = (key_text, hashlib.sha256(json.dumps(document, sort_keys=True).encode()).digest())
    if seen not in _VERIFIED:
        try:
            data_integrity.verify(document, key=multikey.public_key(key_text), loader=loader)
        except (data_integrity.ProofError, multikey.BadKey):
            return result.add("proof", False, "tampered")
        _remember(seen)
    return result.add("proof", True, "tampered")


# Documents whose proof verified, by key and content: a status list credential is checked for
# every credential on it, and it verifies the same way until its text changes. Only
# successes are kept, and the content is part of the key, so nothing else can pass for it.
_VERIFIED: OrderedDict[tuple[str, bytes], None] = OrderedDict()
_VERIFIED_MAX = 256


def _remember(seen: tuple[str, bytes]) -> None:
    _VERIFIED[seen] = None
    _VERIFIED.move_to_end(seen)
    while len(_VERIFIED) > _VERIFIED_MAX:
        _VERIFIED.popitem(last=False)


def _status_ok(
    credential: dict, issuer: str, resolve, result: Verification, loader: Callable
) -> bool:
    entry = credential.get("credentialStatus")
    if entry is None:
        return result.add("status", True, "revoked")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        return result.add("status", False, "malformed")
    try:
        index = int(str(entry.get("statusListIndex")))
    except (TypeError, ValueError):
        return result.add("status", False, "malformed")
    status_credential = resolve(entry.get("statusListCredential"))
    if not isinstance(status_credential, dict) or _issuer_id(status_credential) != issuer:
        return result.add("status", False, "unknown_issuer")
    listing = Verification()
    if not signed_by_issuer(status_credential, issuer, resolve, listing, loader):
        return result.add("status", False, "tampered")
    subject = status_credential.get("credentialSubject", {})
    try:
        revoked = StatusList.decode(subject.get("encodedList")).get(index)
    except (BadStatusList, IndexError, AttributeError):
        return result.add("status", False, "malformed")
    return result.add("status", not revoked, "revoked")


def verify_credential(
    credential: Any,
    *,
    resolve: Callable[[str], Any],
    now: datetime,
    loader: Callable | None = None,
) -> Verification:
    """Check `credential` as a verifier would; `resolve(url)` gives the platform's DID documents
    and status list credentials (None for anything else), `loader` the JSON-LD contexts (the
    shipped ones by default; the platform adds its own extension's)."""
    loader = loader or contexts.document_loader()
    result = Verification()
    if not result.add("shape", _shape_ok(credential), "malformed"):
        return result
    issuer = _issuer_id(credential)
    assert issuer is not None
    if not signed_by_issuer(credential, issuer, resolve, result, loader):
        return result
    valid_from = instant(credential["validFrom"])
    valid_until = credential.get("validUntil")
    until = instant(valid_until) if valid_until is not None else None
    readable = valid_from is not None and (valid_until is None or until is not None)
    if not result.add("dates", readable, "malformed"):
        return result
    assert valid_from is not None
    result.add("dates", valid_from <= now, "not_yet_valid")
    result.add("dates", until is None or now <= until, "expired")
    _status_ok(credential, issuer, resolve, result, loader)
    _endorsements_ok(credential, resolve, result, loader)
    return result


def _endorsements_ok(credential: dict, resolve, result: Verification, loader: Callable) -> None:
    """Each embedded endorsement is a credential of its own, signed by its endorser and about
    this credential: it must verify on its own too."""
    endorsements = credential.get("endorsement", [])
    if not isinstance(endorsements, list):
        result.add("endorsement", False, "malformed")
        return
    for endorsement in endorsements:
        if not isinstance(endorsement, dict) or not isinstance(endorsement.get("proof"), dict):
            result.add("endorsement", False, "malformed")
            continue
        endorser = _issuer_id(endorsement)
        subject = endorsement.get("credentialSubject")
        about = subject.get("id") if isinstance(subject, dict) else None
        if endorser is None or about != credential.get("id"):
            result.add("endorsement", False, "tampered")
            continue
        own = Verification()
        result.add(
            "endorsement",
            signed_by_issuer(endorsement, endorser, resolve, own, loader),
            "tampered",
        )
