"""The JSON-LD contexts that ship with the project, and a document loader that serves them and
the documents it is given, and nothing else: a verifier never fetches a URL a credential names."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).with_name("contexts")

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"
SHIPPED = (CREDENTIALS_V2, OPEN_BADGES_V3, DATA_INTEGRITY_V2, MULTIKEY_V1, DID_V1)


# OCIP's own extension context (the EU elements OB 3.0 has no field for). Its URL is under the
# platform's address, so callers map it: document_loader({url: eu_extension()}).
EU_EXTENSION_FILE = "ocip-eu-microcredential-v1.json"


def eu_extension_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/contexts/eu-microcredential/v1.json"


@cache
def eu_extension() -> dict:
    return json.loads((FOLDER / EU_EXTENSION_FILE).read_text("utf-8"))


class UnknownDocument(LookupError):
    """A document (a context, a key, a DID document) that the verifier does not hold."""


def file_name(url: str) -> str:
    stem = url.split("://", 1)[1]
    name = "".join(c if c.isalnum() or c in ".-" else "_" for c in stem)
    return name if name.endswith(".json") else f"{name}.json"


@cache
def shipped() -> dict[str, Any]:
    return {url: json.loads((FOLDER / file_name(url)).read_text("utf-8")) for url in SHIPPED}


def document_loader(extra: Mapping[str, Any] | None = None) -> Callable[..., dict]:
    """A pyld document loader over the shipped contexts and `extra` (URL → document)."""
    documents = {**shipped(), **(extra or {})}

    def load(url: str, options: Any = None) -> dict:
        document = documents.get(url)
        if document is None:
            raise UnknownDocument(url)
        # "static": these documents never change, so pyld may keep the processed context
        # between operations (its shared cache), instead of processing it again each time.
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    return load
