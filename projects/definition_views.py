"""The research office's micro-credentials: the list, the form that defines or revises one,
its page, and publishing it. Only the institution's office (with two factors) and platform
staff; anyone else who can see the institution gets a 403, everyone else a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from matching.selectors import can_manage_institution, institutions_for
from ocip.accounts.mfa import require_mfa
from ocip.errors import Conflict
from ocip.formatting import current_language
from ocip.pagination import paginate

from . import badges, esco, selectors, services
from .definition_forms import ELEMENT_SECTION, ELEMENT_SOURCES, DefinitionForm, sources_text
from .models import CredentialDefinition
from .presentation import lines_of

PER_PAGE = 25
State = CredentialDefinition.State


def _office_institution(request, slug):
    """404 for an institution the user cannot see; 403 for its people who are not its office."""
    institution = get_object_or_404(institutions_for(request.user), slug=slug)
    if not can_manage_institution(user=request.user, institution=institution):
        raise PermissionDenied(_("Only this institution's research office can do this."))
    require_mfa(request.user)
    return institution


def _definition(request, institution, pk) -> CredentialDefinition:
    return get_object_or_404(
        selectors.definitions_of(user=request.user, institution=institution).select_related(
            "institution"
        ),
        pk=pk,
    )


def _title(definition: CredentialDefinition, language: str) -> str:
    return definition.title(language) or _("Untitled micro-credential")


def _detail_url(definition: CredentialDefinition) -> str:
    return reverse(
        "definition_detail", kwargs={"slug": definition.institution.slug, "pk": definition.pk}
    )


# --- The list --------------------------------------------------------------------------------


@login_required
@require_safe
def definition_list(request, slug):
    """Each micro-credential once: its latest version, newest change first."""
    institution = _office_institution(request, slug)
    versions = selectors.definitions_of(user=request.user, institution=institution)
    same_lineage = versions.filter(lineage=OuterRef("lineage"))
    latest = (
        versions.filter(version=Subquery(same_lineage.order_by("-version").values("version")[:1]))
        .annotate(
            published_version=Subquery(
                same_lineage.filter(state=State.PUBLISHED).values("version")[:1]
            )
        )
        .order_by("-updated_at", "pk")
    )
    page = paginate(request, latest, per_page=PER_PAGE)
    language = current_language()
    mc_plus = selectors.mc_plus_lineages(item.lineage for item in page.object_list)
    for definition in page.object_list:
        definition.display_title = _title(definition, language)
        definition.mc_plus = str(definition.lineage) in mc_plus
    return render(
        request,
        "projects/definitions/definition_list.html",
        {"institution": institution, "page_obj": page},
    )


# --- Defining and revising -------------------------------------------------------------------


def _form_page(request, institution, form, *, definition=None, status=200):
    language = current_language()
    if definition is None:
        title = _("Define a micro-credential")
        intro = _(
            "You can save it incomplete, as a draft: its page then lists what it still needs "
            "before it can be published."
        )
        cancel_url = reverse("definition_list", kwargs={"slug": institution.slug})
    elif definition.state == State.PUBLISHED:
        title = _("Revise “%(title)s”") % {"title": _title(definition, language)}
        intro = _(
            "Saving makes version %(next)s, a draft. Version %(current)s stays published, and "
            "stays the one used, until you publish the new one."
        ) % {"next": definition.version + 1, "current": definition.version}
        cancel_url = _detail_url(definition)
    else:
        title = _("Edit “%(title)s”, version %(version)s (draft)") % {
            "title": _title(definition, language),
            "version": definition.version,
        }
        intro = _("Saving keeps it a draft. You publish it from its page.")
        cancel_url = _detail_url(definition)
    context = {
        "institution": institution,
        "definition": definition,
        "form": form,
        "title": title,
        "intro": intro,
        "cancel_url": cancel_url,
        "esco_attribution": _(
            "This service uses the ESCO classification of the European Commission."
        ),
    }
    return render(request, "projects/definitions/definition_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def definition_create(request, slug):
    institution = _office_institution(request, slug)
    form = DefinitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = services.definition_create(
                actor=request.user, institution=institution, **form.definition_fields()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "The draft was saved. Its page lists what it still needs before it can be "
                    "published."
                ),
            )
            return redirect(_detail_url(definition))
    return _form_page(request, institution, form, status=400 if form.errors else 200)


def _lineage_draft(definition: CredentialDefinition) -> CredentialDefinition | None:
    return CredentialDefinition.objects.filter(
        lineage=definition.lineage, state=State.DRAFT
    ).first()


@login_required
@require_http_methods(["GET", "POST"])
def definition_edit(request, slug, pk):
    """A draft is changed in place; a published version is revised into the next, a draft."""
    institution = _office_institution(request, slug)
    definition = _definition(request, institution, pk)
    if definition.state != State.DRAFT:
        # Revise from the lineage's draft if there is one, else from its published version:
        # never from a superseded version, and never over a draft's changes.
        current = (
            _lineage_draft(definition)
            or CredentialDefinition.objects.filter(
                lineage=definition.lineage, state=State.PUBLISHED
            ).first()
        )
        if current is not None and current.pk != definition.pk:
            messages.info(
                request,
                _("You are editing version %(version)s, the latest one.")
                % {"version": current.version},
            )
            return redirect("definition_edit", slug=institution.slug, pk=current.pk)
    data = request.POST if request.method == "POST" else None
    form = DefinitionForm(data, initial=DefinitionForm.initial_for(definition))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.definition_update(
                actor=request.user, definition=definition, **form.definition_fields()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if saved.pk == definition.pk:
                messages.success(request, _("The draft was saved."))
            else:
                messages.success(
                    request,
                    _(
                        "Your changes were saved as version %(version)s, a draft. Version "
                        "%(published)s stays published until you publish this one."
                    )
                    % {"version": saved.version, "published": definition.version},
                )
            return redirect(_detail_url(saved))
    return _form_page(
        request, institution, form, definition=definition, status=400 if form.errors else 200
    )


# --- The page and publishing -----------------------------------------------------------------


def _texts(definition: CredentialDefinition) -> list[dict]:
    """The definition's texts, each in both languages (a list when it is one per line)."""
    return [
        {
            "key": key,
            "heading": heading,
            "en": getattr(definition, f"{key}_en"),
            "fr": getattr(definition, f"{key}_fr"),
            "en_lines": lines_of(getattr(definition, f"{key}_en")) if as_lines else None,
            "fr_lines": lines_of(getattr(definition, f"{key}_fr")) if as_lines else None,
        }
        for key, heading, as_lines in (
            ("title", _("Title"), False),
            ("description", _("Description"), False),
            ("outcomes", _("Learning outcomes"), True),
            ("criteria", _("Criteria for earning it"), False),
            ("assessment_type", _("Type of assessment"), False),
            ("level_note", _("Level"), False),
            ("prerequisites", _("Prerequisites"), False),
            ("quality_assurance", _("Quality assurance"), False),
            ("partner_endorsement", _("Endorsement by partners"), False),
        )
    ]


def _rubric(definition: CredentialDefinition) -> dict | None:
    """The rubric in both languages, criterion by criterion, with what passes."""
    if not (definition.rubric or {}).get("criteria"):
        return None
    english = selectors.rubric_rows(definition, "en")
    french = selectors.rubric_rows(definition, "fr")
    levels = definition.rubric.get("levels", [])
    pass_level = definition.rubric.get("pass_level", 0)
    pass_row = (
        levels[pass_level] if isinstance(pass_level, int) and pass_level < len(levels) else {}
    )
    return {
        "pass_number": pass_level + 1 if pass_row else None,
        "pass_en": pass_row.get("en", ""),
        "pass_fr": pass_row.get("fr", ""),
        "criteria": [
            {
                "number": en["index"] + 1,
                "en": en["name"],
                "fr": fr["name"],
                "levels": [
                    {
                        "number": level_en["index"] + 1,
                        "en": level_en["name"],
                        "fr": level_fr["name"],
                        "passes": level_en["passes"],
                        "is_pass_level": level_en["index"] == pass_level,
                    }
                    for level_en, level_fr in zip(en["levels"], fr["levels"], strict=True)
                ],
            }
            for en, fr in zip(english, french, strict=True)
        ],
    }


def _skills(definition: CredentialDefinition) -> list[dict]:
    return [
        {
            "uri": uri,
            "en": esco.label(uri, "en"),
            "fr": esco.label(uri, "fr"),
            "fr_translated": esco.is_platform_translation(uri, "fr"),
        }
        for uri in definition.skills
        if uri in esco.skills()
    ]


def _missing(definition: CredentialDefinition) -> list[dict]:
    """What the draft lacks, in plain words, which framework asks for it, where to add it."""
    edit_url = reverse(
        "definition_edit", kwargs={"slug": definition.institution.slug, "pk": definition.pk}
    )
    profile_url = reverse("institution_edit", kwargs={"slug": definition.institution.slug})
    return [
        {
            "code": code,
            "text": text,
            "sources": sources_text(ELEMENT_SOURCES.get(code, ())),
            "url": f"{edit_url}#section-{ELEMENT_SECTION[code]}"
            if code in ELEMENT_SECTION
            else profile_url,
        }
        for code, text in selectors.definition_missing(definition)
    ]


def _detail_page(
    request, institution, definition, *, publish_errors=(), image_errors=(), status=200
):
    language = current_language()
    versions = list(
        CredentialDefinition.objects.filter(lineage=definition.lineage).order_by("version")
    )
    is_draft = definition.state == State.DRAFT
    missing = _missing(definition) if is_draft else []
    by_text = {item["text"]: item["url"] for item in missing}  # links for the publish errors
    context = {
        "institution": institution,
        "definition": definition,
        "title": _title(definition, language),
        "texts": _texts(definition),
        "rubric": _rubric(definition),
        "skills": _skills(definition),
        "versions": versions,
        "draft": next((v for v in versions if v.state == State.DRAFT), None),
        "published": next((v for v in versions if v.state == State.PUBLISHED), None),
        "missing": missing,
        "publish_errors": [{"text": text, "url": by_text.get(text, "")} for text in publish_errors],
        "image_errors": image_errors,
        "image_form": BadgeImageForm(),
        "esco_attribution": _(
            "This service uses the ESCO classification of the European Commission."
        ),
    }
    return render(request, "projects/definitions/definition_detail.html", context, status=status)


@login_required
@require_safe
def definition_detail(request, slug, pk):
    institution = _office_institution(request, slug)
    return _detail_page(request, institution, _definition(request, institution, pk))


@login_required
@require_http_methods(["POST"])
def definition_publish(request, slug, pk):
    institution = _office_institution(request, slug)
    definition = _definition(request, institution, pk)
    was_published = CredentialDefinition.objects.filter(
        lineage=definition.lineage, state=State.PUBLISHED
    ).first()
    try:
        published = services.definition_publish(actor=request.user, definition=definition)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect(_detail_url(definition))
    except ValidationError as error:
        return _detail_page(
            request, institution, definition, publish_errors=error.messages, status=400
        )
    if was_published is not None:
        text = _(
            "Version %(version)s is published. Version %(previous)s is superseded: new "
            "assessments use version %(version)s."
        ) % {"version": published.version, "previous": was_published.version}
    else:
        text = _("Version %(version)s is published.") % {"version": published.version}
    messages.success(request, text)
    return redirect(_detail_url(published))


class BadgeImageForm(forms.Form):
    image = forms.FileField(
        label=gettext_lazy("Badge image (PNG)"),
        help_text=gettext_lazy(
            "Square, 200 to 2,000 pixels on each side, 1 MB at most. Without one, credentials "
            "carry a generated badge with the title and the institution."
        ),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".png,image/png"}),
    )
    remove = forms.BooleanField(required=False)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def definition_image(request, slug, pk):
    """The badge image of any version, drafts included (for the office's preview); posting
    uploads the micro-credential's own image or removes it, in its draft."""
    institution = _office_institution(request, slug)
    definition = _definition(request, institution, pk)
    language = current_language()
    if request.method != "POST":
        response = HttpResponse(badges.badge_png(definition, language), content_type="image/png")
        response["Cache-Control"] = "private, no-store"
        return response
    form = BadgeImageForm(request.POST, request.FILES)
    upload = request.FILES.get("image")
    remove = form.is_valid() and form.cleaned_data["remove"]
    if upload is None and not remove:
        return _detail_page(
            request, institution, definition, image_errors=[_("Choose a PNG image.")], status=400
        )
    data = None if remove else upload.read(services.BADGE_MAX_BYTES + 1)
    try:
        changed = services.definition_set_image(
            actor=request.user, definition=definition, data=data
        )
    except ValidationError as error:
        return _detail_page(
            request, institution, definition, image_errors=error.messages, status=400
        )
    messages.success(
        request,
        _("The generated badge is back.") if remove else _("The badge image is saved."),
    )
    return redirect(_detail_url(changed))
