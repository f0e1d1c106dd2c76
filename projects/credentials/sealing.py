"""Private signing keys at rest (pure): sealed with Fernet (AES-128-CBC + HMAC-SHA256) under a
secret that only the environment holds, so the database alone never yields a key."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat


class SealError(ValueError):
    """A sealed key that this secret cannot open (another secret, or altered)."""


def derived_secret(text: str) -> str:
    """A Fernet secret derived from any text (development and tests derive it from SECRET_KEY)."""
    digest = hashlib.sha256(f"ocip-signing-keys:{text}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def seal(key: Ed25519PrivateKey, secret: str) -> str:
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return Fernet(secret.encode("ascii")).encrypt(seed).decode("ascii")


def unseal(token: str, secret: str) -> Ed25519PrivateKey:
    try:
        seed = Fernet(secret.encode("ascii")).decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError) as error:
        raise SealError("this secret does not open the key") from error
    return Ed25519PrivateKey.from_private_bytes(seed)
