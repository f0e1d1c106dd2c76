from django.contrib import admin

from .models import Institution, InstitutionInvitation, InstitutionMembership


class InstitutionMembershipInline(admin.TabularInline):
    model = InstitutionMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "slug", "city"]
    inlines = [InstitutionMembershipInline]


@admin.register(InstitutionInvitation)
class InstitutionInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "institution", "role", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "institution__name"]
    readonly_fields = ["token_hash", "accepted_at", "accepted_by", "invited_by", "created_at"]
