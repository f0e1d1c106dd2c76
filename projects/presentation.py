"""Small helpers the micro-credential pages share to show things the same way everywhere."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def current_language() -> str:
    """ "en" or "fr": the language of the page being made."""
    return "fr" if (get_language() or settings.LANGUAGE_CODE).startswith("fr") else "en"


def person_name(user) -> str:
    """A person's name as the project's pages show it: never their email, which the business
    and other students do not see."""
    return user.get_full_name() or _("Name not given")


def lines_of(text: str) -> list[str]:
    """The non-empty lines of a text typed one item per line (outcomes, criteria)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
