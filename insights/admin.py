from __future__ import annotations

from django.contrib import admin

from insightboard.admin import OrgAdminPermissions

from .models import Customer, Insight, Reaction, Reminder, Tag


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


@admin.register(Reminder)
class ReminderAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = (
        "meeting",
        "user",
        "kind",
        "offset",
        "channel",
        "state",
        "attempts",
        "due_at",
        "sent_at",
    )
    list_filter = ("state", "kind", "channel", "meeting__team")
    search_fields = ("user__name", "user__email", "meeting__title", "last_error")
    date_hierarchy = "due_at"
    raw_id_fields = ("meeting", "user")
