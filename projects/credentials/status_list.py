"""Bitstring Status Lists (W3C): a bit per issued credential, set when it is revoked, published
gzip-compressed and multibase base64url-encoded. Index 0 is the left-most bit of the first byte."""

from __future__ import annotations

import base64
import gzip
import zlib

MIN_ENTRIES = 131_072  # 16 KiB: the minimum the Recommendation sets, for herd privacy
MAX_BYTES = 16 * 1024 * 1024  # what a decoder inflates at most (a gzip bomb stops there)


class BadStatusList(ValueError):
    pass


class StatusList:
    def __init__(self, size: int = MIN_ENTRIES, bits: bytes | None = None):
        if size < MIN_ENTRIES or size % 8:
            raise BadStatusList(f"a status list has at least {MIN_ENTRIES} entries, whole bytes")
        self.size = size
        self.bits = bytearray(bits if bits is not None else size // 8)

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise IndexError(index)
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self.bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self.bits[byte] |= mask
        else:
            self.bits[byte] &= ~mask & 0xFF

    def encode(self) -> str:
        compressed = gzip.compress(bytes(self.bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise BadStatusList("not multibase base64url")
        body = encoded[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=31)  # gzip framing
            bits = inflater.decompress(compressed, MAX_BYTES + 1)
        except (ValueError, zlib.error) as error:
            raise BadStatusList("not a gzip-compressed bitstring") from error
        if len(bits) > MAX_BYTES or not inflater.eof:
            raise BadStatusList("a truncated or oversized bitstring")
        return cls(len(bits) * 8, bits)
