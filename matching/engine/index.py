"""An in-memory BM25 index of expertise profiles with their structured facts as arrays.

Built once per corpus version, then ranked many times: text scores are one sparse
matrix-vector product, structured fit is vectorised over all profiles, so a query over
100,000 profiles costs a few milliseconds. `to_bytes`/`from_bytes` persist it (numpy's npz,
no pickle) so that every process can load the version the last rebuild produced.
"""

from __future__ import annotations

import io
import json
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ocip.taxonomy import taxonomy

from .analysis import analyze, document_language
from .semantic import MeaningIndex
from .types import Profile

K1, B = 1.2, 0.75
# Title and keywords say what a unit does in a few words: they count twice.
FIELD_REPEATS = {"title": 2, "keywords": 2}
FORMAT_VERSION = 1  # the meaning arrays are optional: older indexes load


def profile_text(profile: Profile) -> str:
    """All of a profile's text, title and keywords repeated for weight."""
    area_labels = [
        label
        for slug in profile.capability_areas
        for label in taxonomy()["capability_areas"].get(slug, {}).values()
    ]
    parts = (
        [profile.title] * FIELD_REPEATS["title"]
        + list(profile.keywords) * FIELD_REPEATS["keywords"]
        + [profile.summary]
        + list(profile.equipment)
        + list(profile.past_projects)
        + area_labels
    )
    return "\n".join(part for part in parts if part)


def naics_codes(codes: Iterable[str]) -> set[str]:
    """Two-digit NAICS sectors of codes such as "54", "3254" or the range "31-33"."""
    found: set[str] = set()
    for code in codes:
        code = str(code).strip()
        if "-" in code:
            low, _, high = code.partition("-")
            if low[:2].isdigit() and high[:2].isdigit():
                found.update(str(n) for n in range(int(low[:2]), int(high[:2]) + 1))
        elif code[:2].isdigit():
            found.add(code[:2])
    return found


def _codes(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    names = sorted(set(values))
    position = {name: i for i, name in enumerate(names)}
    return names, np.array([position[value] for value in values], dtype=np.int32)


def _membership(rows: Sequence[Iterable[str]], names: list[str]) -> sparse.csr_matrix:
    position = {name: i for i, name in enumerate(names)}
    indptr, indices = [0], []
    for row in rows:
        indices.extend(sorted({position[value] for value in row if value in position}))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(names)))


@dataclass
class ProfileIndex:
    ids: list[str]
    vocabulary: dict[str, int]
    weights: sparse.csc_matrix  # profiles × terms, BM25 weight of each term in each profile
    idf: np.ndarray
    institutions: list[str]
    institution_of: np.ndarray
    institution_kinds: list[str]
    institution_kind_of: np.ndarray
    regions: list[str]
    region_of: np.ndarray
    kinds: list[str]
    kind_of: np.ndarray
    area_names: list[str]
    areas: sparse.csr_matrix
    stage_names: list[str]
    stages: sparse.csr_matrix
    sector_names: list[str]
    sectors: sparse.csr_matrix  # profiles × two-digit NAICS codes
    trl_min: np.ndarray  # -1 when not said
    trl_max: np.ndarray
    speaks_en: np.ndarray
    speaks_fr: np.ndarray
    accepts_students: np.ndarray
    capacity_left: np.ndarray  # -1 when not said
    version: str = ""
    meaning: MeaningIndex | None = None  # None: no embeddings, ranked by words and structure

    def with_meaning(self, meaning: MeaningIndex | None) -> ProfileIndex:
        if meaning is not None and len(meaning) != len(self):
            raise ValueError("the meaning index is not aligned with the profiles")
        self.meaning = meaning
        return self

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, profiles: Sequence[Profile], version: str = "") -> ProfileIndex:
        # The term counts go straight into CSR arrays (one row per profile): Python lists of
        # coordinates would take several times the memory of the index being built.
        vocabulary: dict[str, int] = {}
        indptr = np.zeros(len(profiles) + 1, dtype=np.int64)
        columns = array("i")
        counts = array("i")
        lengths = np.zeros(len(profiles), dtype=np.float32)
        for row, profile in enumerate(profiles):
            text = profile_text(profile)
            tokens = analyze(text, document_language(profile.summary, profile.languages))
            lengths[row] = len(tokens)
            counted = Counter(tokens)
            columns.extend([vocabulary.setdefault(token, len(vocabulary)) for token in counted])
            counts.extend(counted.values())
            indptr[row + 1] = len(columns)
        n = len(profiles)
        indices = np.frombuffer(columns, dtype=np.int32)
        document_frequency = np.bincount(indices, minlength=len(vocabulary))
        idf = np.log(1 + (n - document_frequency + 0.5) / (document_frequency + 0.5)).astype(
            np.float32
        )
        average = float(lengths.mean()) if n else 1.0
        norm = K1 * (1 - B + B * lengths / max(average, 1.0))
        # BM25 weights computed in place on the counts, in the same order of operations as
        # tf * (K1 + 1) / (tf + norm) * idf, so that the weights do not change by a bit.
        data = np.frombuffer(counts, dtype=np.int32).astype(np.float32)
        del counts
        denominator = np.repeat(norm, np.diff(indptr))
        denominator += data
        data *= K1 + 1
        data /= denominator
        del denominator
        data *= idf[indices]
        weights = sparse.csr_matrix((data, indices, indptr), shape=(n, len(vocabulary))).tocsc()
        del data, indices, columns
        institutions, institution_of = _codes([p.institution for p in profiles])
        institution_kinds, institution_kind_of = _codes([p.institution_kind for p in profiles])
        regions, region_of = _codes([p.region for p in profiles])
        kinds, kind_of = _codes([p.kind for p in profiles])
        area_names = sorted({a for p in profiles for a in p.capability_areas})
        stage_names = sorted({s for p in profiles for s in p.rd_stages})
        sector_names = sorted({c for p in profiles for c in naics_codes(p.sectors)})
        return cls(
            ids=[p.id for p in profiles],
            vocabulary=vocabulary,
            weights=weights,
            idf=idf,
            institutions=institutions,
            institution_of=institution_of,
            institution_kinds=institution_kinds,
            institution_kind_of=institution_kind_of,
            regions=regions,
            region_of=region_of,
            kinds=kinds,
            kind_of=kind_of,
            area_names=area_names,
            areas=_membership([p.capability_areas for p in profiles], area_names),
            stage_names=stage_names,
            stages=_membership([p.rd_stages for p in profiles], stage_names),
            sector_names=sector_names,
            sectors=_membership([naics_codes(p.sectors) for p in profiles], sector_names),
            trl_min=np.array([p.trl_min or -1 for p in profiles], dtype=np.int8),
            trl_max=np.array([p.trl_max or -1 for p in profiles], dtype=np.int8),
            speaks_en=np.array(["en" in p.languages for p in profiles], dtype=bool),
            speaks_fr=np.array(["fr" in p.languages for p in profiles], dtype=bool),
            accepts_students=np.array([p.accepts_students for p in profiles], dtype=bool),
            capacity_left=np.array(
                [-1 if p.capacity_left is None else p.capacity_left for p in profiles],
                dtype=np.int32,
            ),
            version=version,
        )

    # Persistence: arrays in an npz, names and vocabulary as JSON inside it.
    _ARRAYS = [
        "idf",
        "institution_of",
        "institution_kind_of",
        "region_of",
        "kind_of",
        "trl_min",
        "trl_max",
        "speaks_en",
        "speaks_fr",
        "accepts_students",
        "capacity_left",
    ]
    _MATRICES = ("weights", "areas", "stages", "sectors")
    _LISTS = (
        "ids",
        "institutions",
        "institution_kinds",
        "regions",
        "kinds",
        "area_names",
        "stage_names",
        "sector_names",
    )

    def to_bytes(self) -> bytes:
        meta = {name: getattr(self, name) for name in self._LISTS}
        meta |= {
            "format": FORMAT_VERSION,
            "version": self.version,
            "vocabulary": self.vocabulary,
        }
        arrays: dict[str, np.ndarray] = {name: getattr(self, name) for name in self._ARRAYS}
        if self.meaning is not None:
            meta |= {
                "meaning_model": self.meaning.model,
                "passages": self.meaning.passage_texts,
                "languages": self.meaning.languages,
            }
            arrays |= self.meaning.arrays()
        for name in self._MATRICES:
            matrix = getattr(self, name)
            arrays[f"{name}_data"] = matrix.data
            arrays[f"{name}_indices"] = matrix.indices
            arrays[f"{name}_indptr"] = matrix.indptr
            arrays[f"{name}_shape"] = np.array(matrix.shape, dtype=np.int64)
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> ProfileIndex:
        with np.load(io.BytesIO(blob), allow_pickle=False) as stored:
            meta = json.loads(stored["meta"].tobytes().decode())
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError("index stored in another format; rebuild it")
            fields = {name: stored[name] for name in cls._ARRAYS}
            for name in cls._MATRICES:
                kind = sparse.csc_matrix if name == "weights" else sparse.csr_matrix
                fields[name] = kind(
                    (stored[f"{name}_data"], stored[f"{name}_indices"], stored[f"{name}_indptr"]),
                    shape=tuple(stored[f"{name}_shape"]),
                )
            meaning = (
                MeaningIndex.from_arrays(
                    stored, meta["meaning_model"], meta["passages"], meta["languages"]
                )
                if "meaning_model" in meta
                else None
            )
        fields |= {name: meta[name] for name in cls._LISTS}
        return cls(
            vocabulary=meta["vocabulary"],
            version=meta["version"],
            meaning=meaning,
            **fields,
        )
