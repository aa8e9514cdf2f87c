from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from insightboard.admin import OrgAdminPermissions

from . import services
from .models import (
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    Membership,
    Series,
    Team,
    TeamWebhook,
)


class MembershipInline(OrgAdminPermissions, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "time_zone",
        "freshness_days",
        "minutes_per_person",
        "created_at",
    )
    list_filter = ("time_zone", "freshness_mode")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("user", "team", "role", "joined_at")
    list_filter = ("role", "team")
    search_fields = ("user__name", "user__email", "team__name")
    autocomplete_fields = ["user", "team"]

    def delete_model(self, request, obj):
        # The same rule as the team page: never leave a team without an admin.
        try:
            services.remove_member(membership=obj)
        except ValidationError as e:
            self.message_user(request, e.messages[0], level=messages.ERROR)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            self.delete_model(request, membership)


@admin.register(Invitation)
class InvitationAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("email", "team", "role", "invited_by", "sent_at", "accepted_at", "revoked_at")
    list_filter = ("role", "team")
    search_fields = ("email", "team__name")
    readonly_fields = ("key",)


@admin.register(Series)
class SeriesAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("title", "team", "rule", "first_date", "start_time", "duration_minutes")
    list_filter = ("team",)
    search_fields = ("title", "team__name")


class AttendanceInline(OrgAdminPermissions, admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["user"]
    fields = ("user", "status", "excuse_reason", "is_guest")


@admin.register(Meeting)
class MeetingAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("title", "team", "starts_at", "status", "facilitator")
    list_filter = ("status", "team")
    search_fields = ("title", "team__name")
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("user", "meeting", "status", "excuse_reason", "is_guest")
    list_filter = ("status", "is_guest", "meeting__team")
    search_fields = ("user__name", "user__email", "meeting__title")
    autocomplete_fields = ["user", "meeting"]


@admin.register(AgendaItem)
class AgendaItemAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("title", "meeting", "kind", "position", "minutes", "owner")
    list_filter = ("kind", "meeting__team")
    search_fields = ("title", "notes", "meeting__title")
    autocomplete_fields = ["meeting", "owner"]


class _WriteOnlyURLInput(forms.URLInput):
    def format_value(self, value):
        return None  # the saved address never goes back to the browser


class TeamWebhookForm(forms.ModelForm):
    """The address is write-only here as on the team settings page: the page shows it
    masked, and an empty field keeps the saved one. TeamWebhook.clean checks it."""

    url = forms.URLField(
        label="New address", max_length=500, required=False, assume_scheme="https",
        widget=_WriteOnlyURLInput, help_text="Write-only. Leave empty to keep the current address.",
    )  # fmt: skip

    class Meta:
        model = TeamWebhook
        fields = ["team", "kind", "url", "mention_names", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:  # a new webhook: nothing saved to keep
            self.fields["url"].label = "Address"
            self.fields["url"].help_text = "Write-only: shown masked once saved."

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if not url and self.instance.pk:
            return self.instance.url
        if not url:
            raise ValidationError(self.fields["url"].error_messages["required"], code="required")
        return url


@admin.register(TeamWebhook)
class TeamWebhookAdmin(OrgAdminPermissions, admin.ModelAdmin):
    form = TeamWebhookForm
    fields = ["team", "kind", "address", "url", "mention_names", "is_active", "created_at"]
    readonly_fields = ["address", "created_at"]
    list_display = ("team", "kind", "address", "mention_names", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("team__name",)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj else [f for f in fields if f not in ("address", "created_at")]

    @admin.display(description="Address")
    def address(self, webhook: TeamWebhook) -> str:
        return webhook.masked_url if webhook.pk and webhook.url else "—"
