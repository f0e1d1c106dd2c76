"""The expertise directory's search form: a GET form whose every field is optional; a value
that is not one of the choices is explained on its field (never a failure)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching.models import Institution
from ocip.search_forms import CHOOSE_FROM_LIST, WordsField
from ocip.taxonomy import label, taxonomy

from .directory import LANGUAGE_NAMES, Criteria, institution_ids, region_label, sort_key

MAX_WORDS = 10
# The query parameters, in the order links write them.
FILTERS = ("q", "area", "sector", "institution", "kind", "region", "students", "language")


def _labelled(vocabulary: str, language: str) -> list[tuple[str, str]]:
    return sorted(
        ((slug, label(vocabulary, slug, language)) for slug in taxonomy()[vocabulary]),
        key=lambda item: sort_key(item[1]),
    )


class InstitutionFilterForm(forms.Form):
    """Institutions by kind and region: the institutions' list, and part of the directory's."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of institution"),
        required=False,
        choices=[("", gettext_lazy("Any kind")), *Institution.Kind.choices],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Region"),
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )

    def __init__(self, data, *, institutions: list[Institution]):
        super().__init__(data)
        self.institutions = institutions
        regions = sorted({item.region for item in institutions if item.region})
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("All regions")),
            *sorted(
                ((region, region_label(region)) for region in regions),
                key=lambda item: sort_key(item[1]),
            ),
        ]


class DirectoryForm(InstitutionFilterForm):
    field_order = ["q", "area", "sector", "institution", "kind", "region", "language", "students"]

    q = WordsField(
        label=gettext_lazy("Words to search for"),
        help_text=gettext_lazy(
            "In the names, titles, summaries and keywords, in English and in French. Every word "
            "must appear."
        ),
        max_words=MAX_WORDS,
    )
    area = forms.ChoiceField(
        label=gettext_lazy("Capability area"),
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector (NAICS)"),
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    institution = forms.ChoiceField(
        label=gettext_lazy("Institution"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a member institution: choose one from the list."
            )
        },
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of service"),
        required=False,
        choices=[("", gettext_lazy("English or French")), *LANGUAGE_NAMES.items()],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    students = forms.BooleanField(
        label=gettext_lazy("Only those that take students"),
        required=False,
    )

    def __init__(self, data, *, institutions: list[Institution], language: str):
        super().__init__(data, institutions=institutions)
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", _("All capability areas")),
            *_labelled("capability_areas", language),
        ]
        self.fields["sector"].choices = [  # type: ignore[attr-defined]
            ("", _("All sectors")),
            *_labelled("sectors", language),
        ]
        self.fields["institution"].choices = [  # type: ignore[attr-defined]
            ("", _("All institutions")),
            *sorted(
                ((item.slug, item.name_in(language)) for item in institutions),
                key=lambda item: sort_key(item[1]),
            ),
        ]

    def criteria(self) -> Criteria:
        """The search of the valid values only (an invalid one is reported and left out)."""
        data = getattr(self, "cleaned_data", {})
        return Criteria(
            words=(data.get("q") or "").split(),
            area=data.get("area") or "",
            sector=data.get("sector") or "",
            institutions=institution_ids(
                self.institutions,
                slug=data.get("institution") or "",
                kind=data.get("kind") or "",
                region=data.get("region") or "",
            ),
            students=bool(data.get("students")),
            language=data.get("language") or "",
        )

    def query_pairs(self) -> list[tuple[str, str]]:
        """The filters in force as query parameters, for links that keep them (pagination)."""
        data = getattr(self, "cleaned_data", {})
        pairs = []
        for name in FILTERS:
            value = data.get(name)
            if name == "students":
                if value:
                    pairs.append((name, "on"))
            elif value:
                pairs.append((name, str(value)))
        return pairs
