"""The student's wallet: badge images with the credential baked in (PNG and SVG), the zip of
everything, LinkedIn's add-to-profile link, and the verify page reading a baked image; bad
images get a clear answer, never a 500."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from matching.models import InstitutionMembership
from projects import badges, selectors, services
from projects.credentials import badge_image, baking, linkedin

pytestmark = pytest.mark.django_db

VERIFY = "/verify/"


def text(response) -> str:
    return response.content.decode()


def result_panel(response) -> str:
    page = text(response)
    start = page.index('id="result"')
    return page[start : page.index("<form", start)]


def upload(client, name: str, content: bytes, path: str = VERIFY):
    return client.post(path, {"file": SimpleUploadedFile(name, content)})


# --- Default badge images (pure) ----------------------------------------------------------------


def test_the_default_badge_lays_out_long_french_titles_legibly():
    title = "Recherche appliquée en vision artificielle pour la détection de défauts"
    lines = badge_image.layout(title, "Collège Boréal d'arts appliqués et de technologie")
    title_lines = [line for line in lines if line.bold]
    assert 1 < len(title_lines) <= badge_image.MAX_TITLE_LINES
    assert " ".join(line.text for line in title_lines) == title  # nothing cut
    assert all(line.size >= 29 for line in lines if line.bold)
    assert all(0 < line.y < badge_image.SIZE for line in lines)
    png = badge_image.default_png(title, "Collège Boréal")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (600, 600) and image.format == "PNG"
    svg = badge_image.default_svg(title, "Collège Boréal", "fr")
    assert 'xml:lang="fr"' in svg and "<title>" in svg and "appliquée" in svg


def test_an_endless_title_is_cut_with_an_ellipsis_not_overflowing():
    lines = badge_image.layout("Word " * 80, "X")
    title_lines = [line for line in lines if line.bold]
    assert len(title_lines) == badge_image.MAX_TITLE_LINES
    assert title_lines[-1].text.endswith("…")
    font = badge_image._font(title_lines[0].size, True)
    assert all(font.getlength(line.text) <= badge_image.TITLE_WIDTH + 20 for line in title_lines)


def test_the_svg_escapes_what_an_office_types():
    svg = badge_image.default_svg('<script>alert("x")</script> & co', "A & B")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "A &amp; B" in svg


# --- LinkedIn (pure) ----------------------------------------------------------------------------


def test_the_linkedin_link_names_the_certification_and_leaves_out_empty_parameters():
    url = linkedin.add_to_profile_url(
        name="Recherche appliquée",
        organization="Collège Boréal",
        issued=date(2026, 12, 5),
        cert_url="https://ocip.example/credentials/abc/",
        cert_id="abc",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Recherche appliquée"],
        "organizationName": ["Collège Boréal"],
        "issueYear": ["2026"],
        "issueMonth": ["12"],
        "certUrl": ["https://ocip.example/credentials/abc/"],
        "certId": ["abc"],
    }
    expiring = linkedin.add_to_profile_url(
        name="N",
        organization="O",
        issued=date(2026, 1, 1),
        cert_url="u",
        cert_id="i",
        expires=date(2028, 3, 1),
    )
    assert parse_qs(urlsplit(expiring).query)["expirationMonth"] == ["3"]


# --- Baking round trip through the real credential ---------------------------------------------


def test_baked_png_and_svg_give_back_the_issued_text_byte_for_byte_and_verify(issued):
    for image in (badges.baked_png(issued), badges.baked_svg(issued)):
        extracted = baking.extract(image)
        assert extracted.encode("utf-8") == issued.signed_text.encode("utf-8")
        assert selectors.verify(json.loads(extracted), timezone.now()).verdict == "valid"
    with Image.open(io.BytesIO(badges.baked_png(issued))) as image:
        image.verify()


def test_the_demo_command_writes_baked_images(db, tmp_path, django_capture_on_commit_callbacks):
    out, png, svg = tmp_path / "c.json", tmp_path / "c.png", tmp_path / "c.svg"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("issue_demo_credential", out=out, png=png, svg=svg, stdout=io.StringIO())
    issued_text = out.read_bytes()
    assert baking.extract(png.read_bytes()).encode("utf-8") == issued_text
    assert baking.extract(svg.read_bytes()).encode("utf-8") == issued_text
    document = json.loads(issued_text)
    image = document["credentialSubject"]["achievement"]["image"]
    assert image["type"] == "Image" and image["id"].endswith("/badge-en.png")


def test_a_published_micro_credential_has_a_public_badge_image_in_each_language(client, definition):
    for language in ("en", "fr"):
        for kind, content_type in (("png", "image/png"), ("svg", "image/svg+xml")):
            url = reverse(
                "definition_badge",
                kwargs={
                    "lineage": definition.lineage,
                    "version": definition.version,
                    "language": language,
                    "kind": kind,
                },
            )
            response = client.get(url)
            assert response.status_code == 200 and response["Content-Type"] == content_type
    svg = client.get(urlsplit(selectors.badge_image_url(definition, "fr", "svg")).path)
    assert definition.title_fr.split()[0].encode() in svg.content
    assert b'xml:lang="fr"' in svg.content


def test_no_badge_for_a_draft_an_unknown_language_or_kind(client, definition, office):
    draft = services.definition_create(
        actor=office, institution=definition.institution, title_en="Draft only"
    )
    for lineage, version, language, kind in (
        (draft.lineage, draft.version, "en", "png"),
        (definition.lineage, definition.version, "de", "png"),
        (definition.lineage, definition.version, "en", "gif"),
    ):
        url = reverse(
            "definition_badge",
            kwargs={"lineage": lineage, "version": version, "language": language, "kind": kind},
        )
        assert client.get(url).status_code == 404


def test_an_uploaded_badge_image_is_used_for_both_images(issued, definition):
    from django.core.files.base import ContentFile

    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "darkgreen").save(buffer, format="PNG")
    definition.image.save("own.png", ContentFile(buffer.getvalue()), save=True)
    issued.definition.refresh_from_db()
    png = badges.baked_png(issued)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (200, 200)
    svg = badges.baked_svg(issued)
    assert b"data:image/png;base64," in svg
    assert baking.extract(svg) == issued.signed_text


# --- The wallet page ----------------------------------------------------------------------------


def test_the_wallet_offers_every_file_of_each_credential(client, issued, student):
    client.force_login(student)
    page = text(client.get(reverse("student_credentials")))
    for kind in ("png", "svg"):
        assert (
            reverse("credential_baked", kwargs={"public_id": issued.public_id, "kind": kind})
            in page
        )
    assert reverse("credential_download", kwargs={"public_id": issued.public_id}) in page
    assert reverse("wallet_export") in page
    png = client.get(
        reverse("credential_baked", kwargs={"public_id": issued.public_id, "kind": "png"})
    )
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert (
        "attachment" in png["Content-Disposition"] and png["Cache-Control"] == "private, no-store"
    )
    assert baking.extract(png.content) == issued.signed_text


def test_only_the_holder_gets_the_baked_images(client, issued, office):
    url = reverse("credential_baked", kwargs={"public_id": issued.public_id, "kind": "png"})
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(office)
    assert client.get(url).status_code == 404
    assert client.get(reverse("wallet_export")).status_code == 200  # their own, empty


def test_the_export_holds_each_credential_as_json_png_and_svg(client, issued, student):
    client.force_login(student)
    response = client.get(reverse("wallet_export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = bundle.namelist()
        assert len(names) == 3
        json_name = next(name for name in names if name.endswith("credential.json"))
        assert bundle.read(json_name) == issued.signed_text.encode("utf-8")
        for suffix in ("badge.png", "badge.svg"):
            name = next(name for name in names if name.endswith(suffix))
            assert baking.extract(bundle.read(name)) == issued.signed_text


def test_a_student_who_leaves_the_institution_keeps_the_wallet(client, issued, student):
    InstitutionMembership.objects.filter(user=student).delete()
    client.force_login(student)
    page = text(client.get(reverse("student_credentials")))
    assert issued.definition.title_en in page
    with zipfile.ZipFile(io.BytesIO(client.get(reverse("wallet_export")).content)) as bundle:
        assert len(bundle.namelist()) == 3


def test_linkedin_is_offered_once_the_credential_has_a_public_page(client, issued, student):
    client.force_login(student)
    page = text(client.get(reverse("student_credentials")))
    assert "linkedin.com" not in page and "share it first" in page
    services.credential_set_shared(actor=student, credential=issued, shared=True)
    page = text(client.get(reverse("student_credentials")))
    start = page.index("https://www.linkedin.com/profile/add?")
    url = page[start : page.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert query["certId"] == [str(issued.public_id)]
    assert query["certUrl"] == [selectors.credential_url(issued)]
    assert query["name"] == [issued.definition.title(issued.language)]
    assert query["organizationName"] == [issued.institution.name]
    local = timezone.localtime(issued.issued_at)
    assert query["issueYear"] == [str(local.year)] and query["issueMonth"] == [str(local.month)]


def test_the_wallet_in_french(client, issued, student):
    client.force_login(student)
    with translation.override("fr"):
        path = reverse("student_credentials")
    page = text(client.get(path))
    assert '<html lang="fr">' in page and issued.definition.title_fr in page


# --- Verifying a baked image --------------------------------------------------------------------


def test_a_baked_png_or_svg_verifies_on_the_verify_page(client, issued):
    for name, image in (("b.png", badges.baked_png(issued)), ("b.svg", badges.baked_svg(issued))):
        response = upload(client, name, image)
        assert response.status_code == 200
        assert "Result: Valid" in result_panel(response)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _with_extra_chunk(png: bytes, chunk: bytes) -> bytes:
    end = png.rindex(b"IEND") - 4
    return png[:end] + chunk + png[end:]


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("plain_png", "no credential inside it"),
        ("two_credentials", "more than one credential"),
        ("bad_checksum", "fails its checksum"),
        ("huge", "larger than 5 MiB"),
        ("svg_entities", "declares XML entities"),
        ("not_svg_xml", "neither a badge image"),
        ("gif", "not UTF-8"),
        ("bad_zlib", "is damaged"),
        ("unknown_encoding", "neither a badge image"),
        ("bom_svg_without_credential", "no credential inside it"),
    ],
)
def test_bad_images_get_a_clear_answer_never_a_500(client, issued, case, says):
    baked = badges.baked_png(issued)
    plain = badge_image.default_png("T", "I")
    chunk = _png_chunk(
        b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00" + issued.signed_text.encode()
    )
    images = {
        "plain_png": plain,
        "two_credentials": _with_extra_chunk(baked, chunk),
        "bad_checksum": baked[:-20] + bytes([baked[-20] ^ 1]) + baked[-19:],
        "huge": plain + b"\x00" * (baking.MAX_IMAGE_BYTES + 1),
        "svg_entities": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        "not_svg_xml": b"<html><body>hello</body></html>",
        "gif": b"GIF89a\x01\x00\x01\x00\x80\xff\x00",
        "bad_zlib": _with_extra_chunk(
            plain, _png_chunk(b"iTXt", b"openbadgecredential\x00\x01\x00\x00\x00not zlib")
        ),
        "unknown_encoding": b'<?xml version="1.0" encoding="shift_jis"?>'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "bom_svg_without_credential": b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>",
    }
    response = upload(client, "image", images[case])
    assert response.status_code == 400
    assert says in result_panel(response)


def test_a_changed_credential_in_a_well_formed_png_is_changed_or_forged(client, issued):
    document = json.loads(issued.signed_text)
    document["name"] = "Something else"
    forged = baking.bake_png(badge_image.default_png("T", "I"), json.dumps(document))
    response = upload(client, "forged.png", forged)
    assert response.status_code == 200
    assert "Result: Changed or forged" in result_panel(response)


def test_an_svg_with_a_script_is_read_for_its_credential_only(client, issued):
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
        b'<image href="https://tracker.example/x.png"/></svg>'
    )
    response = upload(client, "s.svg", baking.bake_svg(svg, issued.signed_text))
    assert response.status_code == 200 and "Result: Valid" in result_panel(response)
    assert "alert(1)" not in text(response)


# --- The office's own badge image ---------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def _image_url(definition) -> str:
    return reverse(
        "definition_image", kwargs={"slug": definition.institution.slug, "pk": definition.pk}
    )


def test_the_office_uploads_a_badge_into_the_next_version(client, office, definition):
    client.force_login(office)
    response = client.post(
        _image_url(definition), {"image": SimpleUploadedFile("b.png", _png(300, 300))}
    )
    assert response.status_code == 302
    draft = definition.__class__.objects.get(lineage=definition.lineage, state="draft")
    definition.refresh_from_db()
    assert draft.image and not definition.image  # the published version never changes
    preview = client.get(_image_url(draft))
    assert preview["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(preview.content)) as image:
        assert image.size == (300, 300)
    # Kept with the private files, under a name that says nothing of the micro-credential.
    from django.conf import settings

    assert draft.image.path.startswith(str(settings.OCIP_PRIVATE_FILES_ROOT))
    assert str(draft.lineage) not in draft.image.name
    response = client.post(_image_url(draft), {"remove": "on"})
    draft.refresh_from_db()
    assert response.status_code == 302 and not draft.image


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"GIF89a not a png", "not a PNG image"),
        (_png(400, 200), "square image"),
        (_png(100, 100), "from 200 to 2000 pixels"),
        (b"\x89PNG" + b"\x00" * (1024 * 1024 + 10), "1 MB or less"),
    ],
)
def test_a_bad_badge_upload_says_why(client, office, definition, content, says):
    client.force_login(office)
    response = client.post(_image_url(definition), {"image": SimpleUploadedFile("b.png", content)})
    assert response.status_code == 400
    assert says in text(response)
    assert not definition.__class__.objects.filter(
        lineage=definition.lineage, state="draft"
    ).exists()


def test_only_the_office_sets_a_badge(client, student, definition):
    client.force_login(student)
    response = client.post(
        _image_url(definition), {"image": SimpleUploadedFile("b.png", _png(300, 300))}
    )
    assert response.status_code in (403, 404)


def test_texts_that_end_a_cdata_section_still_bake_into_svg_and_the_export(
    client, office, project, student, definition, business_owner
):
    from tests.credentials.steps import issue

    credential = issue(
        office, project, student, definition, business_owner, comment="Nice ]]> work"
    )
    assert "]]>" in credential.signed_text
    client.force_login(student)
    svg = client.get(
        reverse("credential_baked", kwargs={"public_id": credential.public_id, "kind": "svg"})
    )
    assert svg.status_code == 200 and baking.extract(svg.content) == credential.signed_text
    assert client.get(reverse("wallet_export")).status_code == 200


def test_an_uploaded_badge_is_drawn_again_without_its_chunks(client, office, definition):
    upload = baking.bake_png(_png(300, 300), '{"name": "someone else\'s credential"}')
    upload = _with_extra_chunk(upload, _png_chunk(b"tEXt", b"Author\x00Jane Private"))
    client.force_login(office)
    client.post(_image_url(definition), {"image": SimpleUploadedFile("b.png", upload)})
    draft = definition.__class__.objects.get(lineage=definition.lineage, state="draft")
    stored = draft.image.read()
    assert b"openbadgecredential" not in stored and b"Jane Private" not in stored
    with pytest.raises(baking.BakingError):
        baking.extract(stored)


def test_the_wallet_costs_the_same_queries_however_many_pathways(
    client, issued, student, definition
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.models import CredentialDefinition, Pathway, PathwayComponent

    def add_pathway(number: int) -> None:
        other = CredentialDefinition.objects.create(
            institution=definition.institution,
            title_en=f"Part {number}",
            title_fr=f"Partie {number}",
            state="published",
            published_at=timezone.now(),
        )
        pathway = Pathway.objects.create(
            institution=definition.institution,
            title_en=f"Pathway {number}",
            target=Pathway.Target.PROGRAM,
            program_name_en=f"Certificate {number}",
            state=Pathway.State.PUBLISHED,
            published_at=timezone.now(),
        )
        for part in (definition, other):
            PathwayComponent.objects.create(
                pathway=pathway,
                lineage=part.lineage,
                institution=part.institution,
                agreed_at=timezone.now(),
            )

    client.force_login(student)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("student_credentials"))
        assert page.status_code == 200
        return len(captured)

    add_pathway(1)
    client.get(reverse("student_credentials"))  # the site's menus, cached from then on
    one = queries()
    for number in range(2, 6):
        add_pathway(number)
    page = text(client.get(reverse("student_credentials")))
    assert page.count("1 of 2 toward Certificate") == 5
    assert queries() == one
