from allauth.account.forms import SignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from ocip.accounts import invitations

from .models import Company
from .services import company_create


class BusinessSignupForm(SignupForm):
    """allauth's signup, plus the person's name and their company (unless they were invited)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    company_name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        required=False,
        help_text=_(
            "You can add colleagues once your account is ready. Invited to join a company or "
            "an institution? Leave this empty."
        ),
    )

    field_order = ["first_name", "last_name", "company_name", "email", "password1", "password2"]

    def __init__(self, *args, invitation_pending: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if invitation_pending:
            # Invited people join an existing organization instead of creating a company.
            del self.fields["company_name"]
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        # An invitation for this address means joining, never a company of one's own, even
        # when the invitation link was opened in another browser (no session to say so).
        if email and invitations.is_invited(email):
            cleaned["company_name"] = ""
        elif "company_name" in self.fields and not cleaned.get("company_name", "").strip():
            self.add_error("company_name", _("Give the name of your company."))
        return cleaned

    def save(self, request):
        user = super().save(request)
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        company_name = self.cleaned_data.get("company_name")
        if company_name:
            company_create(owner=user, name=company_name, preferred_language=user.language)
        return user


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = ["name", "website", "city", "description", "preferred_language"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
