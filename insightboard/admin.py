"""Organisation admins (is_staff) manage every model in the Django admin, without
having to be handed Django's per-model permissions one by one."""

from __future__ import annotations


class OrgAdminPermissions:
    def _is_org_admin(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request) -> bool:
        return self._is_org_admin(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)

    def has_add_permission(self, request, *args) -> bool:
        return self._is_org_admin(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._is_org_admin(request)
