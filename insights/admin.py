from __future__ import annotations

from django.contrib import admin

from insightboard.admin import OrgAdminPermissions

from .models import Action, Customer, Insight, Reaction, RoundResult, SeatResult, Tag


@admin.register(Customer)
class CustomerAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("name", "segment", "team", "created_at")
    list_filter = ("segment", "team")
    search_fields = ("name",)


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
