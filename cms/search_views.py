"""/search/: one search box over the site's pages (in the reader's language) and the public
expertise profiles. A GET form: it works without JavaScript and every search has an address."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from ocip.formatting import current_language, list_text, number_text
from ocip.public_cache import cache_for_visitors
from ocip.search_forms import CHOOSE_FROM_LIST, WordsField

from . import search

PER_PAGE = 10
SECTIONS = ("pages", "profiles")


class SearchForm(forms.Form):
    q = WordsField(
        label=gettext_lazy("Search the site"),
        help_text=gettext_lazy(
            "Words in English or in French, in the pages of the site and the expertise of "
            "Ontario's colleges, universities and Indigenous institutes. Every word must appear."
        ),
        max_length=search.MAX_QUERY_LENGTH,
    )
    section = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[
            ("", gettext_lazy("Everything")),
            ("pages", gettext_lazy("Pages of the site")),
            ("profiles", gettext_lazy("Expertise")),
        ],
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )


def _count_text(name: str, count: int) -> str:
    """The count the reader's way: "12 pages of the site", "1 expertise profile"."""
    if name == "pages":
        text = ngettext("%(count)s page of the site", "%(count)s pages of the site", count)
    else:
        text = ngettext("%(count)s expertise profile", "%(count)s expertise profiles", count)
    return text % {"count": number_text(count)}


def _section(name: str, results, make_result, *, page_number, paginate: bool) -> dict:
    paginator = Paginator(results, PER_PAGE)
    page_obj = paginator.get_page(page_number if paginate else 1)
    return {
        "count": paginator.count,
        "heading": _count_text(name, paginator.count),
        "page_obj": page_obj,
        "results": [make_result(item) for item in page_obj.object_list],
        "more": not paginate and paginator.num_pages > 1,
    }


@cache_for_visitors
@require_http_methods(["GET", "HEAD"])
def site_search(request: HttpRequest) -> HttpResponse:
    language = current_language()
    form = SearchForm(request.GET)
    context: dict = {"form": form, "query": ""}
    if not form.is_valid():
        return render(request, "cms/search.html", context, status=400)
    query = " ".join(form.cleaned_data["q"].split())
    section = form.cleaned_data["section"]
    context.update(query=query, section=section)
    if not query:
        return render(request, "cms/search.html", context)

    page_number = request.GET.get("page")
    shown = SECTIONS if not section else (section,)
    if "pages" in shown:
        context["pages"] = _section(
            "pages",
            search.search_pages(query, language),
            search.page_result,
            page_number=page_number,
            paginate=bool(section),
        )
    if "profiles" in shown:
        context["profiles"] = _section(
            "profiles",
            search.search_profiles(query),
            lambda profile: search.profile_result(profile, language),
            page_number=page_number,
            paginate=bool(section),
        )
    context["section_urls"] = {
        name: "?" + urlencode({"q": query, "section": name}) for name in SECTIONS
    }
    if section:
        context["page_obj"] = context[section]["page_obj"]
        context["query_string"] = urlencode({"q": query, "section": section})
    context["no_results"] = not any(context[name]["count"] for name in shown)
    context["summary"] = list_text([context[name]["heading"] for name in shown])
    return render(request, "cms/search.html", context)
