from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocip.accounts.models import InvitationBase


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
