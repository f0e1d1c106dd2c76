"""The Elasticsearch backend: the index body and queries it builds, and its calls to a cluster.

No server: the JSON the code builds is checked as it is, and the backend talks to a real
`Elasticsearch` client whose only node is a fake that records requests and answers canned
responses (the bulk helper needs a real client).
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

import numpy as np
import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import Elasticsearch
from elasticsearch.helpers import BulkIndexError

from matching.engine import analysis, es, ranking
from matching.engine.index import ProfileIndex
from matching.engine.ranking import (
    NEIGHBOUR_REGION_CREDIT,
    RELATED_AREA_CREDIT,
    TRL_STEP_PENALTY,
    diversify,
    fitted,
)
from matching.engine.types import Match, Profile, Query, SearchUnavailable

# The fitted values, whatever they are: a test that needs a signal to weigh passes its own.
WEIGHTS = fitted().weights
CAP = fitted().cap_factor
# Every structured signal weighs something (fitted weights may leave some at 0).
POSITIVE = {name: 1.0 if name == "text" else 0.1 * (i + 1) for i, name in enumerate(WEIGHTS)}

SYNONYMS = {
    "machine-vision": {
        "en": ["machine vision", "computer vision"],
        "fr": ["vision artificielle", "vision par ordinateur"],
    },
    # "pain" is bread in French: not looked for in English text.
    "bread": {"en": ["bread"], "fr": ["pain"]},
    "welding": {"en": ["welding"], "fr": ["soudage", "l’assemblage soudé"]},
    # "ai" is a French stop word ("j'ai"), and "AI" a short word for French text.
    "ai": {"en": ["artificial intelligence", "AI"], "fr": ["intelligence artificielle", "IA"]},
}
ALIAS = "ocip-profiles"


@pytest.fixture(autouse=True)
def sample_synonyms(monkeypatch):
    """The sample list, for the mapping and for the explanations (which analyse in Python)."""
    monkeypatch.setattr(es, "synonym_groups", lambda: SYNONYMS)
    monkeypatch.setattr(analysis, "synonym_groups", lambda: SYNONYMS)
    monkeypatch.setattr(ranking, "synonym_groups", lambda: SYNONYMS)
    analysis._phrase_table.cache_clear()
    yield
    analysis._phrase_table.cache_clear()


def english_query(**changes: Any) -> Query:
    facts: dict[str, Any] = {
        "text": "We need machine vision to inspect welds on the line",
        "language": "en",
        "capability_areas": ("ai-data", "manufacturing"),
        "related_capability_areas": ("robotics",),
        "sector": "3361",
        "trl": 4,
        "rd_stage": "applied_research",
        "wants_students": True,
        "onsite_needed": True,
        "region": "toronto",
        "neighbouring_regions": ("durham", "york", "toronto"),
    }
    return Query(**(facts | changes))


def french_query(**changes: Any) -> Query:
    text = "Nous voulons inspecter nos soudures par vision artificielle"
    return Query(**({"text": text, "language": "fr"} | changes))


def function_score(search_body: dict) -> tuple[dict, dict]:
    """(the caps function_score, the structured-fit function_score inside it)."""
    outer = search_body["query"]["function_score"]
    return outer, outer["query"]["function_score"]


def weighted(functions: list[dict]) -> list[tuple[dict, float]]:
    """(filter, weight) of each function, the zero floor left out."""
    floor, *rest = functions
    assert floor == {"script_score": {"script": {"source": "0"}}}
    return [(function["filter"], function["weight"]) for function in rest]


def assert_functions(functions: list[dict], expected: list[tuple[dict, float]]) -> None:
    """The functions are those expected, less those worth nothing (left out of the query)."""
    actual = weighted(functions)
    expected = [(f, w) for f, w in expected if w > 0]
    assert [f for f, _ in actual] == [f for f, _ in expected]
    assert [w for _, w in actual] == pytest.approx([w for _, w in expected])


# --- synonyms and the index body ------------------------------------------------------------


def test_synonym_rules_are_solr_equivalence_lines():
    assert es.synonym_rules() == [
        "machine vision, computer vision, vision artificielle, vision par ordinateur",
        "bread, pain",
        "welding, soudage, l'assemblage soudé",
        "artificial intelligence, AI, intelligence artificielle, IA",
    ]


def test_synonym_rules_for_an_analyzer():
    # For English challenges on English fields: English stop words would be dropped, "par" is
    # not one; the French short words ("pain", "IA") are not looked for.
    assert es.synonym_rules("en") == [
        "machine vision, computer vision, vision artificielle, vision par ordinateur",
        "welding, soudage, l'assemblage soudé",  # the elided article is left to Elasticsearch
        "artificial intelligence, AI, intelligence artificielle",
    ]
    # On French fields, through the cross analyzer: stop words of both languages go.
    assert es.synonym_rules("en", cross=True) == [
        "machine vision, computer vision, vision artificielle, vision ordinateur",
        "welding, soudage, l'assemblage soudé",
        "artificial intelligence, intelligence artificielle",
    ]
    assert es.synonym_rules("fr") == [
        "machine vision, computer vision, vision artificielle, vision ordinateur",
        "bread, pain",  # "bread" is long enough to be looked for in French text
        "soudage, l'assemblage soudé",  # "welding" stems to "weld": too short
        "artificial intelligence, intelligence artificielle, IA",
    ]


def test_no_synonyms_leaves_the_filter_out(monkeypatch):
    monkeypatch.setattr(es, "synonym_groups", dict)
    assert es.synonym_rules() == []
    analysis = es.index_body("ocip-profiles-1")["settings"]["analysis"]
    assert not any(f["type"] == "synonym_graph" for f in analysis["filter"].values())
    assert set(analysis["analyzer"]) == {
        f"ocip_{lang}{suffix}" for lang in ("en", "fr") for suffix in ("", "_search", "_cross")
    }


def test_index_body_analyzers():
    body = es.index_body("ocip-profiles-1")
    assert body["settings"]["number_of_shards"] == 1
    analyzers = body["settings"]["analysis"]["analyzer"]
    filters = body["settings"]["analysis"]["filter"]
    for language, stemmer in (("en", "porter2"), ("fr", "light_french")):
        chain = ["lowercase", "ocip_elision", "asciifolding", f"ocip_{language}_stop"]
        stems = f"ocip_{language}_stemmer"
        assert analyzers[f"ocip_{language}"] == {
            "type": "custom",
            "tokenizer": "standard",
            "filter": [*chain, stems],
        }
        # Synonyms at search time only, after stemming.
        assert analyzers[f"ocip_{language}_search"]["filter"] == [
            *chain,
            stems,
            f"ocip_synonyms_{language}",
        ]
        assert filters[stems] == {"type": "stemmer", "language": stemmer}
        for cross in (False, True):
            name = f"ocip_synonyms_{language}" + ("_cross" if cross else "")
            assert filters[name] == {
                "type": "synonym_graph",
                "lenient": True,
                "synonyms": es.synonym_rules(language, cross=cross),
            }
    # For a challenge in the other language: both stop lists, that language's synonyms.
    assert analyzers["ocip_en_cross"]["filter"] == [
        "lowercase",
        "ocip_elision",
        "asciifolding",
        "ocip_bilingual_stop",
        "ocip_en_stemmer",
        "ocip_synonyms_fr_cross",
    ]
    assert analyzers["ocip_fr_cross"]["filter"][-1] == "ocip_synonyms_en_cross"
    assert filters["ocip_elision"]["type"] == "elision"
    assert {"l", "d", "qu", "jusqu"} <= set(filters["ocip_elision"]["articles"])
    assert {"the", "and"} <= set(filters["ocip_en_stop"]["stopwords"])
    assert {"les", "des"} <= set(filters["ocip_fr_stop"]["stopwords"])
    assert not {"les", "des"} & set(filters["ocip_en_stop"]["stopwords"])
    assert {"the", "les"} <= set(filters["ocip_bilingual_stop"]["stopwords"])


def test_index_body_mappings():
    properties = es.index_body("ocip-profiles-1")["mappings"]["properties"]
    for name in ("name", "title", "summary", "keywords", "equipment", "past_projects"):
        assert properties[name] == {
            "type": "text",
            "fields": {
                "en": {"type": "text", "analyzer": "ocip_en", "search_analyzer": "ocip_en_search"},
                "fr": {"type": "text", "analyzer": "ocip_fr", "search_analyzer": "ocip_fr_search"},
            },
        }
    keywords = ("id", "institution", "institution_kind", "region", "kind", "capability_areas")
    for name in (
        *keywords,
        "sectors",
        "rd_stages",
        "innovation_types",
        "languages",
        "student_levels",
    ):
        assert properties[name] == {"type": "keyword"}, name
    for name in ("trl_min", "trl_max", "capacity_left"):
        assert properties[name] == {"type": "integer"}
    assert properties["accepts_students"] == {"type": "boolean"}


def test_document_from_profile():
    profile = Profile(
        id="w1-001",
        institution="humber",
        institution_kind="college",
        region="toronto",
        kind="lab",
        name="Vision Lab",
        title="Machine vision",
        keywords=("inspection",),
        capability_areas=("ai-data",),
        sectors=("31-33", "5415"),
        trl_min=3,
        trl_max=6,
        languages=("en", "fr"),
        capacity=2,
        load=2,
    )
    document = es.profile_document("ocip-profiles-1").from_profile(profile)
    body = document.to_dict(include_meta=True)
    assert body["_id"] == "w1-001"
    assert body["_index"] == "ocip-profiles-1"
    source = body["_source"]
    assert source["sectors"] == ["31", "32", "33", "54"]
    assert source["capacity_left"] == 0
    assert source["accepts_students"] is False
    assert (source["trl_min"], source["trl_max"]) == (3, 6)
    assert source["capability_labels"]  # the area's names, searched as text
    unknown = es.profile_source(Profile("x", "i", "college", "r", "lab", "N"))
    assert unknown["trl_min"] is None
    assert unknown["capacity_left"] is None


# --- the search ---------------------------------------------------------------------------


def cap_filter(outer: dict) -> list[dict]:
    """The filters of the caps function_score, each checked to be worth the cap factor."""
    assert (outer["score_mode"], outer["boost_mode"]) == ("min", "multiply")
    assert all(function["weight"] == pytest.approx(CAP) for function in outer["functions"])
    return [function["filter"] for function in outer["functions"]]


def mean(match: Match, weights: dict[str, float]) -> float:
    """The weighted mean of a match's scored signals, before any cap."""
    scored = [s for s in match.signals if s.name != "capacity"]
    total = sum(weights.get(s.name, 0.0) for s in scored)
    return sum(weights.get(s.name, 0.0) * s.value for s in scored) / total


def capped_by(match: Match) -> list[str]:
    return match.signals[-1].detail["capped_by"]


def test_english_search_with_every_fact():
    query = english_query(text="We need machine vision")
    body = es.build_search(query, size=40, weights=POSITIVE).to_dict()  # every function present
    assert body["size"] == 40
    outer, fit = function_score(body)

    # Text: the English subfields with their own analyzer, the French ones with the cross one.
    text = fit["query"]["bool"]["must"][0]["bool"]
    assert text["_name"] == "text"
    same, cross = (clause["multi_match"] for clause in text["should"])
    boosted = ["title.{0}^2", "keywords.{0}^2", "summary.{0}", "equipment.{0}"]
    rest = ["past_projects.{0}", "capability_labels.{0}"]
    assert same == {
        "query": "We need machine vision",
        "type": "most_fields",
        "fields": [field.format("en") for field in boosted + rest],
        "auto_generate_synonyms_phrase_query": False,
    }
    assert cross["fields"] == [field.format("fr") for field in boosted + rest]
    assert cross["analyzer"] == "ocip_fr_cross"
    assert "filter" not in fit["query"]["bool"] or fit["query"]["bool"]["filter"] == []

    assert (fit["score_mode"], fit["boost_mode"]) == ("sum", "sum")
    cap, trl = POSITIVE["capability"], POSITIVE["trl"]
    assert_functions(
        fit["functions"],
        [
            ({"term": {"capability_areas": "robotics"}}, cap * RELATED_AREA_CREDIT / 2),
            ({"term": {"capability_areas": "ai-data"}}, cap / 2),
            ({"term": {"capability_areas": "manufacturing"}}, cap / 2),
            (
                {
                    "bool": {
                        "filter": [
                            {"range": {"trl_min": {"lte": 6}}},
                            {"range": {"trl_max": {"gte": 4}}},
                        ]
                    }
                },
                trl,
            ),
            (
                {
                    "bool": {
                        "should": [{"term": {"trl_min": 7}}, {"term": {"trl_max": 3}}],
                        "minimum_should_match": 1,
                    }
                },
                trl * (1 - TRL_STEP_PENALTY),
            ),
            (
                {
                    "bool": {
                        "should": [{"term": {"trl_min": 8}}, {"term": {"trl_max": 2}}],
                        "minimum_should_match": 1,
                    }
                },
                trl * (1 - 2 * TRL_STEP_PENALTY),
            ),
            ({"bool": {"must_not": [{"exists": {"field": "trl_min"}}]}}, trl * 0.5),
            ({"term": {"rd_stages": "applied_research"}}, POSITIVE["rd_stage"]),
            ({"terms": {"sectors": ["33"]}}, POSITIVE["sector"]),
            ({"term": {"languages": "en"}}, POSITIVE["language"]),
            ({"term": {"accepts_students": True}}, POSITIVE["students"]),
            ({"term": {"region": "toronto"}}, POSITIVE["region"]),
            (
                {"terms": {"region": ["durham", "york"]}},
                POSITIVE["region"] * NEIGHBOUR_REGION_CREDIT,
            ),
        ],
    )

    # The cap factor multiplies the whole score, once whatever the number of caps: no capacity
    # left, not working in English, or neither in the region nor a neighbour of it.
    assert cap_filter(outer) == [
        {"term": {"capacity_left": 0}},
        {"bool": {"must_not": [{"term": {"languages": "en"}}]}},
        {"bool": {"must_not": [{"terms": {"region": ["toronto", "durham", "york"]}}]}},
    ]


def test_trl_window_stops_at_nine():
    _, fit = function_score(es.build_search(english_query(trl=8)).to_dict())
    trl_filters = [f for f, _ in weighted(fit["functions"]) if "trl_" in json.dumps(f)]
    assert trl_filters[0]["bool"]["filter"] == [
        {"range": {"trl_min": {"lte": 9}}},
        {"range": {"trl_max": {"gte": 8}}},
    ]
    # Nothing lies above 9: the steps away are below the project's level only.
    assert trl_filters[1] == {
        "bool": {"should": [{"term": {"trl_max": 7}}], "minimum_should_match": 1}
    }


def test_french_search_without_facts():
    query = french_query()
    _, fit = function_score(es.build_search(query).to_dict())
    same, cross = (c["multi_match"] for c in fit["query"]["bool"]["must"][0]["bool"]["should"])
    assert same["fields"][0] == "title.fr^2" and "analyzer" not in same
    assert cross["fields"][0] == "title.en^2" and cross["analyzer"] == "ocip_en_cross"
    assert same["query"] == cross["query"] == query.text
    # Only the language applies, as in-process.
    assert_functions(fit["functions"], [({"term": {"languages": "fr"}}, WEIGHTS["language"])])
    custom = es.build_search(query, weights=POSITIVE).to_dict()
    assert weighted(function_score(custom)[1]["functions"]) == [
        ({"term": {"languages": "fr"}}, POSITIVE["language"])
    ]


def test_caps_without_onsite_work_leave_distance_out():
    outer, _ = function_score(es.build_search(english_query(onsite_needed=False)).to_dict())
    assert cap_filter(outer) == [
        {"term": {"capacity_left": 0}},
        {"bool": {"must_not": [{"term": {"languages": "en"}}]}},
    ]
    # A French challenge caps the profiles that do not work in French.
    outer, _ = function_score(es.build_search(french_query(), cap_factor=0.5).to_dict())
    assert [f["weight"] for f in outer["functions"]] == [0.5, 0.5]
    assert outer["functions"][1]["filter"] == {
        "bool": {"must_not": [{"term": {"languages": "fr"}}]}
    }


def test_region_needs_onsite_work_and_a_region():
    _, fit = function_score(es.build_search(english_query(onsite_needed=False)).to_dict())
    assert "region" not in json.dumps(fit["functions"])
    _, fit = function_score(es.build_search(english_query(region=None)).to_dict())
    assert "region" not in json.dumps(fit["functions"])


def test_filters_select_without_scoring():
    query = french_query(
        institution_kinds=("college", "indigenous_institute"),
        regions=("ottawa",),
        languages=("fr",),
    )
    _, fit = function_score(es.build_search(query).to_dict())
    assert fit["query"]["bool"]["filter"] == [
        {"terms": {"institution_kind": ["college", "indigenous_institute"]}},
        {"terms": {"region": ["ottawa"]}},
        {"terms": {"languages": ["fr"]}},
    ]


def test_text_max_puts_the_weights_on_the_text_scale():
    query = english_query()
    plain = weighted(function_score(es.build_search(query).to_dict())[1]["functions"])
    scaled = weighted(
        function_score(es.build_search(query, text_max=11.0).to_dict())[1]["functions"]
    )
    factor = 11.0 / WEIGHTS["text"]
    assert len(scaled) == len(plain)
    assert [w for _, w in scaled] == pytest.approx([w * factor for _, w in plain])
    custom = es.build_search(query, weights=WEIGHTS | {"language": 0.5}).to_dict()
    assert ({"term": {"languages": "en"}}, 0.5) in weighted(function_score(custom)[1]["functions"])


def test_challenge_without_words_matches_nothing():
    body = es.build_search(Query(text="The and of, for the", language="en")).to_dict()
    assert body["query"] == {"match_none": {}}
    assert body["size"] == 0
    cluster = FakeCluster()
    assert es.ElasticsearchBackend(cluster.client(), ALIAS).rank(Query(text="  ")) == []
    assert cluster.calls == []  # no round trip


# --- diversity ----------------------------------------------------------------------------


def test_diversify_hits_reuses_the_in_process_rule():
    ids = [f"p{i}" for i in range(8)]
    institution_of = dict(zip(ids, "aaaaabab", strict=True))
    assert es.diversify_hits(ids, institution_of, top=5) == ["p0", "p1", "p2", "p5", "p7", "p3"] + [
        "p4",
        "p6",
    ]
    expected = diversify(np.arange(8), np.array([0, 0, 0, 0, 0, 1, 0, 1]), 5).tolist()
    assert es.diversify_hits(ids, institution_of, top=5) == [ids[i] for i in expected]
    # Another cap: the same rule.
    assert es.diversify_hits(ids, institution_of, top=3, max_per_institution=1) == [
        "p0",
        "p5",
        "p1",
        "p2",
        "p3",
        "p4",
        "p6",
        "p7",
    ]
    assert es.diversify_hits([], {}) == []


# --- a fake cluster -------------------------------------------------------------------------


class _NodeResponse(NamedTuple):
    meta: ApiResponseMeta
    body: bytes


class FakeCluster:
    """Records each request (method, path, parsed body) and answers from canned data."""

    def __init__(
        self,
        *,
        indices: dict[str, Any] | None = None,
        searches: list[dict] | None = None,
        bulk_error: bool = False,
        down: bool = False,
    ):
        self.calls: list[tuple[str, str, Any]] = []
        self.indices = indices or {}
        self.searches = list(searches or [])
        self.bulk_error = bulk_error
        self.down = down

    def client(self) -> Elasticsearch:
        cluster = self

        class Node(BaseNode):
            _CLIENT_META_HTTP_CLIENT = ("fake", "1")

            def perform_request(self, method, target, body=None, headers=None, **_):
                if cluster.down:
                    raise TransportConnectionError("connection refused")
                status, payload = cluster.answer(method, target, body)
                meta = ApiResponseMeta(
                    status=status,
                    http_version="1.1",
                    headers=HttpHeaders(
                        {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}
                    ),
                    duration=0.0,
                    node=self.config,
                )
                return _NodeResponse(meta, json.dumps(payload).encode())

        return Elasticsearch("http://es.test:9200", node_class=Node, max_retries=0)

    def answer(self, method: str, target: str, raw: bytes | None) -> tuple[int, Any]:
        path = target.split("?")[0]
        if path == "/_bulk":
            lines = [json.loads(line) for line in (raw or b"").splitlines() if line.strip()]
            self.calls.append((method, target, lines))
            status = 400 if self.bulk_error else 201
            items = [{"index": {**line["index"], "status": status}} for line in lines[::2]]
            if self.bulk_error:
                items[0]["index"]["error"] = {"type": "mapper_parsing_exception"}
            return 200, {"took": 1, "errors": self.bulk_error, "items": items}
        self.calls.append((method, target, json.loads(raw) if raw else None))
        if path.endswith("/_search"):
            return 200, self.searches.pop(0)
        if method == "GET" and path.endswith("/_alias"):
            return 200, self.indices
        if method == "GET" and "/_alias/" in path:
            return (200, self.indices) if self.indices else (404, {"error": "alias missing"})
        if method == "GET" and path.endswith("/_mapping"):
            if not self.indices:
                return 404, {"error": "no such index"}
            return 200, {
                name: {"mappings": index.get("mappings", {})}
                for name, index in self.indices.items()
            }
        if path.endswith("/_count"):
            return 200, {"count": 3}
        return 200, {"acknowledged": True}


def profiles(count: int) -> list[Profile]:
    return [
        Profile(
            id=f"w1-{number:03d}",
            institution="humber",
            institution_kind="college",
            region="toronto",
            kind="lab",
            name=f"Lab {number}",
            summary="Machine vision for quality inspection.",
        )
        for number in range(count)
    ]


def test_rebuild_fills_a_new_index_and_swaps_the_alias():
    old = "ocip-profiles-20240101120000000000"
    cluster = FakeCluster(
        indices={old: {"aliases": {ALIAS: {}}}, "ocip-profiles-archive": {"aliases": {}}}
    )
    backend = es.ElasticsearchBackend(cluster.client(), ALIAS)
    assert backend.rebuild(profiles(3), version="abc123") == 3

    (create, bulk, refresh, listing, swap) = cluster.calls
    method, target, body = create
    new = target.lstrip("/")
    assert method == "PUT" and re.fullmatch(r"ocip-profiles-\d{20}", new)
    assert body["settings"]["analysis"]["analyzer"]["ocip_en"]
    assert body["mappings"]["properties"]["summary"]["fields"]["fr"]["analyzer"] == "ocip_fr"
    assert body["mappings"]["_meta"] == {"version": "abc123"}  # what `checksum` reads back
    headers = bulk[2][::2]
    assert [line["index"] for line in headers] == [
        {"_index": new, "_id": f"w1-{n:03d}"} for n in range(3)
    ]
    assert bulk[2][1]["summary"] == "Machine vision for quality inspection."
    assert refresh[:2] == ("POST", f"/{new}/_refresh")
    assert listing[:2] == ("GET", "/ocip-profiles-*/_alias")
    # One atomic request; the index that is not a rebuild's is left alone.
    assert swap == (
        "POST",
        "/_aliases",
        {"actions": [{"add": {"index": new, "alias": ALIAS}}, {"remove_index": {"index": old}}]},
    )


def test_failed_rebuild_drops_the_new_index_and_keeps_the_alias():
    cluster = FakeCluster(bulk_error=True)
    with pytest.raises(BulkIndexError):
        es.ElasticsearchBackend(cluster.client(), ALIAS).rebuild(profiles(2), version="v")
    new = cluster.calls[0][1].lstrip("/")
    assert cluster.calls[-1][:2] == ("DELETE", f"/{new}?ignore_unavailable=true")
    assert not any(call[1] == "/_aliases" for call in cluster.calls)


def hit(profile_id: str, institution: str, text: float, **source: Any) -> dict:
    return {
        "_id": profile_id,
        "_score": text,
        "matched_queries": {"text": text},
        "_source": {
            "id": profile_id,
            "institution": institution,
            "region": "toronto",
            "languages": ["en"],
            "summary": "Machine vision inspection of welds",
        }
        | source,
    }


def test_rank_turns_hits_into_matches():
    hits = [
        hit("a1", "a", 10.0, capacity_left=2),
        hit("a2", "a", 9.0),
        hit("a3", "a", 8.0),
        hit("a4", "a", 7.0),
        hit("b1", "b", 5.0, languages=["fr"], capacity_left=0),
    ]
    cluster = FakeCluster(
        searches=[{"hits": {"max_score": 10.0, "hits": []}}, {"hits": {"hits": hits}}]
    )
    query = Query(text="machine vision for weld inspection", language="en")
    matches = es.ElasticsearchBackend(cluster.client(), ALIAS).rank(query, limit=4)

    first, second = cluster.calls
    assert first[1] == f"/{ALIAS}/_search"
    assert first[2]["size"] == 1 and first[2]["_source"] is False
    assert "function_score" not in json.dumps(first[2])  # text alone, no filter
    assert second[1] == f"/{ALIAS}/_search?include_named_queries_score=true"
    assert second[2]["size"] == 100
    _, fit = function_score(second[2])
    assert_functions(
        fit["functions"],
        [({"term": {"languages": "en"}}, WEIGHTS["language"] * 10.0 / WEIGHTS["text"])],
    )

    # a4 makes way for b1: no more than three per institution at the top.
    assert [m.profile_id for m in matches] == ["a1", "a2", "a3", "b1"]
    assert [m.rank for m in matches] == [1, 2, 3, 4]
    total = WEIGHTS["text"] + WEIGHTS["language"]
    a2 = matches[1]
    assert [s.name for s in a2.signals] == ["text", "language", "capacity"]
    assert a2.signals[0].value == pytest.approx(0.9)
    # The challenge's words, then the synonym groups met, each as the challenge put it.
    assert a2.signals[0].detail["terms"] == [
        "machine",
        "vision",
        "weld",
        "inspection",
        "machine vision",
        "welding",
    ]
    assert a2.score == pytest.approx((WEIGHTS["text"] * 0.9 + WEIGHTS["language"]) / total, 1e-3)
    b1 = matches[3]
    assert b1.signals[1].value == 0.0  # no English
    # No capacity and no English: two caps, the factor once.
    assert b1.signals[-1].value == 0.0
    assert b1.signals[-1].detail == {"left": 0, "capped_by": ["capacity", "language"]}
    assert b1.score == pytest.approx(WEIGHTS["text"] * 0.5 / total * CAP, 1e-3)
    assert matches[0].signals[-1].detail == {"left": 2, "capped_by": []}
    assert a2.signals[-1].detail == {"left": None, "capped_by": []}


def test_hits_explained_like_the_in_process_ranking():
    query = english_query(text="machine vision")
    source = {
        "capability_areas": ["ai-data", "robotics"],
        "trl_min": 7,
        "trl_max": 9,
        "rd_stages": ["applied_research"],
        "sectors": ["33"],
        "accepts_students": True,
        "region": "york",
        "capacity_left": 1,
    }
    [match] = es.matches_from_hits(query, [hit("p", "a", 4.0, **source)], text_max=8.0)
    values = {s.name: s.value for s in match.signals}
    assert values == pytest.approx(
        {
            "text": 0.5,
            "capability": (1 + RELATED_AREA_CREDIT) / 2,
            "trl": 1 - TRL_STEP_PENALTY,  # one level above the project's next steps
            "rd_stage": 1.0,
            "sector": 1.0,
            "language": 1.0,
            "students": 1.0,
            "region": NEIGHBOUR_REGION_CREDIT,
            "capacity": 1.0,
        },
        abs=1e-4,
    )
    details = {s.name: s.detail for s in match.signals}
    assert details["capability"] == {"areas": ["ai-data", "robotics"]}
    assert details["trl"] == {"profile": [7, 9], "project": 4}
    assert details["region"] == {"profile": "york", "project": "toronto"}
    assert details["capacity"] == {"left": 1, "capped_by": []}  # york neighbours toronto
    # No meaning signal here: the mean is over the signals present.
    assert "meaning" not in values
    scored = [name for name in values if name != "capacity"]
    expected = sum(WEIGHTS[name] * values[name] for name in scored) / sum(
        WEIGHTS[name] for name in scored
    )
    assert match.score == pytest.approx(expected, abs=1e-4)


def test_a_french_challenge_caps_an_english_only_profile():
    query = french_query()
    hits = [
        hit("en", "a", 8.0, languages=["en"]),
        hit("both", "b", 8.0, languages=["en", "fr"]),
    ]
    matches = es.matches_from_hits(query, hits, text_max=8.0, weights=POSITIVE)
    by_id = {m.profile_id: m for m in matches}
    assert [m.profile_id for m in matches] == ["both", "en"]
    assert capped_by(by_id["en"]) == ["language"]
    assert capped_by(by_id["both"]) == []
    assert by_id["en"].score == pytest.approx(mean(by_id["en"], POSITIVE) * CAP, abs=1e-4)
    assert by_id["both"].score == pytest.approx(mean(by_id["both"], POSITIVE), abs=1e-4)


def test_onsite_work_caps_a_distant_region_but_not_a_neighbouring_one():
    query = english_query(text="machine vision")
    hits = [
        hit("far", "a", 8.0, region="ottawa"),
        hit("near", "b", 8.0, region="york"),
        hit("here", "c", 8.0, region="toronto"),
    ]
    matches = es.matches_from_hits(query, hits, text_max=8.0, weights=POSITIVE)
    by_id = {m.profile_id: m for m in matches}
    assert capped_by(by_id["far"]) == ["distance"]
    assert capped_by(by_id["near"]) == capped_by(by_id["here"]) == []
    assert by_id["far"].score == pytest.approx(mean(by_id["far"], POSITIVE) * CAP, abs=1e-4)
    assert by_id["near"].score == pytest.approx(mean(by_id["near"], POSITIVE), abs=1e-4)
    assert [m.profile_id for m in matches] == ["here", "near", "far"]
    # Without on-site work, no region is too far.
    [far] = es.matches_from_hits(
        english_query(text="machine vision", onsite_needed=False), hits[:1], text_max=8.0
    )
    assert capped_by(far) == []


def test_several_caps_give_the_cap_factor_once():
    query = english_query(text="machine vision")
    capped = hit("p", "a", 8.0, capacity_left=0, languages=["fr"], region="ottawa")
    [match] = es.matches_from_hits(query, [capped], text_max=8.0, weights=POSITIVE, cap_factor=0.5)
    assert capped_by(match) == ["capacity", "language", "distance"]
    assert match.score == pytest.approx(mean(match, POSITIVE) * 0.5, abs=1e-4)  # not 0.125
    # The server applies it once too: the smallest of the matching functions' weights.
    outer, _ = function_score(es.build_search(query, cap_factor=0.5).to_dict())
    assert outer["score_mode"] == "min"


def test_caps_are_those_of_the_in_process_ranking():
    def profile(number: int, **facts: Any) -> Profile:
        return Profile(f"p{number}", "i", "college", "toronto", "lab", "Lab", **facts)

    population = [
        profile(0),
        profile(1, capacity=1, load=1),
        profile(2, capacity=2, load=1),
        profile(3, languages=("fr",)),
        profile(4, languages=("en", "fr")),
        Profile("p5", "i", "college", "ottawa", "lab", "Lab"),
        Profile("p6", "i", "college", "york", "lab", "Lab", languages=("fr",), capacity=0),
    ]
    index = ProfileIndex.build(population)
    for query in (
        english_query(),
        english_query(onsite_needed=False),
        french_query(),
        french_query(onsite_needed=True, region="ottawa"),
    ):
        caps = ranking.caps(index, query)
        for position, item in enumerate(population):
            expected = [name for name, mask in caps.items() if mask[position]]
            assert es._capped_by(query, es.profile_source(item)) == expected, (query, item.id)


def test_hits_without_named_scores_fall_back_to_the_hit_score():
    hits = [hit("a", "x", 6.0), hit("b", "y", 3.0)]
    for item in hits:
        item["matched_queries"] = ["text"]  # a server that reports names only
    matches = es.matches_from_hits(Query(text="vision", language="en"), hits, text_max=99.0)
    assert [m.signals[0].value for m in matches] == [1.0, 0.5]


def test_checksum_and_size():
    cluster = FakeCluster(
        indices={
            "ocip-profiles-20240101120000000000": {
                "aliases": {ALIAS: {}},
                "mappings": {"_meta": {"version": "abc123"}, "properties": {}},
            }
        }
    )
    backend = es.ElasticsearchBackend(cluster.client(), ALIAS)
    assert backend.checksum() == "abc123"
    assert cluster.calls[-1][:2] == ("GET", f"/{ALIAS}/_mapping")
    assert backend.size() == 3
    # Before the first rebuild: no index behind the alias.
    assert es.ElasticsearchBackend(FakeCluster().client(), ALIAS).checksum() == ""


def test_a_cluster_that_does_not_answer_raises_search_unavailable():
    backend = es.ElasticsearchBackend(FakeCluster(down=True).client(), ALIAS)
    query = Query(text="machine vision", language="en")
    for call in (backend.checksum, backend.size, lambda: backend.rank(query, limit=5)):
        with pytest.raises(SearchUnavailable):
            call()
    with pytest.raises(SearchUnavailable):
        backend.rebuild(profiles(1), version="v")
