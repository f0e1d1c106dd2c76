from django.contrib import admin

from .models import Company, CompanyInvitation, CompanyMembership


class CompanyMembershipInline(admin.TabularInline):
    model = CompanyMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "preferred_language", "created_at"]
    search_fields = ["name", "slug", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CompanyMembershipInline]


@admin.register(CompanyInvitation)
class CompanyInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "company", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "company__name"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by", "invited_by", "created_at"]
