from __future__ import annotations

from django.contrib import admin

from insightboard.admin import OrgAdminPermissions

from .models import Action, Customer, Insight, Reaction, Tag


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
