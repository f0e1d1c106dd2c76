"""Ranking expertise profiles for a query: a transparent weighted sum of signals.

Every signal is a number between 0 and 1 for each profile, computed for all profiles at once;
the final score is their weighted mean over the signals that apply to this query (a business
that did not say whether it wants students is not scored on students). The top of the list is
then spread across institutions, and units with no capacity left are ranked lower.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from diagnostics.text import LANGUAGES, detect_language, fold, words

from .analysis import CONCEPT_PREFIX, analyze, stem, stem_all, stop_words, synonym_groups
from .index import ProfileIndex, naics_codes
from .types import Match, Query, Signal

WEIGHTS: dict[str, float] = {
    "text": 0.55,
    "capability": 0.15,
    "trl": 0.07,
    "rd_stage": 0.04,
    "sector": 0.04,
    "language": 0.05,
    "students": 0.05,
    "region": 0.05,
}
TOP = 10
MAX_PER_INSTITUTION = 3  # in the first TOP results
FULL_CAPACITY_FACTOR = 0.8  # a unit with no capacity left keeps 80% of its score
RELATED_AREA_CREDIT = 0.5
NEIGHBOUR_REGION_CREDIT = 0.5
TRL_STEP_PENALTY = 0.34  # per level between the profile's range and the project's next steps
TRL_AHEAD = 2  # the project's next steps: its TRL and two levels up


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


def signal_values(index: ProfileIndex, query: Query, text: np.ndarray) -> dict[str, np.ndarray]:
    """{signal: value per profile} for the signals that apply to this query."""
    values: dict[str, np.ndarray] = {}
    best = float(text.max()) if len(text) else 0.0
    values["text"] = text / best if best > 0 else text
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
    language = query_language(query)
    values["language"] = (index.speaks_fr if language == "fr" else index.speaks_en).astype(
        np.float32
    )
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


def rank(
    index: ProfileIndex,
    query: Query,
    *,
    limit: int = 50,
    weights: dict[str, float] | None = None,
) -> list[Match]:
    """The `limit` best profiles for `query`, best first, each with its signals."""
    if not len(index):
        return []
    weights = weights or WEIGHTS
    analyzed = analyze_query(query, index)
    text = _text_scores(index, analyzed)
    values = signal_values(index, query, text)
    total_weight = sum(weights.get(name, 0.0) for name in values)
    score = np.zeros(len(index), dtype=np.float32)
    for name, value in values.items():
        score += weights.get(name, 0.0) * value
    score /= max(total_weight, 1e-9)
    full = index.capacity_left == 0
    score = np.where(full, score * FULL_CAPACITY_FACTOR, score)
    # Profiles that share no word with the challenge are not matches, however well they fit.
    score = np.where((text > 0) & _filter_mask(index, query), score, -1.0)
    candidates = min(len(index), max(limit * 4, 100))
    top = np.argpartition(-score, candidates - 1)[:candidates]
    top = top[np.argsort(-score[top], kind="stable")]
    top = top[score[top] >= 0]
    order = diversify(top, index.institution_of)[:limit]
    term_weights = _term_weights(analyzed, order)  # a row per match, for its "why"
    return [
        Match(
            profile_id=index.ids[position],
            score=round(float(score[position]), 4),
            signals=_signals(index, query, analyzed, values, weights, position, term_weights[i]),
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
    analyzed: AnalyzedQuery,
    values: dict[str, np.ndarray],
    weights: dict[str, float],
    position: int,
    term_weights: np.ndarray,
) -> tuple[Signal, ...]:
    # The profile's capability areas, read off its row (indexing a sparse matrix one element
    # at a time is slow).
    start, stop = index.areas.indptr[position], index.areas.indptr[position + 1]
    held = index.areas.indices[start:stop][index.areas.data[start:stop] != 0]
    areas = [index.area_names[column] for column in sorted(held.tolist())]
    details: dict[str, dict] = {
        "text": {"terms": _matched_terms(analyzed, term_weights)},
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
        {name: float(value[position]) for name, value in values.items()},
        weights,
        details,
        int(index.capacity_left[position]),
    )


def signal_tuple(
    values: Mapping[str, float],
    weights: Mapping[str, float],
    details: Mapping[str, dict],
    capacity_left: int,
) -> tuple[Signal, ...]:
    """One profile's signals, as a match carries them: each scored signal, then its capacity
    (-1 when not said), which is not weighed but ranks a full unit lower."""
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
            detail={"left": None if capacity_left < 0 else capacity_left},
        )
    )
    return tuple(signals)
