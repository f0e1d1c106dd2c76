from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from diagnostics.selectors import diagnostics_for
from ocip import taxonomy
from ocip.accounts.views import add_service_error, confirm_page, form_page
from ocip.pagination import paginate

from . import selectors, services
from .explain import run_error_message, with_reasons
from .forms import ExpertiseProfileForm, InstitutionForm, InstitutionInvitationForm, MatchFilterForm
from .models import ExpertiseProfile, Institution, InstitutionMembership


def _institution(request, slug):
    return get_object_or_404(selectors.institutions_for(request.user), slug=slug)


def _managed_institution(request, slug):
    institution = _institution(request, slug)
    if not selectors.can_manage_institution(user=request.user, institution=institution):
        raise PermissionDenied(_("Only this institution's research office can do this."))
    return institution


@login_required
def institution_list(request):
    page = paginate(request, selectors.institutions_for(request.user).order_by("name"))
    return render(request, "matching/institution_list.html", {"page_obj": page})


@login_required
def institution_detail(request, slug):
    institution = _institution(request, slug)
    context = {
        "institution": institution,
        "membership": selectors.institution_membership(user=request.user, institution=institution),
        "can_manage": selectors.can_manage_institution(user=request.user, institution=institution),
        "members": selectors.institution_members(user=request.user, institution=institution),
        "invitations": selectors.institution_open_invitations(
            user=request.user, institution=institution
        ),
    }
    return render(request, "matching/institution_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def institution_edit(request, slug):
    institution = _managed_institution(request, slug)
    form = InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        try:
            services.institution_update(
                actor=request.user, institution=institution, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The institution profile was saved."))
            return redirect("institution_detail", slug=institution.slug)
    return form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": institution.name},
        submit_label=_("Save"),
        cancel_url=institution.get_absolute_url(),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_invite(request, slug):
    institution = _managed_institution(request, slug)
    form = InstitutionInvitationForm(
        request.POST or None, initial={"language": request.LANGUAGE_CODE}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.institution_invitation_create(
                actor=request.user, institution=institution, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("institution_detail", slug=institution.slug)
    return form_page(
        request,
        form,
        title=_("Invite someone to %(name)s") % {"name": institution.name},
        intro=_("They will get an email with a link that works once, for %(days)s days.")
        % {"days": settings.OCIP_INVITATION_DAYS},
        submit_label=_("Send invitation"),
        cancel_url=institution.get_absolute_url(),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_member_remove(request, slug, pk):
    institution = _managed_institution(request, slug)
    membership = get_object_or_404(
        selectors.institution_members(user=request.user, institution=institution), pk=pk
    )
    if request.method == "POST":
        try:
            services.institution_member_remove(actor=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(person)s was removed from the institution.") % {"person": membership.user},
            )
        return redirect("institution_detail", slug=institution.slug)
    return confirm_page(
        request,
        title=_("Remove a member"),
        question=_("Remove %(person)s from %(institution)s?")
        % {"person": membership.user, "institution": institution.name},
        submit_label=_("Remove"),
        cancel_url=institution.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def institution_invitation_revoke(request, slug, pk):
    institution = _managed_institution(request, slug)
    invitation = get_object_or_404(
        selectors.institution_open_invitations(user=request.user, institution=institution), pk=pk
    )
    if request.method == "POST":
        services.institution_invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, _("The invitation was withdrawn."))
        return redirect("institution_detail", slug=institution.slug)
    return confirm_page(
        request,
        title=_("Withdraw an invitation"),
        question=_("Withdraw the invitation sent to %(email)s?") % {"email": invitation.email},
        submit_label=_("Withdraw"),
        cancel_url=institution.get_absolute_url(),
    )


# --- Matches -------------------------------------------------------------------------------


@login_required
def match_results(request, pk):
    """The matches and funding options of a diagnostic: the latest run, or an older one."""
    diagnostic = get_object_or_404(
        diagnostics_for(request.user)
        .select_related("company", "questionnaire")
        # Not shown here: the answers, the needs profile, and the questions (read only when
        # the run's funding is worded anew, see selectors.run_funding).
        .defer("answers", "needs_profile__data", "questionnaire__definition"),
        pk=pk,
    )
    if diagnostic.is_draft:
        raise Http404
    visible = selectors.match_runs_for(request.user).filter(diagnostic=diagnostic)
    # The list of snapshots needs their numbers and dates only, not their stored matches.
    runs = list(visible.only("pk", "sequence", "created_at").order_by("-sequence"))
    wanted = request.GET.get("run")
    listed = next((r for r in runs if str(r.sequence) == wanted), runs[0] if runs else None)
    if wanted and (listed is None or str(listed.sequence) != wanted):
        raise Http404
    # The run shown: its stored snapshot is read a page at a time (selectors.RunMatches).
    run = visible.defer(*selectors.RUN_SNAPSHOT).get(pk=listed.pk) if listed is not None else None
    if run is not None:
        run.diagnostic = diagnostic  # loaded already: its funding need not read it again
    language = request.LANGUAGE_CODE
    filters = MatchFilterForm(request.GET or None)
    context: dict[str, Any] = {
        "diagnostic": diagnostic,
        "run": run,
        "runs": runs,
        "filters": filters,
        "is_latest": run is not None and run == runs[0],
    }
    if run is not None:
        matches = selectors.run_match_list(run, **filters.criteria())
        page = paginate(request, matches, per_page=selectors.MATCHES_PER_PAGE)
        page.object_list = with_reasons(list(page.object_list), language)  # this page only
        context |= {
            "page_obj": page,
            "match_count": page.paginator.count,
            "run_error": run_error_message(run),
            "funding": selectors.run_funding(run, language),
            "stale": context["is_latest"] and services.match_run_is_stale(run),
            "query_string": filters_query(request),
            "open_requests": selectors.open_requests_by_profile(
                user=request.user,
                company_id=diagnostic.company_id,
                profiles=[match["profile"] for match in page.object_list],
            ),
        }
    return render(request, "matching/match_results.html", context)


def filters_query(request) -> str:
    """The filter part of the query string, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_http_methods(["POST"])
def match_refresh(request, pk):
    run = selectors.latest_match_run(user=request.user, diagnostic_id=pk)
    if run is None:
        raise Http404
    try:
        new = services.match_run_refresh(actor=request.user, run=run)
    except services.MatchRunConflict as error:
        messages.info(request, error.message)
    else:
        if new.pk == run.pk:
            messages.info(request, _("Nothing changed since these matches were made."))
        else:
            messages.success(request, _("The matches were refreshed."))
    return redirect("match_results", pk=pk)


# --- Expertise profiles ----------------------------------------------------------------------


@login_required
def expertise_detail(request, external_id):
    profile = selectors.expertise_profile_visible(external_id)
    if profile is None:
        raise Http404
    language = request.LANGUAGE_CODE
    context = {
        "profile": profile,
        "areas": [
            taxonomy.label("capability_areas", slug, language) for slug in profile.capability_areas
        ],
        "stages": [taxonomy.label("rd_stages", slug, language) for slug in profile.rd_stages],
        "innovation_types": [
            taxonomy.label("innovation_types", slug, language) for slug in profile.innovation_types
        ],
        "can_edit": selectors.can_edit_expertise(
            user=request.user, institution=profile.institution, profile=profile
        ),
    }
    return render(request, "matching/expertise_detail.html", context)


@login_required
def expertise_mine(request):
    """The profiles this person may edit, and the institutions where they may add one."""
    profiles = selectors.expertise_editable_by(request.user).select_related("institution")
    institutions = [
        membership.institution
        for membership in selectors.memberships_of(request.user)
        if membership.role != InstitutionMembership.Role.STUDENT
    ]
    context = {
        "page_obj": paginate(request, profiles.order_by("institution__name", "name")),
        "institutions": institutions,
    }
    return render(request, "matching/expertise_mine.html", context)


def _profile_form_page(request, form, *, title, cancel_url):
    return form_page(
        request,
        form,
        title=title,
        submit_label=_("Save"),
        cancel_url=cancel_url,
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def expertise_edit(request, external_id):
    profile = get_object_or_404(
        selectors.expertise_editable_by(request.user).select_related("institution"),
        external_id=external_id,
    )
    form = ExpertiseProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.expertise_profile_update(
                actor=request.user, profile=profile, **_profile_changes(form)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The profile was saved. Matches use it within a minute."))
            return redirect("expertise_detail", external_id=profile.external_id)
    return _profile_form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": profile.name},
        cancel_url=reverse("expertise_detail", args=[profile.external_id]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def expertise_create(request, slug):
    institution = get_object_or_404(Institution, slug=slug)
    if not selectors.can_edit_expertise(user=request.user, institution=institution):
        raise PermissionDenied(_("You cannot add expertise profiles to this institution."))
    form = ExpertiseProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.expertise_profile_create(
                actor=request.user, institution=institution, **_profile_changes(form)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The profile was added. Matches use it within a minute."))
            return redirect("expertise_detail", external_id=profile.external_id)
    return _profile_form_page(
        request,
        form,
        title=_("New expertise profile at %(name)s") % {"name": institution.name},
        cancel_url=reverse("expertise_mine"),
    )


def _profile_changes(form) -> dict:
    return {name: form.cleaned_data[name] for name in ExpertiseProfile.EDITABLE_FIELDS}
