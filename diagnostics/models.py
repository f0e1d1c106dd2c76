from functools import cached_property

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocip.accounts.models import InvitationBase

from . import questionnaire as questions


class Company(models.Model):
    """A small business using OCIP. Its members are the people who speak for it."""

    name = models.CharField(_("company name"), max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    website = models.URLField(_("website"), blank=True)
    city = models.CharField(_("city or municipality"), max_length=120, blank=True)
    description = models.TextField(_("what the company does"), blank=True, max_length=2000)
    preferred_language = models.CharField(
        _("working language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("company_detail", kwargs={"slug": self.slug})


class CompanyMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="company_member_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]), name="company_member_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"


class CompanyInvitation(InvitationBase):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")

    class Meta(InvitationBase.Meta):
        verbose_name = _("company invitation")
        verbose_name_plural = _("company invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="company_invitation_one_open_per_email",
            ),
        ]

    def role_label(self) -> str:
        return str(CompanyMembership.Role.MEMBER.label)


class Questionnaire(models.Model):
    """A published version of the diagnostic's questions, frozen as it was shown.

    Rows are created from diagnostics/questionnaires/v<N>.yaml the first time a version is used
    and never changed afterwards, so old diagnostics always read the questions they answered.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(max_length=64)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Questionnaire v{self.version}"

    @cached_property
    def content(self) -> questions.Questionnaire:
        """The definition with its lookups: steps, questions by id, the ladder, the dimensions."""
        return questions.Questionnaire(self.definition)


class Diagnostic(models.Model):
    """One company's answers to one questionnaire version: a draft, then a submitted record."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="diagnostics")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True)
    # The step the person was last on (where "continue" takes them), and the furthest step they
    # may open: every step before it was completed with its required answers.
    current_step = models.PositiveSmallIntegerField(default=1)
    step_reached = models.PositiveSmallIntegerField(default=1)
    # Bumped on every write; a write that expected another revision lost a race and is refused.
    revision = models.PositiveIntegerField(default=0)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "submitted"]),
                name="diagnostic_status_known",
            ),
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(status="draft"),
                name="diagnostic_one_draft_per_company",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", submitted_at__isnull=True)
                | models.Q(status="submitted", submitted_at__isnull=False),
                name="diagnostic_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(current_step__gte=1, current_step__lte=models.F("step_reached")),
                name="diagnostic_current_step_reached",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} diagnostic {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("diagnostic_detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class NeedsProfile(models.Model):
    """What the scoring made of a submitted diagnostic; written once, at submission."""

    class SredBand(models.TextChoices):
        LIKELY = "likely", _("Likely")
        POSSIBLE = "possible", _("Possible")
        UNLIKELY = "unlikely", _("Unlikely")
        UNKNOWN = "unknown", _("Cannot tell yet")

    diagnostic = models.OneToOneField(
        Diagnostic, on_delete=models.CASCADE, related_name="needs_profile"
    )
    scoring_version = models.CharField(max_length=20)
    # Copied out of `data` so that lists and queues can filter and sort on them.
    trl = models.PositiveSmallIntegerField(_("technology readiness level"), null=True)
    rd_stage = models.CharField(_("R&D stage"), max_length=40, blank=True)
    sred_band = models.CharField(_("SR&ED likelihood"), max_length=10, choices=SredBand.choices)
    capability_areas = models.JSONField(default=list)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("needs profile")
        verbose_name_plural = _("needs profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trl__isnull=True) | models.Q(trl__lte=9),
                name="needs_profile_trl_range",
            ),
            models.CheckConstraint(
                condition=models.Q(sred_band__in=["likely", "possible", "unlikely", "unknown"]),
                name="needs_profile_sred_band_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Needs profile of {self.diagnostic}"
