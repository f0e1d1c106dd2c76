"""The matching backends behind one interface, chosen by settings.

The in-process backend (default) ranks with `matching.engine` over an index that a Celery task
rebuilds when profiles change and stores in the database (`MatchingIndex`); every web and
worker process checks for a newer stored index every few seconds and loads it, so an edit
reaches every process's rankings without a restart. The same task first embeds the passages of
new or changed profiles (matching/embedding.py), so the index ranks by meaning too.

With ELASTICSEARCH_URL set, `matching.engine.es` indexes and ranks the profiles in Elasticsearch
instead (the same task rebuilds its index under an alias), with the same signals and reasons
except meaning: that backend ranks by words and structure.
"""

from __future__ import annotations

import hashlib
import threading
import time
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from . import embedding
from .engine.index import ProfileIndex
from .engine.ranking import rank
from .engine.types import Match, Profile, Query
from .models import ExpertiseProfile, Institution, MatchingIndex

KEEP_INDEXES = 3


def active_profiles():
    return ExpertiseProfile.objects.filter(is_active=True).select_related("institution")


def engine_profile(profile: ExpertiseProfile) -> Profile:
    return Profile(
        id=profile.external_id,
        institution=profile.institution.slug,
        institution_kind=profile.institution.kind,
        region=profile.institution.region,
        kind=profile.kind,
        name=profile.name,
        title=profile.title,
        summary=profile.summary,
        keywords=tuple(profile.keywords or ()),
        capability_areas=tuple(profile.capability_areas or ()),
        sectors=tuple(str(code) for code in profile.sectors or ()),
        trl_min=profile.trl_min,
        trl_max=profile.trl_max,
        rd_stages=tuple(profile.rd_stages or ()),
        innovation_types=tuple(profile.innovation_types or ()),
        equipment=tuple(profile.equipment or ()),
        accepts_students=profile.accepts_students,
        student_levels=tuple(profile.student_levels or ()),
        languages=tuple(profile.languages or ("en",)),
        capacity=profile.capacity,
        past_projects=tuple(profile.past_projects or ()),
    )


def profiles_checksum() -> str:
    """Changes whenever a profile (or an institution's kind or region) changes."""
    profiles = ExpertiseProfile.objects.filter(is_active=True).aggregate(
        count=Count("pk"), changed=Max("updated_at"), last=Max("pk")
    )
    institutions = Institution.objects.aggregate(changed=Max("updated_at"))
    raw = f"{profiles['count']}|{profiles['changed']}|{profiles['last']}|{institutions['changed']}"
    return hashlib.sha256(raw.encode()).hexdigest()


def index_rebuild(*, force: bool = False) -> None:
    """Embed what is new, then index the active profiles in the configured backend, unless its
    index is current (same profiles, nothing newly embedded)."""
    engine = backend()
    checksum = profiles_checksum()
    profiles = engine_profiles()
    passages = embedding.passages_of(profiles) if engine.ranks_by_meaning else None
    embedded = (
        embedding.embed_passages(passages, budget_seconds=settings.MATCHING_EMBED_SECONDS)
        if passages is not None
        else 0
    )
    if force or embedded or engine.checksum() != checksum:
        engine.rebuild(profiles, version=checksum)
        embedding.prune_embeddings(
            passages if passages is not None else embedding.passages_of(profiles)
        )


def engine_profiles() -> list[Profile]:
    return [engine_profile(profile) for profile in active_profiles()]


class Backend(Protocol):
    name: str
    ranks_by_meaning: bool

    def rank(self, query: Query, *, limit: int) -> list[Match]: ...

    def meaning_model(self) -> str:
        """The embedding model its index ranks by ("" when it ranks without meaning)."""
        ...

    def checksum(self) -> str:
        """The `profiles_checksum` of the profiles it ranks ("" before any index)."""
        ...

    def size(self) -> int: ...

    def rebuild(self, profiles: list[Profile], *, version: str) -> int:
        """Index `profiles` as version `version`; returns how many were indexed."""
        ...


class InProcessBackend:
    name = "in_process"
    ranks_by_meaning = True
    _lock = threading.Lock()
    _loaded: tuple[int, ProfileIndex] | None = None
    _checked_at = 0.0

    def index(self) -> ProfileIndex:
        cls = type(self)
        now = time.monotonic()
        wait = getattr(settings, "MATCHING_INDEX_CHECK_SECONDS", 5)
        if cls._loaded is not None and now - cls._checked_at < wait:
            return cls._loaded[1]
        with cls._lock:
            latest = MatchingIndex.objects.values_list("pk", flat=True).first()
            if latest is None:  # the first request of a new deployment
                self.rebuild(engine_profiles(), version=profiles_checksum())
                return cls._loaded[1]  # type: ignore[index]
            if cls._loaded is None or cls._loaded[0] != latest:
                blob = MatchingIndex.objects.values_list("data", flat=True).get(pk=latest)
                try:
                    cls._loaded = (latest, ProfileIndex.from_bytes(bytes(blob)))
                except ValueError:  # stored by a release with another format
                    self.rebuild(engine_profiles(), version=profiles_checksum())
                    return cls._loaded[1]  # type: ignore[index]
            cls._checked_at = now
            return cls._loaded[1]

    @classmethod
    def forget(cls) -> None:
        """Drop this process's copy (tests, and after a rebuild in this process)."""
        cls._loaded = None
        cls._checked_at = 0.0

    def rank(self, query: Query, *, limit: int) -> list[Match]:
        index = self.index()
        vector = (
            embedding.challenge_vector(query.text, index.meaning.model) if index.meaning else None
        )
        return rank(index, query, limit=limit, query_vector=vector)

    def meaning_model(self) -> str:
        meaning = self.index().meaning
        return meaning.model if meaning is not None else ""

    def checksum(self) -> str:
        return self.index().version

    def size(self) -> int:
        return len(self.index())

    def rebuild(self, profiles: list[Profile], *, version: str) -> int:
        """Build and store the index; this process uses it at once, the others within
        MATCHING_INDEX_CHECK_SECONDS."""
        # Only vectors already stored: a request that builds the first index embeds nothing.
        index = ProfileIndex.build(profiles, version=version)
        index.with_meaning(embedding.meaning_index(profiles))
        with transaction.atomic():
            stored = MatchingIndex.objects.create(
                checksum=version, profile_count=len(profiles), data=index.to_bytes()
            )
            old = MatchingIndex.objects.values_list("pk", flat=True)[KEEP_INDEXES:]
            MatchingIndex.objects.filter(pk__in=list(old)).delete()
        cls = type(self)
        cls._loaded, cls._checked_at = (stored.pk, index), time.monotonic()
        return len(profiles)


@cache
def _elasticsearch_backend(url: str, index_name: str) -> Backend:
    from elasticsearch import Elasticsearch

    from .engine.es import ElasticsearchBackend

    client = Elasticsearch(url, request_timeout=settings.MATCHING_ELASTICSEARCH_TIMEOUT)
    return ElasticsearchBackend(client, index_name)


def backend() -> Backend:
    """Elasticsearch when ELASTICSEARCH_URL is set, the in-process index otherwise."""
    if settings.ELASTICSEARCH_URL:
        return _elasticsearch_backend(
            settings.ELASTICSEARCH_URL, settings.MATCHING_ELASTICSEARCH_INDEX
        )
    return InProcessBackend()
