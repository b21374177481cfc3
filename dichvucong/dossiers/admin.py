"""Read-only admin: dossiers change only through services.dossier_transition (CONVENTIONS #1)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from dichvucong.core.constants import AuditAction
from dichvucong.core.errors import ApplicationError
from dichvucong.core.permissions import restrict_to_agency
from dichvucong.core.services import audit_record
from dichvucong.dossiers.models import Dossier, DossierEvent


class DossierEventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ("sequence", "created_at", "action", "from_status", "to_status", "actor_label", "comment", "hash")
    readonly_fields = fields
    ordering = ("sequence",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ("code", "procedure_version", "agency", "status", "submitted_at")
    list_filter = ("status",)
    search_fields = ("code", "owner_name")
    list_select_related = ("procedure_version__procedure", "agency")
    date_hierarchy = "created_at"
    inlines = (DossierEventInline,)
    actions = ("download_archive_package",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # View only: the admin shows the dossier but never writes it.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Tải gói lưu trữ (BagIt, zip) của hồ sơ đã kết thúc"))
    def download_archive_package(self, request: HttpRequest, queryset: QuerySet[Dossier]) -> HttpResponse | None:
        from dichvucong.archive.services import archive_zip

        dossiers = list(
            restrict_to_agency(queryset.select_related("agency", "procedure_version__procedure"), request.user)[:2]
        )
        if len(dossiers) != 1:
            self.message_user(request, _("Vui lòng chọn đúng một hồ sơ của cơ quan bạn."), messages.ERROR)
            return None
        dossier = dossiers[0]
        try:
            content = archive_zip(dossier=dossier, actor=request.user)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="luu-tru-{dossier.code}.zip"'
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        # Only a page actually shown is a read of personal data (not a 404 or a redirect).
        dossier = (response.context_data or {}).get("original") if response.status_code == 200 else None
        if dossier is not None:
            audit_record(actor=request.user, action=AuditAction.ADMIN_VIEW, dossier=dossier)
        return response
