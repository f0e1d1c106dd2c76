"""Reads of institution data, always scoped to the person asking."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection, connections
from django.db.models import Func, IntegerField, JSONField, Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils.translation import get_language

from ocip.accounts.invitations import hash_token, pending_filter

from . import workflow
from .explain import funding_view
from .models import (
    ExpertiseProfile,
    FundingProgram,
    Institution,
    InstitutionInvitation,
    InstitutionMembership,
    IntroductionRequest,
    MatchRun,
    RequestEvent,
    RequestNote,
)


def institutions_for(user) -> QuerySet[Institution]:
    """Institutions whose profile and people `user` may see: their own, or all for staff."""
    if not user.is_authenticated:
        return Institution.objects.none()
    if user.is_platform_staff:
        return Institution.objects.all()
    return Institution.objects.filter(memberships__user=user).distinct()


def institution_membership(*, user, institution: Institution) -> InstitutionMembership | None:
    if not user.is_authenticated:
        return None
    return InstitutionMembership.objects.filter(user=user, institution=institution).first()


def memberships_of(user) -> QuerySet[InstitutionMembership]:
    if not user.is_authenticated:
        return InstitutionMembership.objects.none()
    return InstitutionMembership.objects.filter(user=user).select_related("institution")


def user_is_office_staff(user) -> bool:
    """True for research-office staff of any institution (a role that requires MFA)."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_ocip_is_office_staff", None)
    if cached is None:
        cached = InstitutionMembership.objects.filter(
            user=user, role=InstitutionMembership.Role.OFFICE_STAFF
        ).exists()
        user._ocip_is_office_staff = cached
    return cached


def can_manage_institution(*, user, institution: Institution) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_platform_staff:
        return True
    return InstitutionMembership.objects.filter(
        user=user, institution=institution, role=InstitutionMembership.Role.OFFICE_STAFF
    ).exists()


def institution_members(*, user, institution: Institution) -> QuerySet[InstitutionMembership]:
    """The people of an institution: for its research office and platform staff only."""
    if not can_manage_institution(user=user, institution=institution):
        return InstitutionMembership.objects.none()
    return InstitutionMembership.objects.filter(institution=institution).select_related("user")


def institution_open_invitations(
    *, user, institution: Institution
) -> QuerySet[InstitutionInvitation]:
    if not can_manage_institution(user=user, institution=institution):
        return InstitutionInvitation.objects.none()
    return (
        InstitutionInvitation.objects.filter(institution=institution)
        .filter(pending_filter())
        .select_related("invited_by")
    )


def institution_invitation_by_token(token: str) -> InstitutionInvitation | None:
    return (
        InstitutionInvitation.objects.select_related("institution", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def can_edit_expertise(*, user, institution: Institution, profile=None) -> bool:
    """Platform staff; the institution's research office; a researcher for their own profile
    (and to add profiles of their own institution)."""
    if not user.is_authenticated:
        return False
    if can_manage_institution(user=user, institution=institution):
        return True
    is_researcher = InstitutionMembership.objects.filter(
        user=user, institution=institution, role=InstitutionMembership.Role.RESEARCHER
    ).exists()
    if profile is None:
        return is_researcher
    return is_researcher and profile.owner_id == user.pk


def expertise_editable_by(user) -> QuerySet[ExpertiseProfile]:
    """The profiles `user` may edit."""
    if not user.is_authenticated:
        return ExpertiseProfile.objects.none()
    if user.is_platform_staff:
        return ExpertiseProfile.objects.all()
    offices = InstitutionMembership.objects.filter(
        user=user, role=InstitutionMembership.Role.OFFICE_STAFF
    ).values("institution")
    return ExpertiseProfile.objects.filter(
        Q(institution__in=offices)
        | Q(
            owner=user,
            institution__memberships__user=user,
            institution__memberships__role=InstitutionMembership.Role.RESEARCHER,
        )
    ).distinct()


def expertise_profile_visible(external_id: str) -> ExpertiseProfile | None:
    """Active profiles are public to signed-in users: they are what the platform matches on."""
    return (
        ExpertiseProfile.objects.filter(external_id=external_id, is_active=True)
        .select_related("institution")
        .first()
    )


def match_runs_for(user) -> QuerySet[MatchRun]:
    """Match runs of the diagnostics `user` may see (their companies' own)."""
    from diagnostics.selectors import diagnostics_for

    return MatchRun.objects.filter(diagnostic__in=diagnostics_for(user))


# A run's stored snapshot: its matches (~150 KB of JSON), funding assessment and query. Pages
# that show a part of it defer these and read what they show (RunMatches, run_funding).
RUN_SNAPSHOT = ("matches", "funding", "query")


def latest_match_run(*, user, diagnostic_id: int, snapshot: bool = True) -> MatchRun | None:
    """The diagnostic's latest run; with snapshot=False, its matches, funding and query are
    read from the database only if used (RunMatches and run_funding need not)."""
    runs = match_runs_for(user).filter(diagnostic_id=diagnostic_id).order_by("-sequence")
    return (runs if snapshot else runs.defer(*RUN_SNAPSHOT)).first()


MATCHES_PER_PAGE = 10  # on the results page and in the API


def run_matches(run: MatchRun, *, kinds=(), regions=(), languages=()) -> list[dict]:
    """The run's matches, best first, each with its `rank` in the whole run, less those the
    filters leave out (an empty filter keeps everything): what the results page lists and the
    API pages through."""
    return [
        {**match, "rank": position}
        for position, match in enumerate(run.matches, start=1)
        if (not kinds or match["institution_kind"] in kinds)
        and (not regions or match["region"] in regions)
        and (not languages or set(languages) & set(match["languages"]))
    ]


class _JSONArrayLength(Func):
    """How many elements a JSON array column holds, counted by the database."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


class _JSONArraySlice(Func):
    """Elements [start, stop) of a JSON array column as one JSON array: the database reads them
    out of the stored array, so only they travel and are decoded."""

    output_field = JSONField()

    def __init__(self, expression: str, start: int, stop: int) -> None:
        super().__init__(expression)
        self.start, self.stop = start, stop

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        # JSON_ARRAY keeps each extracted object as JSON; one past the end is a null.
        paths = ", ".join(f"JSON_EXTRACT({column}, %s)" for _ in range(self.start, self.stop))
        paths_params = [(*params, f"$[{index}]") for index in range(self.start, self.stop)]
        return f"JSON_ARRAY({paths})", [value for pair in paths_params for value in pair]

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        path = f"$[{self.start} to {self.stop - 1}]"
        return f"JSONB_PATH_QUERY_ARRAY({column}, %s::jsonpath)", [*params, path]


class RunMatches:
    """What `run_matches` lists, read a page at a time, for Paginator.

    Without filters, the count and each page's matches are read out of the stored array by the
    database, not by loading and decoding the run's whole snapshot; with filters (or when the
    run's matches are loaded already, or on another database), it is `run_matches`.
    """

    def __init__(self, run: MatchRun, *, kinds=(), regions=(), languages=()) -> None:
        self.run = run
        self.criteria = {"kinds": kinds, "regions": regions, "languages": languages}
        self._listed: list[dict] | None = None
        self._count: int | None = None

    def _in_database(self) -> bool:
        return (
            not any(self.criteria.values())
            and "matches" in self.run.get_deferred_fields()
            and connection.vendor in ("sqlite", "postgresql")
        )

    def _all(self) -> list[dict]:
        if self._listed is None:
            self._listed = run_matches(self.run, **self.criteria)
        return self._listed

    def count(self) -> int:
        if not self._in_database():
            return len(self._all())
        if self._count is None:
            self._count = (
                MatchRun.objects.filter(pk=self.run.pk)
                .values_list(_JSONArrayLength("matches"), flat=True)
                .get()
            ) or 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1) or not self._in_database():
            return self._all()[index]
        start, stop = index.start or 0, index.stop
        if start < 0 or stop is None or stop < 0:
            start, stop, _step = index.indices(self.count())
        if start >= stop:
            return []
        # The slice and the count in one query; past the end, the slice holds nulls.
        elements, self._count = (
            MatchRun.objects.filter(pk=self.run.pk)
            .values_list(_JSONArraySlice("matches", start, stop), _JSONArrayLength("matches"))
            .get()
        )
        return [
            {**match, "rank": position}
            for position, match in enumerate(elements or [], start=start + 1)
            if match is not None
        ]


def run_match_list(run: MatchRun, *, kinds=(), regions=(), languages=()) -> RunMatches:
    """The run's matches as `run_matches` lists them, read a page at a time (see RunMatches):
    pass a run whose snapshot is deferred."""
    return RunMatches(run, kinds=kinds, regions=regions, languages=languages)


class _DerivedCache:
    """A small per-process LRU of what pages derive from immutable rows (a run's snapshot is
    never changed once written). Keys must name everything the value depends on."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value


_funding_views = _DerivedCache(size=64)


def run_funding(run: MatchRun, language: str) -> dict:
    """The run's funding assessment in the reader's words, as the results page shows it, with
    each program's and funding partner's names in the reader's language (from the programs).

    Kept per process for the run, the language and the programs' names, so a page reads neither
    the run's stored assessment nor its questionnaire again; the result is shared: read it only.
    """
    names = {
        program.slug: (program.name_in(language), program.partner_in(language))
        for program in FundingProgram.objects.only(
            "slug", "name", "name_fr", "partner", "partner_fr"
        )
    }
    # The run's key and date: a key reused by another row (rolled back on SQLite) misses.
    key = (run.pk, run.created_at, language, get_language(), tuple(sorted(names.items())))

    def assess() -> dict:
        return funding_view(
            run.funding,
            run.diagnostic.questionnaire.content.by_id,
            language,
            names_in_language=names,
        )

    return _funding_views.get(key, assess)


# --- Introduction requests -------------------------------------------------------------------


def office_institutions(user) -> QuerySet[Institution]:
    """Institutions whose research office `user` works in."""
    if not user.is_authenticated:
        return Institution.objects.none()
    return Institution.objects.filter(
        memberships__user=user, memberships__role=InstitutionMembership.Role.OFFICE_STAFF
    )


class KeysFirstQuerySet(QuerySet):
    """On SQLite, a page of rows is found by its primary keys first, then read.

    Lists sort every visible request to show 25. SQLite's sorter builds the whole output row
    (about 70 columns with the company, institution and profile joined) for every candidate,
    so a slice sorts the keys alone and then reads the rows of the slice, in the same order
    (with 5,000 requests, 5 ms instead of 18). PostgreSQL keeps only the best rows of a sort
    with a limit and is faster in one query. A slice of one row (`first()`) or of a values
    query is taken as usual.
    """

    def __getitem__(self, index):
        if (
            connections[self.db].vendor == "sqlite"
            and isinstance(index, slice)
            and index.step is None
            and index.stop is not None
            and index.stop - (index.start or 0) > 1
            and self._result_cache is None
            and self._iterable_class is ModelIterable
            and not self.query.is_sliced
            and not self.query.combinator
        ):
            keys = list(self.values_list("pk", flat=True)[index])
            return self.filter(pk__in=keys)
        return super().__getitem__(index)


def _requests() -> KeysFirstQuerySet:
    return KeysFirstQuerySet(model=IntroductionRequest)


def requests_of_business(user) -> QuerySet[IntroductionRequest]:
    """The requests of the companies `user` speaks for."""
    from diagnostics.selectors import companies_of_member

    return _requests().filter(company__in=companies_of_member(user))


def requests_of_institution_side(user) -> QuerySet[IntroductionRequest]:
    """Requests addressed to the research offices `user` works in, and those assigned to them
    (while they belong to that institution)."""
    if not user.is_authenticated:
        return _requests().none()
    member_of = InstitutionMembership.objects.filter(user=user).values("institution")
    return _requests().filter(
        Q(institution__in=office_institutions(user))
        | Q(assigned_to=user, institution__in=member_of)
    )


def requests_visible_to(user) -> QuerySet[IntroductionRequest]:
    """Every request `user` may open: their company's, their institution's, or (platform
    staff, who handle escalations) all of them."""
    if not user.is_authenticated:
        return _requests().none()
    if user.is_platform_staff:
        return _requests().all()
    # Both sides filter by subqueries, not joins, so no request comes twice: no DISTINCT,
    # which would sort every visible request on all its columns before a page is taken.
    return requests_of_business(user) | requests_of_institution_side(user)


def request_sides(*, user, request: IntroductionRequest) -> set[str]:
    """Which sides `user` is on for this request: 'business', 'office' (may act),
    'institution' (office or assigned person: sees internal notes), 'platform'."""
    sides: set[str] = set()
    if not user.is_authenticated:
        return sides
    if requests_of_business(user).filter(pk=request.pk).exists():
        sides.add("business")
    if office_institutions(user).filter(pk=request.institution_id).exists():
        sides |= {"office", "institution"}
    elif requests_of_institution_side(user).filter(pk=request.pk).exists():
        sides.add("institution")
    if user.is_platform_staff:
        sides.add("platform")
    return sides


def request_events_for(*, user, request: IntroductionRequest) -> list[RequestEvent]:
    """The timeline: the business sees public events only."""
    events = list(request.events.select_related("actor"))
    if "institution" in request_sides(user=user, request=request) or user.is_platform_staff:
        return events
    return [event for event in events if event.is_public]


def request_notes_for(*, user, request: IntroductionRequest) -> QuerySet[RequestNote]:
    """Internal notes: for the institution's own people only (never the business, never
    another institution, not even one the request was referred to or from)."""
    if "institution" not in request_sides(user=user, request=request):
        return RequestNote.objects.none()
    return request.notes.select_related("author")


def request_chain(request: IntroductionRequest) -> list[IntroductionRequest]:
    """The referral chain this request belongs to, first request first."""
    first = request
    seen = {first.pk}
    while first.referred_from_id and first.referred_from_id not in seen:
        first = IntroductionRequest.objects.select_related("institution", "profile").get(
            pk=first.referred_from_id
        )
        seen.add(first.pk)
    chain = [first]
    while True:
        following = (
            IntroductionRequest.objects.select_related("institution", "profile")
            .filter(referred_from=chain[-1])
            .first()
        )
        if following is None or following.pk in {r.pk for r in chain}:
            return chain
        chain.append(following)


def request_chain_for(*, user, request: IntroductionRequest) -> list[IntroductionRequest]:
    """The referral chain as `user` may see it. A link they cannot open (another institution's
    request) is marked `hidden` and shows its institution only: never its status or notes."""
    chain = request_chain(request)
    visible = set(
        requests_visible_to(user)
        .filter(pk__in=[link.pk for link in chain])
        .values_list("pk", flat=True)
    )
    for link in chain:
        link.hidden = link.pk not in visible  # type: ignore[attr-defined]
    return chain


def assignable_people(institution: Institution) -> QuerySet:
    """Who a request of `institution` may be assigned to: its researchers and office staff."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            institution_memberships__institution=institution,
            institution_memberships__role__in=[
                InstitutionMembership.Role.RESEARCHER,
                InstitutionMembership.Role.OFFICE_STAFF,
            ],
        )
        .order_by("first_name", "last_name", "email")
    )


def office_staff_of(institution: Institution) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True,
        institution_memberships__institution=institution,
        institution_memberships__role=InstitutionMembership.Role.OFFICE_STAFF,
    )


def open_requests_by_profile(*, user, company_id: int, profiles=None) -> dict[str, int]:
    """{profile external id: request pk} of the company's open requests (to `profiles` only,
    external ids, when given: a page of matches needs its own)."""
    requests = requests_of_business(user).filter(
        company_id=company_id, status__in=workflow.OPEN, profile__isnull=False
    )
    if profiles is not None:
        requests = requests.filter(profile__external_id__in=list(profiles))
    return dict(requests.order_by().values_list("profile__external_id", "pk"))


def requestable_matches(*, user, run: MatchRun) -> list[dict]:
    """The run's matches the company has no open request for and that still take requests
    (request_create refuses the others), best first."""
    if not match_runs_for(user).filter(pk=run.pk).exists() or run.status != MatchRun.Status.DONE:
        return []
    open_profiles = set(
        IntroductionRequest.objects.filter(
            company_id=run.diagnostic.company_id,
            status__in=IntroductionRequest.OPEN_STATUSES,
            profile__isnull=False,
        ).values_list("profile__external_id", flat=True)
    )
    active = _active_profile_ids(run)
    return [
        match
        for match in run.matches
        if match["profile"] in active and match["profile"] not in open_profiles
    ]


def _active_profile_ids(run: MatchRun) -> set[str]:
    return set(
        ExpertiseProfile.objects.filter(
            external_id__in=[match["profile"] for match in run.matches], is_active=True
        ).values_list("external_id", flat=True)
    )


def next_best_matches(request: IntroductionRequest, *, limit: int = 3) -> list[dict]:
    """After a decline: the best matches of the same run at institutions that neither declined
    this company nor have one of its requests open, at profiles it never asked, so no request
    ends without somewhere to go next."""
    if request.match_run is None or request.match_run.status != MatchRun.Status.DONE:
        return []
    asked = IntroductionRequest.objects.filter(company_id=request.company_id)
    asked_profiles = set(
        asked.filter(profile__isnull=False).values_list("profile__external_id", flat=True)
    )
    declined_or_open = set(
        asked.filter(
            status__in=[IntroductionRequest.Status.DECLINED, *IntroductionRequest.OPEN_STATUSES]
        ).values_list("institution__slug", flat=True)
    )
    active = _active_profile_ids(request.match_run)
    suggestions = [
        match
        for match in request.match_run.matches
        if match["profile"] in active
        and match["profile"] not in asked_profiles
        and match["institution"] not in declined_or_open
    ]
    return suggestions[:limit]


# --- Public funding guide ----------------------------------------------------------------------


def public_funding_programs() -> QuerySet[FundingProgram]:
    """The programs the public funding guide shows: active ones only (a "verify" program's
    intake must be checked before anyone recommends it; an inactive one is never recommended)."""
    return FundingProgram.objects.filter(status=FundingProgram.Status.ACTIVE).order_by(
        "category", "name", "slug"
    )


def public_funding_program(slug: str) -> FundingProgram | None:
    """One program of the public funding guide, or None when unknown or not active."""
    return public_funding_programs().filter(slug=slug).first()


# --- Public expertise directory ------------------------------------------------------------------


def public_expertise_profiles() -> QuerySet[ExpertiseProfile]:
    """What anyone may see without an account: profiles their office marks public and that are
    shown in matches. The directory, its pages, the sitemap and site search all read this."""
    return ExpertiseProfile.objects.filter(public=True, is_active=True)


def public_expertise_profile(external_id: str) -> ExpertiseProfile | None:
    return (
        public_expertise_profiles()
        .filter(external_id=external_id)
        .select_related("institution")
        .first()
    )


def public_institutions() -> QuerySet[Institution]:
    """Every member institution has a public page (its profiles may all be private)."""
    return Institution.objects.all()
