"""Reads of institution data, always scoped to the person asking."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ocip.accounts.invitations import hash_token, pending_filter

from . import workflow
from .explain import funding_view
from .models import (
    ExpertiseProfile,
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


def latest_match_run(*, user, diagnostic_id: int) -> MatchRun | None:
    return match_runs_for(user).filter(diagnostic_id=diagnostic_id).order_by("-sequence").first()


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


def run_funding(run: MatchRun, language: str) -> dict:
    """The run's funding assessment in the reader's words, as the results page shows it."""
    return funding_view(run.funding, run.diagnostic.questionnaire.content.by_id, language)


# --- Introduction requests -------------------------------------------------------------------


def office_institutions(user) -> QuerySet[Institution]:
    """Institutions whose research office `user` works in."""
    if not user.is_authenticated:
        return Institution.objects.none()
    return Institution.objects.filter(
        memberships__user=user, memberships__role=InstitutionMembership.Role.OFFICE_STAFF
    )


def requests_of_business(user) -> QuerySet[IntroductionRequest]:
    """The requests of the companies `user` speaks for."""
    from diagnostics.selectors import companies_of_member

    return IntroductionRequest.objects.filter(company__in=companies_of_member(user))


def requests_of_institution_side(user) -> QuerySet[IntroductionRequest]:
    """Requests addressed to the research offices `user` works in, and those assigned to them
    (while they belong to that institution)."""
    if not user.is_authenticated:
        return IntroductionRequest.objects.none()
    member_of = InstitutionMembership.objects.filter(user=user).values("institution")
    return IntroductionRequest.objects.filter(
        Q(institution__in=office_institutions(user))
        | Q(assigned_to=user, institution__in=member_of)
    )


def requests_visible_to(user) -> QuerySet[IntroductionRequest]:
    """Every request `user` may open: their company's, their institution's, or (platform
    staff, who handle escalations) all of them."""
    if not user.is_authenticated:
        return IntroductionRequest.objects.none()
    if user.is_platform_staff:
        return IntroductionRequest.objects.all()
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


def open_requests_by_profile(*, user, company_id: int) -> dict[str, int]:
    """{profile external id: request pk} of the company's open requests."""
    return dict(
        requests_of_business(user)
        .filter(company_id=company_id, status__in=workflow.OPEN, profile__isnull=False)
        .values_list("profile__external_id", "pk")
    )


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
