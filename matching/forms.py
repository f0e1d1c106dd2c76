from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ocip.accounts.forms import InvitationForm

from .models import (
    STUDENT_LEVELS,
    ExpertiseProfile,
    Institution,
    InstitutionMembership,
    IntroductionRequest,
)


class InstitutionForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Institution
        fields = ["name_fr", "website", "research_office_email", "languages"]
        fields += ["description", "description_fr"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "description_fr": forms.Textarea(attrs={"rows": 5}),
        }


class InstitutionInvitationForm(InvitationForm):
    role = forms.ChoiceField(label=_("Role"), choices=InstitutionMembership.Role.choices)
    field_order = ["email", "role", "language"]


def _taxonomy_choices(vocabulary: str) -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    from ocip.taxonomy import label, taxonomy

    language = (get_language() or "en")[:2]
    return [(slug, label(vocabulary, slug, language)) for slug in taxonomy()[vocabulary]]


class LinesField(forms.CharField):
    """A list of short texts, one per line."""

    def __init__(self, *, max_items: int = 30, **kwargs):
        self.max_items = max_items
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
        if len(lines) > self.max_items:
            raise forms.ValidationError(_("At most %(count)s lines.") % {"count": self.max_items})
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError(_("Each line can have at most 300 characters."))
        return lines


TRL_CHOICES = [("", "—")] + [(str(level), str(level)) for level in range(1, 10)]


class ExpertiseProfileForm(forms.ModelForm):
    keywords = LinesField(label=_("Keywords (one per line)"), max_items=20)
    equipment = LinesField(label=_("Equipment (one per line)"))
    past_projects = LinesField(label=_("Past projects (one per line)"), max_items=10)
    sectors = LinesField(
        label=_("Sectors: NAICS codes, one per line (for example 31-33 or 54)"), max_items=10
    )
    capability_areas = forms.MultipleChoiceField(
        label=_("Capability areas"), widget=forms.CheckboxSelectMultiple, required=False
    )
    rd_stages = forms.MultipleChoiceField(
        label=_("Stages of R&D"), widget=forms.CheckboxSelectMultiple, required=False
    )
    innovation_types = forms.MultipleChoiceField(
        label=_("Kinds of innovation"), widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    student_levels = forms.MultipleChoiceField(
        label=_("Student levels"),
        choices=STUDENT_LEVELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ExpertiseProfile
        fields = list(ExpertiseProfile.EDITABLE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "summary_fr": forms.Textarea(attrs={"rows": 6}),
            "trl_min": forms.Select(choices=TRL_CHOICES),
            "trl_max": forms.Select(choices=TRL_CHOICES),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("capability_areas", "rd_stages", "innovation_types"):
            self.fields[name].choices = _taxonomy_choices(name)  # type: ignore[attr-defined]
        self.fields["capacity"].widget.attrs["max"] = 50
        self.fields["text_language"].required = False

    def clean_text_language(self):
        return self.cleaned_data["text_language"] or self.instance.text_language or "en"

    def clean_sectors(self):
        sectors = self.cleaned_data["sectors"]
        for code in sectors:
            if not all(part.isdigit() and 2 <= len(part) <= 6 for part in code.split("-")):
                raise forms.ValidationError(
                    _("“%(code)s” is not a NAICS code such as 54 or 31-33.") % {"code": code}
                )
        return sectors

    def clean(self):
        data = super().clean() or {}
        low, high = data.get("trl_min"), data.get("trl_max")
        if low and high and low > high:
            self.add_error("trl_max", _("The highest level cannot be below the lowest."))
        if data.get("capacity") is not None and data["capacity"] > 50:
            self.add_error("capacity", _("At most 50 projects at once."))
        return data


class MatchFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        label=_("Kind of institution"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Institution.Kind.choices,
    )
    region = forms.MultipleChoiceField(
        label=_("Region"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.MultipleChoiceField(
        label=_("Working language"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=settings.LANGUAGES,
    )

    def __init__(self, *args, **kwargs):
        from ocip.taxonomy import regions

        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(n, n) for n in regions()]  # type: ignore[attr-defined]

    def criteria(self) -> dict:
        """The filters as selectors.run_matches takes them (none when the form is not valid)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kinds": data.get("kind") or (),
            "regions": data.get("region") or (),
            "languages": data.get("language") or (),
        }


# --- Introduction requests -------------------------------------------------------------------


def person_label(user) -> str:
    return user.get_full_name() or user.email


def match_choice_label(match: dict) -> str:
    """A match as a choice: its name, institution and score (written the locale's way)."""
    return _("%(name)s, %(institution)s (match score %(score)s)") % {
        "name": match["name"],
        "institution": match["institution_name"],
        "score": number_format(match["score"], decimal_pos=2),
    }


class RequestCreateForm(forms.Form):
    profiles = forms.MultipleChoiceField(
        label=_("Who would you like to meet?"), widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "A few lines on what you need and why you chose them. "
            "They also see your diagnostic summary."
        ),
    )
    hopes = forms.MultipleChoiceField(
        label=_("What do you hope for?"),
        choices=IntroductionRequest.Hope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    contact_preference = forms.ChoiceField(
        label=_("How would you like to be contacted?"),
        choices=IntroductionRequest.Contact.choices,
        widget=forms.RadioSelect,
        initial=IntroductionRequest.Contact.EMAIL,
    )
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        help_text=_("Needed if you prefer a phone call."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def __init__(self, *args, matches: list[dict], max_profiles: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profiles"].help_text = _(
            "Choose up to %(count)s, best matches first. Each one gets its own request."
        ) % {"count": max_profiles}
        self.fields["profiles"].choices = [  # type: ignore[attr-defined]
            (match["profile"], match_choice_label(match)) for match in matches
        ]


class _RequestForm(forms.Form):
    """A form about one request. Its own id prefix, since the request page shows several."""

    id_prefix = "request"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class _VersionedRequestForm(_RequestForm):
    """A state change: carries the version the person saw, so a stale page cannot win."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RequestMessageForm(_RequestForm):
    id_prefix = "message"
    body = forms.CharField(
        label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class RequestNoteForm(_RequestForm):
    id_prefix = "note"
    body = forms.CharField(
        label=_("Internal note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only your institution sees it, never the business."),
    )


class RequestAssignForm(_VersionedRequestForm):
    id_prefix = "assign"
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=get_user_model().objects.none()
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = people  # type: ignore[attr-defined]
        field.label_from_instance = person_label  # type: ignore[attr-defined]


class RequestAskInfoForm(_VersionedRequestForm):
    id_prefix = "ask"
    question = forms.CharField(
        label=_("What do you need to know?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The request waits on the business until it answers."),
    )


class RequestAnswerForm(_VersionedRequestForm):
    id_prefix = "answer"
    answer = forms.CharField(
        label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class RequestDeclineForm(_VersionedRequestForm):
    id_prefix = "decline"
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *IntroductionRequest.DeclineReason.choices]
    )
    note = forms.CharField(
        label=_("Note to the business (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The business reads it with the reason. We suggest its next best matches."),
    )


class RequestReferForm(_VersionedRequestForm):
    id_prefix = "refer"
    to_profile = forms.ChoiceField(label=_("Refer to an expertise profile"), required=False)
    to_institution = forms.ModelChoiceField(
        label=_("Or to an institution's research office"),
        queryset=Institution.objects.none(),
        required=False,
    )
    note = forms.CharField(
        label=_("Note to the receiver"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say why you refer it: the receiver reads this first, the business too."),
    )

    def __init__(self, *args, profile_choices, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_profile"].choices = [("", "—"), *profile_choices]  # type: ignore[attr-defined]
        self.fields["to_institution"].queryset = institutions  # type: ignore[attr-defined]

    def clean_to_profile(self):
        external_id = self.cleaned_data["to_profile"]
        if not external_id:
            return None
        profile = (
            ExpertiseProfile.objects.select_related("institution")
            .filter(external_id=external_id)
            .first()
        )
        if profile is None:
            raise forms.ValidationError(_("This profile no longer exists."))
        return profile

    def clean(self):
        data = super().clean() or {}
        if not self.errors and (data.get("to_profile") is None) == (
            data.get("to_institution") is None
        ):
            raise forms.ValidationError(_("Choose either an expertise profile or an institution."))
        return data


class RequestWithdrawForm(_VersionedRequestForm):
    id_prefix = "withdraw"
    note = forms.CharField(
        label=_("Why are you withdrawing it? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


QUEUE_STATUSES = [
    ("open", _("Open (waiting on someone)")),
    *IntroductionRequest.Status.choices,
    ("all", _("All")),
]
QUEUE_SORTS = [
    ("age", _("Oldest first")),
    ("newest", _("Newest first")),
    ("score", _("Best match score first")),
    ("status", _("Status")),
]
# Minimum age in business days.
QUEUE_AGES = [
    ("", _("Any age")),
    ("2", _("2 business days or more")),
    ("5", _("5 business days or more")),
    ("10", _("10 business days or more")),
    ("20", _("20 business days or more")),
]


class RequestQueueFilterForm(forms.Form):
    """The office queue's filters (a GET form). Invalid values fall back to the defaults."""

    status = forms.ChoiceField(
        label=_("Status"), choices=QUEUE_STATUSES, required=False, initial="open"
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    area = forms.ChoiceField(label=_("Capability area"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    age = forms.ChoiceField(label=_("Waiting for"), choices=QUEUE_AGES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=QUEUE_SORTS, required=False, initial="age")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["sector"].choices = everything + _taxonomy_choices("sectors")  # type: ignore[attr-defined]
        self.fields["area"].choices = everything + _taxonomy_choices("capability_areas")  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            *everything,
            ("unassigned", _("Nobody yet")),
            ("me", _("Me")),
            *((str(person.pk), person_label(person)) for person in people),
        ]

    @property
    def values(self) -> dict[str, str]:
        """The chosen filters, with the defaults for anything missing or invalid."""
        defaults = {"status": "open", "sort": "age"}
        data: dict = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data keeps the valid fields and drops the others
            data = self.cleaned_data
        return {name: data.get(name) or defaults.get(name, "") for name in self.fields}
