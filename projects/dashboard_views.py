"""The review dashboards: one per institution (its research office, platform staff) and one
for the whole platform (platform staff), over a period, on the page or as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matching import selectors as institution_selectors
from ocip import taxonomy
from ocip.charts import count_scale, horizontal_bars
from ocip.pagination import paginate

from . import metrics

DEFAULT_DAYS = 90


def _date_input() -> forms.DateInput:
    # A browser date picker, which takes and gives ISO dates whatever the page's language.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=_date_input(),
        help_text=gettext_lazy("Leave empty to count from the first request."),
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=_date_input(),
        help_text=gettext_lazy("Leave empty for today."),
    )

    def clean(self):
        cleaned = self.cleaned_data
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day and not metrics.EARLIEST <= day <= metrics.LATEST:
                self.add_error(
                    name,
                    _("Choose a date between %(first)s and %(last)s.")
                    % {"first": metrics.EARLIEST.year, "last": metrics.LATEST.year},
                )
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return cleaned

    def period(self) -> metrics.Period:
        return metrics.Period(
            start=self.cleaned_data["date_from"],
            end=self.cleaned_data["date_to"] or timezone.localdate(),
        )


def _period_query(start: date | None, end: date) -> dict[str, str]:
    return {"date_from": start.isoformat() if start else "", "date_to": end.isoformat()}


def _period_form(request) -> PeriodForm:
    """The period asked for, or the last DEFAULT_DAYS days up to today."""
    if "date_from" in request.GET or "date_to" in request.GET:
        return PeriodForm(request.GET)
    today = timezone.localdate()
    return PeriodForm(_period_query(today - timedelta(days=DEFAULT_DAYS - 1), today))


def _presets(period: metrics.Period | None) -> list[dict]:
    today = timezone.localdate()
    choices = [
        (_("Last 30 days"), today - timedelta(days=29)),
        (_("Last 90 days"), today - timedelta(days=DEFAULT_DAYS - 1)),
        (_("This year"), date(today.year, 1, 1)),
        (_("All time"), None),
    ]
    return [
        {
            "label": label,
            "query": urlencode(_period_query(start, today)),
            "current": period == metrics.Period(start=start, end=today),
        }
        for label, start in choices
    ]


def _count_chart(rows: list[tuple[str, str | Promise, int]]) -> dict:
    maximum, ticks = count_scale(max((count for _value, _label, count in rows), default=0))
    return horizontal_bars(
        [
            (str(label), count, number_format(count, force_grouping=True))
            for _value, label, count in rows
        ],
        maximum=maximum,
        ticks=ticks,
    )


@login_required
@require_safe
def institution_dashboard(request, slug):
    # 404 for an institution one cannot see at all; 403 for its researchers and students.
    institution = get_object_or_404(institution_selectors.institutions_for(request.user), slug=slug)
    if not institution_selectors.can_manage_institution(user=request.user, institution=institution):
        raise PermissionDenied(_("Only this institution's research office sees its dashboard."))
    return _dashboard(request, institution)


@login_required
@require_safe
def platform_dashboard(request):
    if not request.user.is_platform_staff:
        raise PermissionDenied(_("The platform dashboard is for platform staff."))
    return _dashboard(request, None)


def _dashboard(request, institution):
    form = _period_form(request)
    context: dict = {"institution": institution, "form": form}
    if not form.is_valid():
        context["presets"] = _presets(None)
        return render(request, "dashboards/dashboard.html", context, status=400)
    period = form.period()
    requests = period.requests(
        metrics.dashboard_requests(user=request.user, institution=institution)
    )
    projects = period.projects(
        metrics.dashboard_projects(user=request.user, institution=institution)
    )
    figures = metrics.figures(requests, projects)
    rows = metrics.institution_rows(requests, projects) if institution is None else []
    credentials = period.credentials(
        metrics.dashboard_credentials(user=request.user, institution=institution)
    )
    completions = period.completions(
        metrics.dashboard_completions(user=request.user, institution=institution)
    )
    credential_figures = metrics.credential_figures(credentials, completions)
    credential_rows = (
        metrics.credential_rows(credentials, completions) if institution is None else []
    )
    if request.GET.get("format") == "csv":
        return _csv_response(
            institution,
            period,
            figures,
            rows,
            requests,
            credential_figures=credential_figures,
            credential_rows=credential_rows,
        )
    query = _period_query(period.start, period.end)
    context |= {
        "period": period,
        "presets": _presets(period),
        "figures": figures,
        "credential_figures": credential_figures,
        # At most a few dozen institutions: shown whole, not paginated.
        "credential_rows": credential_rows,
        "status_chart": _count_chart(figures.by_status),
        "reason_chart": _count_chart(figures.decline_reasons),
        "csv_query": urlencode({**query, "format": "csv"}),
        "query_string": urlencode(query),
    }
    if institution is None:
        context["institution_page"] = paginate(request, rows)
    return render(request, "dashboards/dashboard.html", context)


# --- CSV -------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """A cell as text; text a spreadsheet would run as a formula is quoted with an apostrophe
    (names and labels come from people, numbers do not)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def _rate_cell(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _csv_lines(
    institution,
    period,
    figures,
    rows,
    requests,
    *,
    credential_figures: metrics.CredentialFigures,
    credential_rows: list[metrics.CredentialRow],
) -> Iterator[list]:
    timings = figures.timings
    yield [_("Figure"), _("Value")]
    yield [_("Institution"), institution.name if institution else _("All institutions")]
    yield [_("From"), period.start.isoformat() if period.start else ""]
    yield [_("To"), period.end.isoformat()]
    yield [_("Requests received"), figures.received]
    for _status, label, count in figures.by_status:
        yield [_("Requests: %(status)s") % {"status": label}, count]
    yield [_("Requests answered"), timings.answered]
    yield [
        _("Median time to first response (business days)"),
        "" if timings.median_business_days is None else timings.median_business_days,
    ]
    yield [
        _("Median time to first response (hours)"),
        "" if timings.median_hours is None else f"{timings.median_hours:.1f}",
    ]
    yield [
        _("Answered before the %(days)s-business-day reminder (%%)") % {"days": timings.sla_days},
        _rate_cell(timings.sla_rate),
    ]
    yield [_("Acceptance rate (%)"), _rate_cell(figures.acceptance_rate)]
    yield [_("Referral rate (%)"), _rate_cell(figures.referral_rate)]
    for _reason, label, count in figures.decline_reasons:
        yield [_("Declined: %(reason)s") % {"reason": label}, count]
    yield [_("Requests escalated to platform staff"), figures.escalated]
    yield [_("Projects started"), figures.projects]
    yield [_("Estimated funding leveraged (CAD)"), f"{figures.funding:.2f}"]
    yield [_("Credentials issued"), credential_figures.issued]
    yield [_("Credentials revoked"), credential_figures.revoked]
    yield [_("Students credentialed"), credential_figures.students]
    yield [_("Pathways completed"), credential_figures.pathways_completed]
    if rows:
        yield []
        yield [
            _("Institution"),
            _("Requests received"),
            _("Median time to first response (business days)"),
            _("Acceptance rate (%)"),
            _("Requests escalated to platform staff"),
            _("Projects started"),
            _("Estimated funding leveraged (CAD)"),
        ]
        for row in rows:
            yield [
                row.institution.name,
                row.received,
                "" if row.median_business_days is None else row.median_business_days,
                _rate_cell(row.acceptance_rate),
                row.escalated,
                row.projects,
                f"{row.funding:.2f}",
            ]
    if credential_rows:
        yield []
        yield [
            _("Institution"),
            _("Credentials issued"),
            _("Credentials revoked"),
            _("Students credentialed"),
            _("Pathways completed"),
        ]
        for credential_row in credential_rows:
            yield [
                credential_row.institution.name,
                credential_row.issued,
                credential_row.revoked,
                credential_row.students,
                credential_row.pathways_completed,
            ]
    yield []
    yield [
        _("Request"),
        _("Created on"),
        _("Status"),
        _("Institution"),
        _("Expertise"),
        _("Sector"),
        _("Match score"),
        _("First response (hours)"),
        _("Closed on"),
        _("Decline reason"),
        _("Referred to"),
    ]
    language = get_language()
    for item in metrics.request_rows(requests).iterator(chunk_size=500):
        referred_to = ", ".join(
            f"{referral.profile.name} ({referral.institution.name})"
            if referral.profile
            else referral.institution.name
            for referral in item.referrals.all()
        )
        yield [
            item.pk,
            timezone.localdate(item.created_at).isoformat(),
            item.get_status_display(),
            item.institution.name,
            item.profile.name if item.profile else "",
            taxonomy.label("sectors", item.sector, language) if item.sector else "",
            "" if item.score is None else f"{item.score:.3f}",
            ""
            if item.first_response_at is None
            else f"{metrics.response_hours(item.created_at, item.first_response_at):.1f}",
            timezone.localdate(item.closed_at).isoformat() if item.closed_at else "",
            item.get_decline_reason_display(),
            referred_to,
        ]


def _csv_response(
    institution,
    period,
    figures,
    rows,
    requests,
    *,
    credential_figures: metrics.CredentialFigures,
    credential_rows: list[metrics.CredentialRow],
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    language = get_language()

    def stream() -> Iterator[str]:
        # Streamed after the view returns: keep the page's language for the labels.
        with translation.override(language):
            yield "\ufeff"  # the byte order mark makes Excel read UTF-8
            lines = _csv_lines(
                institution,
                period,
                figures,
                rows,
                requests,
                credential_figures=credential_figures,
                credential_rows=credential_rows,
            )
            for line in lines:
                yield writer.writerow([_cell(value) for value in line])

    name = institution.slug if institution else "platform"
    start = period.start.isoformat() if period.start else "start"
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ocip-dashboard-{name}-{start}-{period.end.isoformat()}.csv"'
    )
    return response
