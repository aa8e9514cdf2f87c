from __future__ import annotations

from django.contrib import admin

from insightboard.admin import OrgAdminPermissions

from .models import Message


@admin.register(Message)
class MessageAdmin(OrgAdminPermissions, admin.ModelAdmin):
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
    raw_id_fields = ("meeting", "user", "invitation")
