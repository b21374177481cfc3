from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dichvucong.core.models import AuditEntry, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "beat_at", "hostname", "pid")
    readonly_fields = ("name", "beat_at", "hostname", "pid")

    def has_add_permission(self, request):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the audit log is evidence, not data to edit."""

    list_display = ("created_at", "actor_label", "agency_name", "action", "dossier_code", "object_label", "ip_address")
    list_filter = ("action", "agency_name")
    search_fields = ("dossier_code", "actor_label", "actor__username", "ip_address")
    date_hierarchy = "created_at"
    show_full_result_count = False  # COUNT(*) over millions of rows on every page would be the slow part
    list_per_page = 50

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
