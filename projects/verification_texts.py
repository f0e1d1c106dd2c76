"""What a credential's verification says, in the reader's language: the verdict and each check,
in one place for the verify page, the public credential page and the verify API.

The verifier (projects.credentials.verify) gives codes; this module words them. It also reads
what a person gives to verify (text or a file) into JSON, with the same limits as the API, and
runs the verifier so that no input, however odd, is a server error.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from ocip import text
from ocip.formatting import text_refusal
from ocip.parsers import VerbatimJSONParser

from . import selectors
from .credentials import baking
from .credentials.verify import VALID, VERDICTS, Check, Verification

logger = logging.getLogger(__name__)

# The checks in the order the verifier runs them (a failed one stops the ones after it).
CHECK_NAMES = ("shape", "issuer", "key", "proof", "dates", "status", "endorsement")
VERDICT_NAMES = (VALID, *VERDICTS[::-1])  # valid first, then from the least serious


def verdict_text(verdict: str) -> str:
    """The verdict in a word or two, as a heading says it."""
    texts = {
        VALID: _("Valid"),
        "revoked": _("Revoked"),
        "expired": _("Expired"),
        "not_yet_valid": _("Not valid yet"),
        "tampered": _("Changed or forged"),
        "unknown_issuer": _("Unknown issuer"),
        "malformed": _("Not a credential that can be checked"),
    }
    return texts.get(verdict, texts["malformed"])


def verdict_explanation(verdict: str) -> str:
    """What the verdict means for someone relying on the credential, in a sentence or two."""
    texts = {
        VALID: _(
            "This credential is genuine and in force: its issuer signed it, nothing in it was "
            "changed since, and it is neither expired nor revoked."
        ),
        "revoked": _(
            "The issuer revoked this credential: it was genuine, but the issuer no longer "
            "stands behind it."
        ),
        "expired": _(
            "This credential is genuine, but its period of validity has ended: it no longer "
            "attests the achievement."
        ),
        "not_yet_valid": _(
            "This credential is genuine, but its period of validity has not started yet."
        ),
        "tampered": _(
            "This credential does not match its signature: it was changed after it was issued, "
            "or its signature comes from another credential. Do not rely on it."
        ),
        "unknown_issuer": _(
            "The issuer this credential names is not one this platform knows, so it cannot be "
            "checked here. Ask its issuer how to verify it."
        ),
        "malformed": _(
            "This is not an Open Badges 3.0 credential this platform can read: a part it needs "
            "is missing or of the wrong kind."
        ),
    }
    return texts.get(verdict, texts["malformed"])


def verdict_message(verdict: str) -> str:
    """The verdict and what it means, in one text (the API's `message`)."""
    return _("%(verdict)s: %(explanation)s") % {
        "verdict": verdict_text(verdict),
        "explanation": verdict_explanation(verdict),
    }


def check_label(name: str) -> str:
    """The name of a check, as a list of checks shows it."""
    return {
        "shape": _("Shape"),
        "issuer": _("Issuer"),
        "key": _("Key"),
        "proof": _("Signature"),
        "dates": _("Dates"),
        "status": _("Revocation status"),
        "endorsement": _("Endorsement"),
    }.get(name, name)


def check_text(name: str, passed: bool, code: str) -> str:
    """What one check found, in a sentence."""
    if passed:
        passed_texts = {
            "shape": _("It has the shape of an Open Badges 3.0 credential."),
            "issuer": _("Its issuer is known to this platform."),
            "key": _("It is signed with one of the issuer's keys."),
            "proof": _("The signature matches the content: nothing was changed after signing."),
            "dates": _("It is within its period of validity."),
            "status": _("The issuer has not revoked it."),
            "endorsement": _(
                "The business's endorsement is signed by the business and is about this credential."
            ),
        }
        return passed_texts.get(name, _("Passed."))
    failed_texts: dict[tuple[str, str], str] = {
        ("shape", "malformed"): _(
            "It is not an Open Badges 3.0 credential: a required part is missing or of the "
            "wrong kind."
        ),
        ("issuer", "unknown_issuer"): _(
            "Its issuer is not one this platform knows, so its signature cannot be checked here."
        ),
        ("key", "tampered"): _("Its signature does not name a key of the issuer."),
        ("proof", "tampered"): _(
            "The signature does not match the content: it was changed after signing, or the "
            "signature belongs to another credential."
        ),
        ("dates", "malformed"): _("Its dates cannot be read."),
        ("dates", "not_yet_valid"): _("It is not valid yet: its start date is in the future."),
        ("dates", "expired"): _("It has expired: its end date has passed."),
        ("status", "revoked"): _("The issuer has revoked it."),
        ("status", "malformed"): _("Its revocation status cannot be read."),
        ("status", "unknown_issuer"): _(
            "Its revocation list is not one of its issuer's lists on this platform."
        ),
        ("status", "tampered"): _("Its issuer's revocation list does not match its signature."),
        ("endorsement", "malformed"): _("An endorsement in it cannot be read."),
        ("endorsement", "tampered"): _(
            "An endorsement in it is not signed by its endorser, or is about another credential."
        ),
    }
    return failed_texts.get((name, code), verdict_explanation(code))


@dataclass(frozen=True)
class CheckRow:
    """One line of the list of checks a page shows: every check, run or not."""

    name: str
    label: str
    state: str  # passed, failed, skipped (an earlier check failed), none (nothing to check)
    text: str

    @property
    def passed(self) -> bool:
        return self.state == "passed"


def state_text(state: str) -> str:
    return {
        "passed": _("Passed"),
        "failed": _("Failed"),
        "skipped": _("Not checked"),
        "none": _("Nothing to check"),
    }[state]


def check_rows(verification: Verification) -> list[CheckRow]:
    """Each check once, in order: a check run several times (the dates, one per endorsement)
    fails if any run failed. Checks after a failed one were not run: they say so."""
    rows = []
    ran = {check.name for check in verification.checks}
    for name in CHECK_NAMES:
        runs = [check for check in verification.checks if check.name == name]
        failed = next((check for check in runs if not check.passed), None)
        if failed is not None:
            state, words = "failed", check_text(name, False, failed.code)
        elif runs:
            state, words = "passed", check_text(name, True, runs[0].code)
        elif name == "endorsement" and "status" in ran:
            state, words = "none", _("It carries no endorsement.")
        else:
            state, words = "skipped", _("Not checked, because an earlier check failed.")
        rows.append(CheckRow(name=name, label=check_label(name), state=state, text=words))
    return rows


def api_checks(verification: Verification) -> list[dict]:
    """The checks as the API answers them: each one the verifier ran, in its order."""
    return [
        {
            "check": check.name,
            "passed": check.passed,
            "code": check.code,
            "message": check_text(check.name, check.passed, check.code),
        }
        for check in verification.checks
    ]


class VerifyThrottle(UserRateThrottle):
    """Verifying costs the server real work (canonicalising the document can take seconds for
    a large one), and anyone may ask: at most this many checks a minute per person, or per
    address when not logged in, on the page and the API together."""

    scope = "credential_verify"

    def get_rate(self) -> str:
        return settings.OCIP_VERIFY_RATE

    def get_ident(self, request) -> str:
        """The client's address as the login rate limits take it (ALLAUTH_TRUSTED_PROXY_COUNT
        entries of X-Forwarded-For are ours): DRF's own would trust whatever a client sends."""
        from allauth.account.adapter import get_adapter

        try:
            return get_adapter().get_client_ip(getattr(request, "_request", request))
        except PermissionDenied:  # no address at all (not behind a real server): one count
            return ""


def page_wait(request) -> int | None:
    """For the verify page, which shares the API's throttle: None when it may verify now, else
    how many seconds to wait."""
    throttle = VerifyThrottle()
    if throttle.allow_request(request, APIView()):
        return None
    return max(int(throttle.wait() or 1), 1)


# --- Reading and verifying what a person gives ------------------------------------------------


class Unreadable(ValueError):
    """What was given cannot be read as JSON; `message` says why, in the reader's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    """The largest credential read, on the page as in the API."""
    return VerbatimJSONParser.max_bytes()


def size_limit_text() -> str:
    return _("%(size)s KiB") % {"size": max_bytes() // 1024}


def parse_credential(data: bytes) -> Any:
    """The JSON value in `data` (UTF-8, a byte-order mark allowed), read without altering it.
    Raises Unreadable, with the reason, for anything else."""
    if not data.strip():
        raise Unreadable(_("Paste the credential's JSON or choose its file."))
    if len(data) > max_bytes():
        raise Unreadable(
            _("This is larger than %(limit)s: a credential is much smaller than that.")
            % {"limit": size_limit_text()}
        )
    if text.json_depth_exceeds(data):
        raise Unreadable(
            _("This JSON nests deeper than %(depth)s levels: it is not a credential.")
            % {"depth": text.MAX_JSON_DEPTH}
        )
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(_("This is not UTF-8 text, so it is not a credential.")) from None
    try:
        value = json.loads(decoded, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise Unreadable(
            _(
                "This is not valid JSON (the problem is at line %(line)s, column %(column)s), "
                "so it is not a credential."
            )
            % {"line": error.lineno, "column": error.colno}
        ) from None
    except (ValueError, RecursionError):
        raise Unreadable(_("This is not valid JSON, so it is not a credential.")) from None
    try:
        # What the API's parser refuses too (a NUL, a lone surrogate, 1e999), left unaltered.
        return text.checked_json(value, normalize=False)
    except text.TextRefused as refused:
        raise Unreadable(text_refusal(refused)) from None


def image_limit_text() -> str:
    return _("%(size)s MiB") % {"size": baking.MAX_IMAGE_BYTES // (1024 * 1024)}


def is_image(data: bytes) -> bool:
    """A PNG or an SVG (which a credential's JSON never starts like)."""
    return data.startswith(baking.PNG_SIGNATURE) or baking.looks_like_svg(data)


def _baking_problem(code: str) -> str:
    return {
        "too_large": _(
            "This image is larger than %(limit)s: a badge image is much smaller than that."
        )
        % {"limit": image_limit_text()},
        "not_an_image": _("This file is neither a badge image (PNG or SVG) nor a credential."),
        "no_credential": _(
            "This image has no credential inside it. Ask its holder for the badge image "
            "downloaded from their credentials page, or for the credential file."
        ),
        "several_credentials": _(
            "This image holds more than one credential, so it cannot show which one it proves. "
            "Ask its holder for an image with one credential."
        ),
        "unsafe": _(
            "This SVG declares XML entities, which a badge image never needs, so it was not read."
        ),
        "forged": _(
            "This image was altered after it was made: one of its parts fails its checksum."
        ),
    }.get(code, _("The credential inside this image is damaged, so it cannot be read."))


def parse_upload(data: bytes) -> Any:
    """The credential in what a person uploads: a credential file (JSON) or a badge image with
    one credential baked in. Raises Unreadable, with the reason, for anything else."""
    if not is_image(data):
        return parse_credential(data)
    try:
        baked = baking.extract(data)
    except baking.BakingError as error:
        raise Unreadable(_baking_problem(error.code)) from None
    except Exception as error:
        logger.warning("Extracting a baked credential raised %r; answered as damaged.", error)
        raise Unreadable(_baking_problem("malformed")) from None
    return parse_credential(baked.encode("utf-8"))


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def verify(document: Any, now: datetime) -> Verification:
    """The platform's verification of `document` (any JSON value). The verifier is meant to
    give a verdict for anything; should it raise on some odd input, that input is malformed,
    not a server error."""
    try:
        return selectors.verify(document, now)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as error:
        logger.warning("The credential verifier raised %r; answered as malformed.", error)
        return Verification(checks=[Check("shape", False, "malformed")])
