import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from diagnostics.models import Company
from matching import workflow
from matching.models import Institution
from matching.selectors import requests_visible_to
from matching.services import RequestConflict, require_request_action
from ocip.accounts.views import add_service_error, form_page
from ocip.pagination import paginate

from . import selectors, services
from .credentials import contexts
from .forms import (
    FundingApplicationAddForm,
    FundingApplicationForm,
    MilestoneDoneForm,
    MilestoneForm,
    ProjectStartForm,
)
from .models import StatusList
from .team_views import team_context

# --- Accepting a request ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_accept(request, pk):
    """Accept a request and create its project, in one step (the office only)."""
    intro = get_object_or_404(
        requests_visible_to(request.user).select_related(
            "company", "institution", "profile", "match_run", "diagnostic__needs_profile"
        ),
        pk=pk,
    )
    require_request_action(request.user, intro, "accept")
    if request.method == "GET" and not workflow.state_allows("accept", intro.status):
        project = getattr(intro, "project", None)
        if project is not None:
            messages.info(request, _("This request was accepted: here is its project."))
            return redirect(project)
        messages.error(
            request,
            _("This request is “%(status)s”: it can no longer be accepted.")
            % {"status": intro.get_status_display()},
        )
        return redirect(intro)
    form = ProjectStartForm(
        request.POST or None,
        request=intro,
        initial=ProjectStartForm.initial_for(intro) if request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_start(
                actor=request.user,
                request=intro,
                expected_version=data["version"],
                title=data["title"],
                scope=data["scope"],
                lead=data["lead"],
                start_date=data["start_date"],
                programs=data["programs"],
            )
        except RequestConflict as error:  # also RequestChanged: someone acted first
            messages.error(request, error.message)
            return redirect(intro)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The request was accepted and the project created. %(company)s was told.")
                % {"company": intro.company.name},
            )
            return redirect(project)
    return form_page(
        request,
        form,
        title=_("Accept the request of %(company)s and start a project")
        % {"company": intro.company.name},
        intro=_(
            "Accepting tells the business and creates the project with its lead researcher, "
            "the business contact and the funding programs you choose."
        ),
        submit_label=_("Accept and create the project"),
        cancel_url=intro.get_absolute_url(),
        status=400 if form.errors else 200,
    )


# --- Projects --------------------------------------------------------------------------------


@login_required
def project_list(request):
    projects = selectors.projects_for(request.user).select_related("company", "institution", "lead")
    return render(request, "projects/project_list.html", {"page_obj": paginate(request, projects)})


def _project(request, pk):
    return get_object_or_404(
        selectors.projects_for(request.user).select_related(
            "company", "institution", "lead", "request"
        ),
        pk=pk,
    )


def _editable_project(request, pk):
    project = _project(request, pk)
    if not selectors.can_edit_project(user=request.user, project=project):
        raise PermissionDenied(_("Only the project's lead and research office can change it."))
    return project


def _detail_page(request, project, *, milestone_form=None, funding_form=None, status=200):
    """The project page; a write that failed validation shows it again with its errors."""
    can_edit = selectors.can_edit_project(user=request.user, project=project)
    context = {
        "project": project,
        "can_edit": can_edit,
        "request_visible": requests_visible_to(request.user).filter(pk=project.request_id).exists(),
        "members": project.members.select_related("user"),
        "milestones": project.milestones.all(),
        "applications": project.funding_applications.select_related("program"),
        "funding_total": selectors.project_funding_total(project),
        **team_context(request, project),  # students and micro-credentials
    }
    if can_edit:
        context["milestone_form"] = milestone_form or MilestoneForm(prefix="milestone")
        context["funding_form"] = funding_form or FundingApplicationAddForm(
            prefix="funding", project=project
        )
    return render(request, "projects/project_detail.html", context, status=status)


@login_required
def project_detail(request, pk):
    return _detail_page(request, _project(request, pk))


@login_required
@require_http_methods(["POST"])
def milestone_add(request, pk):
    project = _editable_project(request, pk)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            milestone = services.milestone_add(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The milestone “%(title)s” was added.") % {"title": milestone.title}
            )
            return redirect(project)
    return _detail_page(request, project, milestone_form=form, status=400)


@login_required
@require_http_methods(["POST"])
def milestone_toggle(request, pk, milestone_pk):
    project = _editable_project(request, pk)
    milestone = get_object_or_404(project.milestones, pk=milestone_pk)
    # The form says which state to set, not "flip": a double submit cannot undo itself.
    form = MilestoneDoneForm(request.POST)
    done = form.is_valid() and form.cleaned_data["done"]
    services.milestone_set_done(actor=request.user, milestone=milestone, done=done)
    messages.success(
        request,
        (_("“%(title)s” is marked done.") if done else _("“%(title)s” is marked not done."))
        % {"title": milestone.title},
    )
    return redirect(project)


@login_required
@require_http_methods(["POST"])
def funding_application_add(request, pk):
    project = _editable_project(request, pk)
    form = FundingApplicationAddForm(request.POST, prefix="funding", project=project)
    if form.is_valid():
        try:
            application = services.funding_application_add(
                actor=request.user, project=project, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The project now pursues %(program)s.")
                % {"program": application.program.display_name},
            )
            return redirect(project)
    return _detail_page(request, project, funding_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def funding_application_edit(request, pk, application_pk):
    project = _editable_project(request, pk)
    application = get_object_or_404(
        project.funding_applications.select_related("program"), pk=application_pk
    )
    form = FundingApplicationForm(
        request.POST or None, initial={"status": application.status, "amount": application.amount}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.funding_application_update(
                actor=request.user, application=application, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The application to %(program)s was updated.")
                % {"program": application.program.display_name},
            )
            return redirect(project)
    return form_page(
        request,
        form,
        title=_("Update the application to %(program)s")
        % {"program": application.program.display_name},
        submit_label=_("Save"),
        cancel_url=project.get_absolute_url(),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD"])
def institution_did_document(request, slug):
    """The institution's DID document (public: did:web resolution), with every key it has
    signed with; never a private key."""
    institution = get_object_or_404(Institution, slug=slug)
    return _public_json(selectors.institution_did_document(institution), "application/did+json")


def _public_json(document: dict | str, content_type: str) -> HttpResponse:
    body = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    response = HttpResponse(body.encode("utf-8"), content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # verifiers in a browser may read it
    return response


@require_http_methods(["GET", "HEAD"])
def company_did_document(request, slug):
    """The DID document of a company's endorsements (public), once it has endorsed something."""
    company = get_object_or_404(
        Company.objects.filter(signing_keys__isnull=False).distinct(), slug=slug
    )
    return _public_json(selectors.company_did_document(company), "application/did+json")


@require_http_methods(["GET", "HEAD"])
def status_list_credential(request, slug, number):
    """An institution's signed revocation list, exactly as it was signed."""
    status_list = get_object_or_404(StatusList, institution__slug=slug, number=number)
    return _public_json(status_list.signed_text, "application/vc+ld+json")


@require_http_methods(["GET", "HEAD"])
def eu_extension_context(request):
    """OCIP's JSON-LD context for the EU micro-credential elements OB 3.0 has no field for."""
    return _public_json(contexts.eu_extension(), "application/ld+json")
