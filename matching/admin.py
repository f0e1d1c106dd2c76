from django.contrib import admin

from .models import (
    ExpertiseProfile,
    FundingProgram,
    Institution,
    InstitutionInvitation,
    InstitutionMembership,
    IntroductionRequest,
    MatchRun,
    RequestEvent,
    RequestMessage,
    RequestNote,
)


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


class RebuildsIndexAdmin(admin.ModelAdmin):
    """Saves and deletes here change what matching ranks: rebuild the index after commit."""

    def _changed(self) -> None:
        from django.db import transaction

        from .tasks import matching_index_rebuild

        transaction.on_commit(matching_index_rebuild.delay)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._changed()


@admin.register(ExpertiseProfile)
class ExpertiseProfileAdmin(RebuildsIndexAdmin):
    list_display = ["name", "external_id", "institution", "kind", "capacity", "is_active"]
    list_filter = ["kind", "is_active", "institution__kind", "institution__region"]
    search_fields = ["name", "external_id", "title", "institution__name"]
    autocomplete_fields = ["owner"]
    list_select_related = ["institution"]


@admin.register(FundingProgram)
class FundingProgramAdmin(admin.ModelAdmin):
    """Programs and their eligibility rules, as data; `clean` refuses rules on unknown facts."""

    list_display = ["name", "partner", "category", "status", "last_verified"]
    list_filter = ["status", "category"]
    search_fields = ["name", "slug", "partner"]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["diagnostic", "sequence", "status", "error", "backend", "created_at"]
    list_filter = ["status", "error", "backend"]
    readonly_fields = [field.name for field in MatchRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "kind", "actor", "from_status", "to_status", "note")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class RequestMessageInline(admin.TabularInline):
    model = RequestMessage
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "author", "from_business", "body")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IntroductionRequest)
class IntroductionRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change only through the review services, which keep the audit
    trail and the version column honest."""

    list_display = ["pk", "company", "institution", "profile", "status", "created_at"]
    list_filter = ["status", "institution"]
    search_fields = ["company__name", "institution__name", "profile__name"]
    date_hierarchy = "created_at"
    inlines = [RequestEventInline, RequestMessageInline]
    exclude = ["capability_areas"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RequestNote)
class RequestNoteAdmin(admin.ModelAdmin):
    list_display = ["request", "author", "created_at"]
    readonly_fields = ["request", "author", "body", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
