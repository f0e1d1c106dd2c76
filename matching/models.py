from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from ocip.accounts.models import InvitationBase

from . import workflow


class Institution(models.Model):
    """An Ontario college, university or Indigenous institute (the shipped list)."""

    class Kind(models.TextChoices):
        COLLEGE = "college", _("College")
        UNIVERSITY = "university", _("University")
        INDIGENOUS_INSTITUTE = "indigenous_institute", _("Indigenous institute")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=120)
    region = models.CharField(_("region"), max_length=80)
    languages = models.JSONField(_("working languages"), default=list)
    website = models.URLField(_("website"), blank=True)
    research_office_email = models.EmailField(_("research office email"), blank=True)
    description = models.TextField(_("about the research office"), blank=True, max_length=4000)
    description_fr = models.TextField(
        _("about the research office, in French"), blank=True, max_length=4000
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["college", "university", "indigenous_institute"]),
                name="institution_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("institution_detail", kwargs={"slug": self.slug})

    def name_in(self, language: str) -> str:
        """The name in `language` (the one name we hold when it has none in French)."""
        return (self.name_fr if language[:2] == "fr" else "") or self.name

    def name_language(self, language: str) -> str:
        """The language of `name_in(language)`: an institution working only in French has a
        French name."""
        if language[:2] == "fr" and self.name_fr:
            return "fr"
        return self._written_in

    def description_in(self, language: str) -> tuple[str, str]:
        """The office's description in `language` and the language it is written in."""
        if language[:2] == "fr" and self.description_fr:
            return self.description_fr, "fr"
        return self.description, self._written_in

    @property
    def _written_in(self) -> str:
        return "fr" if self.languages == ["fr"] else "en"

    @property
    def display_name(self) -> str:
        return self.name_in(get_language() or "en")


class InstitutionMembership(models.Model):
    class Role(models.TextChoices):
        OFFICE_STAFF = "office_staff", _("Research-office staff")
        RESEARCHER = "researcher", _("Researcher")
        STUDENT = "student", _("Student")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="institution_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    title = models.CharField(_("title or program"), max_length=200, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("institution member")
        verbose_name_plural = _("institution members")
        ordering = ["role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="institution_member_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=["office_staff", "researcher", "student"]),
                name="institution_member_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution} ({self.role})"


class InstitutionInvitation(InvitationBase):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=16, choices=InstitutionMembership.Role.choices)

    class Meta(InvitationBase.Meta):
        verbose_name = _("institution invitation")
        verbose_name_plural = _("institution invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="institution_invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["office_staff", "researcher", "student"]),
                name="institution_invitation_role_known",
            ),
        ]

    def role_label(self) -> str:
        return str(InstitutionMembership.Role(self.role).label)


TEXT_LANGUAGES = [("en", _("English")), ("fr", _("French"))]
# The levels of students a profile takes (the shipped data writes "graduate" for any of the
# graduate levels).
STUDENT_LEVELS = [
    ("college", _("College")),
    ("undergraduate", _("Undergraduate")),
    ("graduate", _("Graduate")),
    ("masters", _("Master's")),
    ("doctoral", _("Doctoral")),
    ("postdoctoral", _("Postdoctoral fellow")),
]


class ExpertiseProfile(index.Indexed, models.Model):
    """A unit of expertise: a researcher, lab, centre, facility or student program.

    Carries every field of the shipped expertise.jsonl; `external_id` is the data's own id,
    stable across reloads and edits, and the one the engine and its evaluations use.
    """

    class Kind(models.TextChoices):
        RESEARCHER = "researcher", _("Researcher")
        LAB = "lab", _("Lab")
        CENTRE = "centre", _("Applied research centre")
        FACILITY = "facility", _("Facility")
        PROGRAM = "program", _("Student program")

    external_id = models.CharField(_("identifier"), max_length=40, unique=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="expertise_profiles"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    text_language = models.CharField(
        _("language of the text"), max_length=2, choices=TEXT_LANGUAGES, default="en"
    )
    # A French version of an English text, where the office has written one.
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=300, blank=True)
    summary_fr = models.TextField(_("summary in French"), max_length=4000, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    capability_areas = models.JSONField(_("capability areas"), default=list, blank=True)
    sectors = models.JSONField(_("sectors (NAICS)"), default=list, blank=True)
    trl_min = models.PositiveSmallIntegerField(_("lowest TRL"), null=True, blank=True)
    trl_max = models.PositiveSmallIntegerField(_("highest TRL"), null=True, blank=True)
    rd_stages = models.JSONField(_("R&D stages"), default=list, blank=True)
    innovation_types = models.JSONField(_("innovation types"), default=list, blank=True)
    equipment = models.JSONField(_("equipment"), default=list, blank=True)
    accepts_students = models.BooleanField(_("takes students"), default=False)
    student_levels = models.JSONField(_("student levels"), default=list, blank=True)
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("projects it can take at once"), null=True, blank=True
    )
    past_projects = models.JSONField(_("past projects"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expertise_profiles",
        verbose_name=_("researcher who keeps it up to date"),
    )
    is_active = models.BooleanField(_("shown in matches"), default=True)
    public = models.BooleanField(
        _("shown in the public directory"),
        default=True,
        help_text=_("Anyone can find it, without an account, in the expertise directory."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # What research offices and researchers edit (and what expertise.jsonl provides).
    EDITABLE_FIELDS = (
        "kind",
        "name",
        "title",
        "summary",
        "keywords",
        "capability_areas",
        "sectors",
        "trl_min",
        "trl_max",
        "rd_stages",
        "innovation_types",
        "equipment",
        "accepts_students",
        "student_levels",
        "languages",
        "capacity",
        "past_projects",
        "is_active",
        "public",
        "text_language",
        "name_fr",
        "title_fr",
        "summary_fr",
    )

    search_fields = [
        index.SearchField("name", boost=3),
        index.SearchField("name_fr", boost=3),
        index.SearchField("title", boost=2),
        index.SearchField("title_fr", boost=2),
        index.SearchField("summary"),
        index.SearchField("summary_fr"),
        index.SearchField("keywords_text"),
        index.AutocompleteField("name"),
        index.FilterField("public"),
        index.FilterField("is_active"),
        index.FilterField("institution_id"),
        index.RelatedFields(
            "institution", [index.SearchField("name"), index.SearchField("name_fr")]
        ),
    ]

    class Meta:
        verbose_name = _("expertise profile")
        verbose_name_plural = _("expertise profiles")
        ordering = ["institution__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["researcher", "lab", "centre", "facility", "program"]),
                name="expertise_kind_known",
            ),
            models.CheckConstraint(
                condition=(models.Q(trl_min__isnull=True) | models.Q(trl_min__range=(1, 9)))
                & (models.Q(trl_max__isnull=True) | models.Q(trl_max__range=(1, 9))),
                name="expertise_trl_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(trl_min__isnull=True)
                | models.Q(trl_max__isnull=True)
                | models.Q(trl_min__lte=models.F("trl_max")),
                name="expertise_trl_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(text_language__in=["en", "fr"]),
                name="expertise_text_language_known",
            ),
        ]
        indexes = [
            # The public directory's order, over only what it may show.
            models.Index(
                fields=["name", "id"],
                name="expertise_directory_order",
                condition=models.Q(public=True, is_active=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})"

    def get_absolute_url(self) -> str:
        return reverse("expertise_detail", kwargs={"external_id": self.external_id})

    @property
    def keywords_text(self) -> str:
        return " ".join(self.keywords or [])

    def text_in(self, field: str, language: str) -> tuple[str, str]:
        """`field` ("name", "title" or "summary") in `language` where written, else as written,
        with the language its text is in (for the `lang` attribute)."""
        if language[:2] == "fr" and self.text_language != "fr":
            french = getattr(self, f"{field}_fr")
            if french:
                return french, "fr"
        return getattr(self, field), self.text_language


class FundingProgram(models.Model):
    """A funding program and its rules as data (every field of funding_programs.yaml)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        VERIFY = "verify", _("Intake to be confirmed")
        INACTIVE = "inactive", _("Inactive (never recommended)")

    class Category(models.TextChoices):
        FEDERAL_GRANT = "federal_grant", _("Federal grant")
        PROVINCIAL_GRANT = "provincial_grant", _("Provincial grant")
        FEDERAL_TAX_CREDIT = "federal_tax_credit", _("Federal tax credit")
        PROVINCIAL_TAX_CREDIT = "provincial_tax_credit", _("Provincial tax credit")
        IN_KIND = "in_kind", _("In kind")

    slug = models.SlugField(max_length=80, unique=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    partner = models.CharField(_("funding partner"), max_length=200)
    name = models.CharField(_("name"), max_length=200)
    # The official French names (CRSNG for NSERC, PARI-CNRC for NRC IRAP…); blank: as in English.
    partner_fr = models.CharField(_("funding partner in French"), max_length=200, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    last_verified = models.CharField(_("last verified (YYYY-MM)"), max_length=10, blank=True)
    kind = models.CharField(_("kind of support"), max_length=40, blank=True)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    eligibility = models.JSONField(
        _("eligibility rules"),
        default=list,
        blank=True,
        help_text=_(
            'A list of rules such as {"fact": "fte_ontario", "at_least": 5, "why": "…"}; '
            "operators: in, equals, at_least, at_most."
        ),
    )
    funding = models.JSONField(_("funding terms"), default=dict, blank=True)
    fit = models.JSONField(_("fit"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    stacking = models.JSONField(_("stacking"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    RULE_FIELDS = (
        "slug",
        "category",
        "partner",
        "name",
        "partner_fr",
        "name_fr",
        "status",
        "last_verified",
        "kind",
        "summary",
        "eligibility",
        "funding",
        "fit",
        "notes",
        "stacking",
    )

    class Meta:
        verbose_name = _("funding program")
        verbose_name_plural = _("funding programs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "verify", "inactive"]),
                name="funding_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def name_in(self, language: str) -> str:
        """The program's name in `language` (the English one when it has none in French)."""
        return (self.name_fr if language[:2] == "fr" else "") or self.name

    def partner_in(self, language: str) -> str:
        """The funding partner's name in `language` (the English one when it has none)."""
        return (self.partner_fr if language[:2] == "fr" else "") or self.partner

    @property
    def display_name(self) -> str:
        """The name in the active language, for pages and forms."""
        return self.name_in(get_language() or "en")

    @property
    def display_partner(self) -> str:
        """The funding partner's name in the active language."""
        return self.partner_in(get_language() or "en")

    def as_rules(self) -> dict:
        """The program as the rules engine reads it (the YAML's shape)."""
        return {name: getattr(self, name) for name in self.RULE_FIELDS}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .engine.funding import invalid_rules, unknown_rule_facts

        program = self.as_rules()
        unknown = unknown_rule_facts([program])
        if unknown:
            raise ValidationError(
                {
                    "eligibility": _("Rules name facts the platform does not collect: %(facts)s")
                    % {"facts": ", ".join(sorted(unknown))}
                }
            )
        if not isinstance(self.eligibility, list) or invalid_rules([program]):
            raise ValidationError(
                {"eligibility": _("Each rule needs a fact, one operator and a why.")}
            )


class MatchingIndex(models.Model):
    """A built in-process index, shared by every process through the database."""

    built_at = models.DateTimeField(auto_now_add=True)
    checksum = models.CharField(max_length=64)
    profile_count = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"index {self.pk} ({self.profile_count} profiles)"


class PassageEmbedding(models.Model):
    """A profile passage's vector, made once per model and text (keyed by the text's hash)."""

    model = models.CharField(max_length=100)  # the embedder's "name@version"
    text_hash = models.CharField(max_length=64)  # SHA-256 of the passage
    vector = models.BinaryField()  # float32, unit length
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "text_hash"], name="passage_embedded_once")
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.text_hash[:12]}"


class MatchRun(models.Model):
    """A dated snapshot of the matches and funding options for one diagnostic."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    diagnostic = models.ForeignKey(
        "diagnostics.Diagnostic", on_delete=models.CASCADE, related_name="match_runs"
    )
    sequence = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.CharField(max_length=40, blank=True)  # a code the page explains
    backend = models.CharField(max_length=20)
    # The embedding model that ranked by meaning; empty when it ran on words and structure only,
    # and then `meaning_unavailable` says whether meaning was missed (the model failed or was
    # off) rather than not part of the backend (Elasticsearch) or of the release (older runs).
    meaning_model = models.CharField(max_length=100, blank=True)
    meaning_unavailable = models.BooleanField(default=False)
    index_checksum = models.CharField(max_length=64, blank=True)
    profile_count = models.PositiveIntegerField(default=0)
    query = models.JSONField(default=dict)
    matches = models.JSONField(default=list)
    funding = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["diagnostic", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "sequence"], name="match_run_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["done", "failed"]), name="match_run_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"match run {self.sequence} of {self.diagnostic}"


# --- Introduction requests and their review -------------------------------------------------

DECLINE_REASONS = (
    "outside_expertise",
    "no_capacity",
    "too_early",
    "too_late",
    "budget_mismatch",
    "other",
)


class IntroductionRequest(models.Model):
    """A business asks to be introduced to an institution's expertise.

    Each state change is a conditional update on `version`, so two people acting at once
    cannot both win. A referral closes this request and opens one for the receiver, whose
    `referred_from` keeps the chain.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for the institution")
        IN_REVIEW = "in_review", _("In review")
        INFO_REQUESTED = "info_requested", _("Waiting for the business")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REFERRED = "referred", _("Referred")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class DeclineReason(models.TextChoices):
        OUTSIDE_EXPERTISE = "outside_expertise", _("Outside our expertise")
        NO_CAPACITY = "no_capacity", _("No capacity this term")
        TOO_EARLY = "too_early", _("Too early for applied research")
        TOO_LATE = "too_late", _("Too late: already commercial")
        BUDGET_MISMATCH = "budget_mismatch", _("Budget mismatch")
        OTHER = "other", _("Other")

    class Hope(models.TextChoices):
        ADVICE = "advice", _("Advice from an expert")
        PROJECT = "project", _("A joint research project")
        STUDENTS = "students", _("Students working on the challenge")
        EQUIPMENT = "equipment", _("Access to equipment or a facility")
        FUNDING = "funding", _("Help applying for funding")

    class Contact(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video call")
        IN_PERSON = "in_person", _("In person")

    OPEN_STATUSES = workflow.OPEN

    company = models.ForeignKey(
        "diagnostics.Company", on_delete=models.CASCADE, related_name="introduction_requests"
    )
    diagnostic = models.ForeignKey(
        "diagnostics.Diagnostic", on_delete=models.CASCADE, related_name="introduction_requests"
    )
    match_run = models.ForeignKey(
        MatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="introduction_requests"
    )
    profile = models.ForeignKey(
        ExpertiseProfile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introduction_requests",
        verbose_name=_("expertise"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(_("message"), max_length=2000)
    hopes = models.JSONField(_("what you hope for"), default=list)
    contact_preference = models.CharField(
        _("how to contact you"), max_length=16, choices=Contact.choices, default=Contact.EMAIL
    )
    contact_phone = models.CharField(_("phone number"), max_length=40, blank=True)
    # Copied from the diagnostic and the match, so the office queue filters and sorts fast.
    score = models.FloatField(_("match score"), null=True, blank=True)
    sector = models.CharField(_("sector"), max_length=20, blank=True)
    capability_areas = models.JSONField(default=list, blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    version = models.PositiveIntegerField(default=1)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assigned to"),
    )
    decline_reason = models.CharField(
        _("reason"), max_length=24, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.TextField(_("note to the business"), max_length=2000, blank=True)
    referred_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    referral_note = models.TextField(_("referral note"), max_length=2000, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sla_flagged_at = models.DateTimeField(null=True, blank=True)
    sla_escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("introduction request")
        verbose_name_plural = _("introduction requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["institution", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=workflow.STATUSES),
                name="request_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="declined", decline_reason__in=DECLINE_REASONS)
                | (~models.Q(status="declined") & models.Q(decline_reason="")),
                name="request_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=workflow.OPEN, closed_at__isnull=True)
                | (~models.Q(status__in=workflow.OPEN) & models.Q(closed_at__isnull=False)),
                name="request_closed_has_date",
            ),
            # One open request per company and profile (or per institution, without a profile).
            models.UniqueConstraint(
                fields=["company", "profile"],
                condition=models.Q(status__in=workflow.OPEN, profile__isnull=False),
                name="request_one_open_per_profile",
            ),
            models.UniqueConstraint(
                fields=["company", "institution"],
                condition=models.Q(status__in=workflow.OPEN, profile__isnull=True),
                name="request_one_open_per_institution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.profile or self.institution} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("request_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def target_name(self) -> str:
        return self.profile.name if self.profile_id else self.institution.name  # type: ignore[union-attr]


class RequestEvent(models.Model):
    """The audit trail: who did what to a request, when, from which state to which."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Request sent")
        ASSIGNED = "assigned", _("Assigned")
        MESSAGE = "message", _("Message")
        INFO_REQUESTED = "info_requested", _("More information asked for")
        ANSWERED = "answered", _("Answered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REFERRED = "referred", _("Referred")
        REFERRAL_RECEIVED = "referral_received", _("Received by referral")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SLA_FLAGGED = "sla_flagged", _("Flagged: no response yet")
        SLA_ESCALATED = "sla_escalated", _("Escalated to platform staff")

    # What the business may see on its timeline; the rest is the institution's own business.
    INTERNAL_KINDS = ("assigned", "sla_escalated")

    request = models.ForeignKey(
        IntroductionRequest, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on request {self.request_id}"

    @property
    def is_public(self) -> bool:
        return self.kind not in self.INTERNAL_KINDS


class RequestMessage(models.Model):
    """A message between the business and the institution; both sides read it."""

    request = models.ForeignKey(
        IntroductionRequest, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_business = models.BooleanField()
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"message on request {self.request_id}"


class RequestNote(models.Model):
    """An internal note of the institution's staff. Never shown to the business."""

    request = models.ForeignKey(IntroductionRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note on request {self.request_id}"
