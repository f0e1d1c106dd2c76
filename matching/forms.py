from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ocip.accounts.forms import InvitationForm

from .models import Institution, InstitutionMembership


class InstitutionForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Institution
        fields = ["website", "research_office_email", "languages", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class InstitutionInvitationForm(InvitationForm):
    role = forms.ChoiceField(label=_("Role"), choices=InstitutionMembership.Role.choices)
    field_order = ["email", "role", "language"]
