"""Projects made from accepted introduction requests: team, milestones, funding applications.

Micro-credentials arrive with the credentials issue.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
