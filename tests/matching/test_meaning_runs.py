"""Embeddings in the platform: the task that embeds profiles, match runs by meaning, fallbacks."""

import pytest
from django.urls import reverse

from diagnostics import services as diagnostic_services
from matching import embedding, search, services, tasks
from matching.engine.semantic import EmbedderUnavailable, HashingEmbedder, text_hash
from matching.models import ExpertiseProfile, MatchRun, PassageEmbedding
from tests.diagnostics.conftest import completed_draft

pytestmark = pytest.mark.django_db


def submit(business_owner, company, capture):
    with capture(execute=True):
        diagnostic = diagnostic_services.diagnostic_submit(
            actor=business_owner, diagnostic=completed_draft(business_owner, company)
        )
    return MatchRun.objects.get(diagnostic=diagnostic)


@pytest.fixture
def embedded(catalogue):
    """The catalogue with its passages embedded and indexed, as the task leaves it."""
    tasks.matching_index_rebuild()
    search.InProcessBackend.forget()


def test_the_task_embeds_each_passage_once_and_twice_is_once(catalogue, monkeypatch):
    calls = []
    original = HashingEmbedder.encode

    def counting(self, texts):
        calls.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(HashingEmbedder, "encode", counting)
    tasks.matching_index_rebuild()
    stored = PassageEmbedding.objects.count()
    assert stored > 415 and sum(calls) == stored
    assert set(PassageEmbedding.objects.values_list("model", flat=True)) == {"hashing-test@1"}
    calls.clear()
    tasks.matching_index_rebuild()
    services.expertise_load_catalogue()  # the catalogue loaded again: the same texts
    assert embedding.embed_passages(embedding.passages_of(search.engine_profiles())) == 0
    assert calls == [] and PassageEmbedding.objects.count() == stored


def test_an_edited_profile_embeds_only_its_new_passage_and_forgets_the_old(embedded):
    before = PassageEmbedding.objects.count()
    profile = ExpertiseProfile.objects.get(external_id="w1-001")
    old_title = profile.title
    profile.summary += " We now also run drone delivery trials for remote clinics."
    profile.title = "Digital health adoption centre"
    profile.save()
    tasks.matching_index_rebuild()
    assert PassageEmbedding.objects.count() == before + 1  # two new passages, one forgotten
    forgotten = text_hash(old_title)
    assert not PassageEmbedding.objects.filter(text_hash=forgotten).exists()


def test_a_run_ranks_by_meaning_and_quotes_the_profile(
    embedded, business_owner, company, django_capture_on_commit_callbacks, client
):
    run = submit(business_owner, company, django_capture_on_commit_callbacks)
    assert run.status == MatchRun.Status.DONE
    assert run.meaning_model == "hashing-test@1"
    quoted = [
        signal["detail"]["passages"]
        for match in run.matches[:10]
        for signal in match["signals"]
        if signal["name"] == "meaning" and signal["detail"]["passages"]
    ]
    assert quoted, "the top ten quote the passages closest to the challenge"
    client.force_login(business_owner)
    page = client.get(reverse("match_results", args=[run.diagnostic_id])).content.decode()
    assert "Close in meaning to your challenge. From the profile:" in page
    assert '<q lang="en">' in page
    assert "ranked by the meaning of your challenge" in page


def test_without_a_model_the_run_ranks_by_words_and_says_so(
    catalogue, settings, business_owner, company, django_capture_on_commit_callbacks, client
):
    settings.MATCHING_EMBEDDER = ""
    tasks.matching_index_rebuild()
    assert PassageEmbedding.objects.count() == 0
    run = submit(business_owner, company, django_capture_on_commit_callbacks)
    assert run.status == MatchRun.Status.DONE and run.meaning_model == ""
    assert run.meaning_unavailable
    assert all(s["name"] != "meaning" for m in run.matches for s in m["signals"])
    client.force_login(business_owner)
    page = client.get(reverse("match_results", args=[run.diagnostic_id])).content.decode()
    assert "the part of the engine that reads meaning was not available" in page


def test_a_failing_model_leaves_the_run_to_words_and_structure(
    embedded, monkeypatch, business_owner, company, django_capture_on_commit_callbacks
):
    def broken(self, texts):
        raise EmbedderUnavailable("weights unreadable")

    monkeypatch.setattr(HashingEmbedder, "encode", broken)
    run = submit(business_owner, company, django_capture_on_commit_callbacks)
    assert run.status == MatchRun.Status.DONE and run.meaning_model == ""
    assert run.meaning_unavailable
    assert len(run.matches) == services.MATCH_RUN_SIZE


def test_a_model_failing_while_embedding_profiles_still_builds_the_index(catalogue, monkeypatch):
    def broken(self, texts):
        raise EmbedderUnavailable("weights unreadable")

    monkeypatch.setattr(HashingEmbedder, "encode", broken)
    tasks.matching_index_rebuild()
    backend = search.InProcessBackend()
    assert backend.size() == 415 and backend.meaning_model() == ""


def test_an_index_built_with_another_model_ranks_without_meaning_until_rebuilt(
    embedded, settings, monkeypatch, caplog
):
    from matching.engine.types import Query

    backend = search.InProcessBackend()
    assert backend.meaning_model() == "hashing-test@1"

    class Other(HashingEmbedder):
        name = "other@2"

    monkeypatch.setitem(embedding.EMBEDDERS, "other", Other)
    settings.MATCHING_EMBEDDER = "other"
    matches = backend.rank(Query(text="machine vision inspection of parts"), limit=5)
    assert matches and all(s.name != "meaning" for m in matches for s in m.signals)
    assert "built with hashing-test@1, not other@2" in caplog.text
    tasks.matching_index_rebuild()  # embeds with the new model and rebuilds
    assert search.InProcessBackend().meaning_model() == "other@2"
    embedding._embedder.cache_clear()


def test_an_index_stored_in_another_format_is_rebuilt(catalogue):
    from matching.models import MatchingIndex

    MatchingIndex.objects.create(checksum="old", profile_count=1, data=b"not an index")
    assert search.InProcessBackend().size() == 415


def test_an_unknown_embedder_setting_is_a_clear_error(settings):
    from matching.apps import check_embedder

    settings.MATCHING_EMBEDDER = "bert"
    (error,) = check_embedder()
    assert error.id == "matching.E001" and "hashing" in error.hint
    settings.MATCHING_EMBEDDER = ""
    assert check_embedder() == []
