"""Which uploaded files may be recorded as evidence: a known type whose content matches its
name, within the size limit. The type is read from the first bytes, not trusted from the
browser."""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# extension → (content type, the file's first bytes, or None for text)
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK\x03\x04",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    "zip": ("application/zip", b"PK\x03\x04"),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
    "md": ("text/markdown", None),
}
TEXT_SNIFF_BYTES = 64 * 1024


def allowed_names() -> str:
    return ", ".join(f".{extension}" for extension in ALLOWED)


def check(upload, max_bytes: int) -> tuple[str, str]:
    """(the problem in words or "", the content type)."""
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ALLOWED:
        return _("Upload one of these types: %(types)s.") % {"types": allowed_names()}, ""
    if upload.size > max_bytes:
        return (
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            "",
        )
    if upload.size == 0:
        return _("The file is empty."), ""
    content_type, signature = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(TEXT_SNIFF_BYTES if signature is None else len(signature))
    upload.seek(0)
    if signature is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 3:  # not just a character cut at the sniff's end
                return _("The file's content is not UTF-8 text, as its name says."), ""
        if b"\x00" in head:
            return _("The file's content is not text, as its name says."), ""
    elif not head.startswith(signature):
        return (
            _("The file's content does not match its type (.%(extension)s).")
            % {"extension": extension},
            "",
        )
    return "", content_type
