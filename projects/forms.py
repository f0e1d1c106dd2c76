from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching.explain import VERDICTS
from matching.models import FundingProgram, IntroductionRequest
from matching.selectors import assignable_people
from ocip.formatting import dollar_text

from .models import FundingApplication, Project


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker; without it, the ISO date is typed

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def estimate_label(estimate: dict | None) -> str:
    """A run's estimate as words: "estimated $15,000 to $60,000", or that there is none."""
    estimate = estimate or {}
    low, high = estimate.get("amount_low"), estimate.get("amount_high")
    if high is None:
        return _("no estimate yet")
    if low is None:
        return _("estimated up to %(amount)s") % {"amount": dollar_text(high)}
    if low != high:
        return _("estimated %(low)s to %(high)s") % {
            "low": dollar_text(low),
            "high": dollar_text(high),
        }
    return _("estimated %(amount)s") % {"amount": dollar_text(high)}


def pursuable_programs(request: IntroductionRequest) -> list[tuple[FundingProgram, dict]]:
    """The programs the request's match run found possible (not ineligible), in its order,
    with the run's assessment of each."""
    funding = request.match_run.funding if request.match_run else {}
    assessed = [p for p in funding.get("programs", []) if p.get("verdict") != "not_eligible"]
    programs = FundingProgram.objects.exclude(status=FundingProgram.Status.INACTIVE).in_bulk(
        [p["slug"] for p in assessed], field_name="slug"
    )
    return [(programs[p["slug"]], p) for p in assessed if p["slug"] in programs]


class ProjectStartForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Project title"), max_length=200)
    scope = forms.CharField(
        label=gettext_lazy("Scope"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("What the project will do and what the business should get."),
    )
    lead = forms.ModelChoiceField(
        label=gettext_lazy("Lead researcher"), queryset=get_user_model().objects.none()
    )
    start_date = forms.DateField(label=gettext_lazy("Start date"), widget=DateInput())
    programs = forms.MultipleChoiceField(
        label=gettext_lazy("Funding programs to pursue"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, request: IntroductionRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = assignable_people(  # type: ignore[attr-defined]
            request.institution
        )
        pursuable = pursuable_programs(request)
        self._programs = {program.slug: program for program, _assessed in pursuable}
        programs = self.fields["programs"]
        programs.choices = [  # type: ignore[attr-defined]
            (
                program.slug,
                _("%(program)s (%(partner)s): %(verdict)s, %(estimate)s")
                % {
                    "program": program.display_name,
                    "partner": program.display_partner,
                    "verdict": VERDICTS.get(assessed["verdict"], assessed["verdict"]),
                    "estimate": estimate_label(assessed.get("estimate")),
                },
            )
            for program, assessed in pursuable
        ]
        programs.help_text = (
            _(
                "Estimates come from the business's match results. Each program is recorded "
                "with its upper estimate, which can be changed on the project page."
            )
            if self._programs
            else _(
                "The match results found no program this project could draw on. "
                "Programs can be added on the project page later."
            )
        )

    @staticmethod
    def initial_for(request: IntroductionRequest) -> dict[str, Any]:
        """Start from what the request already says."""
        needs = getattr(request.diagnostic, "needs_profile", None)
        data = needs.data if needs else {}
        parts = [str(data.get("challenge") or "").strip()]
        if str(data.get("desired_outcome") or "").strip():
            parts.append(_("Desired outcome: %(outcome)s") % {"outcome": data["desired_outcome"]})
        people = assignable_people(request.institution)
        owner_id = request.profile.owner_id if request.profile else None
        lead = next(
            (
                person_id
                for person_id in (request.assigned_to_id, owner_id)
                if person_id and people.filter(pk=person_id).exists()
            ),
            None,
        )
        title = _("%(company)s with %(target)s") % {
            "company": request.company.name,
            "target": request.target_name,
        }
        return {
            "title": title[:200],
            "scope": "\n\n".join(part for part in parts if part)[:4000],
            "lead": lead,
            "start_date": timezone.localdate(),
            "version": request.version,
        }

    def clean_programs(self) -> list[FundingProgram]:
        return [self._programs[slug] for slug in dict.fromkeys(self.cleaned_data["programs"])]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due_date = forms.DateField(
        label=gettext_lazy("Due date (optional)"), required=False, widget=DateInput()
    )


class MilestoneDoneForm(forms.Form):
    # A hidden "1" or "0": a checkbox widget would read "0" as ticked.
    done = forms.BooleanField(required=False, widget=forms.HiddenInput)


class FundingApplicationForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=FundingApplication.Status.choices
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (CAD, optional)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )


class FundingApplicationAddForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("Funding program"), queryset=FundingProgram.objects.none()
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (CAD, optional)"),
        help_text=gettext_lazy("Leave it empty to use the estimate of the match results."),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = (  # type: ignore[attr-defined]
            FundingProgram.objects.exclude(status=FundingProgram.Status.INACTIVE)
            .exclude(applications__project=project)
            .order_by("name")
        )
