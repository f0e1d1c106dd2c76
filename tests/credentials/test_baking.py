"""Baking credentials into badge images (projects/credentials/baking.py): the round trip gives
back the issued text byte for byte, and bad images get a clear code, never a crash."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import zlib

import pytest
from PIL import Image

from projects.credentials.baking import (
    MAX_IMAGE_BYTES,
    BakingError,
    bake_png,
    bake_svg,
    extract,
    extract_png,
    extract_svg,
)

CREDENTIAL = json.dumps(
    {"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "Réalité appliquée"},
    ensure_ascii=False,
    separators=(",", ":"),
)
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def test_png_round_trip_is_byte_identical_and_the_image_still_opens():
    baked = bake_png(png(), CREDENTIAL)
    assert extract_png(baked) == CREDENTIAL == extract(baked)
    assert extract_png(baked).encode() == CREDENTIAL.encode()
    Image.open(io.BytesIO(baked)).verify()
    # Baking again replaces the credential: an image carries one.
    again = bake_png(baked, CREDENTIAL.replace("appliquée", "revue"))
    assert extract_png(again) == CREDENTIAL.replace("appliquée", "revue")
    assert again.count(b"openbadgecredential") == 1


def test_svg_round_trip_is_byte_identical():
    baked = bake_svg(SVG, CREDENTIAL)
    assert extract_svg(baked) == CREDENTIAL == extract(baked)
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert baked.index(b"<openbadges:credential>") < baked.index(b"<rect")
    with pytest.raises(BakingError) as error:
        bake_svg(baked, CREDENTIAL)
    assert error.value.code == "several_credentials"


def code_of(image: bytes) -> str:
    with pytest.raises(BakingError) as error:
        extract(image)
    return error.value.code


def test_images_without_one_credential_get_a_clear_answer():
    assert code_of(png()) == "no_credential"
    assert code_of(SVG) == "no_credential"
    two = bake_png(png(), CREDENTIAL)
    iend = two.rindex(b"IEND") - 4
    chunk = two[two.index(b"iTXt") - 4 : iend]
    assert code_of(two[:iend] + chunk + two[iend:]) == "several_credentials"
    svg_two = bake_svg(SVG, CREDENTIAL).replace(
        b"</svg>", b"<openbadges:credential>x</openbadges:credential></svg>"
    )
    assert code_of(svg_two) == "several_credentials"


def test_bad_uploads_are_refused_with_a_reason():
    assert code_of(b"%PDF-1.7 not an image") == "not_an_image"
    assert code_of(b"<html><body>hello</body></html>") == "not_an_image"
    assert code_of(b"<svg") == "not_an_image"  # not XML
    assert code_of(b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_IMAGE_BYTES + 1)) == "too_large"
    # A forged chunk: the credential changed after baking, the checksum not.
    baked = bake_png(png(), CREDENTIAL)
    assert code_of(baked.replace(b"appliqu", b"APPLIQU")) == "forged"
    # Truncated.
    assert code_of(baked[:40]) == "malformed"


def test_svg_entities_are_refused_before_parsing():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
    )
    assert code_of(laughs) == "unsafe"
    external = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "http://example.com/x">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'
    )
    assert code_of(external) == "unsafe"
    # A script is no credential; it is never run, only parsed.
    scripted = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert code_of(scripted) == "no_credential"


def test_a_compressed_credential_chunk_is_read_within_bounds():
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(CREDENTIAL.encode())
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    image = png()
    iend = image.rindex(b"IEND") - 4
    assert extract(image[:iend] + chunk + image[iend:]) == CREDENTIAL


def test_a_credential_with_the_end_of_a_cdata_section_bakes_into_svg_byte_for_byte():
    credential = CREDENTIAL.replace("Réalité", "Nice ]]> work ]]]> ]]")
    baked = bake_svg(SVG, credential)
    assert extract_svg(baked) == credential == extract(baked)


def _compressed_itxt_png(text: bytes) -> bytes:
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + text
    chunk = (
        struct.pack(">I", len(body))
        + b"iTXt"
        + body
        + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    )
    image = png()
    end = image.rindex(b"IEND") - 4
    return image[:end] + chunk + image[end:]


@pytest.mark.parametrize(
    "image",
    [
        _compressed_itxt_png(b"not zlib data"),
        b'<?xml version="1.0" encoding="foo"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b'<?xml version="1.0" encoding="shift_jis"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b'<?xml version="1.0" encoding="utf-7"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'><x/></svg>",
        b"<svg xmlns='http://www.w3.org/2000/svg'>" + b"<g>" * 5000,
    ],
    ids=["bad zlib", "unknown encoding", "multi-byte encoding", "utf-7", "BOM", "unclosed"],
)
def test_odd_images_raise_only_a_baking_error(image):
    with pytest.raises(BakingError):
        extract(image)


def test_random_bytes_after_a_png_signature_or_a_tag_raise_only_a_baking_error():
    import random

    chooser = random.Random(16)
    base = bake_png(png(), CREDENTIAL)
    for _ in range(300):
        mutated = bytearray(base)
        for _ in range(chooser.randint(1, 8)):
            mutated[chooser.randrange(8, len(mutated))] = chooser.randrange(256)
        for candidate in (bytes(mutated), b"<svg" + bytes(mutated[8:200])):
            with contextlib.suppress(BakingError):  # anything else fails the test
                extract(candidate)
