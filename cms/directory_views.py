"""The public front door's directory: anyone browses and searches the expertise profiles that
offices mark public, reads each profile's page and each member institution's page (with its
public profiles and published micro-credentials). GET pages that work without JavaScript,
cached for anonymous visitors."""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from matching import selectors
from matching.models import Institution
from ocip.formatting import current_language, labelled_text, other_language
from ocip.public_cache import cache_for_visitors
from projects import selectors as project_selectors
from projects.presentation import localized

from . import directory
from .directory import sort_key
from .directory_forms import DirectoryForm, InstitutionFilterForm

PER_PAGE = 20
# A search counts its results up to this many ("more than 1,000"); browsing counts them all.
COUNT_CAP = 1000
INSTITUTION_PROFILES_SHOWN = 12
INSTITUTION_COLUMNS = ("id", "slug", "name", "name_fr", "kind", "region", "languages")


def _challenge_url(request: HttpRequest) -> str | None:
    """Where "Describe your challenge" leads: the companies page, where diagnostics start; an
    anonymous visitor signs up first (the signup leads there). None for members of an
    institution, who do not start diagnostics."""
    start = reverse("company_list")
    if not request.user.is_authenticated:
        return f"{reverse('account_signup')}?{urlencode({'next': start})}"
    if selectors.memberships_of(request.user).exists():
        return None
    return start


class CappedPaginator(Paginator):
    """Counts at most `cap` results (then `capped` is true): a search that finds tens of
    thousands of profiles need not read every one of them to say so."""

    def __init__(self, object_list, per_page, cap: int | None = None):
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        profiles: QuerySet = self.object_list  # type: ignore[assignment]
        if self.cap is None:
            return profiles.count()
        found = profiles.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)


def _page(request: HttpRequest, profiles, institutions, per_page: int, cap: int | None = None):
    """A page of results: the count and the page's rows, each a simple query (the rows with
    their institution, the count without it)."""
    paginator = CappedPaginator(profiles, per_page, cap)
    page = paginator.get_page(request.GET.get("page"))
    start = (page.number - 1) * per_page
    rows = directory.page_rows(profiles)[start : start + per_page]
    if paginator.capped:
        # So many match that walking the profiles in name order finds a page at once.
        with directory.walking_in_order():
            page.object_list = list(rows)
    else:
        page.object_list = list(rows)
    directory.with_institutions(page.object_list, institutions)
    return page


@require_safe
@cache_for_visitors
def directory_page(request: HttpRequest) -> HttpResponse:
    """Anyone: the public expertise profiles of every institution, 20 a page, searched and
    filtered. A filter value that is not a choice is explained (400), the others still apply."""
    language = current_language()
    institutions = list(selectors.public_institutions().only(*INSTITUTION_COLUMNS))
    form = DirectoryForm(request.GET, institutions=institutions, language=language)
    valid = form.is_valid()
    criteria = form.criteria()
    cap = COUNT_CAP if criteria.any else None
    page = _page(request, directory.directory_profiles(criteria), institutions, PER_PAGE, cap)
    pairs = form.query_pairs()
    context = {
        "form": form,
        "page_obj": page,
        "cards": [directory.card(profile, language) for profile in page.object_list],
        "filtered": bool(pairs),
        "query_string": urlencode(pairs),
        "cap": COUNT_CAP,
    }
    return render(request, "cms/directory/directory.html", context, status=200 if valid else 400)


def _students_text(accepts: bool, levels: list[str]) -> str:
    """Whether it takes students, and which, the reader's way ("… : …" in French)."""
    if not accepts:
        return gettext("Does not take students")
    takes = gettext("Takes students")
    return labelled_text(takes, ", ".join(levels)) if levels else takes


@require_safe
@cache_for_visitors
def public_profile(request: HttpRequest, external_id: str) -> HttpResponse:
    """Anyone: what a public profile offers, and how to ask for it."""
    profile = selectors.public_expertise_profile(external_id)
    if profile is None:
        # Not public: members reach it on their pages (old links to /expertise/<id>/ led there).
        if request.user.is_authenticated and selectors.expertise_profile_visible(external_id):
            return redirect("expertise_detail", external_id=external_id)
        raise Http404
    language = current_language()
    institution = profile.institution
    text_lang = "" if profile.text_language == language else profile.text_language
    levels = [
        str(directory.STUDENT_LEVELS.get(level, level)) for level in profile.student_levels or ()
    ]
    context = {
        "profile": profile,
        "name": directory.text_of(profile, "name", language),
        "title": directory.text_of(profile, "title", language),
        "summary": directory.text_of(profile, "summary", language),
        "text_lang": text_lang,
        "kind": profile.get_kind_display(),
        "areas": directory.area_labels(profile.capability_areas, language),
        "sectors": directory.sector_labels(profile.sectors, language),
        "trl": directory.trl_text(profile.trl_min, profile.trl_max),
        "students": _students_text(profile.accepts_students, levels),
        "languages": directory.languages_text(profile.languages),
        "institution": institution,
        "institution_name": institution.name_in(language),
        "institution_lang": other_language(institution.name_language(language), language),
        "region": directory.region_label(institution.region),
        "challenge_url": _challenge_url(request),
        "can_edit": request.user.is_authenticated
        and selectors.can_edit_expertise(
            user=request.user, institution=institution, profile=profile
        ),
    }
    return render(request, "cms/directory/profile.html", context)


@require_safe
@cache_for_visitors
def institution_list(request: HttpRequest) -> HttpResponse:
    """Anyone: the member institutions, by kind, with how many public profiles each has."""
    language = current_language()
    institutions = list(
        selectors.public_institutions().only(*INSTITUTION_COLUMNS, "city").order_by("kind", "name")
    )
    form = InstitutionFilterForm(request.GET, institutions=institutions)
    valid = form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    kind, region = cleaned.get("kind", ""), cleaned.get("region", "")
    counts = directory.public_counts()
    shown = [
        item
        for item in institutions
        if (not kind or item.kind == kind) and (not region or item.region == region)
    ]
    labels = dict(Institution.Kind.choices)
    order = list(Institution.Kind.values)
    shown.sort(key=lambda item: (order.index(item.kind), sort_key(item.name_in(language))))
    groups = [
        {
            "kind": group_kind,
            "label": labels.get(group_kind, group_kind),
            "institutions": [
                {
                    "institution": item,
                    "name": item.name_in(language),
                    "name_lang": other_language(item.name_language(language), language),
                    "region": directory.region_label(item.region),
                    "profiles": counts.get(item.pk, 0),
                }
                for item in members
            ],
        }
        for group_kind, members in groupby(shown, key=lambda item: item.kind)
    ]
    context = {
        "form": form,
        "groups": groups,
        "shown": len(shown),
        "filtered": bool(kind or region),
    }
    return render(
        request, "cms/institutions/institution_list.html", context, status=200 if valid else 400
    )


@require_safe
@cache_for_visitors
def institution_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone: a member institution, its public profiles and its published micro-credentials."""
    institution = selectors.public_institutions().filter(slug=slug).first()
    if institution is None:
        raise Http404
    language = current_language()
    description, description_lang = institution.description_in(language)
    profiles = directory.directory_profiles(directory.Criteria(institutions=[institution.pk]))
    shown = directory.with_institutions(
        list(directory.page_rows(profiles)[:INSTITUTION_PROFILES_SHOWN]), [institution]
    )
    total = len(shown)
    if total == INSTITUTION_PROFILES_SHOWN:
        total = profiles.count()
    definitions = list(
        project_selectors.catalogue_definitions(
            institution=institution.slug, order_language=language
        )
    )
    credentials = [
        {
            "title": localized(definition, "title", language),
            "url": reverse(
                "definition_public",
                kwargs={"lineage": definition.lineage, "version": definition.version},
            ),
        }
        for definition in definitions
    ]
    member = request.user.is_authenticated and (
        request.user.is_platform_staff
        or selectors.institution_membership(user=request.user, institution=institution) is not None
    )
    by_institution = urlencode({"institution": institution.slug})
    context = {
        "institution": institution,
        "name": institution.name_in(language),
        "name_lang": other_language(institution.name_language(language), language),
        "description": description,
        "description_lang": other_language(description_lang, language),
        "region": directory.region_label(institution.region),
        "languages": directory.languages_text(institution.languages),
        "cards": [directory.card(profile, language) for profile in shown],
        "profile_total": total,
        "more_profiles_url": f"{reverse('directory')}?{by_institution}",
        "credentials": credentials,
        "credentials_url": f"{reverse('catalogue')}?{by_institution}",
        "member": member,
    }
    return render(request, "cms/institutions/institution.html", context)
