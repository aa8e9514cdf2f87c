from __future__ import annotations

from django.contrib import admin

from insightboard.admin import OrgAdminPermissions

from .models import (
    Action,
    Customer,
    CustomerAlias,
    Insight,
    Reaction,
    RoundResult,
    SeatResult,
    Sharing,
    Tag,
)


class AliasInline(admin.TabularInline):
    model = CustomerAlias
    extra = 0
    readonly_fields = ("name",)
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(OrgAdminPermissions, admin.ModelAdmin):
    """Customers are made by the insights that name them, and renamed or merged on
    their page (which keeps the old names as aliases): here only segment and tier."""

    list_display = ("name", "segment", "tier", "last_heard_on")
    list_filter = ("tier", "segment")
    search_fields = ("name", "aliases__name")
    readonly_fields = ("name", "last_heard_on", "created_at")
    inlines = [AliasInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CustomerAlias)
class CustomerAliasAdmin(OrgAdminPermissions, admin.ModelAdmin):
    """Former names, kept by renames and merges; deleting one frees the name."""

    list_display = ("name", "customer")
    search_fields = ("name", "customer__name")
    readonly_fields = ("name", "customer")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Sharing)
class SharingAdmin(OrgAdminPermissions, admin.ModelAdmin):
    """The one setting; also on the customers page (Sharing across teams)."""

    list_display = ("other_teams", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not Sharing.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        obj.pk, obj.updated_by = 1, request.user
        super().save_model(request, obj, form, change)


@admin.register(Tag)
class TagAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("name", "team")
    list_filter = ("team",)
    search_fields = ("name",)


@admin.register(Insight)
class InsightAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = (
        "author",
        "customer",
        "team",
        "meeting",
        "conversation_date",
        "is_late",
        "submitted_at",
    )
    list_filter = ("is_late", "channel", "team")
    search_fields = ("said", "so_what", "customer__name", "author__name")
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["author", "customer", "meeting", "tags"]


@admin.register(Reaction)
class ReactionAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("insight", "user", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__name", "insight__said")
    autocomplete_fields = ["insight", "user"]


@admin.register(Action)
class ActionAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("title", "owner", "due_on", "done_at", "meeting")
    list_filter = ("meeting__team",)
    search_fields = ("title", "owner__name", "meeting__title")
    autocomplete_fields = ["meeting", "owner", "insight", "created_by"]


@admin.register(RoundResult)
class RoundResultAdmin(OrgAdminPermissions, admin.ModelAdmin):
    """Written when a meeting ends; the dashboards read them. Shown, never edited."""

    list_display = ("meeting", "team", "local_date", "expected", "on_time", "late", "kept")
    list_filter = ("kept", "team")
    date_hierarchy = "local_date"
    raw_id_fields = ("meeting",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SeatResult)
class SeatResultAdmin(RoundResultAdmin):
    list_display = ("user", "result", "team", "local_date", "outcome", "freshness_days", "nudge")
    list_filter = ("outcome", "nudge", "team")
    raw_id_fields = ("result", "user", "insight", "customer")
