from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path
from django.utils.translation import gettext_lazy as _

from dichvucong.catalog.admin_eform import eform_preview
from dichvucong.catalog.admin_import import catalog_import_view
from dichvucong.catalog.constants import VersionStatus
from dichvucong.catalog.models import DossierComponent, FeeLine, Procedure, ProcedureField, ProcedureVersion
from dichvucong.catalog.services import FEE_KEYS, procedure_version_create_draft, procedure_version_publish
from dichvucong.core.errors import ApplicationError


@admin.register(ProcedureField)
class ProcedureFieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class DraftOnlyInline:
    """Lines of a published version are as frozen as the version itself."""

    def _editable(self, obj: Any) -> bool:
        return obj is None or getattr(obj, "status", VersionStatus.DRAFT) == VersionStatus.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class FeeLineInline(DraftOnlyInline, admin.TabularInline):
    model = FeeLine
    extra = 0
    fields = ("order", *FEE_KEYS)


class ComponentInline(DraftOnlyInline, admin.StackedInline):
    model = DossierComponent
    extra = 0
    fields = (
        ("order", "required", "signature_required", "is_eform"),
        "name",
        ("originals", "copies"),
        ("template_name", "template_file"),
        "document_type",
        "note",
    )


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ("number", "status", "name", "published_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "current_name", "popularity", "is_demo")
    list_filter = ("is_demo", "current_version__level", "current_version__online_level", "current_version__field")
    search_fields = ("code", "name_folded")
    list_select_related = ("current_version",)
    readonly_fields = ("current_version",)
    fields = ("code", "current_version", "popularity", "is_demo")
    inlines = (VersionInline,)
    actions = ("create_draft",)

    @admin.display(description=_("tên thủ tục"))
    def current_name(self, obj: Procedure) -> str:
        return obj.current_version.name if obj.current_version else "—"

    @admin.action(description=_("Tạo phiên bản mới (bản nháp) để sửa"))
    def create_draft(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset.select_related("current_version"):
            try:
                draft = procedure_version_create_draft(procedure=procedure)
            except ApplicationError as error:
                self.message_user(request, f"{procedure.code}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("Đã tạo bản nháp %(v)s.") % {"v": draft}, messages.SUCCESS)

    def get_urls(self) -> list[Any]:
        urls = super().get_urls()
        return [
            path("nhap/", self.admin_site.admin_view(catalog_import_view), name="catalog_procedure_import"),
            *urls,
        ]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    """A published version is frozen (dossiers point at it): only drafts can be edited."""

    list_display = ("procedure", "number", "name", "status", "published_at")
    list_filter = ("status", "level", "online_level", "field")
    search_fields = ("procedure__code", "name")
    list_select_related = ("procedure",)
    autocomplete_fields = ("receiving_agencies",)
    inlines = (FeeLineInline, ComponentInline)
    actions = ("publish",)
    exclude = ("content_hash",)

    def get_readonly_fields(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> Any:
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return [f.name for f in self.model._meta.fields if f.name != "id"] + ["receiving_agencies"]
        return ("procedure", "number", "status", "published_at")

    def has_delete_permission(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> bool:
        return obj is None or obj.status == VersionStatus.DRAFT

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from the import or from "Tạo phiên bản mới"

    @admin.action(description=_("Công bố phiên bản nháp đã chọn"))
    def publish(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        for version in queryset:
            try:
                procedure_version_publish(version=version)
            except ApplicationError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("Đã công bố %(v)s.") % {"v": version}, messages.SUCCESS)

    def get_urls(self) -> list[Any]:
        urls = super().get_urls()
        return [
            path(
                "<int:version_id>/xem-truoc-to-khai/",
                self.admin_site.admin_view(eform_preview),
                name="catalog_procedureversion_eform_preview",
            ),
            *urls,
        ]
