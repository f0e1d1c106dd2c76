from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocip.accounts.models import InvitationBase


class Institution(models.Model):
    """An Ontario college, university or Indigenous institute (the shipped list)."""

    class Kind(models.TextChoices):
        COLLEGE = "college", _("College")
        UNIVERSITY = "university", _("University")
        INDIGENOUS_INSTITUTE = "indigenous_institute", _("Indigenous institute")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=120)
    region = models.CharField(_("region"), max_length=80)
    languages = models.JSONField(_("working languages"), default=list)
    website = models.URLField(_("website"), blank=True)
    research_office_email = models.EmailField(_("research office email"), blank=True)
    description = models.TextField(_("about the research office"), blank=True, max_length=4000)
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
