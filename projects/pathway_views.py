"""The research office's pathways (Micro-credentials Plus): the list, with what other
institutions ask of it; the form that defines a pathway; its page, where it is published or
closed; and the answer to another institution that wants one of its micro-credentials. Only
the institution's office (with two factors) and platform staff; anyone else who can see the
institution gets a 403, everyone else a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ocip.errors import Conflict
from ocip.formatting import current_language
from ocip.pagination import paginate

from . import selectors, services
from .definition_views import _office_institution
from .models import Pathway, PathwayComponent
from .pathway_forms import PathwayForm
from .presentation import pathway_rows

PER_PAGE = 25
State = Pathway.State
STATE_BADGES = {
    State.DRAFT: "badge-neutral",
    State.PUBLISHED: "badge-ok",
    State.CLOSED: "badge-warn",
}


def _pathway(request, institution, pk) -> Pathway:
    return get_object_or_404(
        selectors.pathways_of(user=request.user, institution=institution), pk=pk
    )


def _title(pathway: Pathway, language: str) -> str:
    return pathway.title(language) or _("Untitled pathway")


def _detail_url(pathway: Pathway) -> str:
    return reverse("pathway_detail", kwargs={"slug": pathway.institution.slug, "pk": pathway.pk})


# --- The list ------------------------------------------------------------------------------


@login_required
@require_safe
def pathway_list(request, slug):
    """The institution's pathways, newest change first, and the requests of other
    institutions to include its micro-credentials in theirs."""
    institution = _office_institution(request, slug)
    language = current_language()
    page = paginate(
        request,
        selectors.pathways_of(user=request.user, institution=institution).order_by(
            "-updated_at", "-pk"
        ),
        per_page=PER_PAGE,
    )
    pathways = list(page.object_list)
    targets = {row["pathway"].pk: row for row in pathway_rows(pathways, language)}
    rows = []
    for pathway in pathways:
        components = list(pathway.components.all())
        rows.append(
            {
                "pathway": pathway,
                "title": _title(pathway, language),
                "badge": STATE_BADGES.get(pathway.state, "badge-neutral"),
                "state": pathway.get_state_display(),
                "rule": selectors.pathway_rule_text(pathway, len(components)),
                "target": targets[pathway.pk],
                "pending": sum(1 for item in components if item.agreed_at is None),
            }
        )
    awaiting = list(selectors.components_awaiting(user=request.user, institution=institution))
    asked = selectors.current_definitions([item.lineage for item in awaiting])
    asking = {
        row["pathway"].pk: row
        for row in pathway_rows(list({item.pathway for item in awaiting}), language)
    }
    requests = []
    for component in awaiting:
        pathway = component.pathway
        definition = asked.get(str(component.lineage))
        requests.append(
            {
                "component": component,
                "pathway": pathway,
                "title": _title(pathway, language),
                "credential": definition.title(language) if definition else "",
                "description": pathway.localized("description", language),
                "target": asking[pathway.pk],
            }
        )
    return render(
        request,
        "projects/pathways/pathway_list.html",
        {
            "institution": institution,
            "page_obj": page,
            "rows": rows,
            "requests": requests,
        },
    )


# --- Defining a pathway --------------------------------------------------------------------


def _form_page(request, institution, form, *, pathway=None, status=200):
    language = current_language()
    if pathway is None:
        title = _("Define a pathway")
        cancel_url = reverse("pathway_list", kwargs={"slug": institution.slug})
    else:
        title = _("Edit the pathway “%(title)s” (draft)") % {"title": _title(pathway, language)}
        cancel_url = _detail_url(pathway)
    return render(
        request,
        "projects/pathways/pathway_form.html",
        {
            "institution": institution,
            "pathway": pathway,
            "form": form,
            "title": title,
            "cancel_url": cancel_url,
        },
        status=status,
    )


def _save(request, institution, form, pathway: Pathway | None) -> Pathway | None:
    """The pathway saved through the services (its fields, then its micro-credentials, in one
    transaction), or None with the services' refusals on the form."""
    try:
        with transaction.atomic():
            if pathway is None:
                pathway = services.pathway_create(
                    actor=request.user, institution=institution, **form.pathway_fields()
                )
            else:
                pathway = services.pathway_update(
                    actor=request.user, pathway=pathway, **form.pathway_fields()
                )
            services.pathway_set_components(
                actor=request.user, pathway=pathway, lineages=form.cleaned_data["lineages"]
            )
    except ValidationError as error:
        form.add_service_error(error)
        return None
    except Conflict as error:  # published meanwhile
        form.add_error(None, error.message)
        return None
    return pathway


def _saved_message(pathway: Pathway) -> str:
    pending = pathway.components.filter(agreed_at__isnull=True).count()
    if pending:
        return _(
            "The draft was saved. The research offices of the other institutions were asked to "
            "agree to include their micro-credentials; the pathway can be published once they "
            "have."
        )
    return _("The draft was saved. Its page says what it still needs before it can be published.")


@login_required
@require_http_methods(["GET", "POST"])
def pathway_create(request, slug):
    institution = _office_institution(request, slug)
    form = PathwayForm(request.POST or None, institution=institution)
    if request.method == "POST" and form.is_valid():
        pathway = _save(request, institution, form, None)
        if pathway is not None:
            messages.success(request, _saved_message(pathway))
            return redirect(_detail_url(pathway))
    return _form_page(request, institution, form, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request, slug, pk):
    institution = _office_institution(request, slug)
    pathway = _pathway(request, institution, pk)
    if pathway.state != State.DRAFT:
        messages.info(
            request, _("Only a draft pathway can be changed. A published one can only be closed.")
        )
        return redirect(_detail_url(pathway))
    data = request.POST if request.method == "POST" else None
    form = PathwayForm(
        data, institution=institution, pathway=pathway, initial=PathwayForm.initial_for(pathway)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, institution, form, pathway)
        if saved is not None:
            messages.success(request, _saved_message(saved))
            return redirect(_detail_url(saved))
    return _form_page(
        request, institution, form, pathway=pathway, status=400 if form.errors else 200
    )


# --- The page, publishing and closing --------------------------------------------------------


def _detail_page(request, institution, pathway, *, publish_errors=(), status=200):
    language = current_language()
    components = selectors.pathway_component_rows(pathway)
    for row in components:
        definition = row["definition"]
        row["title"] = definition.title(language) if definition else _("Micro-credential not found")
        row["own"] = row["component"].institution_id == institution.pk
    context = {
        "institution": institution,
        "pathway": pathway,
        "title": _title(pathway, language),
        "badge": STATE_BADGES.get(pathway.state, "badge-neutral"),
        "state": pathway.get_state_display(),
        "rule": selectors.pathway_rule_text(pathway, len(components)),
        "components": components,
        "pending": [row for row in components if row["component"].agreed_at is None],
        "target": pathway_rows([pathway], language)[0],
        "completions": pathway.completion_count,
        "missing": selectors.pathway_missing(pathway) if pathway.state == State.DRAFT else [],
        "publish_errors": publish_errors,
    }
    return render(request, "projects/pathways/pathway_detail.html", context, status=status)


@login_required
@require_safe
def pathway_detail(request, slug, pk):
    institution = _office_institution(request, slug)
    return _detail_page(request, institution, _pathway(request, institution, pk))


@login_required
@require_POST
def pathway_publish(request, slug, pk):
    institution = _office_institution(request, slug)
    pathway = _pathway(request, institution, pk)
    try:
        services.pathway_publish(actor=request.user, pathway=pathway)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect(_detail_url(pathway))
    except ValidationError as error:
        return _detail_page(
            request, institution, pathway, publish_errors=error.messages, status=400
        )
    messages.success(
        request,
        _(
            "The pathway is published. Its micro-credentials are marked MC+, and learners who "
            "already hold enough of them complete it now."
        ),
    )
    return redirect(_detail_url(pathway))


@login_required
@require_POST
def pathway_close(request, slug, pk):
    institution = _office_institution(request, slug)
    pathway = _pathway(request, institution, pk)
    try:
        services.pathway_close(actor=request.user, pathway=pathway)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "The pathway is closed. No learner completes it any more; what was already "
                "completed and issued stays."
            ),
        )
    return redirect(_detail_url(pathway))


# --- Answering another institution ----------------------------------------------------------


@login_required
@require_POST
def pathway_component_agree(request, slug, component_pk):
    """The office agrees to one of its micro-credentials counting toward another institution's
    pathway (answer=agree), or refuses (answer=refuse)."""
    institution = _office_institution(request, slug)
    component = get_object_or_404(
        PathwayComponent.objects.select_related("pathway", "pathway__institution").filter(
            institution=institution
        ),
        pk=component_pk,
    )
    answer = request.POST.get("answer")
    if answer not in ("agree", "refuse"):
        messages.error(request, _("Choose to agree or to refuse."))
        return redirect("pathway_list", slug=institution.slug)
    language = current_language()
    definition = selectors.current_definitions([component.lineage]).get(str(component.lineage))
    names = {
        "credential": definition.title(language) if definition else "",
        "pathway": _title(component.pathway, language),
        "institution": component.pathway.institution.name,
    }
    try:
        services.pathway_component_agree(
            actor=request.user, component=component, agree=answer == "agree"
        )
    except Conflict as error:
        messages.error(request, error.message)
    else:
        if answer == "agree":
            text = _(
                "You agreed: %(credential)s counts toward %(institution)s's pathway "
                "“%(pathway)s”. %(institution)s was told."
            )
        else:
            text = _(
                "You refused: %(credential)s was taken out of %(institution)s's pathway "
                "“%(pathway)s”. %(institution)s was told."
            )
        messages.success(request, text % names)
    return redirect("pathway_list", slug=institution.slug)
