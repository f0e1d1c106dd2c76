"""Introduction requests in the browser: the business asks and follows, the research office
works its queue and acts, the assigned researcher follows along.

Thin views: every object comes through a scoped selector (404 for someone else's), every
change through a service (403 for a role that may look but not act).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ocip import taxonomy
from ocip.accounts.views import add_service_error, form_page
from ocip.formatting import dollar_text
from ocip.pagination import paginate

from . import selectors, services, workflow
from .business_days import business_days_between, is_business_day
from .explain import with_reasons
from .forms import (
    RequestAnswerForm,
    RequestAskInfoForm,
    RequestAssignForm,
    RequestCreateForm,
    RequestDeclineForm,
    RequestMessageForm,
    RequestNoteForm,
    RequestQueueFilterForm,
    RequestReferForm,
    RequestWithdrawForm,
    match_choice_label,
)
from .models import ExpertiseProfile, Institution, IntroductionRequest, MatchRun
from .views import filters_query

# The create form lists the best requestable matches (plus any the page was opened for).
REQUEST_CHOICES = 20
WAITING_ON_INSTITUTION = (workflow.SUBMITTED, workflow.IN_REVIEW)


def _visible_request(request, pk) -> IntroductionRequest:
    return get_object_or_404(
        selectors.requests_visible_to(request.user).select_related(
            "company", "institution", "profile", "assigned_to", "diagnostic", "match_run"
        ),
        pk=pk,
    )


def waited_days(intro: IntroductionRequest) -> int:
    """Business days from the request to its closing, or to today while it is open."""
    end = intro.closed_at or timezone.now()
    return business_days_between(timezone.localdate(intro.created_at), timezone.localdate(end))


def _project_of(intro: IntroductionRequest):
    try:
        return intro.project  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, AttributeError):
        return None


# --- The business ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request, pk):
    """Ask to be introduced to one or more matches of the diagnostic's latest run."""
    run = selectors.latest_match_run(user=request.user, diagnostic_id=pk)
    if run is None:
        raise Http404
    wanted = request.GET.getlist("profile")
    requestable = selectors.requestable_matches(user=request.user, run=run)
    shown = [
        match
        for position, match in enumerate(requestable)
        if position < REQUEST_CHOICES or match["profile"] in wanted
    ]
    if request.method == "GET" and set(wanted) - {match["profile"] for match in shown}:
        messages.warning(
            request,
            _(
                "Some of the profiles you chose cannot be requested from your latest matches: "
                "you already asked them, or they are no longer among them."
            ),
        )
    form = RequestCreateForm(
        request.POST or None,
        matches=shown,
        max_profiles=services.MAX_PROFILES_PER_REQUEST,
        initial={"profiles": wanted},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.request_create(
                actor=request.user,
                run=run,
                profile_ids=form.cleaned_data["profiles"],
                message=form.cleaned_data["message"],
                hopes=form.cleaned_data["hopes"],
                contact_preference=form.cleaned_data["contact_preference"],
                contact_phone=form.cleaned_data["contact_phone"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s introduction request was sent. We will tell you when the "
                    "institution answers.",
                    "%(count)s introduction requests were sent. We will tell you when the "
                    "institutions answer.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect("request_list")
    context = {
        "run": run,
        "diagnostic": run.diagnostic,
        "form": form,
        "failed": run.status != MatchRun.Status.DONE,
    }
    return render(
        request, "matching/request_create.html", context, status=400 if form.errors else 200
    )


@login_required
def request_list(request):
    """The business's requests, newest first."""
    requests = (
        selectors.requests_of_business(request.user)
        .select_related("company", "institution", "profile")
        .order_by("-created_at", "-pk")
    )
    page = paginate(request, requests)
    page.object_list = list(page.object_list)
    for intro in page.object_list:
        intro.waited_days = waited_days(intro)  # type: ignore[attr-defined]
    return render(
        request,
        "matching/request_list.html",
        {"page_obj": page, "waiting_statuses": WAITING_ON_INSTITUTION},
    )


# --- The institution -------------------------------------------------------------------------


def _queue_institutions(user) -> QuerySet[Institution]:
    """Research offices see their own queues; platform staff may look at any (read-only)."""
    if user.is_platform_staff:
        return Institution.objects.all()
    return selectors.office_institutions(user)


def _created_on_or_before(today: date, days: int) -> date:
    """The latest creation date that is at least `days` business days before `today`."""
    day, counted = today, 0
    while counted < days:
        counted += is_business_day(day)
        day -= timedelta(days=1)
    return day


QUEUE_ORDER = {
    "age": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "score": (F("score").desc(nulls_last=True), "created_at", "pk"),
    "status": (
        Case(
            *(
                When(status=status, then=Value(rank))
                for rank, status in enumerate(workflow.STATUSES)
            ),
            output_field=IntegerField(),
        ),
        "created_at",
        "pk",
    ),
}


def filter_queue(requests: QuerySet, values: dict[str, str], *, user) -> QuerySet:
    """The queue's filters and sort (values from RequestQueueFilterForm.values)."""
    status = values["status"]
    if status == "open":
        requests = requests.filter(status__in=workflow.OPEN)
    elif status != "all":
        requests = requests.filter(status=status)
    if values["sector"]:
        requests = requests.filter(sector=values["sector"])
    if values["area"]:
        # A JSON list of slugs: its text holds "slug" with the quotes exactly when the list
        # holds slug. Works on SQLite and PostgreSQL alike (`contains` is PostgreSQL only).
        requests = requests.filter(capability_areas__icontains=f'"{values["area"]}"')
    assignee = values["assignee"]
    if assignee == "unassigned":
        requests = requests.filter(assigned_to__isnull=True)
    elif assignee == "me":
        requests = requests.filter(assigned_to=user)
    elif assignee.isdigit():
        requests = requests.filter(assigned_to_id=int(assignee))
    if values["age"]:
        # The age is counted in business days; open requests are the ones this filter is for.
        last_day = _created_on_or_before(timezone.localdate(), int(values["age"]))
        midnight = datetime.combine(last_day + timedelta(days=1), time.min)
        requests = requests.filter(created_at__lt=timezone.make_aware(midnight))
    return requests.order_by(*QUEUE_ORDER[values["sort"]])


def _with_row_labels(page, language: str) -> None:
    page.object_list = list(page.object_list)
    for intro in page.object_list:
        intro.waited_days = waited_days(intro)
        intro.sector_label = (
            taxonomy.label("sectors", intro.sector, language) if intro.sector else ""
        )
        intro.area_labels = [
            taxonomy.label("capability_areas", slug, language) for slug in intro.capability_areas
        ]


@login_required
def request_queue(request, slug):
    """One institution's incoming requests, filtered and sorted, for its research office."""
    institution = get_object_or_404(_queue_institutions(request.user), slug=slug)
    filters = RequestQueueFilterForm(
        request.GET or None, people=selectors.assignable_people(institution)
    )
    requests = filter_queue(
        selectors.requests_visible_to(request.user)
        .filter(institution=institution)
        .select_related("company", "institution", "profile", "assigned_to"),
        filters.values,
        user=request.user,
    )
    page = paginate(request, requests)
    _with_row_labels(page, request.LANGUAGE_CODE)
    context = {
        "institution": institution,
        "filters": filters,
        "page_obj": page,
        "query_string": filters_query(request),
        "read_only": not selectors.office_institutions(request.user)
        .filter(pk=institution.pk)
        .exists(),
    }
    return render(request, "matching/request_queue.html", context)


@login_required
def request_assigned(request):
    """Requests assigned to the person: open ones first, the oldest of them on top."""
    open_first = Case(
        When(status__in=workflow.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    requests = (
        selectors.requests_visible_to(request.user)
        .filter(assigned_to=request.user)
        .select_related("company", "institution", "profile")
        .order_by(open_first, "created_at", "pk")
    )
    page = paginate(request, requests)
    _with_row_labels(page, request.LANGUAGE_CODE)
    context = {"page_obj": page}
    return render(request, "matching/request_assigned.html", context)


# --- One request -----------------------------------------------------------------------------


def _key_facts(facts: dict, data: dict, language: str) -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    if facts.get("sector"):
        rows.append((_("Sector"), taxonomy.label("sectors", str(facts["sector"]), language)))
    if facts.get("region"):
        place = ", ".join(str(p) for p in (facts.get("municipality"), facts["region"]) if p)
        rows.append((_("Where"), place))
    if facts.get("fte_ontario") is not None:
        rows.append((_("Full-time employees in Ontario"), facts["fte_ontario"]))
    if facts.get("budget_cash") is not None:
        rows.append((_("Cash for the project"), dollar_text(facts["budget_cash"])))
    if data.get("trl") is not None:
        rows.append((_("Technology readiness level"), data["trl"]))
    if data.get("rd_stage"):
        rows.append((_("Stage of R&D"), taxonomy.label("rd_stages", data["rd_stage"], language)))
    if facts.get("wants_students") is not None:
        rows.append((_("Wants students"), _("Yes") if facts["wants_students"] else _("No")))
    return rows


def _institution_view(intro: IntroductionRequest, language: str) -> dict[str, Any]:
    """What the institution reads before deciding: the diagnostic, the match, the funding."""
    diagnostic = intro.diagnostic
    needs = getattr(diagnostic, "needs_profile", None)
    data = needs.data if needs else {}
    run = intro.match_run
    match = None
    if run is not None and intro.profile_id:
        found = [m for m in run.matches if m["profile"] == intro.profile.external_id]  # type: ignore[union-attr]
        match = with_reasons(found, language, for_staff=True)[0] if found else None
    return {
        "summary": {
            "challenge": data.get("challenge", ""),
            "desired_outcome": data.get("desired_outcome", ""),
            "facts": _key_facts(data.get("facts", {}), data, language),
            "areas": [
                taxonomy.label("capability_areas", area["slug"], language)
                for area in data.get("capability_areas", [])
            ],
        },
        "match": match,
        "funding": selectors.run_funding(run, language)
        if run is not None and run.status == MatchRun.Status.DONE
        else None,
    }


def _referral_choices(intro: IntroductionRequest) -> list:
    """Where an office may refer a request, best first: colleagues' profiles at the same
    institution, then the run's matches elsewhere; never a profile the company already has an
    open request with."""
    run = intro.match_run
    matches = run.matches if run is not None and run.status == MatchRun.Status.DONE else []
    taken = set(
        IntroductionRequest.objects.filter(
            company_id=intro.company_id, status__in=workflow.OPEN, profile__isnull=False
        ).values_list("profile__external_id", flat=True)
    )
    active = ExpertiseProfile.objects.filter(is_active=True).exclude(external_id__in=taken)
    matched = set(
        active.filter(external_id__in=[m["profile"] for m in matches]).values_list(
            "external_id", flat=True
        )
    )
    here: list[tuple[str, str]] = []
    elsewhere: list[tuple[str, str]] = []
    for match in matches:
        if match["profile"] in matched:
            label = match_choice_label(match)
            side = here if match["institution"] == intro.institution.slug else elsewhere
            side.append((match["profile"], label))
    unmatched_colleagues = (
        active.filter(institution_id=intro.institution_id)
        .exclude(external_id__in=[m["profile"] for m in matches])
        .order_by("name")
    )
    here += [
        (p.external_id, _("%(name)s (not in the matches)") % {"name": p.name})
        for p in unmatched_colleagues
    ]
    groups = [
        (_("Colleagues at %(institution)s") % {"institution": intro.institution.name}, here),
        (_("Other institutions"), elsewhere),
    ]
    return [(label, options) for label, options in groups if options]


def _refer_form(intro: IntroductionRequest, data=None) -> RequestReferForm:
    return RequestReferForm(
        data,
        initial={"version": intro.version},
        profile_choices=_referral_choices(intro),
        institutions=Institution.objects.exclude(pk=intro.institution_id).order_by("name"),
    )


def _assign_form(intro: IntroductionRequest, data=None) -> RequestAssignForm:
    return RequestAssignForm(
        data,
        initial={"version": intro.version, "assignee": intro.assigned_to_id},
        people=selectors.assignable_people(intro.institution),
    )


def _versioned(form_class) -> Callable:
    return lambda intro, data=None: form_class(data, initial={"version": intro.version})


@login_required
def request_detail(request, pk):
    intro = _visible_request(request, pk)
    sides = selectors.request_sides(user=request.user, request=intro)
    actions = workflow.available_actions(sides, intro.status)  # as the API lists them
    language = request.LANGUAGE_CODE
    chain = selectors.request_chain_for(user=request.user, request=intro)
    hopes = dict(IntroductionRequest.Hope.choices)
    intro.waited_days = waited_days(intro)  # type: ignore[attr-defined]
    events = selectors.request_events_for(user=request.user, request=intro)
    context: dict[str, Any] = {
        "intro": intro,
        "sides": sides,
        "hopes": [hopes[hope] for hope in intro.hopes if hope in hopes],
        "chain": chain if len(chain) > 1 else [],
        "events": events,
        "conversation": intro.messages.select_related("author"),
        "message_form": RequestMessageForm() if "message" in actions else None,
        "project": _project_of(intro),
    }
    if sides & {"institution", "platform"}:
        context |= _institution_view(intro, language)
    if "institution" in sides:
        context["notes"] = selectors.request_notes_for(user=request.user, request=intro)
    context |= {
        "note_form": RequestNoteForm() if "note" in actions else None,
        "assign_form": _assign_form(intro) if "assign" in actions else None,
        "ask_form": _versioned(RequestAskInfoForm)(intro) if "ask_info" in actions else None,
        "decline_form": _versioned(RequestDeclineForm)(intro) if "decline" in actions else None,
        "refer_form": _refer_form(intro) if "refer" in actions else None,
        "accept_url": reverse("request_accept", args=[intro.pk]) if "accept" in actions else None,
        "answer_form": _versioned(RequestAnswerForm)(intro) if "answer" in actions else None,
        "can_withdraw": "withdraw" in actions,
    }
    if "business" in sides:
        context |= {
            "latest_question": next(
                (e.note for e in reversed(events) if e.kind == "info_requested"), ""
            ),
            "next_best": selectors.next_best_matches(intro)
            if intro.status == workflow.DECLINED
            else [],
        }
    return render(request, "matching/request_detail.html", context)


def _request_action(
    request,
    pk,
    *,
    action: str,
    make_form: Callable,
    perform: Callable,
    title: str,
    submit_label: str,
    success: Callable,
    intro_text: str = "",
):
    """The shared shape of the POST endpoints. GET shows the form alone; POST acts and returns
    to the request, or shows the form again with what to fix (400)."""
    intro = _visible_request(request, pk)
    services.require_request_action(request.user, intro, action)
    if request.method == "GET" and not workflow.state_allows(action, intro.status):
        messages.error(
            request,
            _("This request is “%(status)s”: this action is not available now.")
            % {"status": intro.get_status_display()},
        )
        return redirect(intro)
    form = make_form(intro, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(intro, form.cleaned_data)
        except services.RequestConflict as error:  # RequestChanged too: a stale page
            messages.error(request, error.message)
            return redirect(intro)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, success(result))
            return redirect(intro)
    return form_page(
        request,
        form,
        title=title % {"target": intro.target_name, "company": intro.company.name},
        submit_label=submit_label,
        cancel_url=intro.get_absolute_url(),
        intro=intro_text,
        status=400 if form.errors else 200,
    )


def _actor_view(view: Callable) -> Callable:
    return login_required(require_http_methods(["GET", "POST"])(view))


@_actor_view
def request_message(request, pk):
    return _request_action(
        request,
        pk,
        action="message",
        make_form=lambda intro, data: RequestMessageForm(data),
        perform=lambda intro, data: services.request_message(
            actor=request.user, request=intro, body=data["body"]
        ),
        title=_("Write about the request of %(company)s for %(target)s"),
        submit_label=_("Send the message"),
        success=lambda result: _("Your message was sent."),
    )


@_actor_view
def request_note(request, pk):
    return _request_action(
        request,
        pk,
        action="note",
        make_form=lambda intro, data: RequestNoteForm(data),
        perform=lambda intro, data: services.request_note_add(
            actor=request.user, request=intro, body=data["body"]
        ),
        title=_("Internal note on the request of %(company)s"),
        submit_label=_("Save the note"),
        success=lambda result: _("The note was saved. The business does not see it."),
    )


@_actor_view
def request_assign(request, pk):
    return _request_action(
        request,
        pk,
        action="assign",
        make_form=_assign_form,
        perform=lambda intro, data: services.request_assign(
            actor=request.user,
            request=intro,
            expected_version=data["version"],
            assignee=data["assignee"],
        ),
        title=_("Assign the request of %(company)s"),
        submit_label=_("Assign"),
        success=lambda result: (
            _("The request was assigned to %(person)s.")
            % {"person": result.assigned_to.get_full_name() or result.assigned_to.email}
        ),
    )


@_actor_view
def request_ask_info(request, pk):
    return _request_action(
        request,
        pk,
        action="ask_info",
        make_form=_versioned(RequestAskInfoForm),
        perform=lambda intro, data: services.request_ask_info(
            actor=request.user,
            request=intro,
            expected_version=data["version"],
            question=data["question"],
        ),
        title=_("Ask %(company)s for more information"),
        submit_label=_("Send the question"),
        success=lambda result: _(
            "Your question was sent. The request waits on the business until it answers."
        ),
    )


@_actor_view
def request_answer(request, pk):
    return _request_action(
        request,
        pk,
        action="answer",
        make_form=_versioned(RequestAnswerForm),
        perform=lambda intro, data: services.request_answer(
            actor=request.user,
            request=intro,
            expected_version=data["version"],
            answer=data["answer"],
        ),
        title=_("Answer the question about your request for %(target)s"),
        submit_label=_("Send the answer"),
        success=lambda result: _("Your answer was sent. The request is back in review."),
    )


@_actor_view
def request_decline(request, pk):
    return _request_action(
        request,
        pk,
        action="decline",
        make_form=_versioned(RequestDeclineForm),
        perform=lambda intro, data: services.request_decline(
            actor=request.user,
            request=intro,
            expected_version=data["version"],
            reason=data["reason"],
            note=data["note"],
        ),
        title=_("Decline the request of %(company)s"),
        submit_label=_("Decline the request"),
        intro_text=_(
            "The business sees the reason and your note, with the next best matches we suggest."
        ),
        success=lambda result: _("The request was declined. The business was told why."),
    )


@_actor_view
def request_refer(request, pk):
    return _request_action(
        request,
        pk,
        action="refer",
        make_form=_refer_form,
        perform=lambda intro, data: services.request_refer(
            actor=request.user,
            request=intro,
            expected_version=data["version"],
            note=data["note"],
            to_profile=data["to_profile"],
            to_institution=data["to_institution"],
        ),
        title=_("Refer the request of %(company)s"),
        submit_label=_("Refer the request"),
        intro_text=_(
            "This closes the request here and opens one for the receiver, who sees where it "
            "came from."
        ),
        success=lambda received: (
            _("The request was referred to %(target)s.") % {"target": received.target_name}
        ),
    )


@_actor_view
def request_withdraw(request, pk):
    return _request_action(
        request,
        pk,
        action="withdraw",
        make_form=_versioned(RequestWithdrawForm),
        perform=lambda intro, data: services.request_withdraw(
            actor=request.user,
            request=intro,
            expected_version=data["version"],
            note=data["note"],
        ),
        title=_("Withdraw your request for %(target)s?"),
        submit_label=_("Withdraw the request"),
        intro_text=_("The institution is told. You can ask again later from your matches."),
        success=lambda result: _("Your request was withdrawn."),
    )
