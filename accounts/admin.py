from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from insightboard.admin import OrgAdminPermissions

from .models import Away, User


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "time_zone")


@admin.register(User)
class UserAdmin(OrgAdminPermissions, BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "name", "time_zone", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "time_zone")
    search_fields = ("email", "name")
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "time_zone")}),
        ("Notifications", {"fields": ("mute_early_reminders", "meeting_summaries")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "time_zone", "password1", "password2"),
            },
        ),
    )


@admin.register(Away)
class AwayAdmin(OrgAdminPermissions, admin.ModelAdmin):
    list_display = ("user", "team", "starts_on", "ends_on", "note", "created_by")
    search_fields = ("user__name", "user__email", "note")
    date_hierarchy = "starts_on"
    autocomplete_fields = ["user"]
