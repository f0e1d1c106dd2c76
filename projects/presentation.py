"""Small helpers the micro-credential pages share to show things the same way everywhere."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .models import Bilingual, Pathway


def person_name(user) -> str:
    """A person's name as the project's pages show it: never their email, which the business
    and other students do not see."""
    return user.get_full_name() or _("Name not given")


def lines_of(text: str) -> list[str]:
    """The non-empty lines of a text typed one item per line (outcomes, criteria)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def localized(item: Bilingual, field: str, language: str) -> dict:
    """A bilingual field in `language`, or in the other one when empty, with `lang` set to the
    other language then (so a screen reader reads it right)."""
    text, used = item.localized_in(field, language)
    return {"text": text, "lang": "" if used == language else used}


def pathway_rows(pathways: list[Pathway], language: str) -> list[dict]:
    """Each pathway as every page shows it: its title, institution and what it leads to (a
    program, with the credit it grants, or a stacked micro-credential: `kind`, `leads_to`,
    `credit`, `url`). One query for all of them."""
    stacked = selectors.stacked_definitions(pathways)
    rows = []
    for pathway in pathways:
        row: dict = {
            "pathway": pathway,
            "title": localized(pathway, "title", language),
            "institution": pathway.institution.name,
            "program": pathway.target == Pathway.Target.PROGRAM,
        }
        if row["program"]:
            row["kind"] = (
                pathway.get_program_kind_display() if pathway.program_kind else _("Program")
            )
            row["leads_to"] = localized(pathway, "program_name", language)
            row["credit"] = localized(pathway, "program_credit", language)
            row["url"] = pathway.program_url
        else:
            row["kind"] = _("Stacked micro-credential")
            row["credit"] = {"text": "", "lang": ""}
            definition = stacked.get(str(pathway.stacked_lineage))
            row["leads_to"] = (
                localized(definition, "title", language) if definition else {"text": "", "lang": ""}
            )
            row["url"] = (
                reverse(
                    "definition_public",
                    kwargs={"lineage": definition.lineage, "version": definition.version},
                )
                if definition
                else ""
            )
        rows.append(row)
    return rows
