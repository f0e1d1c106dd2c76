"""Project-level pages that bring the apps together: dashboard, own profile, invitations."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from diagnostics import selectors as company_selectors
from diagnostics import services as company_services
from matching import selectors as institution_selectors
from matching import services as institution_services
from matching.models import IntroductionRequest
from ocip.accounts import invitations
from ocip.accounts.forms import ProfileForm
from ocip.accounts.invitations import PENDING_INVITATION_SESSION_KEY
from ocip.accounts.mfa import user_has_totp
from ocip.design import COLOUR_TOKENS, ExampleForm
from projects import selectors as project_selectors
from projects import services as project_services

OPEN_REQUEST = Q(status__in=IntroductionRequest.OPEN_STATUSES)
# The service-level flags stay set once the institution answers: late means flagged and still
# without a first response.
UNANSWERED_REQUEST = OPEN_REQUEST & Q(first_response_at__isnull=True)


def _request_counts(requests: QuerySet, by: str, **counts: Q) -> dict[int, dict[str, int]]:
    """{value of `by`: {name: how many of `requests` match its condition}}, in one query."""
    annotations = {name: Count("pk", filter=condition) for name, condition in counts.items()}
    rows = requests.order_by().values(by).annotate(**annotations)
    return {row.pop(by): row for row in rows}


@login_required
def dashboard(request):
    user = request.user
    company_memberships = list(company_selectors.memberships_of(user))
    # Oldest first, so each company keeps its newest: the one the dashboard points to.
    latest = {
        diagnostic.company_id: diagnostic
        for diagnostic in company_selectors.diagnostics_for(user).order_by("created_at", "pk")
    }
    per_company = (
        _request_counts(
            institution_selectors.requests_of_business(user),
            "company_id",
            open=OPEN_REQUEST,
            waiting=Q(status=IntroductionRequest.Status.INFO_REQUESTED),
        )
        if company_memberships
        else {}
    )
    for membership in company_memberships:
        membership.latest_diagnostic = latest.get(membership.company_id)  # type: ignore[attr-defined]
        membership.request_counts = per_company.get(  # type: ignore[attr-defined]
            membership.company_id, {"open": 0, "waiting": 0}
        )

    institution_memberships = list(institution_selectors.memberships_of(user))
    # An office sees all its institution's requests; anyone else only those assigned to them.
    per_institution = (
        _request_counts(
            institution_selectors.requests_of_institution_side(user),
            "institution_id",
            open=OPEN_REQUEST,
            overdue=UNANSWERED_REQUEST & Q(sla_flagged_at__isnull=False),
            assigned=OPEN_REQUEST & Q(assigned_to=user),
        )
        if institution_memberships
        else {}
    )
    for institution_membership in institution_memberships:
        institution_membership.request_counts = per_institution.get(  # type: ignore[attr-defined]
            institution_membership.institution_id, {"open": 0, "overdue": 0, "assigned": 0}
        )

    context = {
        "company_memberships": company_memberships,
        "institution_memberships": institution_memberships,
        "has_totp": user_has_totp(user),
    }
    # The few numbers the page opens with, from the counts its cards show below.
    headline: list[tuple[int, str]] = []
    if company_memberships:
        counts = [m.request_counts for m in company_memberships]  # type: ignore[attr-defined]
        headline += [
            (sum(c["open"] for c in counts), _("open introduction requests")),
            (sum(c["waiting"] for c in counts), _("waiting for your answer")),
        ]
    if institution_memberships:
        counts = [m.request_counts for m in institution_memberships]  # type: ignore[attr-defined]
        if any(m.role == "office_staff" for m in institution_memberships):
            headline += [
                (sum(c["open"] for c in counts), _("open requests to your institution")),
                (sum(c["overdue"] for c in counts), _("late for a first response")),
            ]
        if any(m.role in ("office_staff", "researcher") for m in institution_memberships):
            headline.append(
                (sum(c["assigned"] for c in counts), _("open requests assigned to you"))
            )
    if user.is_platform_staff:
        escalated = (
            institution_selectors.requests_visible_to(user)
            .filter(UNANSWERED_REQUEST, sla_escalated_at__isnull=False)
            .count()
        )
        companies = company_selectors.companies_for(user).count()
        institutions = institution_selectors.institutions_for(user).count()
        context |= {
            "escalated_count": escalated,
            "company_count": companies,
            "institution_count": institutions,
        }
        headline += [
            (escalated, _("escalated requests waiting")),
            (companies, _("companies")),
            (institutions, _("institutions")),
        ]
    context["headline"] = headline
    return render(request, "dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(
        request,
        "profile.html",
        {
            "form": form,
            "company_memberships": company_selectors.memberships_of(request.user),
            "institution_memberships": institution_selectors.memberships_of(request.user),
            "has_totp": user_has_totp(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def design_reference(request):
    """The design system, for the staff who write and review our pages."""
    if not request.user.is_platform_staff:
        raise PermissionDenied
    # Bound with errors on purpose when ?errors=1, to show the error summary and field errors.
    form = ExampleForm(request.GET if "errors" in request.GET else None)
    if form.is_bound:
        form.is_valid()
    return render(request, "design.html", {"form": form, "colours": COLOUR_TOKENS})


def _find_invitation(token: str):
    """The invitation a token opens, its organization's name, and the service that accepts it."""
    to_company = company_selectors.company_invitation_by_token(token)
    if to_company is not None:
        return to_company, to_company.company.name, company_services.company_invitation_accept
    to_institution = institution_selectors.institution_invitation_by_token(token)
    if to_institution is not None:
        return (
            to_institution,
            to_institution.institution.name,
            institution_services.institution_invitation_accept,
        )
    to_project = project_selectors.project_invitation_by_token(token)
    if to_project is not None:
        project = to_project.project
        return (
            to_project,
            f"{project.title} ({project.institution.name})",
            project_services.project_invitation_accept,
        )
    raise Http404(_("This invitation link is not valid."))


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    invitation, organization_name, accept = _find_invitation(token)
    context = {
        "invitation": invitation,
        "organization_name": organization_name,
        "role_label": invitation.role_label(),
    }
    try:
        invitations.check_open(invitation)
    except invitations.InvitationError as error:
        context["problem"] = " ".join(error.messages)
        return render(request, "invitation.html", context, status=410)

    if not request.user.is_authenticated:
        # Following the emailed link proves the address: signing up with it needs no
        # second verification email.
        request.session[PENDING_INVITATION_SESSION_KEY] = token
        get_adapter(request).stash_verified_email(request, invitation.email)
        next_query = urlencode({"next": request.path})
        context["has_account"] = (
            get_user_model().objects.filter(email__iexact=invitation.email).exists()
        )
        context["signup_url"] = f"{reverse('account_signup')}?{next_query}"
        context["login_url"] = f"{reverse('account_login')}?{next_query}"
        return render(request, "invitation.html", context)

    if request.method == "POST":
        try:
            accept(user=request.user, invitation=invitation)
        except ValidationError as error:
            context["problem"] = " ".join(error.messages)
            return render(request, "invitation.html", context, status=403)
        request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
        messages.success(
            request, _("Welcome to %(organization)s.") % {"organization": organization_name}
        )
        # A student lands on the project they joined; the others on their dashboard.
        return redirect(getattr(invitation, "project", None) or "dashboard")

    try:
        invitations.check_usable(invitation, request.user)
    except invitations.InvitationError as error:
        context["problem"] = " ".join(error.messages)
        return render(request, "invitation.html", context, status=403)
    return render(request, "invitation.html", context)
