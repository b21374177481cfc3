from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dichvucong.archive.models import ArchivePackage, MetadataField, RetentionPeriod


@admin.register(RetentionPeriod)
class RetentionPeriodAdmin(admin.ModelAdmin):
    list_display = ("procedure", "years", "basis", "verified")
    list_filter = ("verified",)
    search_fields = ("procedure__code", "basis")
    autocomplete_fields = ("procedure",)
    list_select_related = ("procedure",)


@admin.register(MetadataField)
class MetadataFieldAdmin(admin.ModelAdmin):
    list_display = ("order", "label", "key", "source", "verified")
    list_editable = ("verified",)
    list_filter = ("verified",)


@admin.register(ArchivePackage)
class ArchivePackageAdmin(admin.ModelAdmin):
    list_display = ("dossier", "created_at", "created_by", "payload_oxum")
    list_select_related = ("dossier", "created_by")
    search_fields = ("dossier__code",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
