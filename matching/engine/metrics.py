"""Ranking quality measures over graded labels (0, 1, 2), as in the evaluation command."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

CUTOFF = 10


def ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int = CUTOFF) -> float:
    """nDCG@k with gain 2^grade − 1; unlabelled profiles count as grade 0."""

    def dcg(gains: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    if ideal == 0:
        return 0.0
    return dcg([grades.get(pid, 0) for pid in ranking]) / ideal


def recall(ranking: Sequence[str], grades: Mapping[str, int], k: int = CUTOFF) -> float:
    """Share of the profiles graded 1 or 2 that are in the first k."""
    relevant = {pid for pid, grade in grades.items() if grade >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], grades: Mapping[str, int]) -> float:
    """1 / rank of the first profile graded 2 (0 when none is ranked)."""
    for position, pid in enumerate(ranking, start=1):
        if grades.get(pid, 0) >= 2:
            return 1.0 / position
    return 0.0
