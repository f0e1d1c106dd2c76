"""Baking: a signed credential carried inside its badge image, as Open Badges 3.0 specifies.

- PNG: one `iTXt` chunk with the keyword `openbadgecredential`, uncompressed, no language tag,
  whose text is the credential exactly as signed; it goes just before `IEND`.
- SVG: one `<openbadges:credential>` element (namespace https://purl.imsglobal.org/ob/v3p0),
  first child of the root, holding the credential in a CDATA section.

Extraction gives back the same text, byte for byte, so the verifier checks what was issued.
Uploaded images are untrusted: sizes are bounded, chunk checksums checked, and SVG is parsed
by defusedxml with no entities (no expansion, and the parser never fetches anything).

Pure Python (no Django); `tests/credentials/test_baking.py` proves it.
"""

from __future__ import annotations

import re
import struct
import zlib
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # a badge image; far more than any real one needs


class BakingError(ValueError):
    """Why an image cannot carry, or does not carry, exactly one credential. `code` is stable
    (for pages and the API to word); the message is for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- PNG ---------------------------------------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, each checksum checked."""
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError("too_large", f"{len(data)} bytes")
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not_an_image", "no PNG signature")
    chunks: list[tuple[bytes, bytes]] = []
    position = len(PNG_SIGNATURE)
    while position < len(data):
        if position + 12 > len(data):
            raise BakingError("malformed", "truncated chunk header")
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 8 + length
        if end + 4 > len(data):
            raise BakingError("malformed", f"chunk {kind!r} runs past the end")
        body = data[position + 8 : end]
        (crc,) = struct.unpack(">I", data[end : end + 4])
        if zlib.crc32(kind + body) != crc:
            raise BakingError("forged", f"chunk {kind!r} fails its checksum")
        chunks.append((kind, body))
        position = end + 4
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise BakingError("malformed", "a PNG starts with IHDR and ends with IEND")
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _credential_of_itxt(body: bytes) -> str | None:
    """The text of an `openbadgecredential` iTXt chunk; None for any other iTXt."""
    keyword, separator, rest = body.partition(b"\x00")
    if keyword != PNG_KEYWORD or not separator:
        return None
    if len(rest) < 2:
        raise BakingError("malformed", "iTXt chunk too short")
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    if compressed:
        if method != 0:
            raise BakingError("malformed", "unknown iTXt compression")
        # Bounded: a decompression bomb stops at the image size limit.
        decompressor = zlib.decompressobj()
        try:
            text = decompressor.decompress(text, MAX_IMAGE_BYTES)
        except zlib.error as error:
            raise BakingError("malformed", f"compressed credential: {error}") from error
        if decompressor.unconsumed_tail:
            raise BakingError("too_large", "compressed credential too large")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError("malformed", "credential text is not UTF-8") from error


def bake_png(image: bytes, credential: str) -> bytes:
    """The image with `credential` in its one `openbadgecredential` chunk (any earlier one is
    replaced), placed just before IEND."""
    chunks = [
        (kind, body)
        for kind, body in _chunks(image)
        if not (kind == b"iTXt" and _credential_of_itxt(body) is not None)
    ]
    baked = _chunk(b"iTXt", PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + credential.encode("utf-8"))
    out = [PNG_SIGNATURE]
    for kind, body in chunks:
        if kind == b"IEND":
            out.append(baked)
        out.append(_chunk(kind, body))
    return b"".join(out)


def extract_png(image: bytes) -> str:
    """The credential text baked into a PNG: exactly one, or BakingError."""
    found = [
        text
        for kind, body in _chunks(image)
        if kind == b"iTXt" and (text := _credential_of_itxt(body)) is not None
    ]
    if not found:
        raise BakingError("no_credential", "no openbadgecredential chunk")
    if len(found) > 1:
        raise BakingError("several_credentials", f"{len(found)} openbadgecredential chunks")
    return found[0]


# --- SVG ---------------------------------------------------------------------------------------

_ROOT_TAG = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)


def _svg_root(image: bytes) -> Element:
    if len(image) > MAX_IMAGE_BYTES:
        raise BakingError("too_large", f"{len(image)} bytes")
    # Entities are how XML expands or fetches: an SVG needs none. defusedxml refuses them and
    # external references; the parser never loads a DTD.
    try:
        root = fromstring(image, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise BakingError("unsafe", f"the SVG declares entities: {error!r}") from error
    except (ParseError, ValueError, LookupError) as error:
        # Not XML, or XML in an encoding the parser does not read (unknown or multi-byte).
        raise BakingError("not_an_image", f"not readable XML: {error!r}") from error
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError("not_an_image", "the root element is not svg")
    return root


def bake_svg(image: bytes, credential: str) -> bytes:
    """The SVG with `credential` in one `openbadges:credential` element, first child of the
    root. The rest of the file is kept as it was (not re-serialised)."""
    root = _svg_root(image)
    if root.findall(f".//{{{OB_NAMESPACE}}}credential"):
        raise BakingError("several_credentials", "the SVG already carries a credential")
    text = image.decode("utf-8")
    opening = _ROOT_TAG.search(text)
    if opening is None:
        raise BakingError("malformed", "no svg start tag")
    tag = opening.group(0)
    if "xmlns:openbadges" not in tag:
        end = len(tag) - (2 if tag.endswith("/>") else 1)
        tag = f'{tag[:end]} xmlns:openbadges="{OB_NAMESPACE}"{tag[end:]}'
    # "]]>" would end the section: split it across two sections (parsers join them again).
    cdata = credential.replace("]]>", "]]]]><![CDATA[>")
    element = f"<openbadges:credential><![CDATA[{cdata}]]></openbadges:credential>"
    baked = f"{tag[:-2]}>{element}</svg>" if tag.endswith("/>") else f"{tag}{element}"
    return (text[: opening.start()] + baked + text[opening.end() :]).encode("utf-8")


def extract_svg(image: bytes) -> str:
    """The credential text baked into an SVG: exactly one, or BakingError."""
    found = _svg_root(image).findall(f".//{{{OB_NAMESPACE}}}credential")
    if not found:
        raise BakingError("no_credential", "no openbadges:credential element")
    if len(found) > 1:
        raise BakingError("several_credentials", f"{len(found)} openbadges:credential elements")
    return (found[0].text or "").strip()


UTF8_BOM = b"\xef\xbb\xbf"


def looks_like_svg(data: bytes) -> bool:
    """XML text (an SVG, if anything): its first character, after a byte-order mark and
    spaces, is "<"."""
    return data.removeprefix(UTF8_BOM).lstrip()[:1] == b"<"


def extract(image: bytes) -> str:
    """The credential baked into a PNG or an SVG, told apart by their first bytes."""
    if image.startswith(PNG_SIGNATURE):
        return extract_png(image)
    if looks_like_svg(image):
        return extract_svg(image)
    raise BakingError("not_an_image", "neither a PNG nor an SVG")
