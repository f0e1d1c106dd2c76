"""Which backend ranks, chosen by settings; rebuilding it; a backend that does not answer."""

import pytest
from django.urls import reverse

from diagnostics import services as diagnostic_services
from matching import search
from matching.engine.es import ElasticsearchBackend
from matching.models import MatchRun
from tests.diagnostics.conftest import completed_draft
from tests.matching.test_es_backend import FakeCluster


@pytest.fixture
def fresh_backends():
    search._elasticsearch_backend.cache_clear()
    yield
    search._elasticsearch_backend.cache_clear()


def test_in_process_by_default(settings, fresh_backends):
    settings.ELASTICSEARCH_URL = ""
    assert isinstance(search.backend(), search.InProcessBackend)


def test_elasticsearch_when_its_url_is_set(settings, fresh_backends):
    settings.ELASTICSEARCH_URL = "http://search.internal:9200"
    settings.MATCHING_ELASTICSEARCH_INDEX = "ocip-test-profiles"
    engine = search.backend()
    assert isinstance(engine, ElasticsearchBackend)
    assert engine.index_name == "ocip-test-profiles"
    assert search.backend() is engine  # one client per process


def _with_cluster(monkeypatch, cluster: FakeCluster) -> ElasticsearchBackend:
    engine = ElasticsearchBackend(cluster.client(), "ocip-profiles")
    monkeypatch.setattr(search, "backend", lambda: engine)
    return engine


def _indexed(version: str) -> dict:
    return {
        "ocip-profiles-20240101120000000000": {
            "aliases": {"ocip-profiles": {}},
            "mappings": {"_meta": {"version": version}},
        }
    }


def test_rebuild_reindexes_elasticsearch_when_profiles_changed(catalogue, monkeypatch):
    cluster = FakeCluster(indices=_indexed("an older checksum"))
    _with_cluster(monkeypatch, cluster)
    search.index_rebuild()
    bulk = [call for call in cluster.calls if call[1] == "/_bulk"]
    assert len(bulk) == 1 and len(bulk[0][2]) == 2 * 415  # an action and a source per profile
    create = next(call for call in cluster.calls if call[0] == "PUT")
    assert create[2]["mappings"]["_meta"] == {"version": search.profiles_checksum()}


def test_rebuild_leaves_a_current_elasticsearch_index_alone(catalogue, monkeypatch):
    cluster = FakeCluster(indices=_indexed(search.profiles_checksum()))
    _with_cluster(monkeypatch, cluster)
    search.index_rebuild()
    assert [call[:2] for call in cluster.calls] == [("GET", "/ocip-profiles/_mapping")]


def test_a_backend_that_does_not_answer_records_a_failed_run(
    catalogue,
    business_owner,
    company,
    client,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    _with_cluster(monkeypatch, FakeCluster(down=True))
    with django_capture_on_commit_callbacks(execute=True):
        diagnostic = diagnostic_services.diagnostic_submit(
            actor=business_owner, diagnostic=completed_draft(business_owner, company)
        )
    run = MatchRun.objects.get(diagnostic=diagnostic)
    assert (run.status, run.error, run.backend) == ("failed", "unavailable", "elasticsearch")
    assert run.funding["programs"]  # funding does not need the search engine
    client.force_login(business_owner)
    page = client.get(reverse("match_results", args=[diagnostic.pk])).content.decode()
    assert "The matching service did not answer" in page
    assert "Refresh the matches" in page
