"""The public funding guide: the active funding programs, and one page per program."""

from __future__ import annotations

from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ocip.formatting import current_language
from ocip.public_cache import cache_for_visitors

from . import selectors
from .funding_guide import program_guide
from .models import FundingProgram


def _eligibility_url(request: HttpRequest) -> str:
    """Where "Check my eligibility" leads: the companies page, whose diagnostics start there;
    an anonymous visitor signs up first and then lands on it."""
    start = reverse("company_list")
    if request.user.is_authenticated:
        return start
    return f"{reverse('account_signup')}?{urlencode({'next': start})}"


@require_safe
@cache_for_visitors
def funding_guide(request: HttpRequest) -> HttpResponse:
    """Anyone: the active funding programs, grouped by category, in the reader's language."""
    language = current_language()
    programs = list(selectors.public_funding_programs())
    labels = dict(FundingProgram.Category.choices)
    groups = [
        {
            "category": category,
            "label": labels.get(category, category),
            "programs": [
                {
                    "program": program,
                    "name": program.name_in(language),
                    "partner": program.partner_in(language),
                }
                for program in members
            ],
        }
        for category, members in groupby(programs, key=lambda program: program.category)
    ]
    return render(
        request,
        "matching/funding/guide.html",
        {"groups": groups, "eligibility_url": _eligibility_url(request)},
    )


@require_safe
@cache_for_visitors
def funding_program(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone: one active program: who it is for, what it pays, how it stacks, and the rules
    the matching engine applies to it."""
    program = selectors.public_funding_program(slug)
    if program is None:
        raise Http404
    language = current_language()
    context = {
        "program": program,
        "name": program.name_in(language),
        "partner": program.partner_in(language),
        "category": FundingProgram.Category(program.category).label
        if program.category in FundingProgram.Category.values
        else program.category,
        "guide": program_guide(program, language),
        "eligibility_url": _eligibility_url(request),
    }
    return render(request, "matching/funding/program.html", context)
