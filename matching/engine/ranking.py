"""Ranking expertise profiles for a query: a transparent weighted sum of signals, then caps.

Every signal is a number between 0 and 1 for each profile, computed for all profiles at once;
the score is their weighted mean over the signals that apply to this query (a business that did
not say whether it wants students is not scored on students). Words in common ("text") and
closeness in meaning ("meaning", when the profiles and the challenge have embeddings) are the
two topical signals. Then the constraints cap a profile as the assessors do, whatever its fit:
a unit with no capacity left this term, one that does not work in the business's language,
one in a distant region when the work is on site, or a student project program for a business
that wants no students, keeps only a share of its score. The weights
and that share are fitted on labelled challenges (`manage.py fit_matching_weights`) and kept
in data/fitted_weights.json. The top of the list is then spread across institutions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from diagnostics.text import LANGUAGES, detect_language, fold, words

from .analysis import CONCEPT_PREFIX, analyze, stem, stem_all, stop_words, synonym_groups
from .index import ProfileIndex, naics_codes
from .types import Match, Query, Signal

FITTED_PATH = Path(__file__).resolve().parent / "data" / "fitted_weights.json"
SIGNALS = (
    "text",
    "meaning",
    "capability",
    "trl",
    "rd_stage",
    "sector",
    "language",
    "students",
    "region",
)
TOP = 10
MAX_PER_INSTITUTION = 3  # in the first TOP results
# A profile with no words in common is a match only if it is this close in meaning (0..1,
# relative to the closest profile).
MEANING_FLOOR = 0.5
# Below this cosine even the closest profile is not close: the model sees no topic it knows
# (real challenges of the dev set start at 0.42; "Hello" gives 0.22).
MEANING_MIN_COSINE = 0.3
PASSAGES_QUOTED = 2
PASSAGE_FLOOR = 0.3  # cosine below which a second passage is not close enough to quote
QUOTE_FLOOR = 0.25  # a match quotes its passages when it is at least this close in meaning
RELATED_AREA_CREDIT = 0.5
NEIGHBOUR_REGION_CREDIT = 0.5
TRL_STEP_PENALTY = 0.34  # per level between the profile's range and the project's next steps
TRL_AHEAD = 2  # the project's next steps: its TRL and two levels up


@dataclass(frozen=True)
class Fitted:
    weights: dict[str, float]
    cap_factor: float  # the share of its score a capped profile keeps


@cache
def fitted() -> Fitted:
    """The fitted weights and cap, as `fit_matching_weights --write` left them."""
    with FITTED_PATH.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return Fitted(
        weights={name: float(data["weights"].get(name, 0.0)) for name in SIGNALS},
        cap_factor=float(data["cap_factor"]),
    )


@dataclass
class AnalyzedQuery:
    weights: dict[int, float]  # column → weight
    surface: dict[str, str]  # token → the words of the challenge it came from
    tokens: dict[int, str]  # column → token
    # The profiles × query terms part of the index (CSC), set by the text scoring and read
    # again for the "why" of the matches shown.
    rows: Any = None


def query_language(query: Query) -> str:
    if query.language in LANGUAGES:
        return query.language
    return detect_language(query.text) or "en"


def analyze_query(query: Query, index: ProfileIndex) -> AnalyzedQuery:
    language = query_language(query)
    tokens = analyze(query.text, language)
    surface: dict[str, str] = {}
    stop = stop_words()[language]
    for word in words(query.text):
        if fold(word) not in stop:
            surface.setdefault(stem(word, language), word)
    groups = synonym_groups()
    written = {code: f" {' '.join(stem_all(query.text, code))} " for code in LANGUAGES}
    for token in tokens:
        if token.startswith(CONCEPT_PREFIX) and token not in surface:
            group = groups.get(token[len(CONCEPT_PREFIX) :], {})
            phrases = [
                (code, phrase) for code in (language, *LANGUAGES) for phrase in group.get(code, [])
            ]
            # The group's phrase that the challenge used, or failing that its first phrase.
            used = [p for code, p in phrases if f" {' '.join(stem_all(p, code))} " in written[code]]
            surface[token] = (used or [p for _, p in phrases] or [token])[0]
    counts: dict[int, float] = {}
    columns: dict[int, str] = {}
    for token in tokens:
        column = index.vocabulary.get(token)
        if column is not None:
            counts[column] = counts.get(column, 0.0) + 1.0
            columns[column] = token
    weights = {column: 1.0 + float(np.log(count)) for column, count in counts.items()}
    return AnalyzedQuery(weights=weights, surface=surface, tokens=columns)


def _text_scores(index: ProfileIndex, analyzed: AnalyzedQuery) -> np.ndarray:
    if not analyzed.weights:
        return np.zeros(len(index), dtype=np.float32)
    columns = np.fromiter(analyzed.weights, dtype=np.int64)
    analyzed.rows = index.weights[:, columns]
    values = np.fromiter(analyzed.weights.values(), dtype=np.float32)
    return np.asarray(analyzed.rows @ values).ravel()


def _term_weights(analyzed: AnalyzedQuery, positions: np.ndarray) -> np.ndarray:
    """The weights of the query's terms in the profiles at `positions` (positions × terms).

    A binary search down each term's column: converting the whole slice of the index to rows
    would cost more than the ranking itself.
    """
    matrix = analyzed.rows
    found = np.zeros((len(positions), len(analyzed.weights)), dtype=np.float32)
    if matrix is None:
        return found
    # Searched in the index's own integer type: searchsorted would copy each column otherwise.
    positions = positions.astype(matrix.indices.dtype)
    for column in range(matrix.shape[1]):
        start, stop = matrix.indptr[column], matrix.indptr[column + 1]
        rows = matrix.indices[start:stop]  # sorted
        at = np.searchsorted(rows, positions)
        hit = at < len(rows)
        hit[hit] = rows[at[hit]] == positions[hit]
        found[hit, column] = matrix.data[start:stop][at[hit]]
    return found


def _vector(names: list[str], wanted: dict[str, float]) -> np.ndarray:
    return np.array([wanted.get(name, 0.0) for name in names], dtype=np.float32)


def meaning_values(index: ProfileIndex, reduced_query: np.ndarray) -> np.ndarray:
    """Closeness in meaning, 0..1 for this query: 0 at the corpus's mean, 1 for the closest."""
    assert index.meaning is not None
    similarity = index.meaning.similarity(reduced_query)  # a new array, ours to change
    has = index.meaning.has_vector
    if not has.any():
        return np.zeros(len(index), dtype=np.float32)
    every = bool(has.all())  # then no copies of the similarities with a vector are needed
    present = similarity if every else similarity[has]
    mean, best = float(present.mean()), float(present.max())
    if best < MEANING_MIN_COSINE:  # nothing is close: gibberish, or a topic no one covers
        return np.zeros(len(index), dtype=np.float32)
    # In place: at 100,000 profiles each temporary array costs about as much as the scaling.
    if best > mean:
        scaled = similarity
        scaled -= mean
        scaled /= best - mean
    else:
        scaled = similarity * 0
    np.clip(scaled, 0, 1, out=scaled)
    if not every:
        scaled[~has] = 0
    return scaled.astype(np.float32, copy=False)


def signal_values(
    index: ProfileIndex,
    query: Query,
    text: np.ndarray,
    reduced_query: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """{signal: value per profile} for the signals that apply to this query."""
    values: dict[str, np.ndarray] = {}
    best = float(text.max()) if len(text) else 0.0
    values["text"] = text / best if best > 0 else text
    if reduced_query is not None and index.meaning is not None:
        values["meaning"] = meaning_values(index, reduced_query)
    if query.capability_areas:
        wanted = dict.fromkeys(query.related_capability_areas, RELATED_AREA_CREDIT)
        wanted |= dict.fromkeys(query.capability_areas, 1.0)
        overlap = index.areas @ _vector(index.area_names, wanted)
        values["capability"] = np.minimum(overlap / len(query.capability_areas), 1.0)
    if query.trl is not None:
        low, high = query.trl, min(query.trl + TRL_AHEAD, 9)
        gap = np.maximum(index.trl_min - high, 0) + np.maximum(low - index.trl_max, 0)
        fit = np.clip(1 - TRL_STEP_PENALTY * gap, 0, 1)
        values["trl"] = np.where(index.trl_min < 0, 0.5, fit).astype(np.float32)
    if query.rd_stage:
        values["rd_stage"] = index.stages @ _vector(index.stage_names, {query.rd_stage: 1.0})
    if query.sector:
        codes = naics_codes([query.sector])
        if codes:
            hits = index.sectors @ _vector(index.sector_names, dict.fromkeys(codes, 1.0))
            values["sector"] = np.minimum(hits, 1.0)
    values["language"] = _speaks_query_language(index, query).astype(np.float32)
    if query.wants_students:
        values["students"] = index.accepts_students.astype(np.float32)
    if query.onsite_needed and query.region:
        credit = {query.region: 1.0} | {
            region: NEIGHBOUR_REGION_CREDIT
            for region in query.neighbouring_regions
            if region != query.region
        }
        values["region"] = _vector(index.regions, credit)[index.region_of]
    return values


def _speaks_query_language(index: ProfileIndex, query: Query) -> np.ndarray:
    return index.speaks_fr if query_language(query) == "fr" else index.speaks_en


def caps(index: ProfileIndex, query: Query) -> dict[str, np.ndarray]:
    """{constraint: whether it caps each profile}, as the assessors apply them."""
    capped = {
        "capacity": index.capacity_left == 0,
        "language": ~_speaks_query_language(index, query),
    }
    if query.onsite_needed and query.region:
        near = _vector(index.regions, dict.fromkeys((query.region, *query.neighbouring_regions), 1))
        capped["distance"] = near[index.region_of] == 0
    if query.wants_students is False and "program" in index.kinds:
        # A student project program works only through students.
        capped["students"] = index.kind_of == index.kinds.index("program")
    return capped


def fused(
    values: Mapping[str, np.ndarray],
    capped: Mapping[str, np.ndarray],
    weights: Mapping[str, float],
    cap_factor: float,
) -> np.ndarray:
    """The weighted mean of the signals, times `cap_factor` where any constraint caps."""
    total_weight = sum(weights.get(name, 0.0) for name in values)
    size = len(next(iter(values.values())))
    score = np.zeros(size, dtype=np.float32)
    for name, value in values.items():
        score += weights.get(name, 0.0) * value
    score /= max(total_weight, 1e-9)
    any_cap = np.zeros(size, dtype=bool)
    for mask in capped.values():
        any_cap |= mask
    return np.where(any_cap, score * cap_factor, score)


def _filter_mask(index: ProfileIndex, query: Query) -> np.ndarray:
    mask = np.ones(len(index), dtype=bool)
    if query.institution_kinds:
        wanted = _vector(index.institution_kinds, dict.fromkeys(query.institution_kinds, 1.0))
        mask &= wanted[index.institution_kind_of] > 0
    if query.regions:
        wanted = _vector(index.regions, dict.fromkeys(query.regions, 1.0))
        mask &= wanted[index.region_of] > 0
    if query.languages:
        speaks = np.zeros(len(index), dtype=bool)
        if "en" in query.languages:
            speaks |= index.speaks_en
        if "fr" in query.languages:
            speaks |= index.speaks_fr
        mask &= speaks
    return mask


def diversify(
    order: np.ndarray,
    institution_of: np.ndarray,
    top: int = TOP,
    max_per_institution: int = MAX_PER_INSTITUTION,
) -> np.ndarray:
    """The same order, except that no institution has more than `max_per_institution` of the
    first `top`; the profiles moved down keep their order right after them."""
    head: list[int] = []
    deferred: list[int] = []
    per_institution: dict[int, int] = {}
    for position in order.tolist():
        if len(head) >= top:
            break
        institution = int(institution_of[position])
        if per_institution.get(institution, 0) >= max_per_institution:
            deferred.append(position)
            continue
        per_institution[institution] = per_institution.get(institution, 0) + 1
        head.append(position)
    taken = set(head) | set(deferred)
    rest = [position for position in order.tolist() if position not in taken]
    return np.array(head + deferred + rest, dtype=np.int64)


@dataclass
class Signals:
    """Everything the score of every profile rests on, for one query."""

    analyzed: AnalyzedQuery
    values: dict[str, np.ndarray]  # signal → value per profile
    capped: dict[str, np.ndarray]  # constraint → whether it caps each profile
    eligible: np.ndarray  # shares words with the challenge or is close in meaning; in filters
    reduced_query: np.ndarray | None  # the challenge's vector in the index's meaning space


def signals_for(
    index: ProfileIndex, query: Query, query_vector: np.ndarray | None = None
) -> Signals:
    analyzed = analyze_query(query, index)
    text = _text_scores(index, analyzed)
    reduced = (
        index.meaning.reduce(query_vector)
        if query_vector is not None and index.meaning is not None
        else None
    )
    values = signal_values(index, query, text, reduced)
    topical = text > 0
    if "meaning" in values:
        topical |= values["meaning"] >= MEANING_FLOOR
    return Signals(
        analyzed=analyzed,
        values=values,
        capped=caps(index, query),
        eligible=topical & _filter_mask(index, query),
        reduced_query=reduced,
    )


def rank(
    index: ProfileIndex,
    query: Query,
    *,
    limit: int = 50,
    query_vector: np.ndarray | None = None,
    weights: Mapping[str, float] | None = None,
    cap_factor: float | None = None,
) -> list[Match]:
    """The `limit` best profiles for `query`, best first, each with its signals.

    `query_vector` is the challenge's embedding (semantic.query_vector); without it, or when
    the index has no embeddings, profiles are ranked by words and structure only.
    """
    if not len(index):
        return []
    weights = weights if weights is not None else fitted().weights
    cap_factor = cap_factor if cap_factor is not None else fitted().cap_factor
    found = signals_for(index, query, query_vector)
    score = fused(found.values, found.capped, weights, cap_factor)
    score = np.where(found.eligible, score, -1.0)
    candidates = min(len(index), max(limit * 4, 100))
    top = np.argpartition(-score, candidates - 1)[:candidates]
    top = top[np.argsort(-score[top], kind="stable")]
    top = top[score[top] >= 0]
    order = diversify(top, index.institution_of)[:limit]
    term_weights = _term_weights(found.analyzed, order)  # a row per match, for its "why"
    return [
        Match(
            profile_id=index.ids[position],
            score=round(float(score[position]), 4),
            signals=_signals(index, query, found, weights, position, term_weights[i]),
            rank=i + 1,
        )
        for i, position in enumerate(order.tolist())
    ]


def _matched_terms(analyzed: AnalyzedQuery, row: np.ndarray) -> list[str]:
    """The challenge's words that `row` (a profile's weights of the query terms) holds."""
    columns = list(analyzed.weights)
    hits = sorted(
        (float(row[i]) * analyzed.weights[column], analyzed.tokens[column])
        for i, column in enumerate(columns)
        if row[i] > 0
    )
    seen: list[str] = []
    for _, token in reversed(hits):
        word = analyzed.surface.get(token, token.lstrip(CONCEPT_PREFIX))
        if word not in seen:
            seen.append(word)
    return seen[:8]


def _signals(
    index: ProfileIndex,
    query: Query,
    found: Signals,
    weights: Mapping[str, float],
    position: int,
    term_weights: np.ndarray,
) -> tuple[Signal, ...]:
    # The profile's capability areas, read off its row (indexing a sparse matrix one element
    # at a time is slow).
    start, stop = index.areas.indptr[position], index.areas.indptr[position + 1]
    held = index.areas.indices[start:stop][index.areas.data[start:stop] != 0]
    areas = [index.area_names[column] for column in sorted(held.tolist())]
    details: dict[str, dict] = {
        "text": {"terms": _matched_terms(found.analyzed, term_weights)},
        "meaning": {
            "passages": _passages(
                index,
                position,
                found.reduced_query,
                float(found.values["meaning"][position]) if "meaning" in found.values else 0.0,
            )
        },
        "capability": {
            "areas": [
                name
                for name in areas
                if name in query.capability_areas or name in query.related_capability_areas
            ]
        },
        "trl": {
            "profile": [int(index.trl_min[position]), int(index.trl_max[position])],
            "project": query.trl,
        },
        "rd_stage": {"stage": query.rd_stage},
        "sector": {"sector": query.sector},
        "language": {"language": query_language(query)},
        "students": {},
        "region": {
            "profile": index.regions[index.region_of[position]],
            "project": query.region,
        },
    }
    return signal_tuple(
        {name: float(value[position]) for name, value in found.values.items()},
        weights,
        details,
        int(index.capacity_left[position]),
        [name for name, mask in found.capped.items() if mask[position]],
    )


def _passages(
    index: ProfileIndex, position: int, reduced_query: np.ndarray | None, closeness: float
) -> list[dict[str, Any]]:
    """The profile's passages closest in meaning to the challenge, in its own words."""
    if reduced_query is None or index.meaning is None or closeness < QUOTE_FLOOR:
        return []
    return [
        {
            "text": text,
            "language": index.meaning.passage_language(position, text),
            "similarity": round(cos, 3),
        }
        for text, cos in index.meaning.closest(
            position, reduced_query, most=PASSAGES_QUOTED, floor=PASSAGE_FLOOR
        )
    ]


def signal_tuple(
    values: Mapping[str, float],
    weights: Mapping[str, float],
    details: Mapping[str, dict],
    capacity_left: int,
    capped_by: Sequence[str] = (),
) -> tuple[Signal, ...]:
    """One profile's signals, as a match carries them: each scored signal, then its capacity
    (-1 when not said) and the constraints that capped its score, which are not weighed."""
    signals = [
        Signal(
            name=name,
            value=round(float(value), 4),
            weight=weights.get(name, 0.0),
            detail=details.get(name, {}),
        )
        for name, value in values.items()
    ]
    signals.append(
        Signal(
            name="capacity",
            value=0.0 if capacity_left == 0 else 1.0,
            weight=0.0,
            detail={
                "left": None if capacity_left < 0 else capacity_left,
                "capped_by": list(capped_by),
            },
        )
    )
    return tuple(signals)
