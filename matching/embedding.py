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
import time
from collections.abc import Iterable, Mapping, Sequence
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
DELETE_BATCH = 500
EMBEDDERS = {"use": UniversalSentenceEncoder, "hashing": HashingEmbedder}


@cache
def _embedder(name: str) -> Embedder | None:
    return EMBEDDERS[name]() if name else None


def embedder() -> Embedder | None:
    return _embedder(settings.MATCHING_EMBEDDER)


def passages_of(profiles: Iterable[Profile]) -> dict[str, str]:
    """{hash: passage} of every passage of `profiles`: computed once by a rebuild, which both
    embeds and prunes by it."""
    return {text_hash(p): p for profile in profiles for p in profile_passages(profile)}


def _stored_hashes(model_name: str) -> set[str]:
    # The model's whole set, filtered here: an IN list of every passage of a large catalogue
    # would exceed what a database takes in one query.
    return set(
        PassageEmbedding.objects.filter(model=model_name).values_list("text_hash", flat=True)
    )


def embed_passages(passages: Mapping[str, str], *, budget_seconds: float | None = None) -> int:
    """Embed the `passages` ({hash: text}) that have no vector for the current model yet, for at
    most `budget_seconds` (the rest waits for the next run, so that a large catalogue never
    holds the index back).

    Returns how many were embedded (0 when all were cached, or without a model). Safe to run
    twice, and concurrently: a vector stored meanwhile by another run is kept.
    """
    model = embedder()
    if model is None:
        return 0
    stored = _stored_hashes(model.name)
    missing = [(digest, text) for digest, text in passages.items() if digest not in stored]
    started, embedded = time.monotonic(), 0
    try:
        for start in range(0, len(missing), BATCH):
            if budget_seconds is not None and time.monotonic() - started > budget_seconds:
                logger.info(
                    "Embedded %s passages; %s wait for the next run",
                    embedded,
                    len(missing) - embedded,
                )
                break
            batch = missing[start : start + BATCH]
            vectors = model.encode([text for _, text in batch])
            PassageEmbedding.objects.bulk_create(
                [
                    PassageEmbedding(model=model.name, text_hash=digest, vector=vector.tobytes())
                    for (digest, _), vector in zip(batch, vectors, strict=True)
                ],
                ignore_conflicts=True,
            )
            embedded += len(batch)
    except EmbedderUnavailable:
        logger.exception("Embedding model %s is unavailable: profiles not embedded", model.name)
    return embedded


def prune_embeddings(passages: Mapping[str, str]) -> int:
    """Forget the vectors of texts not among `passages` ({hash: text}, those of the active
    profiles): older texts, and every vector of another model.

    A vector pruned while another task still needed it is embedded again by the next rebuild.
    """
    model = embedder()
    if model is None:  # the model switched off for a while: keep what it will need again
        return 0
    deleted, _ = PassageEmbedding.objects.exclude(model=model.name).delete()
    stale = list(_stored_hashes(model.name) - passages.keys())
    for start in range(0, len(stale), DELETE_BATCH):
        count, _ = PassageEmbedding.objects.filter(
            model=model.name, text_hash__in=stale[start : start + DELETE_BATCH]
        ).delete()
        deleted += count
    return deleted


def meaning_index(profiles: Sequence[Profile]) -> MeaningIndex | None:
    """The profiles' meaning index from stored vectors, or None if none are stored."""
    model = embedder()
    if model is None:
        return None
    wanted = passages_of(profiles)
    vectors = {
        wanted[digest]: np.frombuffer(bytes(vector), dtype=np.float32)
        for digest, vector in PassageEmbedding.objects.filter(model=model.name)
        .values_list("text_hash", "vector")
        .iterator(chunk_size=2000)
        if digest in wanted
    }
    if not vectors:
        return None
    return MeaningIndex.build(profiles, vectors, model.name)


def challenge_vector(text: str, model_name: str) -> np.ndarray | None:
    """The challenge's vector with the model the index was built with; None if unavailable."""
    model = embedder()
    if model is None:
        return None
    if model.name != model_name:
        logger.warning(
            "The index was built with %s, not %s: ranking without meaning until it is rebuilt",
            model_name,
            model.name,
        )
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
