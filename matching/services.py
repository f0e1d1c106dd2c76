"""Writes to institutions and their members. Research-office and platform staff need MFA."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from wagtail.search.backends import get_search_backends
from wagtail.search.signal_handlers import post_save_signal_handler as search_post_save

from ocip.accounts import invitations
from ocip.accounts.mfa import require_mfa
from ocip.errors import Conflict
from ocip.notifications.services import notify

from . import workflow
from .business_days import business_days_between
from .catalogue import read_expertise, read_funding_programs, read_institutions
from .engine.types import SearchUnavailable
from .models import (
    ExpertiseProfile,
    FundingProgram,
    Institution,
    InstitutionInvitation,
    InstitutionMembership,
    IntroductionRequest,
    MatchRun,
    RequestEvent,
    RequestMessage,
    RequestNote,
)
from .selectors import (
    assignable_people,
    can_edit_expertise,
    can_manage_institution,
    match_runs_for,
    office_staff_of,
    request_sides,
)

logger = logging.getLogger(__name__)

INSTITUTION_PROFILE_FIELDS = (
    "name_fr",
    "website",
    "research_office_email",
    "description",
    "description_fr",
    "languages",
)


def _require_manager(actor, institution: Institution) -> None:
    """Research-office staff of this institution, or platform staff; both with MFA."""
    if not can_manage_institution(user=actor, institution=institution):
        raise PermissionDenied(_("Only this institution's research office can do this."))
    require_mfa(actor)


@transaction.atomic
def institution_update(*, actor, institution: Institution, **changes) -> Institution:
    _require_manager(actor, institution)
    unknown = set(changes) - set(INSTITUTION_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not institution profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(institution, field, value)
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def institution_invitation_create(
    *, actor, institution: Institution, email: str, role: str, language: str
) -> InstitutionInvitation:
    _require_manager(actor, institution)
    if role not in InstitutionMembership.Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if InstitutionMembership.objects.filter(
        institution=institution, user__email__iexact=email
    ).exists():
        raise ValidationError({"email": _("This person is already a member of the institution.")})
    invitation, token = invitations.issue(
        InstitutionInvitation,
        email=email,
        invited_by=actor,
        language=language,
        institution=institution,
        role=role,
    )
    invitations.send_invitation_email(
        invitation=invitation,
        token=token,
        organization_name=institution.name,
        role_label=invitation.role_label(),
    )
    return invitation


@transaction.atomic
def institution_invitation_revoke(*, actor, invitation: InstitutionInvitation) -> None:
    _require_manager(actor, invitation.institution)
    invitations.revoke(invitation)


@transaction.atomic
def institution_invitation_accept(
    *, user, invitation: InstitutionInvitation
) -> InstitutionMembership:
    invitations.check_usable(invitation, user)
    invitations.claim(invitation, user)
    membership, created = InstitutionMembership.objects.get_or_create(
        institution=invitation.institution, user=user, defaults={"role": invitation.role}
    )
    if not created and membership.role != invitation.role:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def institution_member_remove(*, actor, membership: InstitutionMembership) -> None:
    _require_manager(actor, membership.institution)
    if membership.role == InstitutionMembership.Role.OFFICE_STAFF:
        office = InstitutionMembership.objects.select_for_update().filter(
            institution=membership.institution, role=InstitutionMembership.Role.OFFICE_STAFF
        )
        if len(list(office)) <= 1:
            raise ValidationError(_("An institution keeps at least one research-office member."))
    membership.delete()


@transaction.atomic
def institutions_load_catalogue() -> int:
    """Create or update every institution of the shipped list, keyed by slug."""
    rows = read_institutions()
    for row in rows:
        fields = {name: row[name] for name in ("name", "kind", "city", "region", "languages")}
        if row["name_fr"]:  # a French name an office gave keeps, where the data has none
            fields["name_fr"] = row["name_fr"]
        Institution.objects.update_or_create(slug=row["slug"], defaults=fields)
    return len(rows)


# --- Expertise profiles and funding programs ------------------------------------------------


def _index_changed() -> None:
    """Rebuild the matching index once the change is committed (a no-op if current)."""
    from .tasks import matching_index_rebuild

    transaction.on_commit(matching_index_rebuild.delay)


@transaction.atomic
def expertise_load_catalogue() -> int:
    """Create or update every profile of the shipped expertise.jsonl, keyed by its id."""
    institutions = {institution.slug: institution for institution in Institution.objects.all()}
    rows = read_expertise()
    saved = []
    with _site_search_in_bulk(ExpertiseProfile):
        for row in rows:
            fields = {
                name: row.get(name) for name in ExpertiseProfile.EDITABLE_FIELDS if name in row
            }
            fields["text_language"] = "fr" if row.get("languages") == ["fr"] else "en"
            profile, _created = ExpertiseProfile.objects.update_or_create(
                external_id=row["id"],
                defaults={**fields, "institution": institutions[row["institution"]]},
            )
            saved.append(profile)
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(ExpertiseProfile, saved)
    _index_changed()
    return len(rows)


@contextmanager
def _site_search_in_bulk(model):
    """Site search indexes each saved object on its own (15 ms each on PostgreSQL); a load
    indexes them all at once instead (the caller adds them in bulk)."""
    post_save.disconnect(search_post_save, sender=model)
    try:
        yield
    finally:
        post_save.connect(search_post_save, sender=model)


@transaction.atomic
def funding_programs_load_catalogue() -> int:
    rows = read_funding_programs()
    for row in rows:
        FundingProgram.objects.update_or_create(
            slug=row["slug"],
            defaults={
                name: (str(row[name]) if name == "last_verified" else row[name])
                for name in FundingProgram.RULE_FIELDS
                if name in row and name != "slug"
            },
        )
    return len(rows)


def _require_profile_editor(actor, *, institution: Institution, profile=None) -> None:
    if not can_edit_expertise(user=actor, institution=institution, profile=profile):
        raise PermissionDenied(_("You cannot edit this expertise profile."))
    if actor.is_platform_staff or can_manage_institution(user=actor, institution=institution):
        require_mfa(actor)


def _save_profile(profile: ExpertiseProfile, changes: dict) -> ExpertiseProfile:
    unknown = set(changes) - set(ExpertiseProfile.EDITABLE_FIELDS) - {"owner"}
    if unknown:
        raise ValueError(f"Not expertise profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    _index_changed()
    return profile


@transaction.atomic
def expertise_profile_create(*, actor, institution: Institution, **fields) -> ExpertiseProfile:
    _require_profile_editor(actor, institution=institution)
    profile = ExpertiseProfile(
        institution=institution, external_id=f"{institution.slug[:20]}-{uuid.uuid4().hex[:8]}"
    )
    if not actor.is_platform_staff and not can_manage_institution(
        user=actor, institution=institution
    ):
        fields["owner"] = actor  # a researcher's own profile
    return _save_profile(profile, fields)


@transaction.atomic
def expertise_profile_update(*, actor, profile: ExpertiseProfile, **changes) -> ExpertiseProfile:
    profile = ExpertiseProfile.objects.select_for_update().get(pk=profile.pk)
    _require_profile_editor(actor, institution=profile.institution, profile=profile)
    return _save_profile(profile, changes)


# --- Match runs ----------------------------------------------------------------------------

MATCH_RUN_SIZE = 100  # kept per run, so that filters and "more" work on the snapshot
MAX_QUERY_CHARS = 20_000


class MatchRunConflict(Conflict):
    """These matches were refreshed already."""


def _match_snapshot(match, profiles: dict[str, ExpertiseProfile]) -> dict | None:
    profile = profiles.get(match.profile_id)
    if profile is None:  # removed between indexing and now
        return None
    return {
        "profile": profile.external_id,
        "name": profile.name,
        "title": profile.title,
        "text_language": profile.text_language,
        "kind": profile.kind,
        "institution": profile.institution.slug,
        "institution_name": profile.institution.name,
        "institution_kind": profile.institution.kind,
        "region": profile.institution.region,
        "languages": list(profile.languages or []),
        "score": match.score,
        "signals": [
            {
                "name": signal.name,
                "value": signal.value,
                "weight": signal.weight,
                "detail": signal.detail,
            }
            for signal in match.signals
        ],
    }


def _compute_run(diagnostic) -> dict:
    """The fields of a match run: results, or a failure code the page explains."""
    from diagnostics.text import words

    from .engine.funding import assess_programs
    from .engine.needs import query_from_needs
    from .search import backend

    needs = diagnostic.needs_profile.data
    query = query_from_needs(needs)
    query = dataclasses.replace(query, text=query.text[:MAX_QUERY_CHARS])
    engine = backend()
    fields: dict = {
        "backend": engine.name,
        "query": dataclasses.asdict(query),
        "funding": assess_programs(
            [program.as_rules() for program in FundingProgram.objects.all()],
            needs.get("facts", {}),
            capability_areas=[area["slug"] for area in needs.get("capability_areas", [])],
        ).to_dict(),
    }
    if not words(query.text):
        return fields | {"status": MatchRun.Status.FAILED, "error": "no_text"}
    try:
        fields |= {"index_checksum": engine.checksum(), "profile_count": engine.size()}
        if not fields["profile_count"]:
            return fields | {"status": MatchRun.Status.FAILED, "error": "no_profiles"}
        matches = engine.rank(query, limit=MATCH_RUN_SIZE)
        if any(signal.name == "meaning" for match in matches for signal in match.signals):
            fields["meaning_model"] = engine.meaning_model()
        else:
            fields["meaning_unavailable"] = engine.ranks_by_meaning
    except SearchUnavailable:
        logger.exception("Matching backend %s did not answer", engine.name)
        return fields | {"status": MatchRun.Status.FAILED, "error": "unavailable"}
    profiles = ExpertiseProfile.objects.select_related("institution").in_bulk(
        [match.profile_id for match in matches], field_name="external_id"
    )
    snapshot = [s for s in (_match_snapshot(m, profiles) for m in matches) if s is not None]
    if not snapshot:
        return fields | {"status": MatchRun.Status.FAILED, "error": "no_matches"}
    return fields | {"status": MatchRun.Status.DONE, "matches": snapshot}


def match_run_for_diagnostic(*, diagnostic_id: int) -> MatchRun | None:
    """The diagnostic's first match run, made if missing: running this twice makes one run."""
    from diagnostics.models import Diagnostic

    diagnostic = Diagnostic.objects.filter(pk=diagnostic_id, status="submitted").first()
    if diagnostic is None:
        return None
    existing = diagnostic.match_runs.order_by("sequence").first()
    if existing:
        return existing
    fields = _compute_run(diagnostic)
    try:
        with transaction.atomic():
            return MatchRun.objects.create(diagnostic=diagnostic, sequence=1, **fields)
    except IntegrityError:  # a concurrent run of the same task won
        return diagnostic.match_runs.get(sequence=1)


def match_run_is_stale(run: MatchRun) -> bool:
    """True when profiles changed since the run (or it failed), so a refresh may differ."""
    from .search import profiles_checksum

    return run.status == MatchRun.Status.FAILED or run.index_checksum != profiles_checksum()


def match_run_refresh(*, actor, run: MatchRun) -> MatchRun:
    """A new snapshot for the same diagnostic; the older runs stay for the record."""
    if not match_runs_for(actor).filter(pk=run.pk).exists():
        raise PermissionDenied(_("You cannot refresh these matches."))
    latest = run.diagnostic.match_runs.order_by("-sequence").first()
    if latest is not None and latest.pk != run.pk:
        raise MatchRunConflict(_("These matches were already refreshed."))
    if not match_run_is_stale(run):
        return run
    fields = _compute_run(run.diagnostic)
    try:
        with transaction.atomic():
            return MatchRun.objects.create(
                diagnostic=run.diagnostic,
                sequence=run.sequence + 1,
                requested_by=actor,
                **fields,
            )
    except IntegrityError as error:
        raise MatchRunConflict(_("These matches were already refreshed.")) from error


# --- Introduction requests and their review --------------------------------------------------
#
# Each transition: permission check, then one conditional UPDATE on (pk, status, version), an
# audit event and the notifications, all in one transaction. Notifications are emailed by a
# task after commit, once each.

MAX_PROFILES_PER_REQUEST = 5


class RequestConflict(Conflict):
    """The request is not (or no longer) in a state that allows this action."""


class RequestChanged(RequestConflict):
    """Someone else changed the request since the person acting last saw it."""


def require_request_action(actor, request: IntroductionRequest, action: str) -> set[str]:
    """Refuse `actor` unless they are on a side of the request that may take `action`
    (workflow.ACTORS; sides as in selectors.request_sides). Research-office staff acting for
    the institution need two factors. Whether the state allows it is checked by the caller
    after the version (`_move`, `_require_state`), so a stale page hears what changed.
    Returns the actor's sides."""
    sides = request_sides(user=actor, request=request)
    allowed = workflow.ACTORS[action]
    acting = sides & allowed
    if not acting:
        if "business" in allowed and "institution" in allowed:
            refusal = _("Only the company and the institution's people can do this.")
        elif "office" in allowed:
            refusal = _("Only the research office of %(institution)s can do this.") % {
                "institution": request.institution.name
            }
        elif "business" in allowed:
            refusal = _("Only the company that made this request can do this.")
        else:
            refusal = _("Only the institution's own people can do this on a request.")
        raise PermissionDenied(refusal)
    if "office" in sides and "business" not in acting:
        require_mfa(actor)
    return sides


def _require_state(request: IntroductionRequest, action: str) -> None:
    if not workflow.state_allows(action, request.status):
        raise RequestConflict(_refusal(action) % {"status": _status_label(request.status)})


def _status_label(status: str) -> str:
    return str(IntroductionRequest.Status(status).label)


def _move(
    request: IntroductionRequest,
    action: str,
    *,
    actor,
    expected_version: int | None,
    event_kind: str,
    note: str = "",
    **fields,
) -> RequestEvent:
    """Apply `action` to `request` if it is still in the state (and version) the actor saw."""
    if expected_version is not None and expected_version != request.version:
        raise RequestChanged(_changed_message(request))
    _require_state(request, action)
    target = workflow.next_status(action, request.status)
    assert target is not None  # _require_state checked the table
    now = timezone.now()
    updates = {"status": target, "version": F("version") + 1, "updated_at": now, **fields}
    if action in workflow.RESPONSES:
        updates["first_response_at"] = Coalesce(F("first_response_at"), Value(now))
    if target in workflow.CLOSED:
        updates["closed_at"] = now
    moved = IntroductionRequest.objects.filter(
        pk=request.pk, status=request.status, version=request.version
    ).update(**updates)
    if moved != 1:
        request.refresh_from_db()
        raise RequestChanged(_changed_message(request))
    event = RequestEvent.objects.create(
        request=request,
        kind=event_kind,
        actor=actor,
        from_status=request.status,
        to_status=target,
        note=note,
    )
    request.refresh_from_db()
    return event


def _record(request: IntroductionRequest, kind: str, *, actor=None, note: str = "") -> RequestEvent:
    """An event that leaves the request in its state (a message, a service-level step)."""
    return RequestEvent.objects.create(
        request=request,
        kind=kind,
        actor=actor,
        from_status=request.status,
        to_status=request.status,
        note=note,
    )


def _changed_message(request: IntroductionRequest) -> str:
    fresh = IntroductionRequest.objects.filter(pk=request.pk).values_list("status", flat=True)
    status = next(iter(fresh), request.status)
    return _(
        "This request changed while you were looking at it: it is now “%(status)s”. "
        "Check its latest state before acting."
    ) % {"status": _status_label(status)}


def _refusal(action: str) -> str:
    """Why `action` is refused, as one whole sentence per action (for translators)."""
    return {
        "assign": _("This request is “%(status)s”: it cannot be assigned now."),
        "message": _("This request is “%(status)s”: messages cannot be sent on it now."),
        "ask_info": _("This request is “%(status)s”: it cannot be sent a question now."),
        "answer": _("This request is “%(status)s”: it cannot be answered now."),
        "accept": _("This request is “%(status)s”: it cannot be accepted now."),
        "decline": _("This request is “%(status)s”: it cannot be declined now."),
        "refer": _("This request is “%(status)s”: it cannot be referred now."),
        "withdraw": _("This request is “%(status)s”: it cannot be withdrawn now."),
    }[action]


def _business_people(request: IntroductionRequest):
    from diagnostics.models import CompanyMembership

    return [
        m.user
        for m in CompanyMembership.objects.filter(company_id=request.company_id).select_related(
            "user"
        )
    ]


def _institution_people(request: IntroductionRequest):
    """The office staff, and the assigned person while they belong to the institution."""
    people = list(office_staff_of(request.institution))
    # Someone who has left the institution no longer hears of its requests.
    if assignable_people(request.institution).filter(pk=request.assigned_to_id).exists():
        people.append(request.assigned_to)
    return people


def _notify(users, request: IntroductionRequest, event: RequestEvent, message: str, **params):
    notify(
        users=[user for user in users if user.pk != (event.actor_id or 0)],
        key=f"request-event-{event.pk}",
        message=message,
        params={"company": request.company.name, "target": request.target_name, **params},
        url_name="request_detail",
        url_kwargs={"pk": request.pk},
    )


def _open_request_exists(*, company_id: int, profile, institution) -> bool:
    open_requests = IntroductionRequest.objects.filter(
        company_id=company_id, status__in=IntroductionRequest.OPEN_STATUSES
    )
    if profile is not None:
        return open_requests.filter(profile=profile).exists()
    return open_requests.filter(institution=institution, profile__isnull=True).exists()


@transaction.atomic
def request_create(
    *,
    actor,
    run: MatchRun,
    profile_ids: list[str],
    message: str,
    hopes: list[str],
    contact_preference: str,
    contact_phone: str = "",
) -> list[IntroductionRequest]:
    """The business asks to be introduced to one or more of the run's matches."""
    if not match_runs_for(actor).filter(pk=run.pk).exists():
        raise PermissionDenied(_("Only the company's members can request introductions."))
    if run.status != MatchRun.Status.DONE:
        raise ValidationError(_("These matches failed: refresh them before asking."))
    profile_ids = list(dict.fromkeys(profile_ids))
    if not profile_ids:
        raise ValidationError({"profiles": _("Choose at least one expertise profile.")})
    if len(profile_ids) > MAX_PROFILES_PER_REQUEST:
        raise ValidationError(
            {
                "profiles": _("Choose at most %(count)s profiles at a time.")
                % {"count": MAX_PROFILES_PER_REQUEST}
            }
        )
    matches = {match["profile"]: match for match in run.matches}
    unknown = [pid for pid in profile_ids if pid not in matches]
    if unknown:
        raise ValidationError({"profiles": _("Choose profiles from these matches.")})
    if not message.strip():
        raise ValidationError({"message": _("Write a short message to the institution.")})
    if set(hopes) - set(IntroductionRequest.Hope.values):
        raise ValidationError({"hopes": _("Choose from the list.")})
    if contact_preference not in IntroductionRequest.Contact.values:
        raise ValidationError({"contact_preference": _("Choose from the list.")})
    if contact_preference == IntroductionRequest.Contact.PHONE and not contact_phone.strip():
        raise ValidationError({"contact_phone": _("Give a phone number to be called on.")})
    profiles = ExpertiseProfile.objects.select_related("institution").in_bulk(
        profile_ids, field_name="external_id"
    )
    diagnostic = run.diagnostic
    needs = getattr(diagnostic, "needs_profile", None)
    facts = needs.data.get("facts", {}) if needs else {}
    areas = [area["slug"] for area in needs.data.get("capability_areas", [])] if needs else []
    created = []
    for profile_id in profile_ids:
        profile = profiles.get(profile_id)
        if profile is None or not profile.is_active:
            raise ValidationError(
                {
                    "profiles": _("%(name)s no longer takes requests.")
                    % {"name": matches[profile_id]["name"]}
                }
            )
        already_open = ValidationError(
            {
                "profiles": _("You already have an open request to %(name)s.")
                % {"name": profile.name}
            }
        )
        if _open_request_exists(
            company_id=diagnostic.company_id, profile=profile, institution=profile.institution
        ):
            raise already_open
        try:
            # A double submit, or a colleague asking at the same moment: the constraint decides.
            with transaction.atomic():
                request = IntroductionRequest.objects.create(
                    company_id=diagnostic.company_id,
                    diagnostic=diagnostic,
                    match_run=run,
                    institution=profile.institution,
                    profile=profile,
                    requested_by=actor,
                    message=message.strip(),
                    hopes=list(hopes),
                    contact_preference=contact_preference,
                    contact_phone=contact_phone.strip(),
                    score=matches[profile_id]["score"],
                    sector=str(facts.get("sector") or ""),
                    capability_areas=areas,
                )
        except IntegrityError:
            raise already_open from None
        event = RequestEvent.objects.create(
            request=request,
            kind=RequestEvent.Kind.SUBMITTED,
            actor=actor,
            to_status=request.status,
        )
        _notify(
            office_staff_of(request.institution),
            request,
            event,
            gettext_noop("%(company)s asks to be introduced to %(target)s."),
        )
        created.append(request)
    return created


@transaction.atomic
def request_assign(*, actor, request: IntroductionRequest, expected_version: int | None, assignee):
    require_request_action(actor, request, "assign")
    if not assignable_people(request.institution).filter(pk=assignee.pk).exists():
        raise ValidationError(
            {
                "assignee": _("Assign the request to a researcher or staff member of %(name)s.")
                % {"name": request.institution.name}
            }
        )
    event = _move(
        request,
        "assign",
        actor=actor,
        expected_version=expected_version,
        event_kind=RequestEvent.Kind.ASSIGNED,
        note=str(assignee),
        assigned_to=assignee,
    )
    _notify(
        [assignee],
        request,
        event,
        gettext_noop("The request of %(company)s for %(target)s was assigned to you."),
    )
    return request


@transaction.atomic
def request_message(*, actor, request: IntroductionRequest, body: str) -> RequestMessage:
    """A message from either side. The office's first message is its first response."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    sides = require_request_action(actor, request, "message")
    _require_state(request, "message")
    from_business = "business" in sides
    if not from_business and request.is_open:  # the institution's first response
        event = _move(
            request,
            "message",
            actor=actor,
            expected_version=None,
            event_kind=RequestEvent.Kind.MESSAGE,
        )
    else:
        event = _record(request, RequestEvent.Kind.MESSAGE, actor=actor)
    recipients = _institution_people(request) if from_business else _business_people(request)
    sent = RequestMessage.objects.create(
        request=request, author=actor, from_business=from_business, body=body
    )
    _notify(
        recipients,
        request,
        event,
        gettext_noop("New message on the request of %(company)s for %(target)s."),
    )
    return sent


@transaction.atomic
def request_note_add(*, actor, request: IntroductionRequest, body: str) -> RequestNote:
    require_request_action(actor, request, "note")
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a note.")})
    return RequestNote.objects.create(request=request, author=actor, body=body)


@transaction.atomic
def request_ask_info(
    *, actor, request: IntroductionRequest, expected_version: int | None, question: str
) -> IntroductionRequest:
    require_request_action(actor, request, "ask_info")
    question = question.strip()
    if not question:
        raise ValidationError({"question": _("Write what you need to know.")})
    event = _move(
        request,
        "ask_info",
        actor=actor,
        expected_version=expected_version,
        event_kind=RequestEvent.Kind.INFO_REQUESTED,
        note=question,
    )
    RequestMessage.objects.create(request=request, author=actor, from_business=False, body=question)
    _notify(
        _business_people(request),
        request,
        event,
        gettext_noop("%(target)s needs more information about your request."),
    )
    return request


@transaction.atomic
def request_answer(
    *, actor, request: IntroductionRequest, expected_version: int | None, answer: str
) -> IntroductionRequest:
    """The business answers a question; the request returns to review."""
    require_request_action(actor, request, "answer")
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write your answer.")})
    event = _move(
        request,
        "answer",
        actor=actor,
        expected_version=expected_version,
        event_kind=RequestEvent.Kind.ANSWERED,
        note=answer,
    )
    RequestMessage.objects.create(request=request, author=actor, from_business=True, body=answer)
    _notify(
        _institution_people(request),
        request,
        event,
        gettext_noop("%(company)s answered your question: the request is back in review."),
    )
    return request


@transaction.atomic
def request_withdraw(
    *, actor, request: IntroductionRequest, expected_version: int | None, note: str = ""
) -> IntroductionRequest:
    require_request_action(actor, request, "withdraw")
    event = _move(
        request,
        "withdraw",
        actor=actor,
        expected_version=expected_version,
        event_kind=RequestEvent.Kind.WITHDRAWN,
        note=note.strip(),
    )
    _notify(
        _institution_people(request),
        request,
        event,
        gettext_noop("%(company)s withdrew its request for %(target)s."),
    )
    return request


@transaction.atomic
def request_decline(
    *,
    actor,
    request: IntroductionRequest,
    expected_version: int | None,
    reason: str,
    note: str = "",
) -> IntroductionRequest:
    require_request_action(actor, request, "decline")
    if reason not in IntroductionRequest.DeclineReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    event = _move(
        request,
        "decline",
        actor=actor,
        expected_version=expected_version,
        event_kind=RequestEvent.Kind.DECLINED,
        note=note.strip(),
        decline_reason=reason,
        decline_note=note.strip(),
    )
    _notify(
        _business_people(request),
        request,
        event,
        gettext_noop("%(target)s declined your request. See the next best matches we suggest."),
    )
    return request


@transaction.atomic
def request_refer(
    *,
    actor,
    request: IntroductionRequest,
    expected_version: int | None,
    note: str,
    to_profile: ExpertiseProfile | None = None,
    to_institution: Institution | None = None,
) -> IntroductionRequest:
    """Close this request as referred and open one for the receiver. Returns the new one."""
    require_request_action(actor, request, "refer")
    if (to_profile is None) == (to_institution is None):
        raise ValidationError(_("Refer to one expertise profile or to one institution."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why you refer it: the receiver reads this first.")})
    if to_profile is not None:
        if not to_profile.is_active:
            raise ValidationError({"to_profile": _("This profile does not take requests.")})
        if to_profile.pk == request.profile_id:
            raise ValidationError({"to_profile": _("Refer it to someone else.")})
        institution = to_profile.institution
    else:
        assert to_institution is not None
        institution = to_institution
        if institution.pk == request.institution_id:
            raise ValidationError(
                {
                    "to_institution": _(
                        "Refer it to another institution, or to a colleague's profile."
                    )
                }
            )
    if _open_request_exists(
        company_id=request.company_id, profile=to_profile, institution=institution
    ):
        raise ValidationError(_("The company already has an open request there."))
    event = _move(
        request,
        "refer",
        actor=actor,
        expected_version=expected_version,
        event_kind=RequestEvent.Kind.REFERRED,
        note=note,
        referral_note=note,
    )
    score = None
    if to_profile is not None and request.match_run is not None:
        score = next(
            (
                m["score"]
                for m in request.match_run.matches
                if m["profile"] == to_profile.external_id
            ),
            None,
        )
    received = IntroductionRequest.objects.create(
        company_id=request.company_id,
        diagnostic_id=request.diagnostic_id,
        match_run=request.match_run,
        institution=institution,
        profile=to_profile,
        requested_by=request.requested_by,
        message=request.message,
        hopes=request.hopes,
        contact_preference=request.contact_preference,
        contact_phone=request.contact_phone,
        score=score,
        sector=request.sector,
        capability_areas=request.capability_areas,
        referred_from=request,
        referral_note=note,
    )
    received_event = RequestEvent.objects.create(
        request=received,
        kind=RequestEvent.Kind.REFERRAL_RECEIVED,
        actor=actor,
        to_status=received.status,
        note=note,
    )
    _notify(
        office_staff_of(institution),
        received,
        received_event,
        gettext_noop("%(from)s referred the request of %(company)s to you (%(target)s)."),
        **{"from": request.institution.name},
    )
    _notify(
        _business_people(request),
        request,
        event,
        gettext_noop("%(from)s referred your request to %(to)s."),
        **{"from": request.institution.name, "to": received.target_name},
    )
    return received


@transaction.atomic
def request_accept(
    *, actor, request: IntroductionRequest, expected_version: int | None
) -> IntroductionRequest:
    """Accept the request. projects.services.project_start calls this and makes the project."""
    require_request_action(actor, request, "accept")
    event = _move(
        request,
        "accept",
        actor=actor,
        expected_version=expected_version,
        event_kind=RequestEvent.Kind.ACCEPTED,
    )
    _notify(
        _business_people(request),
        request,
        event,
        gettext_noop("%(target)s accepted your request: a project was created."),
    )
    return request


def requests_check_service_levels(*, now=None) -> dict[str, int]:
    """Flag, remind and escalate requests without a first response (safe to run twice).

    After OCIP_REQUEST_FLAG_DAYS business days the request is flagged, the office and the
    assignee are reminded and the business is told; after OCIP_REQUEST_ESCALATE_DAYS it is
    escalated to platform staff. Each step is claimed by a conditional update.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"flagged": 0, "escalated": 0}
    waiting = IntroductionRequest.objects.filter(
        status__in=IntroductionRequest.OPEN_STATUSES, first_response_at__isnull=True
    ).select_related("institution", "company", "profile", "assigned_to")
    for request in waiting.filter(sla_escalated_at__isnull=True).iterator():
        days = business_days_between(timezone.localdate(request.created_at), today)
        # Re-checked in each claim: it may have been answered or closed since it was read.
        still_waiting = IntroductionRequest.objects.filter(
            pk=request.pk,
            status__in=IntroductionRequest.OPEN_STATUSES,
            first_response_at__isnull=True,
        )
        if days >= settings.OCIP_REQUEST_FLAG_DAYS and request.sla_flagged_at is None:
            with transaction.atomic():
                if still_waiting.filter(sla_flagged_at__isnull=True).update(sla_flagged_at=now):
                    event = _record(request, RequestEvent.Kind.SLA_FLAGGED, note=str(days))
                    _notify(
                        _institution_people(request),
                        request,
                        event,
                        gettext_noop(
                            "Reminder: the request of %(company)s for %(target)s "
                            "has waited %(days)s business days for a first "
                            "response."
                        ),
                        days=days,
                    )
                    _notify(
                        _business_people(request),
                        request,
                        event,
                        gettext_noop(
                            "Your request for %(target)s is waiting on the "
                            "institution (%(days)s business days). We reminded "
                            "them."
                        ),
                        days=days,
                    )
                    counts["flagged"] += 1
        if days >= settings.OCIP_REQUEST_ESCALATE_DAYS:
            with transaction.atomic():
                if still_waiting.filter(sla_escalated_at__isnull=True).update(sla_escalated_at=now):
                    event = _record(request, RequestEvent.Kind.SLA_ESCALATED, note=str(days))
                    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
                    _notify(
                        staff,
                        request,
                        event,
                        gettext_noop(
                            "Escalation: the request of %(company)s to "
                            "%(institution)s has had no response for %(days)s "
                            "business days."
                        ),
                        institution=request.institution.name,
                        days=days,
                    )
                    counts["escalated"] += 1
    return counts
