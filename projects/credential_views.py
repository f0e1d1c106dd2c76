"""Pages of issued micro-credentials: the research office's list and revocation, the student's
credentials (download, share), and the public pages: verify a credential, a shared credential,
a micro-credential's description (the achievement id inside credentials)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from matching.selectors import can_manage_institution, institutions_for
from ocip.accounts.views import add_service_error
from ocip.errors import Conflict
from ocip.formatting import current_language
from ocip.pagination import paginate

from . import badges, esco, selectors, services
from . import verification_texts as texts
from .credentials import baking, documents, linkedin
from .credentials.verify import instant
from .models import CredentialDefinition, IssuedCredential, ProjectMember
from .presentation import lines_of, localized, pathway_rows, person_name

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}

# --- What a credential says and where it stands -----------------------------------------------


STATE_BADGES = {"valid": "badge-ok", "expired": "badge-warn", "revoked": "badge-danger"}


def state_label(state: str) -> str:
    return {"valid": _("Valid"), "expired": _("Expired"), "revoked": _("Revoked")}[state]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dicts(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _web_link(value: Any) -> str:
    """`value` if it is a web address (a link a page may show), else nothing."""
    url = _text(value)
    return url if url.startswith(("https://", "http://")) else ""


def credential_summary(document: Any) -> dict:
    """What a credential says, read from its JSON for a page: only call it on a document that
    verified (or the platform's own signed text). Missing parts are left empty."""
    document = document if isinstance(document, dict) else {}
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = document.get("issuer")
    issuer = issuer if isinstance(issuer, dict) else {}
    criteria: dict[str, str] = {}
    levels: dict[str, str] = {}
    for description in _dicts(achievement.get("resultDescription")):
        criteria[_text(description.get("id"))] = _text(description.get("name"))
        for level in _dicts(description.get("rubricCriterionLevel")):
            levels[_text(level.get("id"))] = _text(level.get("name"))
    results = [
        {
            "criterion": criteria.get(_text(result.get("resultDescription")), ""),
            "level": levels.get(_text(result.get("achievedLevel")), ""),
        }
        for result in _dicts(subject.get("result"))
    ]
    endorsements = []
    for endorsement in _dicts(document.get("endorsement")):
        endorser = endorsement.get("issuer")
        about = endorsement.get("credentialSubject")
        endorsements.append(
            {
                "name": _text(endorser.get("name")) if isinstance(endorser, dict) else "",
                "comment": _text(about.get("endorsementComment"))
                if isinstance(about, dict)
                else "",
            }
        )
    narrative = achievement.get("criteria")
    return {
        "name": _text(achievement.get("name")) or _text(document.get("name")),
        "description": _text(achievement.get("description")),
        "criteria": _text(narrative.get("narrative")) if isinstance(narrative, dict) else "",
        "language": _text(achievement.get("inLanguage")),
        "achievement_url": _web_link(achievement.get("id")),
        "issuer_name": _text(issuer.get("name")),
        "issuer_url": _web_link(issuer.get("url")),
        "valid_from": instant(document.get("validFrom")),
        "valid_until": instant(document.get("validUntil")),
        "results": [result for result in results if result["criterion"] or result["level"]],
        "skills": [
            {"name": _text(skill.get("targetName")), "url": _web_link(skill.get("targetUrl"))}
            for skill in _dicts(achievement.get("alignment"))
            if skill.get("targetType") != documents.STACKED_PART
        ],
        "stacks": [
            {"name": _text(part.get("targetName")), "url": _web_link(part.get("targetUrl"))}
            for part in _dicts(achievement.get("alignment"))
            if part.get("targetType") == documents.STACKED_PART
        ],
        "endorsements": endorsements,
        "evidence": [
            {
                "name": _text(item.get("name")),
                "description": _text(item.get("description")),
                "url": _web_link(item.get("id")),
            }
            for item in _dicts(document.get("evidence"))
        ],
    }


def verification_context(verification) -> dict:
    """What the verdict panel (projects/credentials/_verdict.html) shows."""
    verdict = verification.verdict
    return {
        "verdict": verdict,
        "verdict_text": texts.verdict_text(verdict),
        "verdict_explanation": texts.verdict_explanation(verdict),
        "check_rows": [
            {"row": row, "state_text": texts.state_text(row.state)}
            for row in texts.check_rows(verification)
        ],
    }


# --- Research office: issued credentials, revocation ------------------------------------------


def _managed_institution(request: HttpRequest, slug: str):
    institution = get_object_or_404(institutions_for(request.user), slug=slug)
    if not can_manage_institution(user=request.user, institution=institution):
        raise PermissionDenied(_("Only this institution's research office can do this."))
    return institution


@login_required
@require_http_methods(["GET", "HEAD"])
def institution_credentials(request, slug):
    """The credentials the institution issued, newest first, with where each stands."""
    institution = _managed_institution(request, slug)
    now = timezone.now()
    credentials = selectors.credentials_of_institution(
        user=request.user, institution=institution
    ).order_by("-issued_at", "-pk")
    state = request.GET.get("state", "")
    if state in selectors.CREDENTIAL_STATES:
        credentials = selectors.credentials_in_state(credentials, state, now)
    else:
        state = ""
    page = paginate(request, credentials)
    language = get_language()
    rows = [
        {
            "credential": credential,
            "title": credential.definition.title(language),
            "state": (stage := selectors.credential_state(credential, now)),
            "state_text": state_label(stage),
        }
        for credential in page
    ]
    filters = [("", _("All"))] + [(name, state_label(name)) for name in selectors.CREDENTIAL_STATES]
    return render(
        request,
        "projects/credentials/institution_credentials.html",
        {
            "institution": institution,
            "page_obj": page,
            "rows": rows,
            "state": state,
            "filters": filters,
            "query_string": f"state={state}" if state else "",
            "signing_keys": selectors.institution_signing_keys(institution),
            "did": selectors.institution_did(institution),
        },
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        error_messages={"required": gettext_lazy("Say why the credential is revoked.")},
        help_text=gettext_lazy(
            "The student sees this reason. Anyone who verifies the credential sees only that it "
            "was revoked."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def credential_revoke(request, public_id):
    """Revoke a credential (its institution's research office, with two factors): a reason is
    required, and every verification says revoked from then on."""
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("institution", "definition", "student"),
        public_id=public_id,
    )
    if not can_manage_institution(user=request.user, institution=credential.institution):
        raise Http404  # another institution's credentials are not theirs to know of
    back = reverse("institution_credentials", kwargs={"slug": credential.institution.slug})
    if credential.revoked_at is not None:
        messages.info(request, _("This credential is already revoked."))
        return redirect(back)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_revoke(
                actor=request.user, credential=credential, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error(form, error)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect(back)
        else:
            messages.success(
                request,
                _("The credential of %(student)s was revoked. They were told.")
                % {"student": person_name(credential.student)},
            )
            return redirect(back)
    now = timezone.now()
    return render(
        request,
        "projects/credentials/credential_revoke.html",
        {
            "credential": credential,
            "title": credential.definition.title(get_language()),
            "student_name": person_name(credential.student),
            "state_text": state_label(selectors.credential_state(credential, now)),
            "form": form,
            "cancel_url": back,
        },
        status=400 if form.errors else 200,
    )


# --- The student --------------------------------------------------------------------------------


def _own_credential(request: HttpRequest, public_id) -> IssuedCredential:
    """One of the logged-in student's credentials; anyone else's is a 404."""
    return get_object_or_404(selectors.credentials_of_student(request.user), public_id=public_id)


def _linkedin_url(credential: IssuedCredential) -> str:
    """LinkedIn's add-to-profile form, filled in as the credential says it (its language)."""
    return linkedin.add_to_profile_url(
        name=credential.definition.title(credential.language),
        organization=credential.institution.name,
        issued=timezone.localtime(credential.issued_at).date(),
        expires=timezone.localtime(credential.valid_until).date()
        if credential.valid_until
        else None,
        cert_url=selectors.credential_url(credential),
        cert_id=str(credential.public_id),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def student_credentials(request):
    """The student's wallet: every credential they hold, where it stands, its files (JSON,
    baked PNG and SVG), LinkedIn, its public page; their pathways; their projects. Credentials
    stay theirs: the list does not depend on belonging to an institution."""
    now = timezone.now()
    language = current_language()
    projects = (
        selectors.projects_for(request.user)
        .filter(members__user=request.user, members__role=ProjectMember.Role.STUDENT)
        .select_related("company", "institution")
        .order_by("-start_date", "-pk")
    )
    credentials = list(
        selectors.credentials_of_student(request.user)
        .select_related("pathway")
        .order_by("-issued_at", "-pk")
    )
    mc_plus = selectors.mc_plus_lineages(item.definition.lineage for item in credentials)
    rows = []
    for credential in credentials:
        state = selectors.credential_state(credential, now)
        rows.append(
            {
                "credential": credential,
                "title": credential.definition.title(language),
                "state": state,
                "state_text": state_label(state),
                "state_badge": STATE_BADGES[state],
                "mc_plus": str(credential.definition.lineage) in mc_plus,
                "stacked": credential.pathway_id is not None,
                # A path, not the permanent URL: the page shows it from wherever it is served.
                "image_url": reverse(
                    "definition_badge",
                    kwargs={
                        "lineage": credential.definition.lineage,
                        "version": credential.definition.version,
                        "language": credential.language,
                        "kind": "png",
                    },
                ),
                "public_url": selectors.credential_url(credential) if credential.shared else "",
                "linkedin_url": _linkedin_url(credential) if credential.shared else "",
            }
        )
    pathways = selectors.student_pathways(request.user)
    targets = pathway_rows([item["pathway"] for item in pathways], language)
    for item, target in zip(pathways, targets, strict=True):
        item["target"] = target
        for key in ("held", "missing"):
            item[key] = [
                {"definition": part, "title": localized(part, "title", language)}
                for part in item[key]
            ]
    return render(
        request,
        "projects/credentials/student_credentials.html",
        {
            "projects": projects,
            "rows": rows,
            "pathways": pathways,
            "counts": [
                (sum(1 for row in rows if row["state"] == state), state_label(state), state)
                for state in selectors.CREDENTIAL_STATES
            ],
        },
    )


def _file_stem(credential: IssuedCredential) -> str:
    """What the credential's files are called: its title and issue date."""
    title = slugify(credential.definition.title(credential.language))[:80].strip("-")
    return f"{title or 'credential'}-{credential.issued_at.date().isoformat()}"


def _signed_file(credential: IssuedCredential) -> HttpResponse:
    """The credential exactly as it was signed, as a file."""
    response = HttpResponse(
        credential.signed_text.encode("utf-8"), content_type="application/vc+ld+json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(credential)}.json"'
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def credential_download(request, public_id):
    """The holder's credential file: the signed text, byte for byte as stored."""
    response = _signed_file(_own_credential(request, public_id))
    response["Cache-Control"] = "private, no-store"
    return response


BADGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@login_required
@require_http_methods(["GET", "HEAD"])
def credential_baked(request, public_id, kind):
    """The holder's credential baked into its badge image (PNG or SVG): the signed text inside,
    byte for byte, so that the image alone verifies."""
    if kind not in BADGE_TYPES:
        raise Http404
    credential = _own_credential(request, public_id)
    image = badges.baked_png(credential) if kind == "png" else badges.baked_svg(credential)
    response = HttpResponse(image, content_type=BADGE_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(credential)}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def wallet_export(request):
    """Everything the student holds, theirs to keep: each credential as JSON and baked PNG and
    SVG, in one zip."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for credential in selectors.credentials_of_student(request.user).order_by(
            "issued_at", "pk"
        ):
            name = f"{_file_stem(credential)}-{str(credential.public_id)[:8]}"
            bundle.writestr(f"{name}/credential.json", credential.signed_text.encode("utf-8"))
            bundle.writestr(f"{name}/badge.png", badges.baked_png(credential))
            bundle.writestr(f"{name}/badge.svg", badges.baked_svg(credential))
    response = HttpResponse(archive.getvalue(), content_type="application/zip")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ocip-credentials-{stamp}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


class ShareForm(forms.Form):
    shared = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )


@login_required
@require_http_methods(["POST"])
def credential_share(request, public_id):
    """Give the credential a public page, or take it down (the holder only)."""
    credential = _own_credential(request, public_id)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "400.html",
            {"reason": _("Choose whether to share the credential or to stop sharing it.")},
            status=400,
        )
    shared = form.cleaned_data["shared"]
    services.credential_set_shared(actor=request.user, credential=credential, shared=shared)
    title = credential.definition.title(get_language())
    if shared:
        messages.success(
            request,
            _("“%(title)s” now has a public page: anyone with its link can see it.")
            % {"title": title},
        )
    else:
        messages.success(
            request,
            _("“%(title)s” is private again: its public page is gone.") % {"title": title},
        )
    return redirect(f"{reverse('student_credentials')}#credential-{credential.public_id}")


# --- Anyone: verify a credential, a shared credential, a micro-credential ----------------------


class VerifyForm(forms.Form):
    # "verbatim_": the text boundary checks it but does not normalise it (a signed document).
    verbatim_credential = forms.CharField(
        label=gettext_lazy("The credential's JSON"),
        help_text=gettext_lazy("Paste the whole text of the credential file."),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Or choose the credential file or its badge image"),
        help_text=gettext_lazy(
            "A .json file, or a badge image (.png or .svg) with the credential inside, as "
            "downloaded from the learner's credentials page. When you choose a file, the "
            "pasted text is not used."
        ),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ".json,application/json,.jsonld,.png,image/png,.svg,image/svg+xml"}
        ),
    )


def _given_bytes(request: HttpRequest) -> bytes:
    """What the person gave: the chosen file's bytes (read up to the limit and a byte), else the
    pasted text."""
    upload = request.FILES.get("file")
    if upload is not None:
        return upload.read(max(texts.max_bytes(), baking.MAX_IMAGE_BYTES) + 1)
    return request.POST.get("verbatim_credential", "").encode("utf-8")


@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request):
    """Anyone checks a credential against the platform's records. A verdict for any JSON value
    (200); text that cannot be read as JSON (nothing given, too large, not UTF-8, not JSON) is a
    form error (400); too many checks from one address in a minute, 429."""
    context: dict[str, Any] = {
        "limit": texts.size_limit_text(),
        "image_limit": texts.image_limit_text(),
    }
    status = 200
    form = VerifyForm()
    # Text given stays in the form to correct or try again, unless it is too large to send back.
    keep = len(request.POST.get("verbatim_credential", "")) <= texts.max_bytes()
    if request.method == "POST":
        wait = texts.page_wait(request)
        if wait is not None:
            context["throttled"] = _(
                "You checked many credentials in a short time. Wait %(seconds)s seconds and try "
                "again."
            ) % {"seconds": wait}
            context["form"] = VerifyForm(request.POST) if keep else form
            return render(request, "projects/credentials/verify.html", context, status=429)
        try:
            document = texts.parse_upload(_given_bytes(request))
        except texts.Unreadable as unreadable:
            context["problem"] = unreadable.message
            context["verdict"] = "malformed"
            context["verdict_text"] = texts.verdict_text("malformed")
            status = 400
            if keep:
                form = VerifyForm(request.POST)
        else:
            # Checked: the form is empty, ready for the next one.
            verification = texts.verify(document, timezone.now())
            context.update(verification_context(verification))
            if verification.verdict == texts.VALID:
                context["summary"] = credential_summary(document)
    context["form"] = form
    return render(request, "projects/credentials/verify.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def credential_public(request, public_id):
    """A credential its holder shares: what it says and its live verdict. 404 otherwise."""
    credential = selectors.shared_credential(public_id)
    if credential is None:
        raise Http404
    if request.GET.get("format") == "json":
        return _signed_file(credential)
    document = json.loads(credential.signed_text)
    verification = texts.verify(document, timezone.now())
    definition = credential.definition
    context = {
        "credential": credential,
        "summary": credential_summary(document),
        "outcomes": lines_of(definition.localized("outcomes", credential.language)),
        "mc_plus": bool(selectors.mc_plus_lineages([definition.lineage])),
        "definition_url": reverse(
            "definition_public",
            kwargs={"lineage": definition.lineage, "version": definition.version},
        ),
        **verification_context(verification),
    }
    return render(request, "projects/credentials/credential_public.html", context)


@require_http_methods(["GET", "HEAD"])
def definition_public(request, lineage, version):
    """A published (or superseded) version of a micro-credential: its public description, at
    the address credentials give as their achievement's id. Drafts are not public."""
    definition = selectors.public_definition(lineage, version)
    if definition is None:
        raise Http404
    language = get_language() or "en"
    current = None
    if definition.state == CredentialDefinition.State.SUPERSEDED:
        current = CredentialDefinition.objects.filter(
            lineage=definition.lineage, state=CredentialDefinition.State.PUBLISHED
        ).first()
    known = esco.skills()
    pathways = selectors.pathways_by_lineage([definition.lineage])[str(definition.lineage)]
    context = {
        "definition": definition,
        "language": language,
        "title": definition.localized("title", language),
        "description": definition.localized("description", language),
        "outcomes": lines_of(definition.localized("outcomes", language)),
        "criteria": definition.localized("criteria", language),
        "assessment_type": definition.localized("assessment_type", language),
        "quality_assurance": definition.localized("quality_assurance", language),
        "prerequisites": definition.localized("prerequisites", language),
        "partner_endorsement": definition.localized("partner_endorsement", language),
        "level_note": definition.localized("level_note", language),
        "skills": [
            {
                "uri": uri,
                "label": esco.label(uri, language),
                "platform_translation": esco.is_platform_translation(uri, language),
            }
            for uri in definition.skills
            if uri in known
        ],
        "rubric": selectors.rubric_rows(definition, language),
        "current": current,
        "current_url": reverse(
            "definition_public",
            kwargs={"lineage": current.lineage, "version": current.version},
        )
        if current
        else "",
        # Micro-credentials Plus: the published pathways it counts toward.
        # MC+: it counts toward a published pathway, the ones listed.
        "mc_plus": bool(pathways),
        "pathways": pathway_rows(pathways, current_language()),
    }
    return render(request, "projects/credentials/definition_public.html", context)


@require_http_methods(["GET", "HEAD"])
def definition_badge(request, lineage, version, language, kind):
    """A published micro-credential's badge image in a language: the uploaded one or the
    generated default (the image a credential's achievement names)."""
    definition = selectors.public_definition(lineage, version)
    if definition is None or kind not in BADGE_TYPES or language not in LANGUAGE_CODES:
        raise Http404
    if kind == "png":
        image = badges.badge_png(definition, language)
    else:
        image = badges.badge_svg(definition, language)
    response = HttpResponse(image, content_type=BADGE_TYPES[kind])
    response["Cache-Control"] = "public, max-age=3600"
    if kind == "svg":
        response["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    return response


@login_required
@require_http_methods(["POST"])
def signing_key_rotate(request, slug):
    """A new key signs the institution's credentials from now on; those the old key signed keep
    verifying, since its DID document keeps every key."""
    institution = _managed_institution(request, slug)
    services.signing_key_rotate(actor=request.user, institution=institution)
    messages.success(
        request,
        _("A new signing key is in use. Credentials signed with the previous key still verify."),
    )
    return redirect("institution_credentials", slug=institution.slug)
