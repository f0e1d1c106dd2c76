"""Site search on Elasticsearch 9 (WAGTAILSEARCH_BACKENDS when ELASTICSEARCH_URL is set).

No Elasticsearch server runs here: the backend talks through the real Elasticsearch 9 client to
a stand-in node that records each request and answers with canned responses. The tests check
the index mappings and the requests the site's searches send."""

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse
from wagtail.models import Locale
from wagtail.search.backends.elasticsearch9 import Elasticsearch9SearchBackend

from cms import search
from cms.models import HomePage, StandardPage
from matching.models import ExpertiseProfile
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

# As ocip/settings/base.py configures the backend when ELASTICSEARCH_URL is set.
BACKEND = "wagtail.search.backends.elasticsearch9"
PARAMS = {"URLS": ["http://search.invalid:9200"], "INDEX_PREFIX": "ocip_cms_", "TIMEOUT": 5}
PROFILE_INDEX = "ocip_cms_matching_expertiseprofile"
PAGE_INDEX = "ocip_cms_wagtailcore_page"


class RecordingNode(BaseNode):
    """An Elasticsearch node that records requests; searches answer `HITS` (pks)."""

    requests: list[tuple[str, str, Any]] = []
    hits: list[int] = []

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        payload = json.loads(body) if body else None
        RecordingNode.requests.append((method, target, payload))
        path = urlsplit(target).path
        if path.endswith("/_count"):
            data: dict = {"count": len(RecordingNode.hits)}
        elif path.endswith("/_search"):
            data = {
                "hits": {
                    "total": {"value": len(RecordingNode.hits), "relation": "eq"},
                    "hits": [{"fields": {"pk": [str(pk)]}, "_score": 1.0} for pk in self.hits],
                }
            }
        else:
            data = {"acknowledged": True, "result": "created"}
        meta = ApiResponseMeta(
            status=200,
            http_version="1.1",
            headers=HttpHeaders(
                {
                    "content-type": "application/vnd.elasticsearch+json;compatible-with=9",
                    "x-elastic-product": "Elasticsearch",
                }
            ),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, json.dumps(data).encode())


@pytest.fixture(autouse=True)
def _recorder():
    RecordingNode.requests = []
    RecordingNode.hits = []


def _options() -> dict:
    return {"node_class": RecordingNode}


@pytest.fixture
def backend():
    return Elasticsearch9SearchBackend({**PARAMS, "OPTIONS": _options()})


@pytest.fixture
def elasticsearch_settings(settings):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": BACKEND, **PARAMS, "OPTIONS": _options()}
    }


def _searches(index: str) -> list[tuple[dict, Any]]:
    """(query parameters, body) of every search request sent to `index`."""
    found = []
    for method, target, body in RecordingNode.requests:
        parts = urlsplit(target)
        if method == "POST" and parts.path == f"/{index}/_search":
            found.append((parse_qs(parts.query), body))
    return found


def _filters(body: dict) -> list:
    return body["query"]["bool"]["filter"]


def test_profile_mapping_holds_both_languages_and_the_public_filters(backend):
    assert backend.get_index_for_model(ExpertiseProfile).name == PROFILE_INDEX
    properties = backend.mapping_class(ExpertiseProfile).get_mapping()["properties"]
    for field in ("name", "name_fr"):
        assert properties[field] == {
            "type": "text",
            "copy_to": ["_all_text", "_all_text_boost_3_0"],
        }
    for field in ("title", "title_fr"):
        assert properties[field]["copy_to"] == ["_all_text", "_all_text_boost_2_0"]
    for field in ("summary", "summary_fr", "keywords_text"):
        assert properties[field] == {"type": "text", "copy_to": "_all_text"}
    assert properties["public_filter"] == {"type": "boolean"}
    assert properties["is_active_filter"] == {"type": "boolean"}
    assert properties["institution_id_filter"]["type"] in ("long", "integer")
    assert properties["institution"]["type"] == "nested"
    assert {"_all_text", "_all_text_boost_2_0", "_all_text_boost_3_0"} <= set(properties)


def test_the_index_is_created_with_the_mapping(backend):
    index = backend.get_index_for_model(ExpertiseProfile)
    index.put()
    index.add_model(ExpertiseProfile)
    (create, mapping) = RecordingNode.requests
    assert create[:2] == ("PUT", f"/{PROFILE_INDEX}")
    assert "edgengram_analyzer" in json.dumps(create[2]["settings"]["analysis"])
    assert mapping[:2] == ("PUT", f"/{PROFILE_INDEX}/_mapping")
    assert mapping[2]["properties"]["summary_fr"] == {"type": "text", "copy_to": "_all_text"}


def test_a_saved_profile_is_sent_with_its_french_version(elasticsearch_settings):
    institution = InstitutionFactory.create(slug="north", name="North College")
    profile = ExpertiseProfile.objects.create(
        external_id="es-1",
        institution=institution,
        kind="lab",
        name="Food Safety Lab",
        summary="Shelf life testing.",
        summary_fr="Essais de durée de conservation.",
        keywords=["shelf life"],
    )
    documents = [
        (target, body)
        for method, target, body in RecordingNode.requests
        if method == "PUT" and target.startswith(f"/{PROFILE_INDEX}/_doc/")
    ]
    target, document = documents[-1]
    assert target == f"/{PROFILE_INDEX}/_doc/{profile.pk}"
    assert document["summary_fr"] == "Essais de durée de conservation."
    assert document["name"] == "Food Safety Lab"
    assert document["keywords_text"] == "shelf life"
    assert document["public_filter"] is True and document["is_active_filter"] is True
    assert document["institution"] == {"name": "North College", "name_fr": ""}
    assert document["_django_content_type"] == ["matching.ExpertiseProfile"]


def test_profile_search_filters_to_public_active_profiles_and_searches_every_field(backend):
    results = search.search_profiles("durée de conservation", backend=backend)
    assert list(results[:10]) == []
    ((_params, body),) = _searches(PROFILE_INDEX)
    assert {key: value for key, value in body.items() if key != "query"} == {
        "from": 0,
        "size": 10,
        "_source": False,
        "stored_fields": "pk",
    }
    match = body["query"]["bool"]["must"]["multi_match"]
    assert match["query"] == "durée de conservation"
    assert match["operator"] == "and"  # every word, as on the database backend
    # _all_text holds every SearchField (English and French); the boosted copies hold the
    # names (x3) and titles (x2) in both languages.
    assert sorted(match["fields"]) == [
        "_all_text",
        "_all_text_boost_2_0^2.0",
        "_all_text_boost_3_0^3.0",
    ]
    content_type, public = _filters(body)
    assert {"match": {"_django_content_type": "matching.ExpertiseProfile"}} in (
        content_type["bool"]["should"]
    )
    assert sorted(public["bool"]["must"], key=json.dumps) == [
        {"term": {"is_active_filter": True}},
        {"term": {"public_filter": True}},
    ]


def test_a_hit_that_is_no_longer_public_is_not_shown(backend):
    institution = InstitutionFactory.create(slug="north", name="North College")
    shown = ExpertiseProfile.objects.create(
        external_id="a", institution=institution, kind="lab", name="Shown Lab"
    )
    hidden = ExpertiseProfile.objects.create(
        external_id="b", institution=institution, kind="lab", name="Hidden Lab", public=False
    )
    # A stale index could still return the profile made private: the database has the last word.
    RecordingNode.hits = [hidden.pk, shown.pk]
    assert list(search.search_profiles("lab", backend=backend)[:10]) == [shown]


def test_page_mapping_and_search_in_the_readers_locale(backend):
    assert backend.get_index_for_model(StandardPage).name == PAGE_INDEX
    properties = backend.mapping_class(StandardPage).get_mapping()["properties"]
    assert properties["title"]["copy_to"] == ["_all_text", "_all_text_boost_2_0"]
    assert properties["cms_standardpage__intro"] == {"type": "text", "copy_to": "_all_text"}
    assert properties["cms_standardpage__body"]["copy_to"] == "_all_text"
    for name in ("locale_id_filter", "live_filter", "path_filter", "depth_filter"):
        assert name in properties

    french = Locale.objects.get(language_code="fr")
    page = HomePage.objects.get(locale=french).add_child(
        instance=StandardPage(title="Comment ça marche", slug="comment")
    )
    RecordingNode.hits = [page.pk]
    results = list(search.search_pages("marche", "fr", backend=backend)[:10])
    assert [type(result) for result in results] == [StandardPage]
    assert results[0].title == "Comment ça marche"

    ((_params, body),) = _searches(PAGE_INDEX)
    filters = json.dumps(_filters(body))
    assert '{"term": {"live_filter": true}}' in filters
    assert f'{{"term": {{"locale_id_filter": {french.pk}}}}}' in filters
    assert '"_django_content_type": "wagtailcore.Page"' in filters
    assert '{"term": {"depth_filter": 1}}' in filters  # the root is left out (must_not)


def test_the_search_page_runs_on_elasticsearch(elasticsearch_settings, client):
    institution = InstitutionFactory.create(slug="north", name="North College")
    profile = ExpertiseProfile.objects.create(
        external_id="es-2",
        institution=institution,
        kind="lab",
        name="Robotics Lab",
        summary="Industrial automation.",
    )
    RecordingNode.requests = []
    RecordingNode.hits = [profile.pk]
    with translation.override("fr"):
        address = reverse("site_search")
    response = client.get(address, {"q": "robotique"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "/fr/expertise/es-2/" in page
    assert _searches(PROFILE_INDEX) and _searches(PAGE_INDEX)
    assert all(
        body["query"]["bool"]["must"]["multi_match"]["query"] == "robotique"
        for _params, body in _searches(PROFILE_INDEX) + _searches(PAGE_INDEX)
    )
