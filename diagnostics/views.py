from allauth.account.views import SignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ocip.accounts.forms import InvitationForm
from ocip.accounts.invitations import PENDING_INVITATION_SESSION_KEY
from ocip.accounts.views import add_service_error, confirm_page, form_page
from ocip.pagination import paginate

from . import selectors, services
from .forms import CompanyForm


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
