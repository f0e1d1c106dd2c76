"""The pure ranking engine: analysis, index, signals, diversity, persistence and metrics.

No database: hand-made corpora of a few `Profile`s, ranked with plain function calls.
"""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
import yaml

from matching.engine import analysis
from matching.engine import index as index_module
from matching.engine.analysis import CONCEPT_PREFIX, analyze, document_language
from matching.engine.index import ProfileIndex, naics_codes
from matching.engine.metrics import ndcg, recall, reciprocal_rank
from matching.engine.needs import OUTCOME_REPEATS, query_from_needs
from matching.engine.ranking import (
    MAX_PER_INSTITUTION,
    SIGNALS,
    TOP,
    diversify,
    fitted,
    rank,
)
from matching.engine.types import Profile, Query
from matching.evaluation import STAGE_TRL_RANGES, challenge_answers, challenge_needs
from ocip.taxonomy import regions

WEIGHTS = fitted().weights
CAP_FACTOR = fitted().cap_factor

FILLERS = (
    ("f-bakery", "Sourdough fermentation and artisanal bakery process improvement."),
    ("f-forest", "Forestry inventory, tree growth and wildfire risk in boreal stands."),
    ("f-textile", "Textile dyeing chemistry and sustainable fabric finishing."),
    ("f-music", "Music recording studio, acoustics and audio post-production."),
)


def make(pid: str, summary: str = "", **fields) -> Profile:
    defaults = {
        "institution": "inst-a",
        "institution_kind": "university",
        "region": "Toronto",
        "kind": "researcher",
        "name": pid,
    }
    return Profile(id=pid, summary=summary, **(defaults | fields))


def build(*profiles: Profile, fillers: bool = True) -> ProfileIndex:
    """An index of `profiles`, padded with unrelated profiles so word weights are realistic."""
    extra = [make(pid, text, institution=pid) for pid, text in FILLERS] if fillers else []
    return ProfileIndex.build([*profiles, *extra], version="test")


def ids(matches) -> list[str]:
    return [match.profile_id for match in matches]


def signal(match, name: str):
    return next(s for s in match.signals if s.name == name)


FORECAST = "Electricity demand forecasting with weather data."


def _clear_analysis_caches() -> None:
    analysis.stop_words.cache_clear()
    analysis.synonym_groups.cache_clear()
    analysis._phrase_table.cache_clear()


@pytest.fixture
def synonyms(tmp_path, monkeypatch):
    """The analysis reads a temporary data directory holding one machine-vision group."""
    shutil.copy(analysis.DATA_DIR / "stopwords.yaml", tmp_path / "stopwords.yaml")
    groups = {
        "machine-vision": {
            "en": ["machine vision", "computer vision"],
            "fr": ["vision artificielle"],
        }
    }
    (tmp_path / "synonyms.yaml").write_text(yaml.safe_dump(groups), encoding="utf-8")
    monkeypatch.setattr(analysis, "DATA_DIR", tmp_path)
    _clear_analysis_caches()
    yield groups
    monkeypatch.undo()
    _clear_analysis_caches()


# --- analysis --------------------------------------------------------------------------------


def test_case_and_accents_are_folded():
    assert analyze("Données", "en") == analyze("donnees", "en") == ["donne"]
    assert analyze("Pièces", "fr") == analyze("pieces", "fr")
    assert analyze("RÉSEAUX", "fr") == analyze("reseaux", "fr")


def test_stemming_joins_word_forms():
    assert analyze("forecasting", "en") == analyze("forecast", "en") == analyze("forecasts", "en")


def test_stop_words_are_removed_in_both_languages():
    assert analyze("We need help with the forecasting of our sales", "en") == [
        "forecast",
        "sale",
    ]
    assert analyze("Nous avons besoin de prévisions pour nos ventes", "fr") == ["previs", "vent"]
    assert analyze("the and of it", "en") == []
    assert analyze("les des une nous", "fr") == []


def test_french_only_profile_is_analysed_in_french():
    summary = "Nous développons des prévisions de la demande électrique."
    assert document_language(summary, ("fr",)) == "fr"
    # Even an English-looking summary is French when French is the only language.
    assert document_language("the lab", ("fr",)) == "fr"
    assert document_language(summary, ("en", "fr")) == "fr"
    index = build(make("fr-1", summary, languages=("fr",)))
    assert "previs" in index.vocabulary  # the French stem, not the English "prevision"
    assert "des" not in index.vocabulary and "de" not in index.vocabulary


def test_synonym_phrases_add_one_concept_token(synonyms):
    token = CONCEPT_PREFIX + "machine-vision"
    assert analyze("computer vision for inspection", "en").count(token) == 1
    assert analyze("machine vision", "en").count(token) == 1
    assert token in analyze("une vision artificielle", "fr")
    # The French phrase is found in English text too (French challenges borrow and the reverse).
    assert token in analyze("we use vision artificielle", "en")
    assert token not in analyze("a vision for the business", "en")


def test_no_synonyms_file_means_no_concepts(tmp_path, monkeypatch):
    shutil.copy(analysis.DATA_DIR / "stopwords.yaml", tmp_path / "stopwords.yaml")
    monkeypatch.setattr(analysis, "DATA_DIR", tmp_path)
    _clear_analysis_caches()
    try:
        assert analysis.synonym_groups() == {}
        assert not any(t.startswith(CONCEPT_PREFIX) for t in analyze("machine vision", "en"))
    finally:
        monkeypatch.undo()
        _clear_analysis_caches()


def test_longest_phrase_wins_and_phrases_do_not_overlap(tmp_path, monkeypatch):
    shutil.copy(analysis.DATA_DIR / "stopwords.yaml", tmp_path / "stopwords.yaml")
    groups = {
        "system": {"en": ["machine vision system"]},
        "machine-vision": {"en": ["machine vision"], "fr": ["vision artificielle"]},
        "vision": {"en": ["vision"]},
        "listed-again": {"en": ["machine vision", "vision"]},  # each belongs to the first group
        "ai": {"en": ["artificial intelligence"], "fr": ["IA"]},
    }
    synonyms_yaml = yaml.safe_dump(groups, sort_keys=False)  # the order of the groups counts
    (tmp_path / "synonyms.yaml").write_text(synonyms_yaml, encoding="utf-8")
    monkeypatch.setattr(analysis, "DATA_DIR", tmp_path)
    _clear_analysis_caches()
    try:

        def found(text: str, language: str) -> list[str]:
            return [t for t in analyze(text, language) if t.startswith(CONCEPT_PREFIX)]

        assert found("Machine vision system, then machine vision and vision.", "en") == [
            "~system",
            "~machine-vision",
            "~vision",
        ]
        assert found("vision machine vision system", "en") == ["~vision", "~system"]
        assert found("machine", "en") == []
        # The text's language first, then the other's, where "IA" is too short a stem.
        assert found("IA and vision artificielle", "en") == ["~vision", "~machine-vision"]
        assert found("IA et vision artificielle", "fr") == ["~ai", "~machine-vision", "~vision"]
    finally:
        monkeypatch.undo()
        _clear_analysis_caches()


def test_full_word_caches_are_emptied_without_changing_tokens(monkeypatch):
    text = "Électricité et données: prévisions de la demande pour les réseaux intelligents."
    expected = {language: analyze(text, language) for language in ("en", "fr")}
    monkeypatch.setattr(analysis, "_stems", {"en": {}, "fr": {}})
    monkeypatch.setattr(analysis, "_tokens", {})
    monkeypatch.setattr(analysis, "CACHE_SIZE", 3)
    analyze("unrelated wording here", "en")
    for language in ("en", "fr"):
        assert analyze(text, language) == expected[language]
        assert analyze(text, language) == expected[language]
    assert "unrelated" not in analysis._stems["en"]


# --- cross-language ---------------------------------------------------------------------------


def _vision_corpus() -> list[Profile]:
    return [
        make(
            "fr-usinage",
            "Usinage et inspection de pièces métalliques.",
            languages=("fr",),
            institution="inst-b",
        ),
        make(
            "en-leadership",
            "Business leadership, strategic vision and change management.",
            institution="inst-c",
        ),
        make(
            "en-vision",
            "Machine vision and computer vision systems for automated quality inspection.",
            keywords=("machine vision",),
            institution="inst-d",
        ),
    ]


def test_french_query_finds_english_machine_vision_profile(synonyms, tmp_path):
    index = build(*_vision_corpus())
    query = Query(
        text="Nous voulons une vision artificielle pour inspecter les pièces", language="fr"
    )
    matches = rank(index, query)
    assert matches[0].profile_id == "en-vision"
    assert "vision artificielle" in signal(matches[0], "text").detail["terms"]
    # Without the synonym group, the French machining profile would have won.
    (tmp_path / "synonyms.yaml").unlink()
    _clear_analysis_caches()
    assert rank(build(*_vision_corpus()), query)[0].profile_id == "fr-usinage"


def test_french_speaking_profile_ranks_above_equal_english_one(synonyms):
    text = "Machine vision systems for automated quality inspection."
    index = build(
        make("en-only", text, languages=("en",), institution="inst-b"),
        make("bilingual", text, languages=("en", "fr"), institution="inst-c"),
    )
    matches = rank(index, Query(text="vision artificielle", language="fr"))
    assert ids(matches)[:2] == ["bilingual", "en-only"]
    assert signal(matches[0], "text").value == signal(matches[1], "text").value
    assert signal(matches[0], "language").value == 1.0
    assert signal(matches[1], "language").value == 0.0


# --- ranking signals ----------------------------------------------------------------------------


def test_capability_overlap_raises_a_profile():
    index = build(
        make("other-area", FORECAST, capability_areas=("food-beverage",), institution="b"),
        make("same-area", FORECAST, capability_areas=("ai-data",), institution="c"),
    )
    query = Query(text="forecasting electricity demand", capability_areas=("ai-data",))
    matches = rank(index, query)
    assert ids(matches)[:2] == ["same-area", "other-area"]
    assert signal(matches[0], "capability").value == 1.0
    assert signal(matches[0], "capability").detail["areas"] == ["ai-data"]
    assert signal(matches[1], "capability").value == 0.0


def test_related_capability_area_earns_half_credit():
    index = build(
        make("none", FORECAST, capability_areas=("food-beverage",), institution="b"),
        make("related", FORECAST, capability_areas=("software",), institution="c"),
    )
    query = Query(
        text="forecasting electricity demand",
        capability_areas=("ai-data",),
        related_capability_areas=("software",),
    )
    matches = rank(index, query)
    assert ids(matches)[:2] == ["related", "none"]
    assert signal(matches[0], "capability").value == 0.5


def test_trl_window_prefers_the_projects_next_steps():
    index = build(
        make("late", FORECAST, trl_min=8, trl_max=9, institution="b"),
        make("unknown", FORECAST, institution="c"),
        make("fits", FORECAST, trl_min=3, trl_max=5, institution="d"),
    )
    matches = rank(index, Query(text="forecasting electricity demand", trl=3))
    assert ids(matches)[:3] == ["fits", "unknown", "late"]
    assert [signal(m, "trl").value for m in matches[:3]] == [1.0, 0.5, 0.0]
    assert signal(matches[0], "trl").detail == {"profile": [3, 5], "project": 3}


def test_rd_stage_match_raises_a_profile():
    index = build(
        make("basic", FORECAST, rd_stages=("basic-research",), institution="b"),
        make("applied", FORECAST, rd_stages=("applied-research", "adoption"), institution="c"),
    )
    matches = rank(index, Query(text="electricity forecasting", rd_stage="applied-research"))
    assert ids(matches)[:2] == ["applied", "basic"]
    assert signal(matches[0], "rd_stage").value == 1.0
    assert signal(matches[1], "rd_stage").value == 0.0


def test_sector_range_matches_a_two_digit_sector():
    assert naics_codes(["31-33"]) == {"31", "32", "33"}
    assert naics_codes(["3254", "54"]) == {"32", "54"}
    index = build(
        make("services", FORECAST, sectors=("54",), institution="b"),
        make("chemicals", FORECAST, sectors=("32",), institution="c"),
    )
    matches = rank(index, Query(text="electricity forecasting", sector="31-33"))
    assert ids(matches)[:2] == ["chemicals", "services"]
    assert signal(matches[0], "sector").value == 1.0
    assert signal(matches[1], "sector").value == 0.0


def test_students_wanted_prefers_units_that_accept_them():
    index = build(
        make("no-students", FORECAST, accepts_students=False, institution="b"),
        make("students", FORECAST, accepts_students=True, institution="c"),
    )
    query = Query(text="electricity forecasting", wants_students=True)
    weights = WEIGHTS | {"students": 0.1}  # the fitted weight may be 0: the signal's direction
    assert ids(rank(index, query, weights=weights))[:2] == ["students", "no-students"]
    # Not asked for: not scored, and ties keep corpus order.
    unasked = rank(index, Query(text="electricity forecasting"))
    assert all(s.name != "students" for s in unasked[0].signals)
    assert unasked[0].score == unasked[1].score


def test_region_counts_when_on_site_work_is_needed():
    near = "Hamilton-Niagara Peninsula"
    assert near in regions()["Toronto"]
    assert "Northwest" not in regions()["Toronto"]
    index = build(
        make("far", FORECAST, region="Northwest", institution="b"),
        make("near", FORECAST, region=near, institution="c"),
        make("same", FORECAST, region="Toronto", institution="d"),
    )
    query = Query(
        text="electricity forecasting",
        onsite_needed=True,
        region="Toronto",
        neighbouring_regions=tuple(regions()["Toronto"]),
    )
    matches = rank(index, query)
    assert ids(matches)[:3] == ["same", "near", "far"]
    assert [signal(m, "region").value for m in matches[:3]] == [1.0, 0.5, 0.0]


def test_region_is_ignored_when_work_can_be_remote():
    index = build(
        make("far", FORECAST, region="Northwest", institution="b"),
        make("same", FORECAST, region="Toronto", institution="c"),
    )
    query = Query(
        text="electricity forecasting",
        onsite_needed=False,
        region="Toronto",
        neighbouring_regions=tuple(regions()["Toronto"]),
    )
    matches = rank(index, query)
    assert all(s.name != "region" for s in matches[0].signals)
    assert ids(matches)[:2] == ["far", "same"]
    assert matches[0].score == matches[1].score


def test_unit_with_no_capacity_left_ranks_below_one_with_room():
    full = make("full", FORECAST, capacity=2, load=2, institution="b")
    assert full.capacity_left == 0
    index = build(full, make("room", FORECAST, capacity=3, load=1, institution="c"))
    matches = rank(index, Query(text="electricity forecasting"))
    assert ids(matches)[:2] == ["room", "full"]
    room, low = matches[0], matches[1]
    assert signal(low, "capacity").value == 0.0
    assert signal(low, "capacity").detail == {"left": 0, "capped_by": ["capacity"]}
    assert signal(room, "capacity").value == 1.0
    assert signal(room, "capacity").detail == {"left": 2, "capped_by": []}
    assert low.score == pytest.approx(room.score * CAP_FACTOR, abs=1e-3)


# --- diversity ----------------------------------------------------------------------------------


def test_diversity_caps_one_institution_at_the_top():
    strong = "Electricity demand forecasting. Electricity forecasting models and forecasting."
    crowd = [make(f"a{i}", strong, institution="inst-a") for i in range(1, 7)]
    others = [make(f"o{i}", FORECAST, institution=f"inst-{i}") for i in range(1, 5)]
    index = build(*crowd, *others)
    matches = rank(index, Query(text="electricity demand forecasting"), limit=10)
    assert len(matches) == 10
    institution = {p.id: p.institution for p in crowd + others}
    head = [institution[pid] for pid in ids(matches)[: MAX_PER_INSTITUTION + len(others)]]
    assert head.count("inst-a") == MAX_PER_INSTITUTION
    assert ids(matches) == ["a1", "a2", "a3", "o1", "o2", "o3", "o4", "a4", "a5", "a6"]
    # The deferred ones really scored higher than the profiles moved above them.
    assert matches[-1].score > matches[3].score
    assert [m.rank for m in matches] == list(range(1, 11))


def test_diversify_keeps_at_most_the_cap_per_institution_in_the_top():
    institution_of = np.array([0] * 6 + [1, 2, 3, 4, 5, 6, 7, 8])
    order = np.arange(len(institution_of))
    result = diversify(order, institution_of, top=TOP)
    assert sorted(result.tolist()) == order.tolist()
    assert (institution_of[result[:TOP]] == 0).sum() == MAX_PER_INSTITUTION
    assert result[:TOP].tolist() == [0, 1, 2, 6, 7, 8, 9, 10, 11, 12]
    assert result[TOP:].tolist() == [3, 4, 5, 13]


# --- filters --------------------------------------------------------------------------------


def _filter_corpus() -> ProfileIndex:
    return build(
        make("uni-to-en", FORECAST, institution="u1"),
        make(
            "col-ott-fr",
            FORECAST,
            institution="c1",
            institution_kind="college",
            region="Ottawa",
            languages=("en", "fr"),
        ),
        make(
            "ind-nw",
            FORECAST,
            institution="i1",
            institution_kind="indigenous_institute",
            region="Northwest",
        ),
        make("col-lon", FORECAST, institution="c2", institution_kind="college", region="London"),
    )


def test_filters_restrict_results():
    index = _filter_corpus()
    text = "electricity forecasting"
    assert set(ids(rank(index, Query(text=text)))) == {
        "uni-to-en",
        "col-ott-fr",
        "ind-nw",
        "col-lon",
    }
    by_kind = rank(index, Query(text=text, institution_kinds=("college",)))
    assert set(ids(by_kind)) == {"col-ott-fr", "col-lon"}
    by_region = rank(index, Query(text=text, regions=("Northwest", "London")))
    assert set(ids(by_region)) == {"ind-nw", "col-lon"}
    by_language = rank(index, Query(text=text, languages=("fr",)))
    assert ids(by_language) == ["col-ott-fr"]
    combined = rank(index, Query(text=text, institution_kinds=("college",), regions=("Toronto",)))
    assert combined == []


# --- explanation ----------------------------------------------------------------------------


def test_text_signal_lists_the_matched_query_words():
    index = build(
        make("full", FORECAST, institution="b"),
        make("partial", "Weather station networks and climate sensors.", institution="c"),
    )
    query = Query(text="We need Forecasting of electricity demand")
    matches = {m.profile_id: m for m in rank(index, query)}
    full_terms = signal(matches["full"], "text").detail["terms"]
    assert set(full_terms) == {"forecasting", "electricity", "demand"}
    assert signal(matches["full"], "text").value == 1.0
    assert "partial" not in matches  # shares no word with the challenge


def test_each_match_lists_its_own_matched_words():
    index = build(
        make("a", "Wool carding machines.", institution="a"),
        make("b", "Wool spinning.", institution="b"),
        make("c", "Carding and spinning.", institution="c"),
    )
    matches = {m.profile_id: m for m in rank(index, Query(text="wool carding and spinning"))}
    terms = {pid: set(signal(m, "text").detail["terms"]) for pid, m in matches.items()}
    assert terms == {
        "a": {"wool", "carding"},
        "b": {"wool", "spinning"},
        "c": {"carding", "spinning"},
    }


def test_signals_carry_the_weights_and_scores_stay_in_range():
    index = build(
        make("a", FORECAST, trl_min=2, trl_max=6, capability_areas=("ai-data",), sectors=("22",)),
        make("b", "Demand response for electricity grids.", institution="b", capacity=1, load=1),
        make("c", "Forecasting retail demand.", institution="c", accepts_students=True),
    )
    query = Query(
        text="forecasting electricity demand",
        capability_areas=("ai-data",),
        sector="22",
        trl=4,
        rd_stage="applied-research",
        wants_students=True,
        onsite_needed=True,
        region="Toronto",
    )
    matches = rank(index, query)
    assert ids(matches)[0] == "a"
    for match in matches:
        assert 0.0 <= match.score <= 1.0
        names = [s.name for s in match.signals]
        assert names[-1] == "capacity"
        assert set(names) == set(SIGNALS) - {"meaning"} | {"capacity"}  # no embeddings here
        for s in match.signals:
            assert s.weight == WEIGHTS.get(s.name, 0.0)
            assert 0.0 <= s.value <= 1.0
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


# --- edge cases -----------------------------------------------------------------------------


def test_empty_index_ranks_nothing():
    index = ProfileIndex.build([])
    assert len(index) == 0
    assert rank(index, Query(text="electricity forecasting")) == []


def test_query_without_known_words_ranks_nothing():
    index = build(make("a", FORECAST))
    assert rank(index, Query(text="zzyzx quuxification")) == []
    assert rank(index, Query(text="the and of with")) == []
    assert rank(index, Query(text="")) == []


def test_huge_query_still_ranks():
    index = build(make("a", FORECAST), make("b", "Solar panel testing.", institution="b"))
    text = ("Forecasting electricity demand for our plant, with hourly weather inputs. " * 3000)[
        :200_000
    ]
    assert len(text) == 200_000
    matches = rank(index, Query(text=text))
    assert matches[0].profile_id == "a"


def test_profile_with_missing_optional_fields_is_indexed_and_ranked():
    bare = Profile(
        id="bare",
        institution="x",
        institution_kind="college",
        region="Ottawa",
        kind="lab",
        name="Bare lab",
        summary="Electricity forecasting.",
    )
    assert bare.capacity_left is None
    index = build(bare, make("full", FORECAST))
    query = Query(
        text="electricity forecasting",
        trl=5,
        sector="22",
        capability_areas=("ai-data",),
        rd_stage="adoption",
    )
    matches = {m.profile_id: m for m in rank(index, query)}
    assert "bare" in matches
    assert signal(matches["bare"], "trl").value == 0.5
    assert signal(matches["bare"], "trl").detail["profile"] == [-1, -1]
    assert signal(matches["bare"], "capacity").detail == {"left": None, "capped_by": []}
    assert signal(matches["bare"], "capacity").value == 1.0


# --- persistence ----------------------------------------------------------------------------


def test_index_round_trip_gives_identical_rankings():
    index = build(
        make("a", FORECAST, trl_min=3, trl_max=5, sectors=("31-33",), rd_stages=("adoption",)),
        make("b", "Demand forecasting for retail.", institution="b", languages=("en", "fr")),
        make("c", FORECAST, institution="c", capacity=1, load=1, accepts_students=True),
        make("d", FORECAST, institution="a", capability_areas=("ai-data",), region="Ottawa"),
    )
    restored = ProfileIndex.from_bytes(index.to_bytes())
    assert restored.version == "test"
    assert restored.ids == index.ids
    assert restored.vocabulary == index.vocabulary
    query = Query(
        text="forecasting electricity demand",
        capability_areas=("ai-data",),
        sector="32",
        trl=3,
        rd_stage="adoption",
        wants_students=True,
        onsite_needed=True,
        region="Toronto",
        neighbouring_regions=tuple(regions()["Toronto"]),
    )
    assert rank(restored, query) == rank(index, query)


def test_index_weights_are_bm25_of_the_analysed_text():
    profiles = [
        make("a", FORECAST, keywords=("forecasting",)),
        make("b", "Demand forecasting for retail stores.", institution="b"),
        make("c", "Solar panel testing.", institution="c", languages=("en", "fr")),
    ]
    index = build(*profiles)
    assert index.weights.format == "csc"
    tokens = [
        analyze(index_module.profile_text(p), document_language(p.summary, p.languages))
        for p in [*profiles, *(make(pid, text, institution=pid) for pid, text in FILLERS)]
    ]
    n, average = len(tokens), sum(map(len, tokens)) / len(tokens)
    expected = np.zeros(index.weights.shape)
    for row, document in enumerate(tokens):
        for token in set(document):
            frequency = sum(token in other for other in tokens)
            idf = math.log(1 + (n - frequency + 0.5) / (frequency + 0.5))
            tf = document.count(token)
            norm = index_module.K1 * (1 - index_module.B + index_module.B * len(document) / average)
            expected[row, index.vocabulary[token]] = idf * tf * (index_module.K1 + 1) / (tf + norm)
    assert np.allclose(index.weights.toarray(), expected, rtol=1e-5, atol=0)


def test_blob_of_another_format_version_is_refused(monkeypatch):
    index = build(make("a", FORECAST))
    monkeypatch.setattr(index_module, "FORMAT_VERSION", index_module.FORMAT_VERSION + 1)
    blob = index.to_bytes()
    monkeypatch.undo()
    with pytest.raises(ValueError, match="another format"):
        ProfileIndex.from_bytes(blob)


# --- needs → query --------------------------------------------------------------------------


def test_query_from_needs():
    needs = {
        "challenge": "Our line rejects too many parts.",
        "desired_outcome": "Automated visual inspection.",
        "language": "en",
        "facts": {
            "region": "Ottawa",
            "sector": "332",
            "wants_students": True,
            "student_levels": ["college"],
            "onsite_needed": True,
            "fte_ontario": 12,
        },
        "trl": 4,
        "rd_stage": "experimental-development",
        "capability_areas": [{"slug": "robotics-automation", "score": 4.0, "terms": ["vision"]}],
        "related_capability_areas": ["ai-data"],
        "innovation_types": ["process-production"],
    }
    query = query_from_needs(needs, regions=("Ottawa",))
    assert query.text == "\n".join(
        ["Our line rejects too many parts."] + ["Automated visual inspection."] * OUTCOME_REPEATS
    )
    assert query.text.count("Automated visual inspection.") == 2
    assert query.neighbouring_regions == tuple(regions()["Ottawa"]) == ("Kingston-Pembroke",)
    assert query.region == "Ottawa"
    assert query.capability_areas == ("robotics-automation",)
    assert query.related_capability_areas == ("ai-data",)
    assert query.sector == "332"
    assert query.trl == 4
    assert query.rd_stage == "experimental-development"
    assert query.wants_students is True
    assert query.student_levels == ("college",)
    assert query.onsite_needed is True
    assert query.innovation_types == ("process-production",)
    assert query.language == "en"
    assert query.regions == ("Ottawa",)


def test_query_from_sparse_needs():
    query = query_from_needs({"challenge": "Forecasting demand."})
    assert query.text == "Forecasting demand."
    assert query.region is None and query.neighbouring_regions == ()
    assert query.capability_areas == () and query.trl is None


# --- evaluation mapping ------------------------------------------------------------------------


CHALLENGE = {
    "id": "c-1",
    "challenge": "We forecast electricity demand by hand.",
    "desired_outcome": "A forecasting model.",
    "sector": "22",
    "region": "Toronto",
    "employees": 25,
    "onsite_needed": True,
    "wants_students": False,
    "stage_hint": "pilot",
    "relevance": {"w1-001": 2, "w1-002": 1},
}


@pytest.mark.parametrize("stage", sorted(STAGE_TRL_RANGES))
def test_challenge_answers_map_stage_to_readiness_ladder(stage):
    answers = challenge_answers(CHALLENGE | {"stage_hint": stage})
    low = STAGE_TRL_RANGES[stage][0]
    assert {key for key in answers if key.startswith("trl_")} == {
        f"trl_{level}" for level in range(1, low + 1)
    }
    assert all(answers[f"trl_{level}"] is True for level in range(1, low + 1))


def test_challenge_answers_mapping():
    answers = challenge_answers(CHALLENGE)
    assert answers["fte_ontario"] == 25
    assert "employees" not in answers
    assert answers["work_location"] == "on_site"
    assert challenge_answers(CHALLENGE | {"onsite_needed": False})["work_location"] == "remote"
    assert answers["wants_students"] is False  # a known False is kept
    assert answers["challenge"] == CHALLENGE["challenge"]
    assert answers["sector"] == "22"
    assert "relevance" not in answers
    assert "id" not in answers and "stage_hint" not in answers
    unknown = challenge_answers({"challenge": "x", "stage_hint": "someday"})
    assert not any(key.startswith("trl_") for key in unknown)
    assert "work_location" not in unknown and "fte_ontario" not in unknown


@pytest.mark.parametrize("stage", ["idea", "pilot", "in-production"])
def test_challenge_needs_trl_is_the_range_low_end(stage):
    needs = challenge_needs(CHALLENGE | {"stage_hint": stage})
    assert needs["trl"] == STAGE_TRL_RANGES[stage][0]
    assert needs["facts"]["onsite_needed"] is True
    assert needs["facts"]["fte_ontario"] == 25
    query = query_from_needs(needs)
    assert query.trl == STAGE_TRL_RANGES[stage][0]
    assert query.region == "Toronto"


# --- metrics --------------------------------------------------------------------------------


GRADES = {"a": 1, "b": 0, "c": 2, "d": 1}


def test_ndcg_uses_exponential_gain():
    # DCG: (2^1-1)/log2(2) + 0 + (2^2-1)/log2(4) = 1 + 1.5
    # ideal (2, 1, 1, 0): 3/log2(2) + 1/log2(3) + 1/log2(4)
    expected = 2.5 / (3 + 1 / math.log2(3) + 0.5)
    assert ndcg(["a", "b", "c"], GRADES) == pytest.approx(expected)
    assert ndcg(["c", "a", "d", "b"], GRADES) == pytest.approx(1.0)
    assert ndcg(["b"], GRADES) == 0.0


def test_ndcg_cuts_at_k():
    assert ndcg(["x"] * 10 + ["c"], GRADES) == 0.0
    assert ndcg(["c", "a"], GRADES, k=1) == pytest.approx(1.0)


def test_recall_counts_grades_one_and_two():
    assert recall(["a", "b", "c"], GRADES) == pytest.approx(2 / 3)
    assert recall(["a", "b", "c"], GRADES, k=1) == pytest.approx(1 / 3)
    assert recall(["x"] * 10 + ["a", "c", "d"], GRADES) == 0.0


def test_reciprocal_rank_of_first_grade_two():
    assert reciprocal_rank(["a", "b", "c"], GRADES) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c"], GRADES) == 1.0
    assert reciprocal_rank(["a", "d"], GRADES) == 0.0


def test_metrics_are_zero_without_labels():
    ranking = ["a", "b", "c"]
    assert ndcg(ranking, {}) == 0.0
    assert recall(ranking, {}) == 0.0
    assert reciprocal_rank(ranking, {}) == 0.0
    assert ndcg(ranking, {"a": 0}) == 0.0
