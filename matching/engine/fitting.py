"""Fitting the ranking's weights and cap on labelled challenges, and cross-validating the fit.

Each labelled challenge is reduced once to its signal values for every profile and its caps
(ranking.signal_values, ranking.caps); a fit then only re-weighs those arrays. The search is
coordinate ascent on mean nDCG@10 over a grid of weights (the text weight stays 1, which fixes
the scale), then over the cap factor, repeated until nothing improves: a small, transparent
search that 35 challenges can support, where a learned model with more freedom would fit
their noise. `cross_validate` fits on k−1 folds and scores the fold left out, so the figure it
reports is for challenges the fit has not seen. The fit ranks without spreading the first ten
across institutions (it moves few of them); `evaluate_matching --folds` scores the fold weights
with the real ranking. No Django.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .ranking import SIGNALS, fused

WEIGHT_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
CAP_GRID = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
ROUNDS = 4
CUTOFF = 10


@dataclass
class Challenge:
    """One labelled challenge, reduced to arrays over the corpus's profiles."""

    id: str
    values: dict[str, np.ndarray]  # signal → value per profile
    capped: dict[str, np.ndarray]  # constraint → whether it caps each profile
    eligible: np.ndarray  # bool per profile: topical and within the filters
    grades: dict[int, int]  # profile position → grade 0, 1 or 2

    def ideal_dcg(self) -> float:
        return _dcg(sorted(self.grades.values(), reverse=True))


@dataclass(frozen=True)
class Fit:
    weights: dict[str, float]
    cap_factor: float
    ndcg: float  # on the challenges it was fitted on


def _dcg(grades: Sequence[int]) -> float:
    return sum((2**grade - 1) / np.log2(i + 2) for i, grade in enumerate(grades[:CUTOFF]))


def ranking_of(challenge: Challenge, weights: Mapping[str, float], cap_factor: float) -> np.ndarray:
    """Positions of the first ten profiles, best first."""
    if not len(challenge.eligible):
        return np.zeros(0, dtype=np.int64)
    score = fused(challenge.values, challenge.capped, weights, cap_factor)
    score = np.where(challenge.eligible, score, -1.0)
    top = np.argpartition(-score, min(CUTOFF, len(score) - 1))[:CUTOFF]
    top = top[np.argsort(-score[top], kind="stable")]
    return top[score[top] >= 0]


def ndcg(challenge: Challenge, weights: Mapping[str, float], cap_factor: float) -> float:
    ideal = challenge.ideal_dcg()
    if ideal == 0:
        return 0.0
    ranked = ranking_of(challenge, weights, cap_factor)
    return _dcg([challenge.grades.get(int(p), 0) for p in ranked]) / ideal


def mean_ndcg(
    challenges: Sequence[Challenge], weights: Mapping[str, float], cap_factor: float
) -> float:
    return float(np.mean([ndcg(c, weights, cap_factor) for c in challenges]))


def fit(challenges: Sequence[Challenge], signals: Sequence[str] = SIGNALS) -> Fit:
    weights = {name: (1.0 if name == "text" else 0.2) for name in signals}
    cap_factor = 0.8
    best = mean_ndcg(challenges, weights, cap_factor)
    for _ in range(ROUNDS):
        improved = False
        for name in signals:
            if name == "text":
                continue
            for value in WEIGHT_GRID:
                trial = weights | {name: value}
                score = mean_ndcg(challenges, trial, cap_factor)
                if score > best + 1e-9:
                    best, weights, improved = score, trial, True
        for value in CAP_GRID:
            score = mean_ndcg(challenges, weights, value)
            if score > best + 1e-9:
                best, cap_factor, improved = score, value, True
        if not improved:
            break
    return Fit(weights=weights, cap_factor=cap_factor, ndcg=best)


def folds(ids: Sequence[str], k: int, seed: int = 0) -> list[list[str]]:
    """`ids` shuffled (by `seed`) and dealt into k folds."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def cross_validate(
    challenges: Sequence[Challenge], k: int, seed: int = 0, signals: Sequence[str] = SIGNALS
) -> dict[str, Fit]:
    """{challenge id: the fit made without its fold}, for every challenge."""
    by_id = {c.id: c for c in challenges}
    held_out_fits: dict[str, Fit] = {}
    for fold in folds(list(by_id), k, seed):
        training = [c for cid, c in by_id.items() if cid not in fold]
        result = fit(training, signals)
        held_out_fits |= dict.fromkeys(fold, result)
    return held_out_fits
