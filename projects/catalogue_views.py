"""The public catalogue of published micro-credentials: anyone searches the micro-credentials
of every institution by words and filters them by institution, competency (ESCO),
Micro-credentials Plus, form of participation, workload and language. A GET form: it works
without JavaScript and every search has an address of its own."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ocip.formatting import current_language
from ocip.pagination import paginate
from ocip.public_cache import cache_for_visitors
from ocip.search_forms import CHOOSE_FROM_LIST, WordsField

from . import esco, selectors
from .models import CredentialDefinition
from .presentation import lines_of, localized, pathway_rows

PER_PAGE = 20
MAX_WORDS = 10
OUTCOMES_SHOWN = 3
FILTERS = ("q", "institution", "skill", "mc_plus", "participation", "workload", "language")


class CatalogueForm(forms.Form):
    """The catalogue's search and filters. Every field is optional; a value that is not one of
    the choices is an error the page explains (never a failure)."""

    q = WordsField(
        label=gettext_lazy("Words to search for"),
        help_text=gettext_lazy(
            "In the titles, descriptions and learning outcomes, in English and in French. "
            "Every word must appear."
        ),
        max_words=MAX_WORDS,
    )
    institution = forms.ChoiceField(
        label=gettext_lazy("Institution"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” has no published micro-credentials: choose an institution from the "
                "list."
            )
        },
    )
    skill = forms.ChoiceField(
        label=gettext_lazy("Competency (ESCO)"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "No published micro-credential is aligned to this competency: choose one from "
                "the list."
            )
        },
    )
    participation = forms.ChoiceField(
        label=gettext_lazy("Form of participation"),
        required=False,
        choices=[("", gettext_lazy("Any form")), *CredentialDefinition.Participation.choices],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    workload = forms.ChoiceField(
        label=gettext_lazy("Workload"),
        required=False,
        choices=[
            ("", gettext_lazy("Any workload")),
            ("up_to_10", gettext_lazy("Up to 10 hours")),
            ("10_to_40", gettext_lazy("More than 10, up to 40 hours")),
            ("over_40", gettext_lazy("Over 40 hours")),
        ],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Offered in"),
        required=False,
        choices=[
            ("", gettext_lazy("English or French")),
            ("en", gettext_lazy("English")),
            ("fr", gettext_lazy("French")),
        ],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    mc_plus = forms.BooleanField(
        label=gettext_lazy("Only Micro-credentials Plus (MC+): part of a pathway"),
        required=False,
    )

    def __init__(self, data, *, institutions, skills: Iterable[str], language: str):
        super().__init__(data)
        self.fields["institution"].choices = [  # type: ignore[attr-defined]
            ("", _("All institutions")),
            *institutions,
        ]
        labelled = sorted(
            ((uri, esco.label(uri, language)) for uri in skills),
            key=lambda item: item[1].casefold(),
        )
        self.fields["skill"].choices = [  # type: ignore[attr-defined]
            ("", _("All competencies")),
            *labelled,
        ]

    def criteria(self) -> dict:
        """The filters for selectors.catalogue_definitions: the valid ones only (an invalid
        value is reported and left out)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "words": (data.get("q") or "").split(),
            "institution": data.get("institution") or "",
            "skill": data.get("skill") or "",
            "mc_plus": bool(data.get("mc_plus")),
            "participation": data.get("participation") or "",
            "workload": data.get("workload") or "",
            "offered_in": data.get("language") or "",
        }

    def query_pairs(self) -> list[tuple[str, str]]:
        """The filters in force as query parameters, for links that keep them (pagination)."""
        data = getattr(self, "cleaned_data", {})
        pairs = []
        for name in FILTERS:
            value = data.get(name)
            if name == "mc_plus":
                if value:
                    pairs.append((name, "on"))
            elif value:
                pairs.append((name, str(value)))
        return pairs


# --- What an entry shows ---------------------------------------------------------------------


def _languages(definition: CredentialDefinition) -> list[str]:
    """The languages it is taught in: its institution's working languages."""
    names = {"en": _("English"), "fr": _("French")}
    return [names[code] for code in definition.institution.languages if code in names]


def catalogue_entries(definitions: list[CredentialDefinition], language: str) -> list[dict]:
    """A page of entries: MC+ and pathways for the whole page at once (no query per entry)."""
    lineages = [str(definition.lineage) for definition in definitions]
    mc_plus = selectors.mc_plus_lineages(lineages) if lineages else set()
    pathways = selectors.pathways_by_lineage(lineages) if mc_plus else {}
    every = {pathway.pk: pathway for found in pathways.values() for pathway in found}
    rows = {row["pathway"].pk: row for row in pathway_rows(list(every.values()), language)}
    known = esco.skills()
    entries = []
    for definition in definitions:
        lineage = str(definition.lineage)
        outcomes = localized(definition, "outcomes", language)
        lines = lines_of(outcomes["text"])
        entries.append(
            {
                "definition": definition,
                "url": reverse(
                    "definition_public",
                    kwargs={"lineage": definition.lineage, "version": definition.version},
                ),
                "title": localized(definition, "title", language),
                "institution": definition.institution.name,
                "mc_plus": lineage in mc_plus,
                "outcomes": {
                    "lines": lines[:OUTCOMES_SHOWN],
                    "more": max(0, len(lines) - OUTCOMES_SHOWN),
                    "lang": outcomes["lang"],
                },
                "assessment_type": localized(definition, "assessment_type", language),
                "level_note": localized(definition, "level_note", language),
                "quality_assurance": localized(definition, "quality_assurance", language),
                "partner_endorsement": localized(definition, "partner_endorsement", language),
                "languages": _languages(definition),
                "skills": [esco.label(uri, language) for uri in definition.skills if uri in known],
                "pathways": [
                    rows[pathway.pk] for pathway in pathways.get(lineage, []) if pathway.pk in rows
                ],
            }
        )
    return entries


@require_http_methods(["GET", "HEAD"])
@cache_for_visitors
def catalogue(request: HttpRequest) -> HttpResponse:
    """Anyone: the published micro-credentials of every institution, 20 a page, searched and
    filtered. A filter value that is not a choice is explained (400), the others still apply."""
    language = current_language()
    form = CatalogueForm(
        request.GET,
        institutions=selectors.catalogue_institutions(),
        skills=selectors.catalogue_skills(),
        language=language,
    )
    valid = form.is_valid()
    definitions = selectors.catalogue_definitions(**form.criteria(), order_language=language)
    page = paginate(request, definitions, per_page=PER_PAGE)
    pairs = form.query_pairs()
    context = {
        "form": form,
        "page_obj": page,
        "entries": catalogue_entries(list(page.object_list), language),
        "filtered": bool(pairs),
        "query_string": urlencode(pairs),
    }
    return render(
        request, "projects/catalogue/catalogue.html", context, status=200 if valid else 400
    )
