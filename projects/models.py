"""Projects made from accepted introduction requests: team, milestones, funding applications,
and the micro-credentials their students earn."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ocip.accounts.models import InvitationBase


class Project(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    request = models.OneToOneField(
        "matching.IntroductionRequest", on_delete=models.PROTECT, related_name="project"
    )
    company = models.ForeignKey(
        "diagnostics.Company", on_delete=models.CASCADE, related_name="projects"
    )
    institution = models.ForeignKey(
        "matching.Institution", on_delete=models.CASCADE, related_name="projects"
    )
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope"), max_length=4000)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("lead researcher"),
    )
    start_date = models.DateField(_("start date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    credential_definitions: models.ManyToManyField = models.ManyToManyField(
        "CredentialDefinition",
        blank=True,
        related_name="projects",
        verbose_name=_("micro-credentials"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "completed", "cancelled"]),
                name="project_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("project_detail", kwargs={"pk": self.pk})


class ProjectMember(models.Model):
    """Someone on the project team. Students are invited by email in the credentials issue;
    until they accept, `user` is empty and `email` says who was asked."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead researcher")
        RESEARCHER = "researcher", _("Researcher")
        STUDENT = "student", _("Student")
        BUSINESS = "business", _("Business contact")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="project_memberships",
    )
    email = models.EmailField(_("email address"), blank=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    invited_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        ordering = ["role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=models.Q(user__isnull=False),
                name="project_member_once",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""),
                name="project_member_has_user_or_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["lead", "researcher", "student", "business"]),
                name="project_member_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.email} on {self.project}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = [models.F("due_date").asc(nulls_last=True), "pk"]

    def __str__(self) -> str:
        return self.title


class FundingApplication(models.Model):
    """A funding program the project pursues, with the amount sought (CAD) and where it is."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="funding_applications"
    )
    program = models.ForeignKey(
        "matching.FundingProgram", on_delete=models.PROTECT, related_name="applications"
    )
    amount = models.DecimalField(
        _("amount (CAD)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("funding application")
        verbose_name_plural = _("funding applications")
        ordering = ["program__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "program"], name="funding_application_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["planned", "submitted", "approved", "declined"]),
                name="funding_application_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="funding_application_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} for {self.project}"


class SigningKey(models.Model):
    """An Ed25519 key that signs credentials for an institution (its did:web) or, for their
    endorsements, a company. The private half is sealed with OCIP_SIGNING_KEYS_SECRET; one key per
    owner signs (not retired), and retired keys stay in the DID document so that what they
    signed keeps verifying."""

    institution = models.ForeignKey(
        "matching.Institution",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_keys",
    )
    company = models.ForeignKey(
        "diagnostics.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_keys",
    )
    public_multibase = models.CharField(max_length=64, unique=True, editable=False)
    sealed_private_key = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=False, company__isnull=True)
                | models.Q(institution__isnull=True, company__isnull=False),
                name="signing_key_has_one_owner",
            ),
            models.UniqueConstraint(
                fields=["institution"],
                condition=models.Q(retired_at__isnull=True, institution__isnull=False),
                name="one_signing_key_per_institution",
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(retired_at__isnull=True, company__isnull=False),
                name="one_signing_key_per_company",
            ),
        ]

    def __str__(self) -> str:
        return self.public_multibase


# --- Micro-credentials ------------------------------------------------------------------------


def badge_storage() -> FileSystemStorage:
    """Uploaded badge images, served only by views that check the version is public (or the
    office asks)."""
    return FileSystemStorage(location=Path(settings.OCIP_PRIVATE_FILES_ROOT) / "badges")


class Bilingual:
    """A model whose texts are fields in pairs, `<name>_en` and `<name>_fr`."""

    def localized_in(self, field: str, language: str) -> tuple[str, str]:
        """The field in `language`, or in the other language when that one is empty, and the
        language the text is in."""
        first, second = ("fr", "en") if language == "fr" else ("en", "fr")
        text = getattr(self, f"{field}_{first}") or ""
        if text:
            return text, first
        text = getattr(self, f"{field}_{second}") or ""
        return text, second if text else first

    def localized(self, field: str, language: str) -> str:
        """The field in `language`, or in the other language when that one is empty."""
        return self.localized_in(field, language)[0]

    def title(self, language: str) -> str:
        return self.localized("title", language)


class CredentialDefinition(Bilingual, models.Model):
    """One version of a micro-credential an institution awards, in English and French.

    Versions of the same micro-credential share a `lineage`. A draft is edited in place; a
    published version is never changed: revising it makes a new draft version, and publishing
    that one supersedes it. Issued credentials point at the version they were assessed against.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    class Participation(models.TextChoices):
        ONLINE = "online", _("Online")
        ON_SITE = "on_site", _("On site")
        HYBRID = "hybrid", _("Hybrid")

    class Supervision(models.TextChoices):
        UNSUPERVISED = "unsupervised", _("Unsupervised, no identity verification")
        SUPERVISED = "supervised", _("Supervised, no identity verification")
        SUPERVISED_ONLINE = "supervised_online", _("Supervised online, identity verified")
        SUPERVISED_ON_SITE = "supervised_on_site", _("Supervised on site, identity verified")

    institution = models.ForeignKey(
        "matching.Institution", on_delete=models.CASCADE, related_name="credential_definitions"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)

    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=4000, blank=True)
    description_fr = models.TextField(_("description (French)"), max_length=4000, blank=True)
    outcomes_en = models.TextField(_("learning outcomes (English)"), max_length=4000, blank=True)
    outcomes_fr = models.TextField(_("learning outcomes (French)"), max_length=4000, blank=True)
    criteria_en = models.TextField(_("criteria (English)"), max_length=4000, blank=True)
    criteria_fr = models.TextField(_("criteria (French)"), max_length=4000, blank=True)
    # ESCO concept URIs from projects/data/esco_skills.json (the labels come from there too).
    skills = models.JSONField(_("competencies (ESCO skills)"), default=list, blank=True)
    # {"criteria": [{"en", "fr"}], "levels": [{"en", "fr"}] lowest first, "pass_level": index}
    rubric = models.JSONField(_("assessment rubric"), default=dict, blank=True)
    workload_hours = models.DecimalField(
        _("notional workload (hours)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    credit_value = models.DecimalField(
        _("credit value"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    on_transcript = models.BooleanField(_("recorded on the learner's transcript"), default=False)
    eqf_level = models.PositiveSmallIntegerField(_("EQF level"), null=True, blank=True)
    level_note_en = models.CharField(_("level (English)"), max_length=300, blank=True)
    level_note_fr = models.CharField(_("level (French)"), max_length=300, blank=True)
    participation = models.CharField(
        _("form of participation"), max_length=12, choices=Participation.choices, blank=True
    )
    assessment_type_en = models.CharField(
        _("type of assessment (English)"), max_length=300, blank=True
    )
    assessment_type_fr = models.CharField(
        _("type of assessment (French)"), max_length=300, blank=True
    )
    quality_assurance_en = models.TextField(
        _("quality assurance (English)"), max_length=2000, blank=True
    )
    quality_assurance_fr = models.TextField(
        _("quality assurance (French)"), max_length=2000, blank=True
    )
    prerequisites_en = models.TextField(_("prerequisites (English)"), max_length=2000, blank=True)
    prerequisites_fr = models.TextField(_("prerequisites (French)"), max_length=2000, blank=True)
    supervision = models.CharField(
        _("supervision and identity verification"),
        max_length=20,
        choices=Supervision.choices,
        blank=True,
    )
    partner_endorsement_en = models.TextField(
        _("how partners endorse it (English)"), max_length=2000, blank=True
    )
    partner_endorsement_fr = models.TextField(
        _("how partners endorse it (French)"), max_length=2000, blank=True
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity period (months)"), null=True, blank=True
    )
    # The badge image (PNG); without one, credentials get a generated badge (badge_image.py).
    # Kept out of MEDIA_ROOT: a draft's image is the office's until it is published.
    image = models.ImageField(_("badge image"), storage=badge_storage, upload_to="%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("micro-credential")
        verbose_name_plural = _("micro-credentials")
        ordering = ["title_en", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="definition_version_once"),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=models.Q(state="draft"),
                name="definition_one_draft",
            ),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=models.Q(state="published"),
                name="definition_one_published",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "published", "superseded"]),
                name="definition_state_known",
            ),
            models.CheckConstraint(
                condition=models.Q(eqf_level__isnull=True)
                | models.Q(eqf_level__gte=1, eqf_level__lte=8),
                name="definition_eqf_level_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published") | models.Q(published_at__isnull=False),
                name="definition_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_en or self.title_fr or _('Untitled')} (v{self.version})"


class ProjectInvitation(InvitationBase):
    """A student invited to a project's team; accepting makes them a student of the project's
    institution and a member of the project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")

    class Meta(InvitationBase.Meta):
        verbose_name = _("project invitation")
        verbose_name_plural = _("project invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="project_invitation_one_open_per_email",
            ),
        ]

    def role_label(self) -> str:
        return str(ProjectMember.Role.STUDENT.label)


def evidence_storage() -> FileSystemStorage:
    """Uploaded evidence is project material: kept outside MEDIA_ROOT (which development serves
    as it is) and served only through a view that checks who asks."""
    return FileSystemStorage(location=Path(settings.OCIP_PRIVATE_FILES_ROOT) / "evidence")


class Evidence(models.Model):
    """Something a student produced on the project. Only what the business has agreed to make
    shareable goes into a credential."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), storage=evidence_storage, upload_to="%Y/%m/", blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    shareable = models.BooleanField(_("the business agrees to share it"), default=False)
    shareable_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(file=""), name="evidence_has_link_or_file"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Assessment(models.Model):
    """A student assessed against a credential definition's rubric on a project, and the
    business's answer to it. Pass or fail follows from the rubric's rule."""

    class Endorsement(models.TextChoices):
        PENDING = "pending", _("Waiting for the business")
        ENDORSED = "endorsed", _("Endorsed by the business")
        DECLINED = "declined", _("The business declined to endorse")
        NOT_APPLICABLE = "not_applicable", _("Not assessed as passed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assessments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    definition = models.ForeignKey(
        CredentialDefinition, on_delete=models.PROTECT, related_name="assessments"
    )
    levels = models.JSONField(default=list)  # the level index reached, per rubric criterion
    criterion_comments = models.JSONField(default=list)
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    passed = models.BooleanField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(default=timezone.now)
    endorsement = models.CharField(max_length=16, choices=Endorsement.choices)
    endorsement_due = models.DateField(null=True, blank=True)
    endorsement_comment = models.TextField(_("comment"), max_length=2000, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    endorsed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "student", "definition"], name="assessment_once"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    endorsement__in=["pending", "endorsed", "declined", "not_applicable"]
                ),
                name="assessment_endorsement_known",
            ),
            models.CheckConstraint(
                condition=models.Q(passed=True) | models.Q(endorsement="not_applicable"),
                name="assessment_failed_not_endorsed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.definition}"


class StatusList(models.Model):
    """One of an institution's revocation lists (W3C Bitstring Status List): a bit per issued
    credential, and the signed status list credential served at its public URL."""

    institution = models.ForeignKey(
        "matching.Institution", on_delete=models.CASCADE, related_name="status_lists"
    )
    number = models.PositiveIntegerField()
    size = models.PositiveIntegerField(default=131_072)
    bits = models.BinaryField()
    next_index = models.PositiveIntegerField(default=0)
    signed_text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "number"], name="status_list_once"),
            models.CheckConstraint(
                condition=models.Q(next_index__lte=models.F("size")),
                name="status_list_index_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} #{self.number}"


class IssuedCredential(models.Model):
    """A signed Open Badges 3.0 credential, stored as the exact text that was signed, so every
    download is byte-identical. One per assessment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A micro-credential comes from an assessment; a stacked one from a completed pathway.
    assessment = models.OneToOneField(
        Assessment, on_delete=models.PROTECT, related_name="credential", null=True, blank=True
    )
    pathway = models.ForeignKey(
        "Pathway",
        on_delete=models.PROTECT,
        related_name="stacked_credentials",
        null=True,
        blank=True,
    )
    institution = models.ForeignKey(
        "matching.Institution", on_delete=models.PROTECT, related_name="issued_credentials"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials"
    )
    definition = models.ForeignKey(
        CredentialDefinition, on_delete=models.PROTECT, related_name="issued"
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    status_index = models.PositiveIntegerField()
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    signed_text = models.TextField(editable=False)
    endorsed = models.BooleanField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(max_length=2000, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared = models.BooleanField(_("shown on a public page"), default=False)

    class Meta:
        verbose_name = _("issued credential")
        verbose_name_plural = _("issued credentials")
        ordering = ["-issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credential_status_entry_once"
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
                name="credential_revocation_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(assessment__isnull=False, pathway__isnull=True)
                | models.Q(assessment__isnull=True, pathway__isnull=False),
                name="credential_from_assessment_or_pathway",
            ),
            models.UniqueConstraint(
                fields=["pathway", "student"],
                condition=models.Q(pathway__isnull=False),
                name="stacked_credential_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.public_id)

    def get_absolute_url(self) -> str:
        return reverse("credential_public", kwargs={"public_id": self.public_id})


# --- Pathways (Micro-credentials Plus) ----------------------------------------------------------


class Pathway(Bilingual, models.Model):
    """Micro-credentials that together lead to something larger: all of them, or any N. The
    target is either a program of the institution (with the credit or advanced standing it
    grants) or a stacked micro-credential the platform issues when a learner completes it.
    Components are micro-credential lineages, so every version of one counts."""

    class Rule(models.TextChoices):
        ALL = "all", _("All of these micro-credentials")
        ANY = "any", _("A number of these micro-credentials")

    class Target(models.TextChoices):
        PROGRAM = "program", _("A program of the institution")
        STACKED = "stacked", _("A stacked micro-credential, issued automatically")

    class ProgramKind(models.TextChoices):
        CERTIFICATE = "certificate", _("Certificate")
        DIPLOMA = "diploma", _("Diploma")
        DEGREE = "degree", _("Degree")

    class State(models.TextChoices):
        # In words: "parcours" is masculine in French, unlike "microcertification".
        DRAFT = "draft", pgettext_lazy("pathway", "Draft")
        PUBLISHED = "published", pgettext_lazy("pathway", "Published")
        CLOSED = "closed", pgettext_lazy("pathway", "Closed")

    institution = models.ForeignKey(
        "matching.Institution", on_delete=models.CASCADE, related_name="pathways"
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), max_length=4000, blank=True)
    description_fr = models.TextField(_("description (French)"), max_length=4000, blank=True)
    rule = models.CharField(_("rule"), max_length=8, choices=Rule.choices, default=Rule.ALL)
    required_count = models.PositiveSmallIntegerField(
        _("how many are needed"), null=True, blank=True
    )
    target = models.CharField(_("leads to"), max_length=10, choices=Target.choices)
    program_kind = models.CharField(
        _("kind of program"), max_length=12, choices=ProgramKind.choices, blank=True
    )
    program_name_en = models.CharField(_("program (English)"), max_length=200, blank=True)
    program_name_fr = models.CharField(_("program (French)"), max_length=200, blank=True)
    program_credit_en = models.TextField(
        _("credit or advanced standing granted (English)"), max_length=2000, blank=True
    )
    program_credit_fr = models.TextField(
        _("credit or advanced standing granted (French)"), max_length=2000, blank=True
    )
    program_url = models.URLField(_("program page"), max_length=500, blank=True)
    # The lineage of the institution's micro-credential that completing the pathway earns.
    stacked_lineage = models.UUIDField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["title_en", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rule__in=["all", "any"]), name="pathway_rule_known"
            ),
            models.CheckConstraint(
                condition=models.Q(rule="all", required_count__isnull=True)
                | models.Q(rule="any", required_count__gte=1),
                name="pathway_any_has_count",
            ),
            models.CheckConstraint(
                condition=models.Q(target="program", stacked_lineage__isnull=True)
                | models.Q(target="stacked", stacked_lineage__isnull=False),
                name="pathway_target_consistent",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "published", "closed"]),
                name="pathway_state_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_fr or f"Pathway {self.pk}"


class PathwayComponent(models.Model):
    """A micro-credential (lineage) in a pathway. Another institution's counts only once its
    research office has agreed; the pathway's own institution's agree by being added."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="components")
    lineage = models.UUIDField()
    institution = models.ForeignKey(
        "matching.Institution", on_delete=models.CASCADE, related_name="pathway_components"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "lineage"], name="pathway_component_once"),
        ]

    def __str__(self) -> str:
        return f"{self.lineage} in {self.pathway}"


class PathwayCompletion(models.Model):
    """A learner completed a pathway: recorded once, with the stacked credential it issued."""

    pathway = models.ForeignKey(Pathway, on_delete=models.PROTECT, related_name="completions")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pathway_completions"
    )
    completed_at = models.DateTimeField(default=timezone.now)
    credential = models.OneToOneField(
        IssuedCredential,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completion",
    )

    class Meta:
        ordering = ["-completed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "student"], name="pathway_completed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.student} completed {self.pathway}"
