"""Ranking by meaning: passages and their vectors, the fusion, the caps, the fit, the reasons.

Pure tests use the deterministic stand-in embedder or hand-made vectors; the cross-language
tests use the real multilingual model (it ships in the lock and loads in about a second).
"""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import fitting, semantic
from matching.engine.index import ProfileIndex
from matching.engine.ranking import caps, fused, rank, signals_for
from matching.engine.semantic import (
    HashingEmbedder,
    MeaningIndex,
    UniversalSentenceEncoder,
    profile_passages,
    query_vector,
)
from matching.engine.types import Query
from matching.explain import match_reasons
from tests.matching.test_ranking import FORECAST, build, ids, make, signal

WEIGHTS = {"text": 1.0, "meaning": 1.0, "language": 0.1}


def meaning_for(index: ProfileIndex, profiles, embedder=None) -> MeaningIndex:
    embedder = embedder or HashingEmbedder()
    passages = {p for profile in profiles for p in profile_passages(profile)}
    vectors = dict(zip(passages, embedder.encode(list(passages)), strict=True))
    return MeaningIndex.build(profiles, vectors, embedder.name)


def with_meaning(*profiles, embedder=None) -> ProfileIndex:
    index = build(*profiles)
    everyone = [*profiles, *[make(pid, institution=pid) for pid in index.ids[len(profiles) :]]]
    return index.with_meaning(meaning_for(index, everyone, embedder))


# --- passages and vectors -----------------------------------------------------------------


def test_a_profile_is_cut_into_passages_a_person_can_check():
    profile = make(
        "p",
        "We forecast demand. We also test batteries!",
        title="Energy lab",
        keywords=("forecasting", "storage"),
        past_projects=("A grid study for a utility.",),
    )
    assert profile_passages(profile) == [
        "Energy lab",
        "forecasting, storage",
        "We forecast demand.",
        "We also test batteries!",
        "A grid study for a utility.",
    ]


def test_the_stand_in_embedder_is_deterministic_and_unit_length():
    embedder = HashingEmbedder()
    first, again = embedder.encode(["solar panels"]), embedder.encode(["solar panels"])
    assert np.array_equal(first, again)
    assert np.linalg.norm(first[0]) == pytest.approx(1.0, abs=1e-5)
    near, far = embedder.encode(["solar panel installers", "sourdough bakery"])
    assert first[0] @ near > first[0] @ far


def test_the_meaning_index_survives_persistence():
    a, b = make("a", FORECAST), make("b", "Sourdough bread fermentation.")
    index = with_meaning(a, b)
    again = ProfileIndex.from_bytes(index.to_bytes())
    assert again.meaning is not None and again.meaning.model == "hashing-test@1"
    assert again.meaning.passage_texts == index.meaning.passage_texts
    assert np.allclose(again.meaning.vectors, index.meaning.vectors)
    vector = query_vector(HashingEmbedder(), "electricity demand forecasting")
    assert ids(rank(again, Query(text="forecasting"), query_vector=vector)) == ids(
        rank(index, Query(text="forecasting"), query_vector=vector)
    )


def test_a_profile_without_vectors_has_no_meaning_but_still_ranks_by_words():
    a, b = make("a", FORECAST), make("b", "Electricity grid forecasting for utilities.")
    index = build(a, b)
    passages = dict(
        zip(profile_passages(a), HashingEmbedder().encode(profile_passages(a)), strict=True)
    )
    everyone = [a, b, *[make(pid, institution=pid) for pid in index.ids[2:]]]
    index.with_meaning(MeaningIndex.build(everyone, passages, "hashing-test@1"))
    assert index.meaning.has_vector.tolist()[:2] == [True, False]
    found = rank(
        index,
        Query(text="electricity forecasting"),
        query_vector=query_vector(HashingEmbedder(), FORECAST),
    )
    assert set(ids(found)[:2]) == {"a", "b"}
    assert signal(found[ids(found).index("b")], "meaning").value == 0.0


# --- fusion -------------------------------------------------------------------------------


def hand_made_index(vectors: dict[str, list[float]], **texts) -> ProfileIndex:
    """Profiles whose single passage has the given vector (3 dimensions, no model)."""
    profiles = [
        make(pid, texts.get(pid, ""), title=f"Unit {pid}", institution=pid) for pid in vectors
    ]
    index = ProfileIndex.build(profiles, version="test")
    full = semantic.normalised(np.array([vectors[p.id] for p in profiles], dtype=np.float32))
    indptr = np.arange(len(profiles) + 1, dtype=np.int64)
    texts = [f"Unit {p.id}" for p in profiles]
    meaning = MeaningIndex.from_chunks(
        "hand@1", indptr, texts, ["en"] * len(profiles), lambda a, b: full[a:b], 3
    )
    return index.with_meaning(meaning)


def test_building_in_chunks_gives_the_index_built_at_once():
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 5, size=50)  # some profiles have no passage
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    full = semantic.normalised(rng.standard_normal((int(indptr[-1]), 16)).astype(np.float32))
    texts = [f"passage {i}" for i in range(len(full))]

    def build(chunk):
        return MeaningIndex.from_chunks(
            "m", indptr, texts, ["en"] * 50, lambda a, b: full[a:b], 16, chunk=chunk
        )

    at_once, in_chunks = build(1000), build(7)
    assert np.allclose(at_once.vectors, in_chunks.vectors, atol=1e-5)
    assert np.allclose(
        at_once.passage_vectors.astype(np.float32),
        in_chunks.passage_vectors.astype(np.float32),
        atol=2e-3,
    )
    assert at_once.has_vector.tolist() == (counts > 0).tolist()


def test_a_profile_close_in_meaning_is_a_match_without_a_word_in_common():
    index = hand_made_index(
        {"close": [1, 0.1, 0], "far": [0, 1, 0], "words": [0, 0.2, 1], "other": [0, 0, 1]},
        words="We forecast electricity demand.",
    )
    query = Query(text="electricity demand")
    by_words = ids(rank(index, query, weights=WEIGHTS))
    assert by_words == ["words"]  # without the challenge's vector, words only
    both = rank(index, query, query_vector=np.array([1, 0, 0], dtype=np.float32), weights=WEIGHTS)
    assert "close" in ids(both) and "far" not in ids(both)
    close = both[ids(both).index("close")]
    assert signal(close, "meaning").value == 1.0 and signal(close, "text").value == 0.0
    assert signal(close, "meaning").detail["passages"][0]["text"] == "Unit close"


def test_the_score_is_the_weighted_mean_of_the_signals():
    values = {"text": np.array([1.0, 0.0]), "meaning": np.array([0.5, 1.0])}
    none = {"capacity": np.array([False, False])}
    score = fused(values, none, {"text": 3.0, "meaning": 1.0}, 0.5)
    assert score.tolist() == pytest.approx([(3 + 0.5) / 4, 1 / 4])


# --- caps ---------------------------------------------------------------------------------


def test_each_constraint_caps_a_strong_fit_once():
    values = {"text": np.array([1.0, 1.0, 1.0, 1.0])}
    capped = {
        "capacity": np.array([False, True, False, True]),
        "language": np.array([False, False, True, True]),
    }
    score = fused(values, capped, {"text": 1.0}, 0.6)
    assert score.tolist() == pytest.approx([1.0, 0.6, 0.6, 0.6])  # two caps: 0.6, not 0.36


def test_the_assessors_constraints_are_what_caps():
    english = make("en", FORECAST, languages=("en",), region="Toronto", capacity=2)
    french = make("fr", FORECAST, languages=("fr",), region="Toronto", institution="b")
    full = make("full", FORECAST, capacity=1, load=1, institution="c")
    far = make("far", FORECAST, region="Northwest", institution="d")
    index = build(english, french, full, far)
    onsite = Query(
        text="electricity demand forecasting",
        language="en",
        onsite_needed=True,
        region="Toronto",
        neighbouring_regions=("Central",),
    )
    found = caps(index, onsite)
    capped = {pid for i, pid in enumerate(index.ids[:4]) if any(m[i] for m in found.values())}
    assert capped == {"fr", "full", "far"}
    remote = caps(index, Query(text="forecasting", language="fr", onsite_needed=False))
    assert "distance" not in remote
    assert (
        remote["language"][index.ids.index("en")] and not remote["language"][index.ids.index("fr")]
    )


def test_a_capped_strong_fit_ranks_below_an_uncapped_one_and_says_why():
    strong = make("strong", FORECAST + " Demand forecasting is all we do.", capacity=1, load=1)
    good = make("good", FORECAST, institution="b", capacity=2)
    index = build(strong, good)
    matches = rank(index, Query(text="electricity demand forecasting", language="en"))
    assert ids(matches)[:2] == ["good", "strong"]
    assert signal(matches[1], "capacity").detail["capped_by"] == ["capacity"]
    reasons = match_reasons({"signals": [s.__dict__ for s in matches[1].signals]}, "en")
    assert "Has no capacity left this term: ranked lower." in reasons


# --- fitting ------------------------------------------------------------------------------


def toy_challenge(cid: str, relevant_by: str) -> fitting.Challenge:
    """Six profiles; the two graded 2 lead on signal `relevant_by`, two decoys on the other."""
    text = np.array([0.2, 0.3, 1.0, 0.9, 0.1, 0.0])
    meaning = np.array([1.0, 0.9, 0.1, 0.2, 0.0, 0.1])
    if relevant_by == "text":
        text, meaning = meaning, text
    return fitting.Challenge(
        id=cid,
        values={"text": text, "meaning": meaning},
        capped={"capacity": np.zeros(6, dtype=bool)},
        eligible=np.ones(6, dtype=bool),
        grades={0: 2, 1: 2, 2: 0, 3: 0},
    )


def test_the_fit_finds_the_signal_that_ranks_the_labels():
    challenges = [toy_challenge(f"c{i}", "meaning") for i in range(6)]
    before = fitting.mean_ndcg(challenges, {"text": 1.0, "meaning": 0.0}, 1.0)
    result = fitting.fit(challenges, signals=("text", "meaning"))
    assert result.weights["meaning"] >= result.weights["text"] and result.ndcg == pytest.approx(1.0)
    assert before < 0.7


def test_cross_validation_scores_each_fold_with_a_fit_made_without_it():
    challenges = [toy_challenge(f"c{i}", "meaning") for i in range(6)]
    held_out = fitting.cross_validate(challenges, 3, signals=("text", "meaning"))
    assert set(held_out) == {c.id for c in challenges}
    folds = fitting.folds([c.id for c in challenges], 3)
    assert sorted(len(f) for f in folds) == [2, 2, 2]
    assert sorted(cid for fold in folds for cid in fold) == sorted(held_out)


def test_a_capped_profile_in_the_labels_teaches_the_cap():
    challenge = fitting.Challenge(
        id="c",
        values={"text": np.array([1.0, 0.9, 0.0])},
        capped={"language": np.array([True, False, False])},
        eligible=np.ones(3, dtype=bool),
        grades={0: 1, 1: 2},
    )
    result = fitting.fit([challenge], signals=("text",))
    assert result.cap_factor < 0.9
    assert fitting.ranking_of(challenge, result.weights, result.cap_factor).tolist()[:2] == [1, 0]


# --- the real model -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def model():
    return UniversalSentenceEncoder()


def test_a_french_challenge_finds_the_english_profile_on_its_topic(model):
    profiles = [
        make(
            "bread",
            "Bakery science: dough fermentation, sourdough and bread shelf life.",
            title="Bakery research lab",
        ),
        make(
            "grid",
            "Electricity demand forecasting for utilities with weather data.",
            title="Energy analytics lab",
            institution="b",
        ),
        make(
            "fish",
            "Aquaculture: fish health, water quality and feed trials.",
            title="Aquaculture centre",
            institution="c",
        ),
    ]
    index = ProfileIndex.build(profiles, version="test")
    index.with_meaning(meaning_for(index, profiles, model))
    french = "Notre boulangerie veut prolonger la durée de conservation de son pain au levain."
    vector = query_vector(model, french)
    by_meaning = index.meaning.similarity(index.meaning.reduce(vector))
    assert index.ids[int(np.argmax(by_meaning))] == "bread"
    matches = rank(index, Query(text=french, language="fr"), query_vector=vector)
    assert ids(matches)[0] == "bread"
    passages = signal(matches[0], "meaning").detail["passages"]
    assert passages and all(p["language"] == "en" for p in passages)


def test_an_english_challenge_finds_the_french_profile_on_its_topic(model):
    profiles = [
        make(
            "mines",
            "Ventilation et sécurité des mines souterraines, capteurs de gaz.",
            title="Laboratoire de génie minier",
            languages=("fr",),
        ),
        make(
            "textiles",
            "Teinture des textiles et finition durable des tissus.",
            title="Centre textile",
            languages=("fr",),
            institution="b",
        ),
    ]
    index = ProfileIndex.build(profiles, version="test")
    index.with_meaning(meaning_for(index, profiles, model))
    english = "We need gas sensors to keep our underground mine crews safe."
    similarity = index.meaning.similarity(index.meaning.reduce(query_vector(model, english)))
    assert index.ids[int(np.argmax(similarity))] == "mines"


def test_signals_for_reports_meaning_only_with_a_vector():
    index = with_meaning(make("a", FORECAST))
    without = signals_for(index, Query(text="forecasting"))
    assert "meaning" not in without.values and without.reduced_query is None
    found = signals_for(
        index, Query(text="forecasting"), query_vector(HashingEmbedder(), "forecasting")
    )
    assert "meaning" in found.values and found.reduced_query is not None


def test_a_student_program_is_capped_for_a_business_that_wants_no_students():
    program = make("program", FORECAST, kind="program", accepts_students=True)
    lab = make("lab", FORECAST, kind="lab", institution="b")
    index = build(program, lab)
    no_students = caps(index, Query(text="forecasting", wants_students=False))
    assert no_students["students"].tolist()[:2] == [True, False]
    assert "students" not in caps(index, Query(text="forecasting", wants_students=None))
    matches = rank(index, Query(text="electricity demand forecasting", wants_students=False))
    assert ids(matches)[:2] == ["lab", "program"]
    reasons = match_reasons({"signals": [s.__dict__ for s in matches[1].signals]}, "en")
    assert "Works through student projects, and you want no students: ranked lower." in reasons
