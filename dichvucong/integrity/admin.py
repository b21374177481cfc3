from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dichvucong.integrity.models import IntegrityCursor, IntegrityFinding


@admin.register(IntegrityFinding)
class IntegrityFindingAdmin(admin.ModelAdmin):
    list_display = ("kind", "target", "dossier", "event_sequence", "found_at", "alerted_at", "resolved_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    search_fields = ("target", "dossier__code")
    list_select_related = ("dossier",)
    raw_id_fields = ("dossier",)

    def has_add_permission(self, request: HttpRequest) -> bool:  # findings come from the checks, never typed in
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IntegrityCursor)
class IntegrityCursorAdmin(admin.ModelAdmin):
    list_display = ("scope", "last_pk", "rounds", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
