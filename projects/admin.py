from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import FundingApplication, Milestone, Project, ProjectMember


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "email", "role", "invited_at", "joined_at"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_date", "done_at"]


class FundingApplicationInline(admin.TabularInline):
    model = FundingApplication
    extra = 0
    autocomplete_fields = ["program"]
    fields = ["program", "amount", "status"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects start only by accepting a request (projects.services.project_start), which
    records the acceptance; here platform staff can correct them afterwards."""

    list_display = ["title", "company", "institution", "lead", "start_date", "status"]
    list_filter = ["status", "institution"]
    search_fields = ["title", "company__name", "institution__name", "lead__email"]
    list_select_related = ["company", "institution", "lead"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["lead"]
    fields = [
        "title",
        "request_link",
        "company",
        "institution",
        "lead",
        "start_date",
        "status",
        "scope",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "request_link",
        "company",
        "institution",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ProjectMemberInline, MilestoneInline, FundingApplicationInline]

    @admin.display(description=_("introduction request"))
    def request_link(self, project: Project) -> str:
        url = reverse("admin:matching_introductionrequest_change", args=[project.request_id])
        return format_html('<a href="{}">{}</a>', url, project.request)

    def has_add_permission(self, request) -> bool:
        return False
