"""Introduction requests: the workflow table, every transition service, their permission
boundaries, and what each side may read (timeline, notes, chain, next best matches).

The cast is small and made by hand (`world`) so each test reads what it sets up: three
institutions A, B and C, one company asking, and a match run whose matches are listed below.
"""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from diagnostics.models import CompanyMembership
from matching import workflow
from matching.models import (
    ExpertiseProfile,
    InstitutionMembership,
    IntroductionRequest,
    MatchRun,
    RequestEvent,
    RequestMessage,
    RequestNote,
)
from matching.selectors import (
    next_best_matches,
    request_chain,
    request_chain_for,
    request_events_for,
    request_notes_for,
    requestable_matches,
)
from matching.services import (
    RequestChanged,
    RequestConflict,
    request_accept,
    request_answer,
    request_ask_info,
    request_assign,
    request_create,
    request_decline,
    request_message,
    request_note_add,
    request_refer,
    request_withdraw,
)
from ocip.accounts.mfa import MFARequired
from ocip.notifications.models import Notification
from ocip.notifications.tasks import notification_email
from projects.models import Project
from projects.services import project_start

from ..factories import (
    CompanyMembershipFactory,
    InstitutionFactory,
    InstitutionMembershipFactory,
    UserFactory,
    enrol_totp,
)

TORONTO = ZoneInfo("America/Toronto")

# profile id -> (institution key, score, active). The run lists them best first.
PROFILES = {
    "a1": ("a", 0.95, True),
    "b1": ("b", 0.90, True),
    "a2": ("a", 0.80, True),
    "c0": ("c", 0.75, False),  # matched, then switched off by its institution
    "c1": ("c", 0.70, True),
    "b2": ("b", 0.60, True),
    "a3": ("a", 0.50, True),
}


def _member(institution, email, role, *, totp=True):
    user = InstitutionMembershipFactory(institution=institution, user__email=email, role=role).user
    if totp:
        enrol_totp(user)
    return user


def build_world() -> SimpleNamespace:
    """Acme (owner + colleague) asks institutions A, B and C; Rival is another company."""
    from diagnostics import services as diagnostic_services

    from ..diagnostics.conftest import completed_draft

    owner = CompanyMembershipFactory(
        user__email="owner@acme.example", company__name="Acme", company__slug="acme"
    ).user
    company = owner.company_memberships.get().company
    colleague = CompanyMembershipFactory(
        company=company, user__email="colleague@acme.example", role=CompanyMembership.Role.MEMBER
    ).user
    rival = CompanyMembershipFactory(
        user__email="owner@rival.example", company__name="Rival", company__slug="rival"
    ).user
    office, office2, researcher, institutions = {}, {}, {}, {}
    for key in "abc":
        institution = InstitutionFactory(slug=f"inst-{key}", name=f"Institution {key.upper()}")
        institutions[key] = institution
        office[key] = _member(institution, f"office@{key}.example", "office_staff")
        office2[key] = _member(institution, f"office2@{key}.example", "office_staff")
        researcher[key] = _member(institution, f"researcher@{key}.example", "researcher")
    office_without_mfa = _member(
        institutions["a"], "nomfa@a.example", InstitutionMembership.Role.OFFICE_STAFF, totp=False
    )
    staff = UserFactory(email="staff@ocip.example", is_staff=True)
    enrol_totp(staff)
    profiles = {
        pid: ExpertiseProfile.objects.create(
            external_id=pid,
            institution=institutions[key],
            kind="lab",
            name=f"Lab {pid.upper()}",
            is_active=active,
            owner=researcher[key],
        )
        for pid, (key, _score, active) in PROFILES.items()
    }
    diagnostic = diagnostic_services.diagnostic_submit(
        actor=owner, diagnostic=completed_draft(owner, company)
    )
    run = MatchRun.objects.create(
        diagnostic=diagnostic,
        # A transactional test commits the submission, whose own match run may come first.
        sequence=diagnostic.match_runs.count() + 1,
        status=MatchRun.Status.DONE,
        backend="test",
        matches=[
            {
                "profile": pid,
                "name": profiles[pid].name,
                "institution": f"inst-{key}",
                "institution_name": institutions[key].name,
                "score": score,
            }
            for pid, (key, score, _active) in PROFILES.items()
        ],
    )
    return SimpleNamespace(
        owner=owner,
        colleague=colleague,
        company=company,
        rival=rival,
        institutions=institutions,
        office=office,
        office2=office2,
        researcher=researcher,
        office_without_mfa=office_without_mfa,
        staff=staff,
        profiles=profiles,
        diagnostic=diagnostic,
        run=run,
    )


def ask(world, *profile_ids: str, actor=None, **fields) -> IntroductionRequest:
    """Acme asks for the given profiles; returns the first request."""
    values = {
        "message": "We need help with cycle time on a five-axis cell.",
        "hopes": ["advice"],
        "contact_preference": "email",
        **fields,
    }
    created = request_create(
        actor=actor or world.owner, run=world.run, profile_ids=list(profile_ids), **values
    )
    return created[0]


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def request_a1(world):
    return ask(world, "a1")


# --- The workflow table (pure Python) -------------------------------------------------------

# Where each action takes a request from each open state ("-": refused). A closed request
# (accepted, declined, referred, withdrawn) allows no action at all.
EXPECTED_TABLE = """
action   | submitted      | in_review      | info_requested
assign   | in_review      | in_review      | info_requested
message  | in_review      | in_review      | info_requested
ask_info | info_requested | info_requested | -
answer   | -              | -              | in_review
accept   | accepted       | accepted       | accepted
decline  | declined       | declined       | declined
refer    | referred       | referred       | referred
withdraw | withdrawn      | withdrawn      | withdrawn
"""
STATES = (
    "submitted",
    "in_review",
    "info_requested",
    "accepted",
    "declined",
    "referred",
    "withdrawn",
)


def _read_table(text: str) -> dict[str, dict[str, str]]:
    header, *rows = (
        [cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()
    )
    return {
        row[0]: {state: to for state, to in zip(header[1:], row[1:], strict=True) if to != "-"}
        for row in rows
    }


EXPECTED = _read_table(EXPECTED_TABLE)
ACTIONS = tuple(EXPECTED)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_the_workflow_follows_the_table(action, state):
    assert workflow.next_status(action, state) == EXPECTED[action].get(state)


@pytest.mark.parametrize("state", STATES)
def test_available_actions_are_the_table_row_of_the_state_for_each_side(state):
    moves = {action for action in ACTIONS if state in EXPECTED[action]}
    messages = (
        {"message"} if state in ("submitted", "in_review", "info_requested", "accepted") else set()
    )
    office_moves = {"assign", "ask_info", "accept", "decline", "refer"}
    assert workflow.available_actions({"office", "institution"}, state) == (
        (moves & office_moves) | messages | {"note"}
    )
    assert workflow.available_actions({"business"}, state) == (
        (moves & {"answer", "withdraw"}) | messages
    )
    assert workflow.available_actions({"institution"}, state) == messages | {"note"}
    assert workflow.available_actions({"platform"}, state) == frozenset()


def test_the_workflow_has_exactly_these_actions_and_states():
    assert set(workflow.TRANSITIONS) == set(ACTIONS)
    assert set(workflow.STATUSES) == set(STATES) == set(IntroductionRequest.Status.values)
    assert set(workflow.OPEN) == {"submitted", "in_review", "info_requested"}


def test_first_responses_are_the_office_actions_the_business_sees():
    # Assigning is internal; answering and withdrawing are the business's own doing.
    assert {"message", "ask_info", "accept", "decline", "refer"} == workflow.RESPONSES


# --- Each transition through its service ----------------------------------------------------

BUSINESS_ACTIONS = ("answer", "withdraw")
OFFICE_ACTIONS = ("assign", "ask_info", "accept", "decline", "refer")
VERSIONED_ACTIONS = BUSINESS_ACTIONS + OFFICE_ACTIONS  # all but messages carry a version
EVENT_KINDS = {
    "assign": "assigned",
    "message": "message",
    "ask_info": "info_requested",
    "answer": "answered",
    "accept": "accepted",
    "decline": "declined",
    "refer": "referred",
    "withdraw": "withdrawn",
}
EVENT_NOTES = {
    "assign": "",  # the assignee's name, see below
    "message": "",
    "ask_info": "Which machine is it?",
    "answer": "The five-axis one.",
    "accept": "",
    "decline": "Try Institution B.",
    "refer": "B runs the cell you need.",
    "withdraw": "Solved in house.",
}
# Who hears of each action besides the actor: the business's people, the institution's people
# (its office staff and the assigned person) or just the new assignee.
NOTIFIED_SIDE = {
    "assign": "assignee",
    "message": "business",
    "ask_info": "business",
    "answer": "institution",
    "accept": "business",
    "decline": "business",
    "refer": "business",
    "withdraw": "institution",
}


def default_actor(world, action):
    return world.owner if action in BUSINESS_ACTIONS else world.office["a"]


def act(world, action: str, request, *, version: int | None = None, actor=None):
    """Do `action` on `request` through its service, as the natural actor unless told."""
    actor = actor or default_actor(world, action)
    if action == "message":
        return request_message(actor=actor, request=request, body="Could we call on Monday?")
    args = {
        "actor": actor,
        "request": request,
        "expected_version": request.version if version is None else version,
    }
    note = EVENT_NOTES[action]
    if action == "assign":
        return request_assign(**args, assignee=world.researcher["a"])
    if action == "ask_info":
        return request_ask_info(**args, question=note)
    if action == "answer":
        return request_answer(**args, answer=note)
    if action == "accept":
        return request_accept(**args)
    if action == "decline":
        return request_decline(**args, reason="outside_expertise", note=note)
    if action == "refer":
        return request_refer(**args, note=note, to_profile=world.profiles["b1"])
    assert action == "withdraw"
    return request_withdraw(**args, note=note)


def in_state(world, state: str) -> IntroductionRequest:
    """Acme's request to A1 brought to `state` through the services. In review means
    assigned to A's researcher; information requested comes after that."""
    request = ask(world, "a1")
    office = world.office["a"]
    if state in ("in_review", "info_requested"):
        request_assign(
            actor=office, request=request, expected_version=1, assignee=world.researcher["a"]
        )
    if state == "info_requested":
        request_ask_info(
            actor=office, request=request, expected_version=2, question="What is the budget?"
        )
    if state == "accepted":
        request_accept(actor=office, request=request, expected_version=1)
    if state == "declined":
        request_decline(actor=office, request=request, expected_version=1, reason="no_capacity")
    if state == "referred":
        request_refer(
            actor=office,
            request=request,
            expected_version=1,
            note="B is closer to this.",
            to_institution=world.institutions["b"],
        )
    if state == "withdrawn":
        request_withdraw(actor=world.owner, request=request, expected_version=1)
    assert request.status == state
    return request


def snapshot(request) -> dict:
    """Everything a refused action must leave as it was."""
    return {
        "request": IntroductionRequest.objects.filter(pk=request.pk).values().get(),
        "requests": IntroductionRequest.objects.count(),
        "events": RequestEvent.objects.count(),
        "messages": RequestMessage.objects.count(),
        "notes": RequestNote.objects.count(),
        "notifications": Notification.objects.count(),
    }


def notified_by(event) -> set:
    return {n.user for n in Notification.objects.filter(key=f"request-event-{event.pk}")}


def institution_people(world, request) -> set:
    office = {world.office["a"], world.office2["a"], world.office_without_mfa}
    return office | ({request.assigned_to} if request.assigned_to else set())


LEGAL = [(action, state) for action in ACTIONS for state in STATES if state in EXPECTED[action]]
# The institution may go on writing to the business once a request is accepted (the project's
# talk): a message there is allowed without being a transition. Every other pair is refused.
REFUSED = [
    (action, state)
    for action in ACTIONS
    for state in STATES
    if state not in EXPECTED[action] and (action, state) != ("message", "accepted")
]


@pytest.mark.parametrize(("action", "state"), LEGAL)
def test_a_legal_transition_moves_records_and_notifies(world, action, state):
    request = in_state(world, state)
    before = IntroductionRequest.objects.get(pk=request.pk)
    act(world, action, request)

    request.refresh_from_db()
    assert request.status == EXPECTED[action][state]
    assert request.version == before.version + 1
    event = request.events.order_by("-pk").first()
    actor = default_actor(world, action)
    note = str(world.researcher["a"]) if action == "assign" else EVENT_NOTES[action]
    assert (event.kind, event.actor, event.from_status, event.to_status, event.note) == (
        EVENT_KINDS[action],
        actor,
        state,
        request.status,
        note,
    )
    if before.first_response_at is not None:
        assert request.first_response_at == before.first_response_at  # never moved later
    elif action in workflow.RESPONSES:
        assert before.created_at < request.first_response_at <= event.created_at
    else:
        assert request.first_response_at is None
    if request.status in workflow.CLOSED:
        assert request.closed_at is not None
        assert not request.is_open
    else:
        assert request.closed_at is None
    expected = {
        "business": {world.owner, world.colleague},
        "institution": institution_people(world, request),
        "assignee": {world.researcher["a"]},
    }[NOTIFIED_SIDE[action]]
    assert notified_by(event) == expected - {actor}


@pytest.mark.parametrize(("action", "state"), REFUSED)
def test_an_illegal_transition_is_refused_and_changes_nothing(world, action, state):
    request = in_state(world, state)
    before = snapshot(request)
    with pytest.raises(RequestConflict) as refused:
        act(world, action, request)
    assert not isinstance(refused.value, RequestChanged)
    if action != "message":
        assert str(IntroductionRequest.Status(state).label) in str(refused.value.message)
    assert snapshot(request) == before


def test_the_first_response_is_kept_when_more_responses_follow(world):
    office = world.office["a"]
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=TORONTO), tick=False):
        request_a1 = ask(world, "a1")
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=TORONTO), tick=False):
        request_message(actor=office, request=request_a1, body="Thanks, we will look.")
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=TORONTO), tick=False):
        request_ask_info(actor=office, request=request_a1, expected_version=2, question="Size?")
    with time_machine.travel(datetime(2026, 3, 4, 10, tzinfo=TORONTO), tick=False):
        request_answer(actor=world.owner, request=request_a1, expected_version=3, answer="Small.")
    with time_machine.travel(datetime(2026, 3, 5, 10, tzinfo=TORONTO), tick=False):
        request_decline(actor=office, request=request_a1, expected_version=4, reason="too_early")
    request_a1.refresh_from_db()
    assert request_a1.first_response_at == datetime(2026, 3, 2, 10, tzinfo=TORONTO)
    assert request_a1.closed_at == datetime(2026, 3, 5, 10, tzinfo=TORONTO)
    assert request_a1.version == 5


def test_assigning_is_not_a_first_response(world, request_a1):
    request_assign(
        actor=world.office["a"],
        request=request_a1,
        expected_version=1,
        assignee=world.office2["a"],
    )
    assert request_a1.status == "in_review"
    assert request_a1.first_response_at is None
    assert request_a1.assigned_to == world.office2["a"]


def test_assigning_to_someone_outside_the_institution_is_refused(world, request_a1):
    before = snapshot(request_a1)
    for outsider in (world.researcher["b"], world.owner, world.staff):
        with pytest.raises(ValidationError) as refused:
            request_assign(
                actor=world.office["a"], request=request_a1, expected_version=1, assignee=outsider
            )
        assert "assignee" in refused.value.message_dict
    assert snapshot(request_a1) == before


def test_a_decline_needs_a_reason_from_the_list(world, request_a1):
    before = snapshot(request_a1)
    with pytest.raises(ValidationError):
        request_decline(
            actor=world.office["a"], request=request_a1, expected_version=1, reason="bored"
        )
    assert snapshot(request_a1) == before
    request_decline(
        actor=world.office["a"],
        request=request_a1,
        expected_version=1,
        reason="budget_mismatch",
        note="  Our minimum is $50k.  ",
    )
    assert (request_a1.decline_reason, request_a1.decline_note) == (
        "budget_mismatch",
        "Our minimum is $50k.",
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda w, r: request_ask_info(
                actor=w.office["a"], request=r, expected_version=1, question="  "
            ),
            "question",
        ),
        (lambda w, r: request_message(actor=w.owner, request=r, body=" \n "), "body"),
        (lambda w, r: request_note_add(actor=w.office["a"], request=r, body=""), "body"),
    ],
    ids=["question", "message", "note"],
)
def test_blank_text_is_refused(world, request_a1, call, field):
    before = snapshot(request_a1)
    with pytest.raises(ValidationError) as refused:
        call(world, request_a1)
    assert field in refused.value.message_dict
    assert snapshot(request_a1) == before


def test_an_answer_puts_the_request_back_in_review_and_is_a_message(world):
    request = in_state(world, "info_requested")
    request_answer(actor=world.colleague, request=request, expected_version=3, answer=" 40 units ")
    assert request.status == "in_review"
    questions_and_answers = list(request.messages.values_list("from_business", "body"))
    assert questions_and_answers == [(False, "What is the budget?"), (True, "40 units")]


# --- Someone else changed it first ----------------------------------------------------------


def _state_for(action: str) -> str:
    return "info_requested" if action == "answer" else "submitted"


@pytest.mark.parametrize("action", VERSIONED_ACTIONS)
def test_acting_on_a_page_someone_else_changed_is_refused(world, action):
    request = in_state(world, _state_for(action))
    seen = request.version
    # A colleague writes to the business meanwhile: same kind of state, a newer version.
    request_message(
        actor=world.office2["a"],
        request=IntroductionRequest.objects.get(pk=request.pk),
        body="We are looking at it.",
    )
    request.refresh_from_db()
    before = snapshot(request)
    with pytest.raises(RequestChanged) as changed:
        act(world, action, request, version=seen)
    assert "changed while you were looking" in str(changed.value.message)
    assert snapshot(request) == before


@pytest.mark.parametrize("action", VERSIONED_ACTIONS)
def test_of_two_people_acting_on_the_same_version_only_the_first_wins(world, action):
    # What two simultaneous actions come down to on SQLite, which runs them one at a time.
    request = in_state(world, _state_for(action))
    theirs = IntroductionRequest.objects.get(pk=request.pk)
    mine = IntroductionRequest.objects.get(pk=request.pk)
    request_decline(
        actor=world.office2["a"],
        request=theirs,
        expected_version=theirs.version,
        reason="no_capacity",
    )
    before = snapshot(request)
    with pytest.raises(RequestChanged) as changed:
        act(world, action, mine, version=mine.version)
    assert "“Declined”" in str(changed.value.message)
    assert snapshot(request) == before
    assert mine.status == "declined"  # the loser's copy now shows what happened
    assert request.events.filter(kind="declined").count() == 1


def test_starting_a_project_on_a_stale_version_makes_no_project(world, request_a1):
    request_message(actor=world.office2["a"], request=request_a1, body="On it.")
    with pytest.raises(RequestChanged):
        project_start(
            actor=world.office["a"],
            request=IntroductionRequest.objects.get(pk=request_a1.pk),
            expected_version=1,
            title="Faster cycle times",
            scope="Fixture redesign.",
            lead=world.researcher["a"],
            start_date=date(2026, 5, 1),
            programs=[],
        )
    assert not Project.objects.exists()
    request_a1.refresh_from_db()
    assert request_a1.status == "in_review"


# --- Who may act ----------------------------------------------------------------------------

NOT_THE_OFFICE = {
    "office of another institution": lambda w: w.office["b"],
    "researcher it is assigned to": lambda w: w.researcher["a"],
    "platform staff": lambda w: w.staff,
    "the business": lambda w: w.owner,
}
NOT_THE_BUSINESS = {
    "another company": lambda w: w.rival,
    "the institution's office": lambda w: w.office["a"],
    "researcher it is assigned to": lambda w: w.researcher["a"],
    "platform staff": lambda w: w.staff,
}


@pytest.mark.parametrize("who", NOT_THE_OFFICE)
@pytest.mark.parametrize("action", OFFICE_ACTIONS)
def test_only_the_institutions_office_takes_office_actions(world, action, who):
    request = in_state(world, "in_review")
    before = snapshot(request)
    with pytest.raises(PermissionDenied) as refused:
        act(world, action, request, actor=NOT_THE_OFFICE[who](world))
    assert not isinstance(refused.value, MFARequired)
    assert snapshot(request) == before


@pytest.mark.parametrize("who", NOT_THE_BUSINESS)
@pytest.mark.parametrize("action", BUSINESS_ACTIONS)
def test_only_the_company_answers_or_withdraws(world, action, who):
    request = in_state(world, "info_requested")
    before = snapshot(request)
    with pytest.raises(PermissionDenied):
        act(world, action, request, actor=NOT_THE_BUSINESS[who](world))
    assert snapshot(request) == before


@pytest.mark.parametrize("action", BUSINESS_ACTIONS)
def test_any_member_of_the_company_answers_or_withdraws(world, action):
    request = in_state(world, "info_requested")
    act(world, action, request, actor=world.colleague)
    event = request.events.order_by("-pk").first()
    assert event.actor == world.colleague
    assert notified_by(event) == institution_people(world, request)


@pytest.mark.parametrize("action", (*OFFICE_ACTIONS, "message", "note"))
def test_office_staff_without_two_factor_authentication_cannot_act(world, action):
    request = in_state(world, "in_review")
    before = snapshot(request)
    with pytest.raises(MFARequired):
        if action == "note":
            request_note_add(actor=world.office_without_mfa, request=request, body="Hm.")
        else:
            act(world, action, request, actor=world.office_without_mfa)
    assert snapshot(request) == before


@pytest.mark.parametrize(
    "who",
    ["another company", "office of another institution", "unassigned researcher", "staff"],
)
def test_strangers_cannot_write_on_a_request(world, request_a1, who):
    stranger = {
        "another company": world.rival,
        "office of another institution": world.office["b"],
        "unassigned researcher": world.researcher["a"],
        "staff": world.staff,
    }[who]
    before = snapshot(request_a1)
    with pytest.raises(PermissionDenied):
        request_message(actor=stranger, request=request_a1, body="Hello")
    with pytest.raises(PermissionDenied):
        request_note_add(actor=stranger, request=request_a1, body="Hello")
    assert snapshot(request_a1) == before


def test_the_business_cannot_keep_internal_notes(world, request_a1):
    with pytest.raises(PermissionDenied):
        request_note_add(actor=world.owner, request=request_a1, body="Call them")
    assert not RequestNote.objects.exists()


# --- Asking for introductions ---------------------------------------------------------------


def test_a_request_per_profile_with_what_the_office_queue_needs(world):
    created = request_create(
        actor=world.owner,
        run=world.run,
        profile_ids=["b1", "a1", "b1"],  # a repeated profile is asked once
        message="  Cycle time on our five-axis cell.  ",
        hopes=["advice", "students"],
        contact_preference="phone",
        contact_phone=" 519 555 0100 ",
    )
    assert [(r.profile.external_id, r.institution.slug, r.score) for r in created] == [
        ("b1", "inst-b", 0.90),
        ("a1", "inst-a", 0.95),
    ]
    needs = world.diagnostic.needs_profile
    for request in created:
        assert (request.status, request.version, request.requested_by) == (
            "submitted",
            1,
            world.owner,
        )
        assert (request.company, request.diagnostic, request.match_run) == (
            world.company,
            world.diagnostic,
            world.run,
        )
        assert request.message == "Cycle time on our five-axis cell."
        assert (request.contact_preference, request.contact_phone) == ("phone", "519 555 0100")
        assert request.sector == needs.data["facts"]["sector"]
        assert request.capability_areas == needs.capability_areas
        assert request.first_response_at is None and request.closed_at is None
        (event,) = request.events.all()
        assert (event.kind, event.actor, event.from_status, event.to_status) == (
            "submitted",
            world.owner,
            "",
            "submitted",
        )
    (to_b, to_a) = (created[0].events.get(), created[1].events.get())
    assert notified_by(to_b) == {world.office["b"], world.office2["b"]}
    assert notified_by(to_a) == {world.office["a"], world.office2["a"], world.office_without_mfa}


def test_the_business_is_offered_the_matches_it_may_still_ask(world):
    def offered(user):
        return [match["profile"] for match in requestable_matches(user=user, run=world.run)]

    assert offered(world.owner) == ["a1", "b1", "a2", "c1", "b2", "a3"]  # c0 is switched off
    to_a1 = ask(world, "a1", "b1")
    assert offered(world.colleague) == ["a2", "c1", "b2", "a3"]
    request_withdraw(actor=world.owner, request=to_a1, expected_version=1)
    assert offered(world.owner) == ["a1", "a2", "c1", "b2", "a3"]
    for outsider in (world.rival, world.staff, world.office["a"]):
        assert offered(outsider) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"profile_ids": []}, "profiles"),
        ({"profile_ids": ["a1", "b1", "a2", "c1", "b2", "a3"]}, "profiles"),  # more than 5
        ({"profile_ids": ["zz9"]}, "profiles"),  # not one of the run's matches
        ({"profile_ids": ["c0"]}, "profiles"),  # switched off since the run
        ({"message": "   "}, "message"),
        ({"hopes": ["advice", "a pony"]}, "hopes"),
        ({"contact_preference": "fax"}, "contact_preference"),
        ({"contact_preference": "phone", "contact_phone": "  "}, "contact_phone"),
    ],
    ids=[
        "none",
        "six",
        "not in the run",
        "inactive",
        "no message",
        "unknown hope",
        "unknown contact",
        "phone without number",
    ],
)
def test_a_request_that_does_not_validate_creates_nothing(world, changes, field):
    ExpertiseProfile.objects.create(
        external_id="zz9", institution=world.institutions["c"], kind="lab", name="Unmatched"
    )
    values = {
        "actor": world.owner,
        "run": world.run,
        "profile_ids": ["a1"],
        "message": "Hello",
        "hopes": [],
        "contact_preference": "email",
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        request_create(**values)
    assert field in refused.value.message_dict
    assert not IntroductionRequest.objects.exists()
    assert not Notification.objects.exists()


def test_one_bad_profile_among_several_creates_none_of_them(world):
    with pytest.raises(ValidationError) as refused:
        ask(world, "a1", "b1", "c0")
    assert "Lab C0 no longer takes requests." in refused.value.message_dict["profiles"]
    assert not IntroductionRequest.objects.exists()
    assert not RequestEvent.objects.exists()
    assert not Notification.objects.exists()


def test_the_company_cannot_ask_twice_while_a_request_is_open(world, request_a1):
    with pytest.raises(ValidationError) as refused:
        ask(world, "a1", actor=world.colleague)  # the company's, not just the person's
    assert refused.value.message_dict["profiles"] == ["You already have an open request to Lab A1."]
    request_withdraw(actor=world.owner, request=request_a1, expected_version=1)
    again = ask(world, "a1", actor=world.colleague)
    assert again.pk != request_a1.pk


def test_a_failed_run_takes_no_requests(world):
    world.run.status = MatchRun.Status.FAILED
    world.run.save()
    with pytest.raises(ValidationError):
        ask(world, "a1")
    assert not IntroductionRequest.objects.exists()


@pytest.mark.parametrize("who", ["rival", "staff", "office"])
def test_only_the_companys_members_ask_for_introductions(world, who):
    actor = {"rival": world.rival, "staff": world.staff, "office": world.office["a"]}[who]
    with pytest.raises(PermissionDenied):
        ask(world, "a1", actor=actor)
    assert not IntroductionRequest.objects.exists()


def _raw_request(world, **fields) -> IntroductionRequest:
    return IntroductionRequest.objects.create(
        company=world.company, diagnostic=world.diagnostic, message="Hi", **fields
    )


def test_the_database_holds_one_open_request_per_company_and_profile(world):
    a1 = world.profiles["a1"]
    first = _raw_request(world, institution=a1.institution, profile=a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_request(world, institution=a1.institution, profile=a1)
    # Another company, or the same one once the first is closed, may.
    IntroductionRequest.objects.create(
        company=world.rival.company_memberships.get().company,
        diagnostic=world.diagnostic,
        institution=a1.institution,
        profile=a1,
        message="Hi",
    )
    IntroductionRequest.objects.filter(pk=first.pk).update(
        status="withdrawn", closed_at=first.created_at
    )
    again = _raw_request(world, institution=a1.institution, profile=a1)
    assert again.is_open
    assert IntroductionRequest.objects.filter(profile=a1, status="submitted").count() == 2


def test_the_database_holds_one_open_request_per_company_and_institution(world):
    institution = world.institutions["b"]
    _raw_request(world, institution=institution)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_request(world, institution=institution)
    # A request to one of its profiles is another matter.
    to_b1 = _raw_request(world, institution=institution, profile=world.profiles["b1"])
    assert IntroductionRequest.objects.filter(institution=institution).count() == 2
    assert to_b1.is_open


# --- Referrals and what comes after a decline -----------------------------------------------


def refer(world, request, *, by=None, **target):
    return request_refer(
        actor=by or world.office["a"],
        request=request,
        expected_version=request.version,
        note="  They run exactly this cell.  ",
        **target,
    )


def test_a_referral_to_a_profile_opens_a_request_there_and_keeps_the_chain(world, request_a1):
    received = refer(world, request_a1, to_profile=world.profiles["b1"])

    assert (request_a1.status, request_a1.version) == ("referred", 2)
    assert request_a1.referral_note == "They run exactly this cell."
    assert request_a1.closed_at is not None
    assert (received.institution, received.profile, received.referred_from) == (
        world.institutions["b"],
        world.profiles["b1"],
        request_a1,
    )
    assert (received.status, received.version, received.score) == ("submitted", 1, 0.90)
    assert received.referral_note == "They run exactly this cell."
    for field in ("company", "diagnostic", "match_run", "requested_by", "message", "hopes"):
        assert getattr(received, field) == getattr(request_a1, field)
    assert received.first_response_at is None  # the receiver's own clock starts now

    referred = request_a1.events.get(kind="referred")
    assert (referred.actor, referred.from_status, referred.to_status, referred.note) == (
        world.office["a"],
        "submitted",
        "referred",
        "They run exactly this cell.",
    )
    (arrived,) = received.events.all()
    assert (arrived.kind, arrived.actor, arrived.to_status) == (
        "referral_received",
        world.office["a"],
        "submitted",
    )
    assert notified_by(referred) == {world.owner, world.colleague}
    assert notified_by(arrived) == {world.office["b"], world.office2["b"]}
    told = Notification.objects.get(user=world.owner, key=f"request-event-{referred.pk}")
    assert told.params["to"] == "Lab B1"
    assert told.params["from"] == "Institution A"


def test_a_referral_to_a_colleagues_profile_stays_in_the_institution(world, request_a1):
    received = refer(world, request_a1, to_profile=world.profiles["a2"])
    assert (received.institution, received.profile.external_id) == (world.institutions["a"], "a2")


def test_a_referral_to_an_institution_has_no_profile(world, request_a1):
    received = refer(world, request_a1, to_institution=world.institutions["c"])
    assert (received.institution, received.profile, received.score) == (
        world.institutions["c"],
        None,
        None,
    )
    assert received.target_name == "Institution C"


@pytest.mark.parametrize(
    "target",
    [
        "its own institution",
        "the same profile",
        "an inactive profile",
        "nobody",
        "two targets",
        "no note",
    ],
)
def test_a_referral_that_goes_nowhere_new_is_refused(world, request_a1, target):
    profiles, institutions = world.profiles, world.institutions
    arguments = {
        "its own institution": {"to_institution": institutions["a"]},
        "the same profile": {"to_profile": profiles["a1"]},
        "an inactive profile": {"to_profile": profiles["c0"]},
        "nobody": {},
        "two targets": {"to_profile": profiles["b1"], "to_institution": institutions["b"]},
        "no note": {"to_institution": institutions["b"], "note": " "},
    }[target]
    before = snapshot(request_a1)
    with pytest.raises(ValidationError):
        request_refer(
            actor=world.office["a"],
            request=request_a1,
            expected_version=1,
            **{"note": "Over to you.", **arguments},
        )
    assert snapshot(request_a1) == before


def test_no_referral_where_the_company_already_has_an_open_request(world):
    to_a1, to_b1 = request_create(
        actor=world.owner,
        run=world.run,
        profile_ids=["a1", "b1"],
        message="Hello",
        hopes=[],
        contact_preference="email",
    )
    before = snapshot(to_a1)
    with pytest.raises(ValidationError) as refused:
        refer(world, to_a1, to_profile=world.profiles["b1"])
    assert "already has an open request there" in str(refused.value)
    assert snapshot(to_a1) == before

    # The same for an institution already holding one of its requests without a profile.
    refer(world, to_b1, by=world.office["b"], to_institution=world.institutions["c"])
    with pytest.raises(ValidationError):
        refer(world, to_a1, to_institution=world.institutions["c"])
    # Once that request is closed, the referral goes through.
    at_c = IntroductionRequest.objects.get(institution__slug="inst-c")
    request_decline(actor=world.office["c"], request=at_c, expected_version=1, reason="other")
    assert refer(world, to_a1, to_institution=world.institutions["c"]).is_open


def test_the_chain_runs_from_the_first_request_to_the_last(world, request_a1):
    at_b = refer(world, request_a1, to_institution=world.institutions["b"])
    at_c1 = refer(world, at_b, by=world.office["b"], to_profile=world.profiles["c1"])
    for member in (request_a1, at_b, at_c1):
        assert request_chain(member) == [request_a1, at_b, at_c1]
    assert request_chain(ask(world, "a2")) == [
        IntroductionRequest.objects.get(profile__external_id="a2")
    ]


def test_each_institution_sees_only_its_own_links_of_the_chain(world, request_a1):
    at_b = refer(world, request_a1, to_institution=world.institutions["b"])
    at_c1 = request_refer(
        actor=world.office["b"],
        request=at_b,
        expected_version=at_b.version,
        note="NOTE FROM B TO C",
        to_profile=world.profiles["c1"],
    )
    hidden = {
        "office a": (world.office["a"], request_a1, [False, True, True]),
        "office b": (world.office["b"], at_b, [True, False, True]),
        "office c": (world.office["c"], at_c1, [True, True, False]),
        "business": (world.owner, request_a1, [False, False, False]),
    }
    for who, (user, request, expected) in hidden.items():
        chain = request_chain_for(user=user, request=request)
        assert [link.hidden for link in chain] == expected, who
    # The pages and the API show a hidden link's institution only (the page explains the
    # match: this hand-made run's matches get the empty signals a real one could have).
    world.run.matches = [{**match, "signals": []} for match in world.run.matches]
    world.run.save()
    client = Client()
    client.force_login(world.office["a"])
    page = client.get(reverse("request_detail", args=[request_a1.pk])).content.decode()
    assert "NOTE FROM B TO C" not in page
    data = client.get(reverse("api_request", args=[request_a1.pk])).json()
    assert [link["status"] for link in data["chain"]] == ["referred", None, None]
    assert data["chain"][2]["institution"] == world.institutions["c"].slug


def test_a_former_assignee_hears_no_more_of_the_request(world, request_a1):
    request_assign(
        actor=world.office["a"],
        request=request_a1,
        expected_version=1,
        assignee=world.researcher["a"],
    )
    InstitutionMembership.objects.filter(user=world.researcher["a"]).delete()
    sent = request_message(actor=world.owner, request=request_a1, body="Any news?")
    event = request_a1.events.get(kind="message")
    assert sent.from_business and world.researcher["a"] not in notified_by(event)


def test_after_a_decline_the_next_best_matches_are_elsewhere_unasked_and_active(world):
    # Elsewhere: not at an institution that declined or has one of the company's requests open.
    to_a1, to_b2 = request_create(
        actor=world.owner,
        run=world.run,
        profile_ids=["a1", "b2"],
        message="Hello",
        hopes=[],
        contact_preference="email",
    )
    request_withdraw(actor=world.owner, request=to_b2, expected_version=1)  # asked, even so
    request_decline(
        actor=world.office["a"], request=to_a1, expected_version=1, reason="no_capacity"
    )
    # In run order: a1 (asked), b1, a2 and a3 (A declined), c0 (inactive), c1, b2 (asked).
    assert [m["profile"] for m in next_best_matches(to_a1)] == ["b1", "c1"]
    assert [m["profile"] for m in next_best_matches(to_a1, limit=1)] == ["b1"]
    ExpertiseProfile.objects.filter(external_id="b1").update(is_active=False)
    assert [m["profile"] for m in next_best_matches(to_a1)] == ["c1"]
    # An institution with one of the company's requests open is not "elsewhere" either.
    request_create(
        actor=world.owner,
        run=world.run,
        profile_ids=["c1"],
        message="Hello",
        hopes=[],
        contact_preference="email",
    )
    assert next_best_matches(to_a1) == []
    world.run.status = MatchRun.Status.FAILED
    world.run.save()
    assert next_best_matches(IntroductionRequest.objects.get(pk=to_a1.pk)) == []


# --- Messages, notes, and what each side reads ----------------------------------------------


def test_a_business_message_reaches_the_institution_without_moving_the_request(world):
    request = in_state(world, "in_review")
    sent = request_message(actor=world.colleague, request=request, body="  Any news?  ")
    assert (sent.from_business, sent.author, sent.body) == (True, world.colleague, "Any news?")
    request.refresh_from_db()
    assert (request.status, request.version, request.first_response_at) == ("in_review", 2, None)
    event = request.events.get(kind="message")
    assert event.actor == world.colleague
    assert notified_by(event) == institution_people(world, request)  # incl. the assignee


def test_the_offices_first_message_is_its_first_response(world, request_a1):
    sent = request_message(actor=world.office["a"], request=request_a1, body="Hello!")
    assert sent.from_business is False
    assert (request_a1.status, request_a1.version) == ("in_review", 2)
    assert request_a1.first_response_at is not None
    event = request_a1.events.get(kind="message")
    assert notified_by(event) == {world.owner, world.colleague}


def test_the_assigned_researcher_writes_to_the_business(world):
    request = in_state(world, "in_review")
    request_message(actor=world.researcher["a"], request=request, body="I can visit Tuesday.")
    event = request.events.get(kind="message")
    assert event.actor == world.researcher["a"]
    assert notified_by(event) == {world.owner, world.colleague}
    assert request.first_response_at is not None


def test_both_sides_go_on_writing_once_accepted(world):
    request = in_state(world, "accepted")
    version = request.version
    request_message(actor=world.office["a"], request=request, body="Kick-off on Monday?")
    request_message(actor=world.owner, request=request, body="Monday works.")
    request.refresh_from_db()
    assert (request.status, request.version) == ("accepted", version)
    assert request.messages.count() == 2
    assert request.events.filter(kind="message").count() == 2


@pytest.mark.parametrize("state", ["declined", "referred", "withdrawn"])
@pytest.mark.parametrize("side", ["business", "office"])
def test_nobody_writes_on_a_closed_request(world, state, side):
    request = in_state(world, state)
    before = snapshot(request)
    actor = world.owner if side == "business" else world.office["a"]
    with pytest.raises(RequestConflict):
        request_message(actor=actor, request=request, body="Hello?")
    assert snapshot(request) == before


def test_internal_notes_stay_with_the_institution_that_wrote_them(world, request_a1):
    request_assign(
        actor=world.office["a"],
        request=request_a1,
        expected_version=1,
        assignee=world.researcher["a"],
    )
    request_note_add(actor=world.office["a"], request=request_a1, body="  Good fit for Sam.  ")
    request_note_add(actor=world.researcher["a"], request=request_a1, body="Agreed.")
    received = refer(world, request_a1, to_institution=world.institutions["b"])
    request_note_add(actor=world.office["b"], request=received, body="B's own note.")

    def notes(user, request):
        return list(request_notes_for(user=user, request=request).values_list("body", flat=True))

    assert notes(world.office["a"], request_a1) == ["Good fit for Sam.", "Agreed."]
    assert notes(world.researcher["a"], request_a1) == ["Good fit for Sam.", "Agreed."]
    for outsider in (world.owner, world.colleague, world.rival, world.office["b"], world.staff):
        assert notes(outsider, request_a1) == []
    assert notes(world.office["b"], received) == ["B's own note."]
    for outsider in (world.owner, world.office["a"], world.researcher["a"]):
        assert notes(outsider, received) == []
    # A note tells nobody: the business never learns it exists.
    assert not Notification.objects.filter(message__icontains="note").exists()


def test_the_business_timeline_hides_internal_events(world):
    request = in_state(world, "info_requested")
    RequestEvent.objects.create(request=request, kind="sla_escalated", note="6")
    everything = ["submitted", "assigned", "info_requested", "sla_escalated"]

    def kinds(user):
        return [event.kind for event in request_events_for(user=user, request=request)]

    assert kinds(world.owner) == ["submitted", "info_requested"]
    assert kinds(world.office["a"]) == everything
    assert kinds(world.researcher["a"]) == everything
    assert kinds(world.staff) == everything


# --- Each notification is emailed once ------------------------------------------------------


@pytest.mark.parametrize("step", ["create", *ACTIONS])
def test_each_notification_is_emailed_once_however_often_the_task_runs(
    world, step, django_capture_on_commit_callbacks
):
    request = in_state(world, "info_requested" if step == "answer" else "submitted")
    already = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        if step == "create":
            ask(world, "b1")
        else:
            act(world, step, request)
    created = list(Notification.objects.exclude(pk__in=already).select_related("user"))
    assert created
    assert sorted(m.to[0] for m in mail.outbox) == sorted(n.user.email for n in created)

    # The task runs again (a retry, a second worker): nobody gets a second email.
    with django_capture_on_commit_callbacks(execute=True):
        for notification in created:
            notification_email.apply(kwargs={"notification_id": notification.pk})
            notification_email.delay(notification_id=notification.pk)
    assert len(mail.outbox) == len(created)
    assert not Notification.objects.filter(pk__in=[n.pk for n in created], emailed_at=None)


def test_a_request_visible_from_several_sides_is_listed_once_without_distinct(world, request_a1):
    from matching.selectors import requests_visible_to

    request_assign(
        actor=world.office["a"], request=request_a1, expected_version=1, assignee=world.office["a"]
    )
    # Office staff of institution A and its assignee: two of the conditions hold for one row.
    visible = requests_visible_to(world.office["a"])
    assert list(visible.values_list("pk", flat=True)) == [request_a1.pk]
    assert "DISTINCT" not in str(visible.query).upper()
