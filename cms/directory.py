"""The public expertise directory's reads: which profiles a search finds, in the directory's
order, and what each result shows. Only what `matching.selectors.public_expertise_profiles`
returns is ever read here (the one rule for what is public)."""

from __future__ import annotations

import json
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from matching import models, selectors
from matching.models import ExpertiseProfile, Institution
from ocip.formatting import other_language
from ocip.taxonomy import label, taxonomy

# Region names as institutions.csv writes them, with their name in the reader's language.
REGION_LABELS = {
    "Toronto": _("Toronto"),
    "Ottawa": _("Ottawa"),
    "Kingston-Pembroke": _("Kingston-Pembroke"),
    "Muskoka-Kawarthas": _("Muskoka-Kawarthas"),
    "Kitchener-Waterloo-Barrie": _("Kitchener-Waterloo-Barrie"),
    "Hamilton-Niagara Peninsula": _("Hamilton-Niagara Peninsula"),
    "London": _("London"),
    "Windsor-Sarnia": _("Windsor-Sarnia"),
    "Northeast": _("Northeast"),
    "Northwest": _("Northwest"),
}

LANGUAGE_NAMES = {"en": _("English"), "fr": _("French")}
STUDENT_LEVELS = dict(models.STUDENT_LEVELS)

# The columns a result card needs (the rest of a profile stays in the database).
CARD_COLUMNS = (
    "external_id",
    "kind",
    "name",
    "title",
    "summary",
    "text_language",
    "name_fr",
    "title_fr",
    "summary_fr",
    "capability_areas",
    "accepts_students",
    "languages",
    "institution",
)
# Where the words of a search are looked for, in both languages.
SEARCHED = ("name", "name_fr", "title", "title_fr", "summary", "summary_fr", "keywords")
# The same text as one expression on PostgreSQL, which a trigram index serves (the index is
# made by matching/migrations/0007_directory_search_indexes.py on this very expression).
# (Qualified here, as a page's query joins the institution, which has a name too.)
SEARCH_EXPRESSION = (
    "("
    + " || ' ' || ".join(f'"matching_expertiseprofile"."{name}"' for name in SEARCHED[:-1])
    + """ || ' ' || "matching_expertiseprofile"."keywords"::text)"""
)


def sort_key(text: str) -> str:
    """Alphabetical order as a reader expects it: accents aside (« Énergie » among the E)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def region_label(region: str) -> str:
    return str(REGION_LABELS.get(region, region))


def json_list_contains(field_name: str, value: str) -> Q:
    """Profiles whose JSON list `field_name` holds `value`. PostgreSQL: jsonb containment (which
    a GIN index can serve); SQLite, which has no containment lookup: the JSON text holds the
    value in quotes, which is exactly one item of a list of strings."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__contains": [value]})
    return Q(**{f"{field_name}__icontains": json.dumps(value)})


def words_filter(word: str) -> Q:
    """Profiles with `word` (any case) in a name, title, summary, either language's, or a
    keyword."""
    if connection.vendor == "postgresql":
        pattern = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # The word is a bound parameter; the SQL around it is this module's constant.
        matches = RawSQL(  # noqa: S611
            f"{SEARCH_EXPRESSION} ILIKE %s", [f"%{pattern}%"], output_field=BooleanField()
        )
        return Q(matches)
    anywhere = Q()
    for name in SEARCHED:
        anywhere |= Q(**{f"{name}__icontains": word})
    escaped = json.dumps(word)[1:-1]
    if escaped != word and connection.vendor != "postgresql":
        # SQLite keeps the JSON of keywords with non-ASCII letters escaped ("donn\u00e9es").
        anywhere |= Q(keywords__icontains=escaped)
    return anywhere


@dataclass
class Criteria:
    """A directory search: every part optional. `institutions` are the institution ids that
    the institution, kind and region filters leave (None: no such filter)."""

    words: list[str] = field(default_factory=list)
    area: str = ""
    sector: str = ""
    institutions: list[int] | None = None
    students: bool = False
    language: str = ""

    @property
    def any(self) -> bool:
        return bool(
            self.words
            or self.area
            or self.sector
            or self.institutions is not None
            or self.students
            or self.language
        )


def institution_ids(
    institutions: list[Institution], *, slug: str = "", kind: str = "", region: str = ""
) -> list[int] | None:
    """The ids of the institutions the institution, kind and region filters allow, worked out
    from the (short) list of institutions so that the profiles' query needs no join."""
    if not (slug or kind or region):
        return None
    return [
        institution.pk
        for institution in institutions
        if (not slug or institution.slug == slug)
        and (not kind or institution.kind == kind)
        and (not region or institution.region == region)
    ]


def directory_profiles(criteria: Criteria) -> QuerySet[ExpertiseProfile]:
    """The public profiles a search finds, by name (the order the directory's partial index
    keeps), with what their cards show."""
    profiles = selectors.public_expertise_profiles()
    for word in criteria.words:
        profiles = profiles.filter(words_filter(word))
    if criteria.area:
        profiles = profiles.filter(json_list_contains("capability_areas", criteria.area))
    if criteria.sector:
        profiles = profiles.filter(json_list_contains("sectors", criteria.sector))
    if criteria.institutions is not None:
        profiles = profiles.filter(institution_id__in=criteria.institutions)
    if criteria.students:
        profiles = profiles.filter(accepts_students=True)
    if criteria.language:
        profiles = profiles.filter(json_list_contains("languages", criteria.language))
    return profiles.order_by("name", "id")


@contextmanager
def walking_in_order():
    """Within it, PostgreSQL reads a broad search's page by walking the directory's order index
    (`expertise_directory_order`) rather than gathering every match to sort them: it cannot
    tell from a word how many profiles hold it, and guesses few. Only for searches known to
    match more than a thousand profiles, so the walk meets a page's worth quickly."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = on; SET LOCAL enable_seqscan = on")


def page_rows(profiles: QuerySet[ExpertiseProfile]) -> QuerySet[ExpertiseProfile]:
    """The query for a page of results: the card's columns, from the profiles' table alone (a
    join would let PostgreSQL start from the institutions and sort every match; the page's
    institutions come from the list the page has already read, see `with_institutions`)."""
    return profiles.only(*CARD_COLUMNS)


def with_institutions(
    profiles: list[ExpertiseProfile], institutions: list[Institution]
) -> list[ExpertiseProfile]:
    """Attach each profile's institution from `institutions` (no query)."""
    by_id = {institution.pk: institution for institution in institutions}
    for profile in profiles:
        profile.institution = by_id[profile.institution_id]
    return profiles


def languages_text(codes) -> list[str]:
    return [str(LANGUAGE_NAMES[code]) for code in codes or () if code in LANGUAGE_NAMES]


def area_labels(slugs, language: str) -> list[str]:
    known = taxonomy()["capability_areas"]
    return [label("capability_areas", slug, language) for slug in slugs or () if slug in known]


def sector_labels(codes, language: str) -> list[str]:
    known = taxonomy()["sectors"]
    return [
        label("sectors", code, language) if code in known else str(code) for code in codes or ()
    ]


def text_of(profile: ExpertiseProfile, name: str, language: str) -> dict:
    """A profile's name, title or summary in the reader's language where written, with `lang`
    set when the text is in the other language."""
    text, lang = profile.text_in(name, language)
    return {"text": text, "lang": other_language(lang, language)}


def card(profile: ExpertiseProfile, language: str) -> dict:
    """What a result shows (everything read from the profile and its institution)."""
    institution = profile.institution
    return {
        "profile": profile,
        "name": text_of(profile, "name", language),
        "title": text_of(profile, "title", language),
        "summary": text_of(profile, "summary", language),
        "kind": profile.get_kind_display(),
        "institution": institution.name_in(language),
        "institution_lang": other_language(institution.name_language(language), language),
        "institution_slug": institution.slug,
        "region": region_label(institution.region),
        "accepts_students": profile.accepts_students,
        "languages": languages_text(profile.languages),
        "areas": area_labels(profile.capability_areas, language),
    }


def public_counts() -> dict[int, int]:
    """{institution id: its number of public profiles}, in one grouped query."""
    return dict(
        selectors.public_expertise_profiles()
        .order_by()
        .values_list("institution_id")
        .annotate(count=Count("id"))
        .values_list("institution_id", "count")
    )


def trl_text(low: int | None, high: int | None) -> str:
    """The technology readiness levels a profile works at, in plain words."""
    from django.utils.translation import gettext

    if low is None and high is None:
        return ""
    low = low or 1
    high = high or 9
    stages = {
        1: gettext("basic principles"),
        2: gettext("a technology concept"),
        3: gettext("a proof of concept"),
        4: gettext("a lab prototype"),
        5: gettext("a prototype tested in a realistic setting"),
        6: gettext("a prototype demonstrated in a realistic setting"),
        7: gettext("a prototype demonstrated in operation"),
        8: gettext("a complete, qualified system"),
        9: gettext("a system proven in operation"),
    }
    if low == high:
        return gettext("Technology readiness level %(low)s: %(from)s.") % {
            "low": low,
            "from": stages[low],
        }
    return gettext("Technology readiness levels %(low)s to %(high)s: from %(from)s to %(to)s.") % {
        "low": low,
        "high": high,
        "from": stages[low],
        "to": stages[high],
    }
