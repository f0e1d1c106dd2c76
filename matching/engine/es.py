"""The ranking of `ranking.py`, run by Elasticsearch: index mapping, query, and a backend.

Pure Python and no Django: the platform passes the client and the index name in.

Text. Every text field is indexed twice, as `.en` (English analysis) and `.fr` (French
analysis), whatever the profile's language. A challenge is searched on both: the subfields of its
own language with their own search analyzer, and those of the other language with a "cross"
analyzer that drops the challenge's function words first (an English challenge would otherwise
meet every English profile on "the" through the French subfields, and every profile would share
a word with it, which the in-process engine never allows). Synonyms (data/synonyms.yaml) are
applied at search time only, with `synonym_graph`: the Elasticsearch docs call it a search
analyzer filter (indexing would need `synonym`, which mangles the positions of multi-word
synonyms), search-time synonyms need no reindex when the list changes, and since every group has
English and French phrases, the same list lets a French challenge reach English profiles.

Score. As in `ranking.rank`: text relevance normalised by its best value, plus the structured
signals, each with its fitted weight (`ranking.fitted().weights`), times the fitted cap factor
(`ranking.fitted().cap_factor`, once) for a unit that a constraint caps: no capacity left, not
working in the challenge's language, or in a distant region when the work is on site. Closeness
in meaning is not a signal here (`ranks_by_meaning`): the weighted mean is over the signals
present, so its weight plays no part. The structured signals are `function_score` functions with
those weights; to put text on the same scale the backend first asks for the best text score of the
challenge (one cheap query) and scales the functions by best / the text weight, so that the
server's order is the in-process order. The backend then recomputes each hit's signals and caps in
Python from its `_source` (as `ranking.py` does) for the explanation and the final score, and
spreads the top across institutions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from elasticsearch.dsl import (
    SF,
    Boolean,
    Document,
    Index,
    Integer,
    Keyword,
    Q,
    Search,
    Text,
    analyzer,
    token_filter,
)
from elasticsearch.dsl.function import ScoreFunction
from elasticsearch.dsl.query import Query as DslQuery

from diagnostics.text import LANGUAGES, fold
from ocip.taxonomy import taxonomy

from .analysis import (
    CONCEPT_PREFIX,
    MIN_FOREIGN_STEM,
    analyze,
    document_language,
    stem_all,
    stop_words,
    synonym_groups,
)
from .index import FIELD_REPEATS, ProfileIndex, naics_codes
from .ranking import (
    MAX_PER_INSTITUTION,
    NEIGHBOUR_REGION_CREDIT,
    RELATED_AREA_CREDIT,
    TOP,
    TRL_AHEAD,
    TRL_STEP_PENALTY,
    analyze_query,
    diversify,
    fitted,
    query_language,
    signal_tuple,
)
from .types import Match, Profile, Query, SearchUnavailable, Signal

INDEX_NAME = "ocip-profiles"
# The text of a profile, as `index.profile_text` reads it; title and keywords count twice.
TEXT_FIELDS = ("title", "keywords", "summary", "equipment", "past_projects", "capability_labels")
# French elided articles (l'usine, d'essai, qu'il...). English analysis drops them too: French
# phrases of the synonym list and French words of bilingual profiles then read the same in both.
ELISION_ARTICLES = (
    "l",
    "m",
    "t",
    "qu",
    "n",
    "s",
    "j",
    "d",
    "c",
    "jusqu",
    "quoiqu",
    "lorsqu",
    "puisqu",
)
# porter2 is Snowball English, the in-process engine's stemmer. light_french rather than Snowball
# French: the stemmer runs after asciifolding, and the light stemmer expects no accents.
STEMMERS = {"en": "porter2", "fr": "light_french"}
UNKNOWN_TRL_CREDIT = 0.5  # ranking.signal_values: a profile with no TRL range gets half
MAX_TRL = 9
INDEX_SETTINGS = {
    # One shard: BM25 statistics are then those of the whole corpus (as in-process), so that
    # scores can be compared with the best one; a profile corpus is far too small to need more.
    "number_of_shards": 1,
}
# A word of a synonym phrase, as the standard tokenizer sees it ("l'apprentissage" is one word).
_RULE_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ELIDED = re.compile("^(?:" + "|".join(ELISION_ARTICLES) + ")'")


# --- analysis ------------------------------------------------------------------------------


def _bilingual_stop_words() -> frozenset[str]:
    stops = stop_words()
    return frozenset().union(*(stops[language] for language in LANGUAGES))


def _is_stop_word(word: str, stops: frozenset[str]) -> bool:
    return fold(_ELIDED.sub("", word.lower())) in stops


def _short_foreign_phrase(phrase: str, phrase_language: str) -> bool:
    """A one-word phrase short once stemmed ("pain"), which the engine does not look for in
    text of the other language (analysis.MIN_FOREIGN_STEM)."""
    stems = stem_all(phrase, phrase_language)
    return len(stems) == 1 and len(stems[0]) < MIN_FOREIGN_STEM


def synonym_rules(language: str | None = None, *, cross: bool = False) -> list[str]:
    """Solr-format equivalence lines, one per synonym group with two phrases or more.

    Without a language: every phrase as written. For an analyzer, `language` is that of the
    challenge it reads, and `cross` says whether it is the other language's cross analyzer. The
    other language's short one-word phrases are left out, as the in-process engine does, and so
    are the analyzer's stop words (its language's, or both languages' for a cross analyzer):
    Elasticsearch parses the rules with the analyzer's filters, stop filter included, and drops
    (with `lenient`) a phrase in which a stop word leaves a hole ("vision par ordinateur"), while
    the text the phrase should match has lost the same stop words: "vision ordinateur" matches.
    """
    stops: frozenset[str] = frozenset()
    if language:
        stops = _bilingual_stop_words() if cross else stop_words()[language]
    rules: list[str] = []
    for phrases in synonym_groups().values():
        kept: list[str] = []
        seen: set[str] = set()
        for phrase_language, entries in phrases.items():
            for phrase in entries:
                if (
                    language
                    and phrase_language != language
                    and _short_foreign_phrase(phrase, phrase_language)
                ):
                    continue
                words = _RULE_WORD.findall(phrase.replace("’", "'"))
                text = " ".join(word for word in words if not _is_stop_word(word, stops))
                if text and fold(text) not in seen:
                    seen.add(fold(text))
                    kept.append(text)
        if len(kept) > 1:
            rules.append(", ".join(kept))
    return rules


def _analyzers() -> dict[str, Any]:
    """{name: analyzer}: per language, `ocip_xx` (indexing), `ocip_xx_search` (the field's search
    analyzer) and `ocip_xx_cross` (on the field, for challenges in the other language)."""
    elision = token_filter("ocip_elision", "elision", articles=list(ELISION_ARTICLES))
    bilingual_stop = token_filter(
        "ocip_bilingual_stop", "stop", stopwords=sorted(_bilingual_stop_words())
    )

    def synonyms(challenge_language: str, cross: bool) -> list[Any]:
        rules = synonym_rules(challenge_language, cross=cross)
        if not rules:  # left out rather than sent empty
            return []
        name = f"ocip_synonyms_{challenge_language}" + ("_cross" if cross else "")
        return [token_filter(name, "synonym_graph", synonyms=rules, lenient=True)]

    analyzers: dict[str, Any] = {}
    for language in LANGUAGES:
        other = next(code for code in LANGUAGES if code != language)
        stop = token_filter(
            f"ocip_{language}_stop", "stop", stopwords=sorted(stop_words()[language])
        )
        stemmer = token_filter(f"ocip_{language}_stemmer", "stemmer", language=STEMMERS[language])
        # Order: stop words are listed folded, so they come after asciifolding; synonyms come
        # last, so that their phrases are stemmed like the text (plurals meet singulars).
        base = ["lowercase", elision, "asciifolding"]
        analyzers[f"ocip_{language}"] = analyzer(
            f"ocip_{language}", tokenizer="standard", filter=[*base, stop, stemmer]
        )
        analyzers[f"ocip_{language}_search"] = analyzer(
            f"ocip_{language}_search",
            tokenizer="standard",
            filter=[*base, stop, stemmer, *synonyms(language, cross=False)],
        )
        # On this language's subfields for a challenge in the other language: both languages'
        # function words go, and the synonyms are those for a challenge in that language.
        analyzers[f"ocip_{language}_cross"] = analyzer(
            f"ocip_{language}_cross",
            tokenizer="standard",
            filter=[*base, bilingual_stop, stemmer, *synonyms(other, cross=True)],
        )
    return analyzers


# --- documents -----------------------------------------------------------------------------


class ProfileDocument(Document):
    """The base of the document classes `profile_document` makes, one per index name."""

    @classmethod
    def from_profile(cls, profile: Profile) -> ProfileDocument:
        return cls(meta={"id": profile.id}, **profile_source(profile))


def profile_source(profile: Profile) -> dict[str, Any]:
    """What is stored of a profile: its text, and its facts as the ranking reads them."""
    return {
        "id": profile.id,
        "institution": profile.institution,
        "institution_kind": profile.institution_kind,
        "region": profile.region,
        "kind": profile.kind,
        "name": profile.name,
        "title": profile.title,
        "summary": profile.summary,
        "keywords": list(profile.keywords),
        "equipment": list(profile.equipment),
        "past_projects": list(profile.past_projects),
        # As in index.profile_text: the names of its capability areas, in both languages.
        "capability_labels": [
            label
            for slug in profile.capability_areas
            for label in taxonomy()["capability_areas"].get(slug, {}).values()
        ],
        "capability_areas": list(profile.capability_areas),
        "sectors": sorted(naics_codes(profile.sectors)),
        "rd_stages": list(profile.rd_stages),
        "innovation_types": list(profile.innovation_types),
        "languages": list(profile.languages),
        "student_levels": list(profile.student_levels),
        # 0 is "not said", as in the in-process index (`p.trl_min or -1`).
        "trl_min": profile.trl_min or None,
        "trl_max": profile.trl_max or None,
        "capacity_left": profile.capacity_left,
        "accepts_students": profile.accepts_students,
    }


def profile_document(index_name: str) -> type[ProfileDocument]:
    """A document class for `index_name`, its analyzers built from the current synonym list."""
    analyzers = _analyzers()

    def text() -> Text:
        return Text(
            fields={
                language: Text(
                    analyzer=analyzers[f"ocip_{language}"],
                    search_analyzer=analyzers[f"ocip_{language}_search"],
                )
                for language in LANGUAGES
            }
        )

    attrs: dict[str, Any] = {
        "id": Keyword(),
        **{name: Keyword() for name in ("institution", "institution_kind", "region", "kind")},
        **{name: text() for name in ("name", *TEXT_FIELDS)},
        **{
            name: Keyword()
            for name in (
                "capability_areas",
                "sectors",
                "rd_stages",
                "innovation_types",
                "languages",
                "student_levels",
            )
        },
        **{name: Integer() for name in ("trl_min", "trl_max", "capacity_left")},
        "accepts_students": Boolean(),
        "Index": type(
            "Index",
            (),
            {
                "name": index_name,
                "settings": INDEX_SETTINGS,
                # Named in no mapping (queries name them), so declared here.
                "analyzers": [analyzers[f"ocip_{language}_cross"] for language in LANGUAGES],
            },
        ),
    }
    return cast(type[ProfileDocument], type("ProfileDocument", (ProfileDocument,), attrs))


def index_body(index_name: str) -> dict[str, Any]:
    """The settings (with analysis) and mappings to create `index_name` with."""
    return _body(profile_document(index_name))


def _body(document: type[ProfileDocument]) -> dict[str, Any]:
    return cast(Index, document._index).to_dict()


# --- the query -----------------------------------------------------------------------------


def has_text(query: Query) -> bool:
    """Whether the challenge has a word to search for (the in-process engine ranks nothing
    otherwise)."""
    return bool(analyze(query.text, query_language(query)))


def _fields(language: str) -> list[str]:
    fields = []
    for name in TEXT_FIELDS:
        boost = FIELD_REPEATS.get(name, 1)
        fields.append(f"{name}.{language}" + (f"^{boost}" if boost != 1 else ""))
    return fields


def text_query(query: Query) -> DslQuery:
    """Text relevance, named "text" so that hits report it apart from the structured fit.

    `most_fields`: the subfields hold the same text analysed differently, which is what
    most_fields is for, and it adds up what each field matches, as the in-process BM25 does over
    a profile's text (title and keywords weighted 2, like their repetition there). cross_fields
    would blend the fields into one but wants one analyzer per group, and keeps only the best
    field of each term. Any shared word makes a match (operator "or"), as in-process. Synonym
    phrases expand to terms that must all occur rather than to phrase queries: stop words leave
    holes in the indexed positions that the synonym's phrase would not have.
    """
    language = query_language(query)
    clauses = []
    # The challenge's language first, then the other.
    for field_language in sorted(LANGUAGES, key=lambda code: code != language):
        options: dict[str, Any] = {}
        if field_language != language:
            options["analyzer"] = f"ocip_{field_language}_cross"
        clauses.append(
            Q(
                "multi_match",
                query=query.text,
                type="most_fields",
                fields=_fields(field_language),
                auto_generate_synonyms_phrase_query=False,
                **options,
            )
        )
    return Q("bool", should=clauses, minimum_should_match=1, _name="text")


def _wanted_areas(query: Query) -> dict[str, float]:
    """{capability area: credit}, as `ranking.signal_values` counts them."""
    wanted = dict.fromkeys(query.related_capability_areas, RELATED_AREA_CREDIT)
    return wanted | dict.fromkeys(query.capability_areas, 1.0)


def _weighted(filter_query: DslQuery, weight: float) -> ScoreFunction:
    return SF({"filter": filter_query, "weight": weight})


def fit_functions(
    query: Query, weights: Mapping[str, float], scale: float = 1.0
) -> list[ScoreFunction]:
    """The structured signals of `ranking.signal_values` as weighted filter functions.

    Each adds its weight (times `scale`) when its filter matches; graded signals (related areas,
    TRL steps, neighbouring regions) are several filters with a share of the weight.
    """
    functions: list[ScoreFunction] = [
        # function_score's "sum" is 1, not 0, for a document that no function matches
        # (FunctionScoreQuery.computeScore): it would put profiles with no structured fit above
        # those with some. A function that every document matches and that is worth 0 makes the
        # sum start from 0.
        SF("script_score", script={"source": "0"}),
    ]

    def add(name: str, filter_query: DslQuery, credit: float = 1.0) -> None:
        weight = weights.get(name, 0.0) * credit * scale
        if weight > 0:
            functions.append(_weighted(filter_query, weight))

    if query.capability_areas:
        wanted = _wanted_areas(query)
        # Summed per area, over the number of areas wanted; unlike in-process, not capped at 1
        # when related areas add to wanted ones (the backend's own score is).
        for area, credit in wanted.items():
            add(
                "capability",
                Q("term", capability_areas=area),
                credit / len(query.capability_areas),
            )
    if query.trl is not None:
        low, high = query.trl, min(query.trl + TRL_AHEAD, MAX_TRL)
        # The profile's range meets the project's next steps [trl, trl + 2]...
        add(
            "trl",
            Q("bool", filter=[Q("range", trl_min={"lte": high}), Q("range", trl_max={"gte": low})]),
        )
        # ...or misses them by `gap` levels, for a smaller share...
        gap = 1
        while (credit := 1 - TRL_STEP_PENALTY * gap) > 0:
            edges = []
            if high + gap <= MAX_TRL:
                edges.append(Q("term", trl_min=high + gap))
            if low - gap >= 1:
                edges.append(Q("term", trl_max=low - gap))
            if edges:
                add("trl", Q("bool", should=edges, minimum_should_match=1), credit)
            gap += 1
        # ...or does not say.
        add("trl", Q("bool", must_not=[Q("exists", field="trl_min")]), UNKNOWN_TRL_CREDIT)
    if query.rd_stage:
        add("rd_stage", Q("term", rd_stages=query.rd_stage))
    if query.sector:
        codes = sorted(naics_codes([query.sector]))
        if codes:
            add("sector", Q("terms", sectors=codes))
    add("language", Q("term", languages=query_language(query)))
    if query.wants_students:
        add("students", Q("term", accepts_students=True))
    if query.onsite_needed and query.region:
        add("region", Q("term", region=query.region))
        neighbours = sorted(set(query.neighbouring_regions) - {query.region})
        if neighbours:
            add("region", Q("terms", region=neighbours), NEIGHBOUR_REGION_CREDIT)
    return functions


def filters(query: Query) -> list[DslQuery]:
    """The results page's filters: they select, they do not score."""
    found = []
    if query.institution_kinds:
        found.append(Q("terms", institution_kind=list(query.institution_kinds)))
    if query.regions:
        found.append(Q("terms", region=list(query.regions)))
    if query.languages:
        found.append(Q("terms", languages=list(query.languages)))
    return found


def text_scale(text_max: float | None, weights: Mapping[str, float]) -> float:
    """What to multiply the structured weights by so that they weigh against the raw text score
    as they do against the normalised one in-process: best text score / text weight."""
    text_weight = weights.get("text", 0.0)
    if not text_max or text_max <= 0 or text_weight <= 0:
        return 1.0
    return text_max / text_weight


def cap_functions(query: Query, cap_factor: float) -> list[ScoreFunction]:
    """The constraints of `ranking.caps` as filter functions worth `cap_factor`: no capacity
    left, not working in the challenge's language, (for on-site work in a region) a region
    that is neither the challenge's nor a neighbour of it, and a student project program for a
    business that wants no students."""
    functions = [
        _weighted(Q("term", capacity_left=0), cap_factor),
        _weighted(Q("bool", must_not=[Q("term", languages=query_language(query))]), cap_factor),
    ]
    if query.onsite_needed and query.region:
        near = [query.region, *sorted(set(query.neighbouring_regions) - {query.region})]
        functions.append(_weighted(Q("bool", must_not=[Q("terms", region=near)]), cap_factor))
    if query.wants_students is False:
        functions.append(_weighted(Q("term", kind="program"), cap_factor))
    return functions


def build_search(
    query: Query,
    *,
    weights: dict[str, float] | None = None,
    cap_factor: float | None = None,
    size: int = 50,
    index_name: str = INDEX_NAME,
    text_max: float | None = None,
) -> Search:
    """The search for `query`: text relevance plus the structured fit, times the cap factor
    when a constraint caps the profile.

    `text_max`, the best text score of the challenge over all profiles (`text_max_search`), puts
    the structured weights on the text's scale; without it they are `weights` as they are. A
    challenge without a word to search for matches nothing.
    """
    weights = weights if weights is not None else fitted().weights
    cap_factor = cap_factor if cap_factor is not None else fitted().cap_factor
    search = Search(index=index_name).params(include_named_queries_score=True)
    if not has_text(query):
        return search.query(Q("match_none")).extra(size=0)
    fit = Q(
        "function_score",
        query=Q("bool", must=[text_query(query)], filter=filters(query)),
        functions=fit_functions(query, weights, text_scale(text_max, weights)),
        score_mode="sum",  # the signals add up...
        boost_mode="sum",  # ...and add to the text score
    )
    # A capped unit keeps `cap_factor` of its score. A second function_score around the first,
    # so that the factor multiplies the whole sum (boost_mode "multiply"). score_mode "min", not
    # "multiply": a unit that two constraints cap keeps cap_factor once, as in-process, rather
    # than its square; and a unit that no function matches keeps a factor of 1
    # (FunctionScoreQuery.computeScore leaves the factor at 1 when no function matched).
    capped = Q(
        "function_score",
        query=fit,
        functions=cap_functions(query, cap_factor),
        score_mode="min",
        boost_mode="multiply",
    )
    return search.query(capped).extra(size=size, track_total_hits=False)


def text_max_search(query: Query, *, index_name: str = INDEX_NAME) -> Search:
    """The best text score of the challenge over all profiles, unfiltered (the in-process
    engine normalises by it): the first hit's score, nothing fetched."""
    return (
        Search(index=index_name)
        .query(text_query(query))
        .extra(size=1, track_total_hits=False)
        .source(False)
    )


# --- from hits to matches ------------------------------------------------------------------


def diversify_hits(
    hit_ids: list[str],
    institution_of: dict[str, str],
    top: int = TOP,
    max_per_institution: int = MAX_PER_INSTITUTION,
) -> list[str]:
    """`hit_ids` in the same order, except that no institution has more than
    `max_per_institution` of the first `top` (`ranking.diversify`, on ids)."""
    codes: dict[str, int] = {}
    institutions = [
        codes.setdefault(institution_of.get(hit_id, "\0" + hit_id), len(codes))
        for hit_id in hit_ids
    ]
    order = diversify(
        np.arange(len(hit_ids), dtype=np.int64),
        np.array(institutions, dtype=np.int64),
        top,
        max_per_institution,
    ).tolist()
    return [hit_ids[position] for position in order]


class _NoVocabulary:
    """Stands for the in-process index in `ranking.analyze_query`, of which only the mapping of
    tokens to the challenge's words is wanted here."""

    vocabulary: dict[str, int] = {}


# The challenge's tokens, and the words (or synonym phrases) of the challenge each came from.
QueryWords = tuple[list[str], dict[str, str]]


def _query_words(query: Query) -> QueryWords:
    """Read once per search, for the explanations of all its hits."""
    surface = analyze_query(query, cast(ProfileIndex, _NoVocabulary())).surface
    return analyze(query.text, query_language(query)), surface


def _text_terms(query_words: QueryWords, source: Mapping[str, Any]) -> list[str]:
    """The challenge's words (or synonym phrases) found in the profile, as in-process (in the
    challenge's order rather than by weight)."""
    tokens, surface = query_words
    parts = [source.get("title", "")]
    for name in TEXT_FIELDS[1:]:
        value = source.get(name) or []
        parts.extend(value if isinstance(value, list) else [value])
    profile_tokens = set(
        analyze(
            "\n".join(str(part) for part in parts if part),
            document_language(str(source.get("summary", "")), source.get("languages", ["en"])),
        )
    )
    terms: list[str] = []
    for token in tokens:
        if token in profile_tokens:
            word = surface.get(token, token.lstrip(CONCEPT_PREFIX))
            if word not in terms:
                terms.append(word)
    return terms[:8]


def signal_values(query: Query, source: Mapping[str, Any], text: float) -> dict[str, float]:
    """`ranking.signal_values` for one profile, from its stored facts."""
    values = {"text": text}
    if query.capability_areas:
        wanted = _wanted_areas(query)
        overlap = sum(wanted.get(area, 0.0) for area in set(source.get("capability_areas", [])))
        values["capability"] = min(overlap / len(query.capability_areas), 1.0)
    if query.trl is not None:
        trl_min, trl_max = source.get("trl_min") or -1, source.get("trl_max") or -1
        low, high = query.trl, min(query.trl + TRL_AHEAD, MAX_TRL)
        gap = max(trl_min - high, 0) + max(low - trl_max, 0)
        fit = min(max(1 - TRL_STEP_PENALTY * gap, 0.0), 1.0)
        values["trl"] = UNKNOWN_TRL_CREDIT if trl_min < 0 else fit
    if query.rd_stage:
        values["rd_stage"] = float(query.rd_stage in source.get("rd_stages", []))
    if query.sector:
        codes = naics_codes([query.sector])
        if codes:
            values["sector"] = float(bool(codes & set(source.get("sectors", []))))
    values["language"] = float(query_language(query) in source.get("languages", []))
    if query.wants_students:
        values["students"] = float(bool(source.get("accepts_students")))
    if query.onsite_needed and query.region:
        credit = {query.region: 1.0} | {
            region: NEIGHBOUR_REGION_CREDIT
            for region in query.neighbouring_regions
            if region != query.region
        }
        values["region"] = credit.get(source.get("region", ""), 0.0)
    return values


def _capped_by(query: Query, source: Mapping[str, Any]) -> list[str]:
    """`ranking.caps` for one profile, from its stored facts: the constraints that cap it."""
    capped = []
    if _capacity_left(source) == 0:
        capped.append("capacity")
    if query_language(query) not in source.get("languages", []):
        capped.append("language")
    near = {query.region, *query.neighbouring_regions}
    if query.onsite_needed and query.region and source.get("region") not in near:
        capped.append("distance")
    if query.wants_students is False and source.get("kind") == "program":
        capped.append("students")
    return capped


def _score(
    values: Mapping[str, float],
    weights: Mapping[str, float],
    capped_by: Sequence[str],
    cap_factor: float,
) -> float:
    """`ranking.fused` for one profile: the weighted mean, times `cap_factor` once if capped."""
    total_weight = sum(weights.get(name, 0.0) for name in values)
    score = sum(weights.get(name, 0.0) * value for name, value in values.items())
    score /= max(total_weight, 1e-9)
    return score * cap_factor if capped_by else score


def _signals(
    query: Query,
    query_words: QueryWords,
    source: Mapping[str, Any],
    values: Mapping[str, float],
    weights: Mapping[str, float],
    capped_by: list[str],
) -> tuple[Signal, ...]:
    wanted = set(query.capability_areas) | set(query.related_capability_areas)
    details: dict[str, dict[str, Any]] = {
        "text": {"terms": _text_terms(query_words, source)},
        "capability": {"areas": sorted(set(source.get("capability_areas", [])) & wanted)},
        "trl": {
            "profile": [source.get("trl_min") or -1, source.get("trl_max") or -1],
            "project": query.trl,
        },
        "rd_stage": {"stage": query.rd_stage},
        "sector": {"sector": query.sector},
        "language": {"language": query_language(query)},
        "students": {},
        "region": {"profile": source.get("region"), "project": query.region},
    }
    return signal_tuple(values, weights, details, _capacity_left(source), capped_by)


def _capacity_left(source: Mapping[str, Any]) -> int:
    left = source.get("capacity_left")
    return -1 if left is None else int(left)


def _text_score(hit: Mapping[str, Any]) -> float | None:
    """The hit's text relevance alone (the named query's score), when the server reported it."""
    matched = hit.get("matched_queries")
    if isinstance(matched, Mapping) and "text" in matched:
        return float(matched["text"])
    return None


def matches_from_hits(
    query: Query,
    hits: Sequence[Mapping[str, Any]],
    *,
    text_max: float | None = None,
    weights: dict[str, float] | None = None,
    cap_factor: float | None = None,
    limit: int = 50,
) -> list[Match]:
    """Matches for the hits of `build_search`, scored and explained as in-process.

    Text relevance is the hit's "text" score over `text_max`; a server that does not report
    named scores leaves the hit's whole score over the best one. The order is that of the
    recomputed score (ties in the server's order), then spread across institutions.
    """
    weights = weights if weights is not None else fitted().weights
    cap_factor = cap_factor if cap_factor is not None else fitted().cap_factor
    text_scores = [_text_score(hit) for hit in hits]
    if all(score is not None for score in text_scores) and text_max:
        texts = [min(cast(float, score) / text_max, 1.0) for score in text_scores]
    else:
        best = max((float(hit.get("_score") or 0.0) for hit in hits), default=0.0)
        texts = [float(hit.get("_score") or 0.0) / best if best > 0 else 0.0 for hit in hits]
    scored = []
    for hit, text in zip(hits, texts, strict=True):
        source = hit.get("_source", {})
        values = signal_values(query, source, text)
        capped_by = _capped_by(query, source)
        score = _score(values, weights, capped_by, cap_factor)
        scored.append((score, hit, values, capped_by))
    scored.sort(key=lambda item: -item[0])  # stable: ties keep the server's order
    by_id = {str(hit["_id"]): (score, hit, values, capped) for score, hit, values, capped in scored}
    institution_of = {}
    for hit_id, (_, hit, _, _) in by_id.items():
        institution = hit.get("_source", {}).get("institution")
        if institution:
            institution_of[hit_id] = str(institution)
    ids = diversify_hits(list(by_id), institution_of)[:limit]
    query_words = _query_words(query)
    matches = []
    for rank_number, hit_id in enumerate(ids, start=1):
        score, hit, values, capped_by = by_id[hit_id]
        source = hit.get("_source", {})
        matches.append(
            Match(
                profile_id=hit_id,
                score=round(score, 4),
                signals=_signals(query, query_words, source, values, weights, capped_by),
                rank=rank_number,
            )
        )
    return matches


# --- the backend ---------------------------------------------------------------------------


class ElasticsearchBackend:
    """Profiles indexed in, and ranked by, Elasticsearch.

    `index_name` is an alias; each rebuild fills a new index `{index_name}-{timestamp}` and moves
    the alias to it in one step, so searches never see a half-built index. The version a rebuild
    is given (the platform's checksum of the profiles) is kept in the mapping's `_meta`.
    A cluster that does not answer raises `SearchUnavailable`.
    """

    name = "elasticsearch"
    ranks_by_meaning = False  # words and structure; meaning is the in-process backend's

    def __init__(self, client: Elasticsearch, index_name: str = INDEX_NAME):
        self.client = client
        self.index_name = index_name

    def _versions(self) -> list[str]:
        """The indexes earlier rebuilds made."""
        pattern = re.compile(re.escape(self.index_name) + r"-\d{20}")
        found = self.client.indices.get_alias(index=f"{self.index_name}-*")
        return sorted(name for name in found if pattern.fullmatch(name))

    def rebuild(self, profiles: Iterable[Profile], *, version: str) -> int:
        """Index `profiles` afresh, point the alias at them and drop the older indexes; returns
        how many were indexed."""
        name = f"{self.index_name}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        document = profile_document(name)
        body = _body(document)
        mappings = body["mappings"] | {"_meta": {"version": version}}
        with _unavailable_on_transport_errors():
            self.client.indices.create(index=name, settings=body["settings"], mappings=mappings)
            try:
                actions: Iterator[dict[str, Any]] = (
                    document.from_profile(profile).to_dict(include_meta=True)
                    for profile in profiles
                )
                indexed, _ = helpers.bulk(self.client, actions, chunk_size=500)
                self.client.indices.refresh(index=name)
                older = [version for version in self._versions() if version != name]
                # One request, applied atomically: the alias moves, the old indexes (and with
                # them the alias's old target) go.
                self.client.indices.update_aliases(
                    actions=[
                        {"add": {"index": name, "alias": self.index_name}},
                        *({"remove_index": {"index": version}} for version in older),
                    ]
                )
            except Exception:
                self.client.indices.delete(index=name, ignore_unavailable=True)
                raise
        return indexed

    def text_max(self, query: Query) -> float:
        response = self.client.search(
            index=self.index_name, body=text_max_search(query, index_name=self.index_name).to_dict()
        )
        return float(response["hits"].get("max_score") or 0.0)

    def rank(
        self,
        query: Query,
        limit: int = 50,
        *,
        weights: dict[str, float] | None = None,
        cap_factor: float | None = None,
    ) -> list[Match]:
        """The `limit` best profiles for `query`, best first, each with its signals."""
        if not has_text(query):
            return []
        with _unavailable_on_transport_errors():
            text_max = self.text_max(query)
            if text_max <= 0:  # no profile shares a word with the challenge
                return []
            search = build_search(
                query,
                weights=weights,
                cap_factor=cap_factor,
                size=max(limit * 4, 100),  # as in-process: diversity draws on more than `limit`
                index_name=self.index_name,
                text_max=text_max,
            )
            response = self.client.search(
                index=self.index_name, body=search.to_dict(), include_named_queries_score=True
            )
        return matches_from_hits(
            query,
            response["hits"]["hits"],
            text_max=text_max,
            weights=weights,
            cap_factor=cap_factor,
            limit=limit,
        )

    def meaning_model(self) -> str:
        return ""

    def checksum(self) -> str:
        """The version of the index the alias points at ("" before the first rebuild)."""
        with _unavailable_on_transport_errors():
            try:
                found = self.client.indices.get_mapping(index=self.index_name)
            except NotFoundError:
                return ""
        for mapping in found.values():
            return str(mapping.get("mappings", {}).get("_meta", {}).get("version", ""))
        return ""

    def size(self) -> int:
        with _unavailable_on_transport_errors():
            try:
                return int(self.client.count(index=self.index_name)["count"])
            except NotFoundError:
                return 0


@contextmanager
def _unavailable_on_transport_errors() -> Iterator[None]:
    try:
        yield
    except (TransportError, ApiError) as error:
        if isinstance(error, NotFoundError):
            raise
        raise SearchUnavailable(str(error)) from error
