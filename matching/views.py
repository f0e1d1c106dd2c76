from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ocip.accounts.views import add_service_error, confirm_page, form_page
from ocip.pagination import paginate

from . import selectors, services
from .forms import InstitutionForm, InstitutionInvitationForm


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
