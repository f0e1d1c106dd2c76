"""Embeddings of profiles and challenges: which model, where its vectors are kept.

Profile passages are embedded by the task that rebuilds the index (never while ranking), once
per model and text: `PassageEmbedding` is keyed by the text's hash, so loading the catalogue
twice embeds nothing twice. A challenge is embedded when it is ranked. If the model is missing
or fails, both steps say so in the log and ranking goes on by words and structure.

MATCHING_EMBEDDER chooses the model: "use" (the multilingual Universal Sentence Encoder, the
default), "hashing" (a small deterministic stand-in, for tests) or "" (none).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from django.conf import settings

from .engine.semantic import (
    Embedder,
    EmbedderUnavailable,
    HashingEmbedder,
    MeaningIndex,
    UniversalSentenceEncoder,
    profile_passages,
    query_vector,
    text_hash,
)
from .engine.types import Profile
from .models import PassageEmbedding

logger = logging.getLogger(__name__)
BATCH = 64  # passages per call to the model
EMBEDDERS = {"use": UniversalSentenceEncoder, "hashing": HashingEmbedder}


@cache
def _embedder(name: str) -> Embedder | None:
    return EMBEDDERS[name]() if name else None


def embedder() -> Embedder | None:
    return _embedder(settings.MATCHING_EMBEDDER)


def _passages(profiles: Iterable[Profile]) -> dict[str, str]:
    """{hash: passage} of every passage of `profiles`."""
    return {text_hash(p): p for profile in profiles for p in profile_passages(profile)}


def embed_profiles(profiles: Sequence[Profile]) -> int:
    """Embed the passages of `profiles` that have no vector for the current model yet.

    Returns how many were embedded (0 when all were cached, or without a model). Safe to run
    twice, and concurrently: a vector stored meanwhile by another run is kept.
    """
    model = embedder()
    if model is None:
        return 0
    wanted = _passages(profiles)
    stored = set(
        PassageEmbedding.objects.filter(model=model.name, text_hash__in=list(wanted)).values_list(
            "text_hash", flat=True
        )
    )
    missing = [(digest, text) for digest, text in wanted.items() if digest not in stored]
    try:
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            vectors = model.encode([text for _, text in batch])
            PassageEmbedding.objects.bulk_create(
                [
                    PassageEmbedding(model=model.name, text_hash=digest, vector=vector.tobytes())
                    for (digest, _), vector in zip(batch, vectors, strict=True)
                ],
                ignore_conflicts=True,
            )
    except EmbedderUnavailable:
        logger.exception("Embedding model %s is unavailable: profiles not embedded", model.name)
        return 0
    return len(missing)


def prune_embeddings(profiles: Sequence[Profile]) -> int:
    """Forget the vectors no active profile uses any more (older texts, other models).

    A vector pruned while another task still needed it is embedded again by the next rebuild.
    """
    model = embedder()
    stale = PassageEmbedding.objects.all()
    if model is not None:
        stale = stale.exclude(model=model.name, text_hash__in=list(_passages(profiles)))
    deleted, _ = stale.delete()
    return deleted


def meaning_index(profiles: Sequence[Profile]) -> MeaningIndex | None:
    """The profiles' meaning index from stored vectors, or None if none are stored."""
    model = embedder()
    if model is None:
        return None
    wanted = _passages(profiles)
    vectors = {
        wanted[digest]: np.frombuffer(bytes(vector), dtype=np.float32)
        for digest, vector in PassageEmbedding.objects.filter(
            model=model.name, text_hash__in=list(wanted)
        ).values_list("text_hash", "vector")
    }
    if not vectors:
        return None
    return MeaningIndex.build(profiles, vectors, model.name)


def challenge_vector(text: str, model_name: str) -> np.ndarray | None:
    """The challenge's vector with the model the index was built with; None if unavailable."""
    model = embedder()
    if model is None or model.name != model_name:
        return None
    try:
        return query_vector(model, text)
    except EmbedderUnavailable:
        logger.exception("Embedding model %s is unavailable: ranking without meaning", model_name)
        return None


def warm_up() -> None:
    """Load the model now (a worker or web process at start), not on the first challenge."""
    model = embedder()
    if model is not None:
        try:
            model.encode(["warm up"])
        except EmbedderUnavailable:
            logger.exception("Embedding model %s is unavailable", model.name)
