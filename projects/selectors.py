"""Reads of projects and their micro-credentials, scoped to who asks: the business, the
institution, the team, the student; and the public reads of credentials and their issuers."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from diagnostics.models import CompanyMembership
from matching.models import Institution, InstitutionMembership
from matching.selectors import can_manage_institution

from . import esco
from .credentials import contexts, did_web, documents, framework, pathways
from .credentials.verify import Verification, verify_credential
from .models import (
    Assessment,
    CredentialDefinition,
    Evidence,
    FundingApplication,
    IssuedCredential,
    Pathway,
    PathwayCompletion,
    PathwayComponent,
    Project,
    ProjectInvitation,
    ProjectMember,
    SigningKey,
    StatusList,
)


def projects_for(user) -> QuerySet[Project]:
    """Projects of `user`'s companies, of the research offices they work in, those they are
    on the team of; every project for platform staff."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_platform_staff:
        return Project.objects.all()
    offices = InstitutionMembership.objects.filter(
        user=user, role=InstitutionMembership.Role.OFFICE_STAFF
    ).values("institution")
    return Project.objects.filter(
        Q(company__memberships__user=user)
        | Q(institution__in=offices)
        | Q(lead=user)
        | Q(members__user=user)
    ).distinct()


def projects_led_by(user) -> QuerySet[Project]:
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(lead=user)


def can_edit_project(*, user, project: Project) -> bool:
    """The institution's research office, and the lead researcher while they belong to it."""
    if not user.is_authenticated:
        return False
    roles = set(
        InstitutionMembership.objects.filter(
            user=user, institution_id=project.institution_id
        ).values_list("role", flat=True)
    )
    if InstitutionMembership.Role.OFFICE_STAFF in roles:
        return True
    return project.lead_id == user.pk and InstitutionMembership.Role.RESEARCHER in roles


def expected_applications(applications: QuerySet[FundingApplication]):
    """The applications whose amounts count as funding expected: all but the declined ones.
    The project's page, its API and the review dashboards all count through this."""
    return applications.exclude(status=FundingApplication.Status.DECLINED)


def project_funding_total(project: Project) -> Decimal:
    """The funding the project expects, in CAD."""
    total = expected_applications(project.funding_applications.all()).aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal(0)


# --- Credential issuers ----------------------------------------------------------------------


def institution_did(institution) -> str:
    """The institution's did:web, under the platform's address (its DID document is served at
    /institutions/<slug>/did.json)."""
    return did_web.did_for(settings.OCIP_BASE_URL, "institutions", institution.slug)


def company_did(company) -> str:
    """A company's did:web: the issuer of its endorsements, signed by the platform for it."""
    return did_web.did_for(settings.OCIP_BASE_URL, "companies", company.slug)


def institution_signing_keys(institution) -> QuerySet[SigningKey]:
    """The institution's public keys, oldest first; the one not retired signs now."""
    return SigningKey.objects.filter(institution=institution).only(
        "public_multibase", "created_at", "retired_at"
    )


def institution_did_document(institution) -> dict:
    """Public: every key the institution has signed with, oldest first, retired ones included."""
    keys = SigningKey.objects.filter(institution=institution).values_list(
        "public_multibase", flat=True
    )
    return did_web.did_document(institution_did(institution), list(keys))


def company_did_document(company) -> dict:
    """Public: the keys the platform has signed the company's endorsements with."""
    keys = SigningKey.objects.filter(company=company).values_list("public_multibase", flat=True)
    return did_web.did_document(company_did(company), list(keys))


def _absolute(url_name: str, **kwargs) -> str:
    """The permanent address of one of our pages: in the default language, whatever language
    the page that asks is in, since it goes into signed credentials."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(url_name, kwargs=kwargs)
    return settings.OCIP_BASE_URL.rstrip("/") + path


def status_list_url(status_list: StatusList) -> str:
    return _absolute(
        "status_list_credential", slug=status_list.institution.slug, number=status_list.number
    )


def credential_url(credential: IssuedCredential) -> str:
    """The credential's id: its public page (404 until the student shares it)."""
    return _absolute("credential_public", public_id=credential.public_id)


def achievement_url(definition: CredentialDefinition) -> str:
    return _absolute("definition_public", lineage=definition.lineage, version=definition.version)


def badge_image_url(definition: CredentialDefinition, language: str, kind: str = "png") -> str:
    """The badge image in `language` (its title is in that language)."""
    return _absolute(
        "definition_badge",
        lineage=definition.lineage,
        version=definition.version,
        language=language,
        kind=kind,
    )


# --- Micro-credential definitions -------------------------------------------------------------

DEFINITION_FIELDS = (
    "title_en", "title_fr", "description_en", "description_fr", "outcomes_en", "outcomes_fr",
    "criteria_en", "criteria_fr", "skills", "rubric", "workload_hours", "credit_value",
    "on_transcript", "eqf_level", "level_note_en", "level_note_fr", "participation",
    "assessment_type_en", "assessment_type_fr", "quality_assurance_en", "quality_assurance_fr",
    "prerequisites_en", "prerequisites_fr", "supervision", "partner_endorsement_en",
    "partner_endorsement_fr", "validity_months",
)  # fmt: skip


def _missing_texts() -> dict[str, str]:
    return {
        "title": _("Title: give it in English and in French."),
        "description": _("Description: say what it recognises, in English and in French."),
        "country": _("Country of the awarding body: set the institution's country."),
        "awarding_body": _("Awarding body: the institution needs a name."),
        "outcomes": _("Learning outcomes: list what the learner can do, in English and in French."),
        "competencies": _("Competencies: align it to at least one ESCO skill."),
        "assessment": _(
            "Summative assessment: a rubric with criteria, at least two levels and the level "
            "needed to pass, in English and in French."
        ),
        "assessment_type": _(
            "Type of assessment: say how learners are assessed, in both languages."
        ),
        "workload": _("Notional workload: give the hours a learner needs."),
        "credit": _(
            "Transcriptable credit: give the credit value and confirm it is recorded on the "
            "learner's transcript."
        ),
        "level": _("Level: give the EQF level, or say in both languages why none applies."),
        "participation": _("Form of participation: online, on site or hybrid."),
        "quality_assurance": _(
            "Quality assurance: say how the credential's quality is assured, in both languages."
        ),
        "partner_endorsement": _(
            "Endorsement by partners: say how partners endorse it, in both languages."
        ),
    }


def rubric_problem_text(code: str) -> str:
    return {
        "rubric_missing": _("Give the rubric's criteria and levels."),
        "rubric_no_criteria": _("Give at least one criterion."),
        "rubric_no_levels": _("Give at least two levels, lowest first."),
        "rubric_criteria_untranslated": _("Give every criterion in English and in French."),
        "rubric_levels_untranslated": _("Give every level in English and in French."),
        "rubric_one_level": _("Give at least two levels, lowest first."),
        "rubric_no_pass_rule": _("Choose the level every criterion must reach to pass."),
    }[code]


def definition_facts(definition: CredentialDefinition) -> dict:
    facts = {name: getattr(definition, name) for name in DEFINITION_FIELDS}
    facts["country"] = "CA"  # every member institution is in Ontario
    facts["awarding_body"] = definition.institution.name
    return facts


def definition_missing(definition: CredentialDefinition) -> list[tuple[str, str]]:
    """(code, what is missing in plain words) for each framework element not yet stated."""
    texts = _missing_texts()
    return [
        (code, texts[code]) for code in framework.missing_elements(definition_facts(definition))
    ]


def definitions_of(*, user, institution: Institution) -> QuerySet[CredentialDefinition]:
    """Every version of the institution's micro-credentials: for its research office."""
    if not can_manage_institution(user=user, institution=institution):
        return CredentialDefinition.objects.none()
    return CredentialDefinition.objects.filter(institution=institution)


def published_definitions(institution: Institution) -> QuerySet[CredentialDefinition]:
    return CredentialDefinition.objects.filter(
        institution=institution, state=CredentialDefinition.State.PUBLISHED
    )


def public_definition(lineage, version: int) -> CredentialDefinition | None:
    """A published (or superseded) version: what issued credentials point at. Drafts are not
    public."""
    return (
        CredentialDefinition.objects.select_related("institution")
        .exclude(state=CredentialDefinition.State.DRAFT)
        .filter(lineage=lineage, version=version)
        .first()
    )


def rubric_rows(definition: CredentialDefinition, language: str) -> list[dict]:
    """The rubric in `language`: each criterion with its levels and which of them pass."""
    rubric = definition.rubric or {}
    levels = rubric.get("levels", [])
    pass_level = rubric.get("pass_level", 0)
    return [
        {
            "index": index,
            "name": criterion.get(language) or criterion.get("en", ""),
            "levels": [
                {
                    "index": position,
                    "name": level.get(language) or level.get("en", ""),
                    "passes": position >= pass_level,
                }
                for position, level in enumerate(levels)
            ],
        }
        for index, criterion in enumerate(rubric.get("criteria", []))
    ]


def achievement_of(definition: CredentialDefinition, language: str) -> documents.Achievement:
    """The OB 3.0 achievement of a definition version, in `language` (the definition holds
    both)."""
    base = achievement_url(definition)
    rubric = tuple(
        documents.Criterion(
            id=f"{base}#criterion-{row['index'] + 1}",
            name=row["name"],
            levels=tuple(
                documents.Level(
                    id=f"{base}#criterion-{row['index'] + 1}-level-{level['index'] + 1}",
                    name=level["name"],
                )
                for level in row["levels"]
            ),
        )
        for row in rubric_rows(definition, language)
    )
    outcomes = definition.localized("outcomes", language)
    criteria = definition.localized("criteria", language)
    return documents.Achievement(
        id=base,
        name=definition.localized("title", language),
        description=definition.localized("description", language),
        criteria="\n".join(part for part in (criteria, outcomes) if part),
        language=language,
        skills=tuple(
            documents.Skill(uri=uri, label=esco.label(uri, language))
            for uri in definition.skills
            if uri in esco.skills()
        ),
        rubric=rubric,
        credits=float(definition.credit_value) if definition.credit_value is not None else None,
        workload_hours=float(definition.workload_hours)
        if definition.workload_hours is not None
        else None,
        type_of_assessment=definition.localized("assessment_type", language),
        form_of_participation=_choice_label(
            CredentialDefinition.Participation, definition.participation, language
        ),
        quality_assurance=definition.localized("quality_assurance", language),
        eqf_level=definition.eqf_level,
        level_description=definition.localized("level_note", language),
        prerequisites=definition.localized("prerequisites", language),
        supervision=_choice_label(
            CredentialDefinition.Supervision, definition.supervision, language
        ),
        image=badge_image_url(definition, language),
    )


def _choice_label(choices, value: str, language: str) -> str:
    """A choice as words in `language` (what a credential says), or "" when not chosen."""
    if not value:
        return ""
    with translation.override(language):
        return str(choices(value).label)


def results_of(assessment: Assessment) -> dict[str, str]:
    base = achievement_url(assessment.definition)
    return {
        f"{base}#criterion-{index + 1}": f"{base}#criterion-{index + 1}-level-{level + 1}"
        for index, level in enumerate(assessment.levels)
    }


def credential_issuer(institution: Institution) -> documents.Issuer:
    return documents.Issuer(
        id=institution_did(institution), name=institution.name, url=institution.website
    )


# --- Project team, evidence, assessments -------------------------------------------------------


def can_answer_for_company(*, user, project: Project) -> bool:
    """Members of the project's company speak for the business: endorse, share material."""
    return (
        user.is_authenticated
        and CompanyMembership.objects.filter(user=user, company_id=project.company_id).exists()
    )


def company_people(project: Project):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, company_memberships__company_id=project.company_id
    )


def project_students(project: Project) -> QuerySet[ProjectMember]:
    return project.members.filter(
        role=ProjectMember.Role.STUDENT, user__isnull=False
    ).select_related("user")


def pending_student_invitations(project: Project) -> QuerySet[ProjectInvitation]:
    from ocip.accounts.invitations import pending_filter

    return project.invitations.filter(pending_filter())


def project_invitation_by_token(token: str) -> ProjectInvitation | None:
    from ocip.accounts.invitations import hash_token

    return (
        ProjectInvitation.objects.select_related("project")
        .filter(token_hash=hash_token(token))
        .first()
    )


def evidence_visible_to(*, user, project: Project) -> QuerySet[Evidence]:
    """The project's team, office and business see all of its evidence; a student sees their
    own."""
    evidence = project.evidence.select_related("student")
    if can_edit_project(user=user, project=project) or can_answer_for_company(
        user=user, project=project
    ):
        return evidence
    return evidence.filter(student=user) if user.is_authenticated else evidence.none()


def assessments_visible_to(*, user, project: Project) -> QuerySet[Assessment]:
    """The project's editors see every assessment; the business the passed ones (it endorses
    them, and a failed one is between the student and the institution); a student their own."""
    assessments = project.assessments.select_related("student", "definition")
    if can_edit_project(user=user, project=project):
        return assessments
    if can_answer_for_company(user=user, project=project):
        return assessments.filter(passed=True)
    return assessments.filter(student=user) if user.is_authenticated else assessments.none()


# Where a student's assessment stands on the way to a credential. The project page, the
# endorse page and the services all read it here: who may endorse or issue follows from it.
ENDORSABLE = frozenset({"waiting", "overdue"})  # the business may still answer
ISSUABLE = frozenset({"endorsed", "declined", "overdue"})  # the office may issue
WITHOUT_ENDORSEMENT = frozenset({"declined", "overdue"})


def assessment_stage(assessment: Assessment | None, issued: bool, today) -> str:
    """not_assessed, not_passed, waiting (for the business, until its deadline), overdue,
    endorsed, declined or issued."""
    if assessment is None:
        return "not_assessed"
    if issued:
        return "issued"
    if not assessment.passed:
        return "not_passed"
    if assessment.endorsement == Assessment.Endorsement.PENDING:
        due = assessment.endorsement_due
        return "overdue" if due is not None and today > due else "waiting"
    return assessment.endorsement  # endorsed or declined


def stage_of(assessment: Assessment, today) -> str:
    issued = IssuedCredential.objects.filter(assessment=assessment).exists()
    return assessment_stage(assessment, issued, today)


def endorsement_refusal(assessment: Assessment) -> str:
    """Why the business can no longer answer the assessment, or "" when it can."""
    stage = stage_of(assessment, timezone.localdate())
    if stage in ENDORSABLE:
        return ""
    return {
        "issued": _("A credential was already issued for this assessment."),
        "not_passed": _("Only a passed assessment is endorsed."),
    }.get(stage, _("This assessment has already been answered."))


# --- Issued credentials ------------------------------------------------------------------------


CREDENTIAL_STATES = ("valid", "expired", "revoked")


def credential_state(credential: IssuedCredential, now: datetime) -> str:
    """Where an issued credential stands by the platform's records: valid, expired or revoked
    (the verify page checks a copy; this is what the office and the student see in lists)."""
    if credential.revoked_at is not None:
        return "revoked"
    if credential.valid_until is not None and credential.valid_until < now:
        return "expired"
    return "valid"


def credentials_in_state(
    credentials: QuerySet[IssuedCredential], state: str, now: datetime
) -> QuerySet[IssuedCredential]:
    """The same rule as credential_state, as a query."""
    live = credentials.filter(revoked_at__isnull=True)
    return {
        "valid": live.exclude(valid_until__lt=now),
        "expired": live.filter(valid_until__lt=now),
        "revoked": credentials.filter(revoked_at__isnull=False),
    }[state]


def credentials_of_student(user) -> QuerySet[IssuedCredential]:
    if not user.is_authenticated:
        return IssuedCredential.objects.none()
    return IssuedCredential.objects.filter(student=user).select_related(
        "definition", "definition__institution", "institution"
    )


def credentials_of_institution(*, user, institution: Institution) -> QuerySet[IssuedCredential]:
    if not can_manage_institution(user=user, institution=institution):
        return IssuedCredential.objects.none()
    return IssuedCredential.objects.filter(institution=institution).select_related(
        "definition", "student"
    )


def shared_credential(public_id) -> IssuedCredential | None:
    """A credential's public page exists only while its student shares it."""
    return (
        IssuedCredential.objects.select_related("definition", "institution")
        .filter(public_id=public_id, shared=True)
        .first()
    )


def credential_loader():
    """The JSON-LD contexts a credential of ours needs: the shipped ones and our extension."""
    extension = contexts.eu_extension_url(settings.OCIP_BASE_URL)
    return contexts.document_loader({extension: contexts.eu_extension()})


def _our_path(url: str) -> str | None:
    """The path of `url` when it is under the platform's address, else None."""
    base = urlsplit(settings.OCIP_BASE_URL)
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return None
    return parts.path


def resolve_document(url) -> dict | None:
    """The DID document or status list credential `url` names, read from the database: the
    verifier never fetches a URL a posted credential names. None for anything else."""
    if not isinstance(url, str) or len(url) > 500:
        return None
    root = did_web.did_for(settings.OCIP_BASE_URL)
    for segment, owner_field in (("institutions", "institution"), ("companies", "company")):
        prefix = f"{root}:{segment}:"
        if url.startswith(prefix):
            keys = SigningKey.objects.filter(
                **{f"{owner_field}__slug": url.removeprefix(prefix)}
            ).values_list("public_multibase", flat=True)
            return did_web.did_document(url, list(keys)) if keys else None
    path = _our_path(url)
    if path is None:
        return None
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name != "status_list_credential":
        return None
    status_list = StatusList.objects.filter(
        institution__slug=match.kwargs["slug"], number=match.kwargs["number"]
    ).first()
    return json.loads(status_list.signed_text) if status_list else None


def verify(document, now: datetime) -> Verification:
    """Verify a posted credential against the platform's own records."""
    return verify_credential(
        document, resolve=resolve_document, now=now, loader=credential_loader()
    )


# --- Pathways (Micro-credentials Plus) ---------------------------------------------------------


def agreed_components(pathway: Pathway) -> list[PathwayComponent]:
    """The pathway's micro-credentials that count: its own, and other institutions' once they
    agreed."""
    return [item for item in pathway.components.all() if item.agreed_at is not None]


def current_definitions(lineages) -> dict[str, CredentialDefinition]:
    """The version of each micro-credential (lineage) the public sees: the published one, or
    the last superseded one when none is published."""
    found: dict[str, CredentialDefinition] = {}
    for definition in (
        CredentialDefinition.objects.select_related("institution")
        .filter(lineage__in=list(lineages))
        .exclude(state=CredentialDefinition.State.DRAFT)
        .order_by("lineage", "-version")
    ):
        key = str(definition.lineage)
        best = found.get(key)
        if best is None or (
            best.state != CredentialDefinition.State.PUBLISHED
            and definition.state == CredentialDefinition.State.PUBLISHED
        ):
            found[key] = definition
    return found


def pathway_parts(pathway: Pathway) -> list[CredentialDefinition]:
    """The pathway's micro-credentials (current versions), in the pathway's order."""
    lineages = [str(item.lineage) for item in agreed_components(pathway)]
    found = current_definitions(lineages)
    return [found[lineage] for lineage in lineages if lineage in found]


def _counting(student) -> QuerySet[IssuedCredential]:
    """The student's credentials that count toward pathways: revoked ones never do (an expired
    one still shows what was achieved)."""
    return IssuedCredential.objects.filter(student=student, revoked_at__isnull=True)


def counting_credentials(student, pathway: Pathway) -> list[IssuedCredential]:
    """The student's credentials that count toward `pathway`, one per micro-credential (the
    first issued), in the pathway's order."""
    lineages = [str(item.lineage) for item in agreed_components(pathway)]
    first: dict[str, IssuedCredential] = {}
    for credential in (
        _counting(student)
        .filter(definition__lineage__in=lineages)
        .select_related("definition", "institution")
        .order_by("issued_at", "pk")
    ):
        first.setdefault(str(credential.definition.lineage), credential)
    return [first[lineage] for lineage in lineages if lineage in first]


def held_lineages(student) -> set[str]:
    return {
        str(lineage) for lineage in _counting(student).values_list("definition__lineage", flat=True)
    }


def pathway_progress(pathway: Pathway, held: set[str]) -> pathways.Progress:
    lineages = [str(item.lineage) for item in agreed_components(pathway)]
    return pathways.progress(lineages, pathway.required_count, held)


def published_pathways() -> QuerySet[Pathway]:
    return (
        Pathway.objects.filter(state=Pathway.State.PUBLISHED)
        .select_related("institution")
        .prefetch_related("components")
    )


def counting_components() -> QuerySet[PathwayComponent]:
    """The components that make a micro-credential count toward a pathway: agreed, in a
    published pathway. The one rule behind MC+, the catalogue and the learner's progress."""
    return PathwayComponent.objects.filter(
        pathway__state=Pathway.State.PUBLISHED, agreed_at__isnull=False
    )


def mc_plus_lineages(lineages=None) -> set[str]:
    """The micro-credentials (lineages) that belong to a published pathway: Micro-credentials
    Plus. One rule for every page that marks them."""
    components = counting_components()
    if lineages is not None:
        components = components.filter(lineage__in=[str(item) for item in lineages])
    return {str(lineage) for lineage in components.values_list("lineage", flat=True)}


def pathway_completions_of(student) -> QuerySet[PathwayCompletion]:
    return PathwayCompletion.objects.filter(student=student).select_related(
        "pathway", "pathway__institution", "credential"
    )


def student_pathways(student) -> list[dict]:
    """Each published pathway the student has started, and each they completed: where they
    stand, what is left and where it is offered. A few queries, however many pathways."""
    held = held_lineages(student)
    completed = {item.pathway_id: item for item in pathway_completions_of(student)}
    # A completed pathway stays in the list even once its institution closes it.
    found = list(
        Pathway.objects.filter(
            Q(pk__in=counting_components().filter(lineage__in=held).values("pathway"))
            | Q(pk__in=completed)
        )
        .select_related("institution")
        .prefetch_related("components")
    )
    parts = current_definitions(
        {str(item.lineage) for pathway in found for item in agreed_components(pathway)}
    )
    rows = []
    for pathway in found:
        progress = pathway_progress(pathway, held)
        if not progress.started and pathway.pk not in completed:
            continue
        rows.append(
            {
                "pathway": pathway,
                "progress": progress,
                "completion": completed.get(pathway.pk),
                "held": [parts[item] for item in progress.counted if item in parts],
                "missing": [parts[item] for item in progress.missing if item in parts],
            }
        )
    return rows


# --- Pathways: the research office's pages -----------------------------------------------------

PATHWAY_FIELDS = (
    "title_en", "title_fr", "description_en", "description_fr", "rule", "required_count",
    "target", "program_kind", "program_name_en", "program_name_fr", "program_credit_en",
    "program_credit_fr", "program_url", "stacked_lineage",
)  # fmt: skip


def pathways_of(*, user, institution: Institution) -> QuerySet[Pathway]:
    """The institution's pathways, each with how many learners completed it: for its research
    office."""
    if not can_manage_institution(user=user, institution=institution):
        return Pathway.objects.none()
    return (
        Pathway.objects.filter(institution=institution)
        .select_related("institution")
        .prefetch_related("components")
        .annotate(completion_count=Count("completions", distinct=True))
    )


def components_awaiting(*, user, institution: Institution) -> QuerySet[PathwayComponent]:
    """Other institutions' draft pathways that ask to include this institution's
    micro-credentials and that its research office has not answered yet."""
    if not can_manage_institution(user=user, institution=institution):
        return PathwayComponent.objects.none()
    return (
        PathwayComponent.objects.filter(
            institution=institution, agreed_at__isnull=True, pathway__state=Pathway.State.DRAFT
        )
        .exclude(pathway__institution=institution)
        .select_related("pathway", "pathway__institution")
        .order_by("pathway__created_at", "pk")
    )


def pathway_component_rows(pathway: Pathway) -> list[dict]:
    """Each of the pathway's micro-credentials, agreed or not, in the pathway's order: its
    component and its current version (None if it has none the public sees)."""
    components = list(pathway.components.all())
    found = current_definitions(item.lineage for item in components)
    return [{"component": item, "definition": found.get(str(item.lineage))} for item in components]


def pathway_offerable_definitions() -> QuerySet[CredentialDefinition]:
    """What a pathway can be made of: the published version of every institution's
    micro-credentials, by institution then title."""
    return (
        CredentialDefinition.objects.filter(state=CredentialDefinition.State.PUBLISHED)
        .select_related("institution")
        .only(
            "lineage",
            "version",
            "state",
            "title_en",
            "title_fr",
            "institution__name",
            "institution__slug",
        )  # fmt: skip
        .order_by("institution__name", "title_en", "title_fr", "pk")
    )


def pathway_rule_text(pathway: Pathway, count: int) -> str:
    """The rule in words: "All 3 of these micro-credentials", "Any 2 of these 4
    micro-credentials"; `count` is how many micro-credentials the pathway has."""
    if count == 0:
        return _("No micro-credentials chosen yet")
    needed = pathways.needed_count([str(number) for number in range(count)], pathway.required_count)
    if pathway.rule == Pathway.Rule.ANY and needed < count:
        return _("Any %(needed)s of these %(count)s micro-credentials") % {
            "needed": needed,
            "count": count,
        }
    if count == 1:
        return _("This one micro-credential")
    return _("All %(count)s of these micro-credentials") % {"count": count}


def pathway_missing(pathway: Pathway) -> list[str]:
    """What keeps a draft pathway from being published, in plain words; empty when it is
    ready. The publish service refuses with these; the pathway's page lists them."""
    from ocip.formatting import list_text

    problems = []
    if not (pathway.title_en.strip() and pathway.title_fr.strip()):
        problems.append(_("Title: give it in English and in French."))
    components = list(pathway.components.select_related("institution"))
    agreed = [item for item in components if item.agreed_at is not None]
    pending = [item for item in components if item.agreed_at is None]
    if pending:
        names = list_text(dict.fromkeys(item.institution.name for item in pending))
        problems.append(
            _(
                "Agreement: waiting for the research office of %(institutions)s to agree to "
                "include its micro-credentials. Publish once it has, or take them out."
            )
            % {"institutions": names}
        )
    if len(agreed) < 2:
        problems.append(
            _("Micro-credentials: choose at least two, each agreed by its institution.")
        )
    if pathway.rule == Pathway.Rule.ANY and (
        pathway.required_count is None or not 1 <= pathway.required_count <= len(components)
    ):
        problems.append(
            _(
                "Rule: a learner cannot need %(needed)s of %(count)s micro-credentials. Lower "
                "the number needed or add micro-credentials."
            )
            % {"needed": pathway.required_count or 0, "count": len(components)}
        )
    if pathway.target == Pathway.Target.PROGRAM:
        if pathway.program_kind not in Pathway.ProgramKind.values:
            problems.append(_("Program: choose its kind, certificate, diploma or degree."))
        if not (pathway.program_name_en.strip() and pathway.program_name_fr.strip()):
            problems.append(_("Program: give its name in English and in French."))
        if not (pathway.program_credit_en.strip() and pathway.program_credit_fr.strip()):
            problems.append(
                _(
                    "Credit or advanced standing: say what completing the pathway grants, in "
                    "English and in French."
                )
            )
    else:
        if (
            pathway.stacked_lineage is None
            or not published_definitions(pathway.institution)
            .filter(lineage=pathway.stacked_lineage)
            .exists()
        ):
            problems.append(
                _("Stacked micro-credential: choose a published micro-credential of %(name)s.")
                % {"name": pathway.institution.name}
            )
        if any(item.lineage == pathway.stacked_lineage for item in components):
            problems.append(
                _(
                    "Stacked micro-credential: it cannot also be one of the micro-credentials "
                    "that lead to it."
                )
            )
    return problems


def pathway_students_to_check(pathway: Pathway) -> list[int]:
    """The learners (ids) who hold enough of the pathway's agreed micro-credentials to
    complete it: revoked credentials do not count."""
    lineages = [str(item.lineage) for item in agreed_components(pathway)]
    needed = pathways.needed_count(lineages, pathway.required_count)
    if needed == 0:
        return []
    held: dict[int, set[str]] = {}
    for student_id, lineage in IssuedCredential.objects.filter(
        revoked_at__isnull=True, definition__lineage__in=lineages
    ).values_list("student_id", "definition__lineage"):
        held.setdefault(student_id, set()).add(str(lineage))
    return sorted(student for student, got in held.items() if len(got) >= needed)


# --- Catalogue: the public list of published micro-credentials ---------------------------------

# Workload bands of the catalogue's filter, in hours: (more than, up to); None is open-ended.
WORKLOAD_BANDS: dict[str, tuple[int | None, int | None]] = {
    "up_to_10": (None, 10),
    "10_to_40": (10, 40),
    "over_40": (40, None),
}
CATALOGUE_SEARCHED = (
    "title_en", "title_fr", "description_en", "description_fr", "outcomes_en", "outcomes_fr",
)  # fmt: skip
# What a catalogue entry shows; the long texts it does not (criteria, rubric, prerequisites,
# descriptions) stay in the database.
CATALOGUE_COLUMNS = (
    "lineage", "version", "state", "institution", "institution__name", "institution__slug",
    "institution__languages",
    "title_en", "title_fr", "outcomes_en", "outcomes_fr", "skills", "workload_hours",
    "eqf_level", "level_note_en", "level_note_fr", "participation", "assessment_type_en",
    "assessment_type_fr", "quality_assurance_en", "quality_assurance_fr",
    "partner_endorsement_en", "partner_endorsement_fr",
)  # fmt: skip


def catalogue_published() -> QuerySet[CredentialDefinition]:
    """Public: the published version of every institution's micro-credentials (drafts and
    superseded versions are not in the catalogue)."""
    return CredentialDefinition.objects.filter(state=CredentialDefinition.State.PUBLISHED)


def catalogue_definitions(
    *,
    words: tuple[str, ...] | list[str] = (),
    institution: str = "",
    skill: str = "",
    mc_plus: bool = False,
    participation: str = "",
    workload: str = "",
    offered_in: str = "",
    order_language: str = "en",
) -> QuerySet[CredentialDefinition]:
    """The catalogue's entries for these filters, by title in `order_language`. Each word must
    appear (any case) in a title, description or learning outcomes, in either language;
    `institution` is a slug, `skill` an ESCO URI, `workload` a key of WORKLOAD_BANDS,
    `offered_in` "en" or "fr" (a working language of the institution). Portable: plain LIKE
    lookups on SQLite and PostgreSQL."""
    definitions = catalogue_published().select_related("institution").only(*CATALOGUE_COLUMNS)
    for word in words:
        anywhere = Q()
        for field in CATALOGUE_SEARCHED:
            anywhere |= Q(**{f"{field}__icontains": word})
        definitions = definitions.filter(anywhere)
    if institution:
        definitions = definitions.filter(institution__slug=institution)
    if skill:
        # The list is stored as JSON text on both databases: the URI in quotes is one item.
        definitions = definitions.filter(skills__icontains=json.dumps(skill))
    if mc_plus:
        definitions = definitions.filter(lineage__in=mc_plus_lineages())
    if participation:
        definitions = definitions.filter(participation=participation)
    if workload:
        above, up_to = WORKLOAD_BANDS[workload]
        if above is not None:
            definitions = definitions.filter(workload_hours__gt=above)
        if up_to is not None:
            definitions = definitions.filter(workload_hours__lte=up_to)
    if offered_in in ("en", "fr"):
        # Taught in the institution's working languages (the texts are always in both).
        definitions = definitions.filter(institution__languages__icontains=json.dumps(offered_in))
    first, second = ("title_fr", "title_en") if order_language == "fr" else ("title_en", "title_fr")
    title = Lower(Coalesce(NullIf(first, Value("")), second))
    return definitions.order_by(title, "pk")


def catalogue_institutions() -> list[tuple[str, str]]:
    """(slug, name) of each institution with a published micro-credential, by name."""
    return list(
        Institution.objects.filter(
            credential_definitions__state=CredentialDefinition.State.PUBLISHED
        )
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


_catalogue_skills_seen: dict[tuple, frozenset[str]] = {}


def catalogue_skills() -> frozenset[str]:
    """The ESCO skills (URIs) that published micro-credentials align to, among those shipped.

    Reading every published definition's skills on each page view costs more than the rest of
    the page's queries, so the answer is kept in this process for as long as the published set
    is unchanged: one small aggregate query tells (publishing adds a row with a later date,
    superseding or withdrawing one changes the count or the latest change)."""
    published = catalogue_published()
    state = published.aggregate(
        count=Count("pk"), published=Max("published_at"), updated=Max("updated_at")
    )
    key = (state["count"], state["published"], state["updated"])
    found = _catalogue_skills_seen.get(key)
    if found is None:
        known = esco.skills()
        used: set[str] = set()
        for skills in published.values_list("skills", flat=True).distinct():
            if isinstance(skills, list):
                used.update(uri for uri in skills if isinstance(uri, str) and uri in known)
        found = frozenset(used)
        _catalogue_skills_seen.clear()  # only the latest state is worth keeping
        _catalogue_skills_seen[key] = found
    return found


def pathways_by_lineage(lineages) -> dict[str, list[Pathway]]:
    """The published pathways each micro-credential (lineage) counts toward, for a whole page
    of them in one query."""
    wanted = [str(lineage) for lineage in lineages]
    found: dict[str, list[Pathway]] = {lineage: [] for lineage in wanted}
    if not wanted:
        return found
    components = (
        counting_components()
        .filter(lineage__in=wanted)
        .select_related("pathway", "pathway__institution")
        .order_by("pathway__title_en", "pathway__pk")
    )
    for component in components:
        found.setdefault(str(component.lineage), []).append(component.pathway)
    return found


def stacked_definitions(pathways) -> dict[str, CredentialDefinition]:
    """The stacked micro-credential (current version) that each of `pathways` leading to one
    issues, by lineage: one query for them all."""
    return current_definitions(
        {str(pathway.stacked_lineage) for pathway in pathways if pathway.stacked_lineage}
    )
