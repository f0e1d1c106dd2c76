"""Ed25519 keys as Multikeys: multibase base58btc with the multicodec prefix of the key type,
as DID documents and Data Integrity proofs name them."""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_PUBLIC = b"\xed\x01"
ED25519_PRIVATE = b"\x80\x26"


class BadKey(ValueError):
    pass


def base58btc(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def from_base58btc(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise BadKey("not a multibase base58btc value")
    try:
        return base58.b58decode(text[1:])
    except ValueError as error:
        raise BadKey("not base58") from error


def public_multibase(key: Ed25519PublicKey) -> str:
    return base58btc(ED25519_PUBLIC + key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key(multibase: str) -> Ed25519PublicKey:
    raw = from_base58btc(multibase)
    if len(raw) != 34 or not raw.startswith(ED25519_PUBLIC):
        raise BadKey("not an Ed25519 public Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def secret_multibase(seed: bytes) -> str:
    return base58btc(ED25519_PRIVATE + seed)


def private_key(multibase: str) -> Ed25519PrivateKey:
    raw = from_base58btc(multibase)
    if len(raw) != 34 or not raw.startswith(ED25519_PRIVATE):
        raise BadKey("not an Ed25519 secret Multikey")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])
