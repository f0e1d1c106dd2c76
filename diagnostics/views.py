from collections.abc import Mapping
from typing import Any

from allauth.account.views import SignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ocip import taxonomy
from ocip.accounts.forms import InvitationForm
from ocip.accounts.invitations import PENDING_INVITATION_SESSION_KEY
from ocip.accounts.views import add_service_error, confirm_page, form_page
from ocip.charts import horizontal_bars
from ocip.formatting import dollar_text
from ocip.pagination import paginate

from . import selectors, services
from .answers import StepForm, answers_as_form_data
from .effort import promised_minutes
from .forms import CompanyForm
from .models import Company, Diagnostic
from .questionnaire import localized
from .text import suggest_capability_areas


class BusinessSignupView(SignupView):
    """allauth's signup view; people arriving from an invitation are not asked for a company."""

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        kwargs["invitation_pending"] = bool(
            self.request.session.get(PENDING_INVITATION_SESSION_KEY)
        )
        return kwargs


def _company(request, slug):
    return get_object_or_404(selectors.companies_for(request.user), slug=slug)


@login_required
def company_list(request):
    page = paginate(request, selectors.companies_for(request.user).order_by("name"))
    return render(request, "diagnostics/company_list.html", {"page_obj": page})


@login_required
def company_detail(request, slug):
    company = _company(request, slug)
    membership = selectors.company_membership(user=request.user, company=company)
    context = {
        "company": company,
        "membership": membership,
        "members": selectors.company_members(user=request.user, company=company),
        "invitations": selectors.company_open_invitations(user=request.user, company=company),
        "can_remove": request.user.is_platform_staff
        or (membership is not None and membership.role == membership.Role.OWNER),
    }
    return render(request, "diagnostics/company_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request, slug):
    company = _company(request, slug)
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_update(actor=request.user, company=company, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The company profile was saved."))
            return redirect("company_detail", slug=company.slug)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": company.name},
        submit_label=_("Save"),
        cancel_url=company.get_absolute_url(),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_invite(request, slug):
    company = _company(request, slug)
    form = InvitationForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.company_invitation_create(
                actor=request.user, company=company, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("company_detail", slug=company.slug)
    return form_page(
        request,
        form,
        title=_("Invite a colleague to %(name)s") % {"name": company.name},
        intro=_("They will get an email with a link that works once, for %(days)s days.")
        % {"days": settings.OCIP_INVITATION_DAYS},
        submit_label=_("Send invitation"),
        cancel_url=company.get_absolute_url(),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_member_remove(request, slug, pk):
    company = _company(request, slug)
    membership = get_object_or_404(
        selectors.company_members(user=request.user, company=company), pk=pk
    )
    if request.method == "POST":
        try:
            services.company_member_remove(actor=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("%(person)s was removed from the company.") % {"person": membership.user}
            )
        return redirect("company_detail", slug=company.slug)
    return confirm_page(
        request,
        title=_("Remove a member"),
        question=_("Remove %(person)s from %(company)s?")
        % {"person": membership.user, "company": company.name},
        submit_label=_("Remove"),
        cancel_url=company.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_invitation_revoke(request, slug, pk):
    company = _company(request, slug)
    invitation = get_object_or_404(
        selectors.company_open_invitations(user=request.user, company=company), pk=pk
    )
    if request.method == "POST":
        services.company_invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation was withdrawn."))
        return redirect("company_detail", slug=company.slug)
    return confirm_page(
        request,
        title=_("Withdraw an invitation"),
        question=_("Withdraw the invitation sent to %(email)s?") % {"email": invitation.email},
        submit_label=_("Withdraw"),
        cancel_url=company.get_absolute_url(),
    )


# --- The innovation diagnostic ---


def _member_company(request, slug) -> Company:
    return get_object_or_404(selectors.companies_of_member(request.user), slug=slug)


def _diagnostic(request, pk) -> Diagnostic:
    return get_object_or_404(selectors.diagnostics_for(request.user), pk=pk)


def _steps(diagnostic: Diagnostic, language: str) -> list[dict]:
    """The step list the wizard shows: title, and whether it can be opened yet."""
    form_questionnaire = diagnostic.questionnaire.content
    return [
        {
            "number": number,
            "title": localized(step["title"], language),
            "reachable": number <= diagnostic.step_reached,
            "done": number < diagnostic.step_reached,
        }
        for number, step in enumerate(form_questionnaire.steps, start=1)
    ]


@login_required
def diagnostic_list(request, slug):
    company = _member_company(request, slug)
    diagnostics = selectors.company_diagnostics(user=request.user, company=company)
    context = {
        "company": company,
        "page_obj": paginate(request, diagnostics.order_by("-created_at", "-pk")),
        "draft": selectors.company_draft(user=request.user, company=company),
        "has_submitted": diagnostics.filter(status=Diagnostic.Status.SUBMITTED).exists(),
    }
    return render(request, "diagnostics/diagnostic_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def diagnostic_start(request, slug):
    company = _member_company(request, slug)
    draft = selectors.company_draft(user=request.user, company=company)
    if draft is not None:
        return redirect(_resume_url(draft))
    if request.method == "POST":
        diagnostic, _created = services.diagnostic_start(actor=request.user, company=company)
        return redirect(_resume_url(diagnostic))
    has_submitted = selectors.company_diagnostics(user=request.user, company=company).exists()
    return confirm_page(
        request,
        title=_("Start an innovation diagnostic"),
        question=(
            _("Your answers from the last diagnostic will be filled in; change what is new.")
            if has_submitted
            else ngettext(
                "It takes about %(minutes)s minute. Your answers are saved at every step, so you "
                "can stop and come back later.",
                "It takes about %(minutes)s minutes. Your answers are saved at every step, so you "
                "can stop and come back later.",
                promised_minutes(),
            )
            % {"minutes": promised_minutes()}
        ),
        submit_label=_("Start"),
        cancel_url=reverse("diagnostic_list", kwargs={"slug": company.slug}),
        danger=False,
    )


def _resume_url(diagnostic: Diagnostic) -> str:
    """The step the person left off at, the review page, or the results."""
    if not diagnostic.is_draft:
        return reverse("diagnostic_results", kwargs={"pk": diagnostic.pk})
    step_count = diagnostic.questionnaire.content.step_count
    if diagnostic.current_step > step_count:
        return reverse("diagnostic_review", kwargs={"pk": diagnostic.pk})
    return reverse(
        "diagnostic_step", kwargs={"pk": diagnostic.pk, "number": diagnostic.current_step}
    )


@login_required
def diagnostic_detail(request, pk):
    return redirect(_resume_url(_diagnostic(request, pk)))


def _suggestions(diagnostic: Diagnostic, step: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    source = next((q.get("suggest_from") for q in step["questions"] if q.get("suggest_from")), None)
    if not source:
        return {}
    text = str(diagnostic.answers.get(source) or "")
    return {s.area: s.terms for s in suggest_capability_areas(text)}


@login_required
@require_http_methods(["GET", "POST"])
def diagnostic_step(request, pk, number):
    diagnostic = _diagnostic(request, pk)
    if not diagnostic.is_draft:
        messages.info(
            request, _("This diagnostic was submitted; its answers can no longer change.")
        )
        return redirect("diagnostic_results", pk=diagnostic.pk)
    form_questionnaire = diagnostic.questionnaire.content
    if not 1 <= number <= form_questionnaire.step_count:
        raise Http404
    if number > diagnostic.step_reached:
        messages.info(request, _("Complete this step first."))
        return redirect("diagnostic_step", pk=diagnostic.pk, number=diagnostic.step_reached)
    step = form_questionnaire.step(number)
    suggestions = _suggestions(diagnostic, step)
    action = request.POST.get("action", "next")
    form_kwargs = {
        "questionnaire": form_questionnaire,
        "number": number,
        "language": request.LANGUAGE_CODE,
        "suggestions": suggestions,
        "partial": action != "next",
        # The stored answers decide which questions apply: the page asks only those.
        "answers": diagnostic.answers,
    }
    if request.method == "POST":
        form = StepForm(request.POST, **form_kwargs)
        if form.is_valid():
            # Answers that make questions of this page apply which it did not ask (a "no" on
            # the readiness ladder changed to "yes") bring the page back with them.
            reopened = form.reopened() if action == "next" else []
            try:
                diagnostic = services.diagnostic_step_save(
                    actor=request.user,
                    diagnostic=diagnostic,
                    number=number,
                    answers=form.answers(),
                    complete=action == "next" and not reopened,
                )
            except services.DiagnosticConflict as conflict:
                messages.error(request, conflict.message)
                return redirect(_resume_url(_diagnostic(request, pk)))
            if action == "back" and number > 1:
                services.diagnostic_go_to(
                    actor=request.user, diagnostic=diagnostic, number=number - 1
                )
                return redirect("diagnostic_step", pk=diagnostic.pk, number=number - 1)
            if reopened:
                messages.info(
                    request,
                    ngettext(
                        "Your answers open %(count)s more question on this page: answer it or "
                        "leave it blank, then continue.",
                        "Your answers open %(count)s more questions on this page: answer them or "
                        "leave them blank, then continue.",
                        len(reopened),
                    )
                    % {"count": len(reopened)},
                )
                return redirect("diagnostic_step", pk=diagnostic.pk, number=number)
            if action == "save":
                messages.success(
                    request,
                    _("Your answers are saved. Come back any time to continue from step %(n)s.")
                    % {"n": number},
                )
                return redirect("diagnostic_list", slug=diagnostic.company.slug)
            return redirect(_resume_url(diagnostic))
        status = 400
    else:
        services.diagnostic_go_to(actor=request.user, diagnostic=diagnostic, number=number)
        initial = answers_as_form_data(form_questionnaire, number, diagnostic.answers)
        for question in step["questions"]:
            if question.get("suggest_from") and question["id"] not in diagnostic.answers:
                initial[question["id"]] = list(suggestions)
        form = StepForm(initial=initial, **form_kwargs)
        status = 200
    context = {
        "diagnostic": diagnostic,
        "form": form,
        "step": step,
        "number": number,
        "step_count": form_questionnaire.step_count,
        "percent": round(100 * (number - 1) / form_questionnaire.step_count),
        "title": localized(step["title"], request.LANGUAGE_CODE),
        "intro": localized(step.get("intro"), request.LANGUAGE_CODE),
        "steps": _steps(diagnostic, request.LANGUAGE_CODE),
        "suggestions": suggestions,
    }
    return render(request, "diagnostics/diagnostic_step.html", context, status=status)


def _answer_summary(diagnostic: Diagnostic, language: str) -> list[dict]:
    """Every step's questions that apply, with the answer given, in words, for the review page."""
    form_questionnaire = diagnostic.questionnaire.content
    skipped = form_questionnaire.skipped_questions(diagnostic.answers)
    summary = []
    for number, step in enumerate(form_questionnaire.steps, start=1):
        rows = []
        for question in step["questions"]:
            if question["id"] in skipped:
                continue  # does not apply
            value = diagnostic.answers.get(question["id"])
            rows.append(
                {
                    "label": localized(question["label"], language),
                    "answer": _answer_words(form_questionnaire, question, value, language),
                }
            )
        summary.append(
            {"number": number, "title": localized(step["title"], language), "rows": rows}
        )
    return summary


def _answer_words(form_questionnaire, question, value, language) -> str:
    if value is None or value == [] or value == "":
        return ""
    kind = question["type"]
    if kind == "boolean":
        return str(_("Yes") if value else _("No"))
    if kind == "multi_choice":
        return ", ".join(
            form_questionnaire.option_label(question["id"], v, language) for v in value
        )
    if kind == "choice":
        return form_questionnaire.option_label(question["id"], value, language)
    if kind == "scale":
        return f"{value} – {localized(question['anchors'][int(value) - 1], language)}"
    if kind == "money":
        return dollar_text(value)
    return str(value)


@login_required
@require_http_methods(["GET", "POST"])
def diagnostic_review(request, pk):
    diagnostic = _diagnostic(request, pk)
    if not diagnostic.is_draft:
        return redirect("diagnostic_results", pk=diagnostic.pk)
    form_questionnaire = diagnostic.questionnaire.content
    if diagnostic.step_reached <= form_questionnaire.step_count:
        messages.info(request, _("Complete every step before you review and submit."))
        return redirect(_resume_url(diagnostic))
    status = 200
    if request.method == "POST":
        try:
            revision = int(request.POST.get("revision", ""))
        except ValueError:
            return HttpResponseBadRequest(_("The form was incomplete. Reload the page."))
        try:
            services.diagnostic_submit(actor=request.user, diagnostic=diagnostic, revision=revision)
        except services.DiagnosticConflict as conflict:
            messages.error(request, conflict.message)
            return redirect(_resume_url(_diagnostic(request, pk)))
        except ValidationError as error:
            messages.error(request, _("Some answers are missing or need a change:"))
            for message in error.messages:
                messages.error(request, message)
            status = 400
        else:
            messages.success(request, _("Your diagnostic was submitted."))
            return redirect("diagnostic_results", pk=diagnostic.pk)
    services.diagnostic_go_to(
        actor=request.user, diagnostic=diagnostic, number=form_questionnaire.step_count + 1
    )
    diagnostic.refresh_from_db()
    context = {
        "diagnostic": diagnostic,
        "summary": _answer_summary(diagnostic, request.LANGUAGE_CODE),
        "steps": _steps(diagnostic, request.LANGUAGE_CODE),
        "step_count": form_questionnaire.step_count,
    }
    return render(request, "diagnostics/diagnostic_review.html", context, status=status)


def _maturity_chart(maturity: dict, language: str) -> dict:
    rows: list[tuple[str, float | None, str | float]] = [
        (
            localized(dimension["label"], language),
            dimension["score"],
            # The score itself, written the reader's way by the chart (2,5 in French).
            dimension["score"] if dimension["score"] is not None else _("not answered"),
        )
        for dimension in maturity["dimensions"]
    ]
    return horizontal_bars(rows, maximum=5, ticks=[1, 2, 3, 4, 5], decimals=1)


@login_required
def diagnostic_results(request, pk):
    diagnostic = _diagnostic(request, pk)
    if diagnostic.is_draft:
        return redirect(_resume_url(diagnostic))
    profile = diagnostic.needs_profile.data
    language = request.LANGUAGE_CODE
    context = {
        "diagnostic": diagnostic,
        "profile": profile,
        "language": language,
        "maturity_chart": _maturity_chart(profile["maturity"], language),
        "capability_areas": [
            {**area, "label": taxonomy.label("capability_areas", area["slug"], language)}
            for area in profile["capability_areas"]
        ],
        "related_areas": [
            taxonomy.label("capability_areas", slug, language)
            for slug in profile["related_capability_areas"]
        ],
        "innovation_types": [
            taxonomy.label("innovation_types", slug, language)
            for slug in profile["innovation_types"]
        ],
        "rd_stage_label": taxonomy.label("rd_stages", profile["rd_stage"], language)
        if profile["rd_stage"]
        else "",
        "recommendation_groups": [
            (term, label, profile["recommendations"][term])
            for term, label in (
                ("short", _("Short term: the next three months")),
                ("mid", _("Mid term: this year")),
                ("long", _("Long term: beyond a year")),
            )
        ],
        "summary": _answer_summary(diagnostic, language),
    }
    return render(request, "diagnostics/diagnostic_results.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def diagnostic_discard(request, pk):
    drafts = selectors.diagnostics_for(request.user).filter(status=Diagnostic.Status.DRAFT)
    diagnostic = get_object_or_404(drafts, pk=pk)
    list_url = reverse("diagnostic_list", kwargs={"slug": diagnostic.company.slug})
    if request.method == "POST":
        try:
            services.diagnostic_discard(actor=request.user, diagnostic=diagnostic)
        except services.DiagnosticConflict as conflict:
            messages.error(request, conflict.message)
        else:
            messages.success(request, _("The diagnostic in progress was deleted."))
        return redirect(list_url)
    return confirm_page(
        request,
        title=_("Delete the diagnostic in progress"),
        question=_("Delete this diagnostic and all its answers? This cannot be undone."),
        submit_label=_("Delete"),
        cancel_url=list_url,
    )
