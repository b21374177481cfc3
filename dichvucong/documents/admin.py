from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dichvucong.documents.constants import SlipKind
from dichvucong.documents.http import pdf_response
from dichvucong.documents.models import IssuedDocument, SlipTemplate
from dichvucong.documents.slip_templates import default_body_source, sample_context
from dichvucong.documents.slips import slip_pdf


class SlipTemplateForm(forms.ModelForm):
    class Meta:
        model = SlipTemplate
        fields = ("kind", "language", "is_active", "body_html")
        widgets = {
            "body_html": forms.Textarea(
                attrs={"rows": 32, "cols": 120, "spellcheck": "false", "class": "vLargeTextField"}
            ),
        }


@admin.register(SlipTemplate)
class SlipTemplateAdmin(admin.ModelAdmin):
    """Administrators edit the body of a slip; the model refuses a body that does not compile,
    does not render with the sample data, or reaches for what it must not (see slip_templates.py)."""

    form = SlipTemplateForm
    list_display = ("kind", "language", "is_active", "updated_at", "updated_by", "preview_link")
    list_filter = ("kind", "language", "is_active")
    list_select_related = ("updated_by",)
    readonly_fields = ("variables", "preview_link", "default_preview_link", "updated_at", "updated_by")
    fieldsets = (
        (None, {"fields": ("kind", "language", "is_active")}),
        (
            _("Nội dung"),
            {
                "fields": ("body_html", "variables"),
                "description": _(
                    "Phần thân của văn bản. Quốc hiệu, tiêu ngữ, tên cơ quan, mã QR, địa danh và ngày tháng, chân "
                    "trang luôn được in cố định bên ngoài phần thân. Mẫu được kiểm tra với dữ liệu mẫu khi lưu. "
                    "Bộ lọc ngày tháng ({% load document_tags %}): date_words (ngày 05 tháng 3 năm 2026), "
                    "datetime_words (09 giờ 41 phút, ngày …), date_vn (05/03/2026), when_vn (05/03/2026 09:41)."
                ),
            },
        ),
        (_("Xem trước"), {"fields": ("preview_link", "default_preview_link", "updated_at", "updated_by")}),
    )
    change_list_template = "admin/documents/sliptemplate/change_list.html"

    def save_model(self, request: HttpRequest, obj: SlipTemplate, form: forms.ModelForm, change: bool) -> None:
        obj.updated_by = request.user if request.user.is_authenticated else None
        super().save_model(request, obj, form, change)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """ "?kind=receipt": a new body starts from the file template of that kind."""
        initial = super().get_changeform_initial_data(request)
        if initial.get("kind") in SlipKind.values and not initial.get("body_html"):
            initial["body_html"] = default_body_source(initial["kind"])
        return initial

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        add_url = reverse("admin:documents_sliptemplate_add")
        kinds = [
            {
                "label": kind.label,
                "add_url": f"{add_url}?kind={kind.value}",
                "preview_url": reverse("admin:documents_sliptemplate_default_preview", args=[kind.value]),
            }
            for kind in SlipKind
        ]
        return super().changelist_view(request, extra_context={**(extra_context or {}), "slip_kinds": kinds})

    @admin.display(description=_("biến dùng được"))
    def variables(self, obj: SlipTemplate | None) -> str:
        if obj is None or obj.kind not in SlipKind.values:
            return gettext("Chọn loại văn bản và lưu để xem các biến dùng được.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li><code>{{{{ {} }}}}</code>{}</li>", _variables(sample_context(obj.kind))),
        )

    @admin.display(description=_("xem trước với dữ liệu mẫu"))
    def preview_link(self, obj: SlipTemplate | None) -> str:
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:documents_sliptemplate_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("Xem trước (PDF)"))

    @admin.display(description=_("mẫu mặc định"))
    def default_preview_link(self, obj: SlipTemplate | None) -> str:
        if obj is None or obj.kind not in SlipKind.values:
            return "—"
        url = reverse("admin:documents_sliptemplate_default_preview", args=[obj.kind])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext("Xem mẫu mặc định (PDF)"))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "mac-dinh/<str:kind>/xem-truoc/",
                self.admin_site.admin_view(self.default_preview_view),
                name="documents_sliptemplate_default_preview",
            ),
            path(
                "<path:object_id>/xem-truoc/",
                self.admin_site.admin_view(self.preview_view),
                name="documents_sliptemplate_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The row's body around the sample data, as the PDF a citizen would get (active or not)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        try:
            with translation.override(obj.language):
                pdf = slip_pdf(obj.kind, sample_context(obj.kind), body_source=obj.body_html)
        except Exception as exc:  # a row saved before today's checks: say so rather than fail
            self.message_user(
                request, gettext("Không xem trước được mẫu này: %(error)s") % {"error": exc}, messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:documents_sliptemplate_change", args=[obj.pk]))
        return pdf_response(pdf, filename=f"xem-truoc-{obj.kind}-{obj.language}.pdf", inline=True)

    def default_preview_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        """The file template of a kind with the sample data (what is printed without an edited body)."""
        if kind not in SlipKind.values:
            raise Http404
        if not self.has_view_permission(request):
            raise PermissionDenied
        pdf = slip_pdf(kind, sample_context(kind), body_source=default_body_source(kind))
        return pdf_response(pdf, filename=f"mau-mac-dinh-{kind}.pdf", inline=True)


def _variables(context: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, what it holds) of each context variable; for a list of records, their fields."""
    result = []
    for name, value in context.items():
        if name in ("body", "landscape"):
            continue
        detail = ""
        if isinstance(value, list) and value and dataclasses.is_dataclass(value[0]):
            names = [f.name for f in dataclasses.fields(value[0])]
            if hasattr(value[0], "timeliness_label"):
                names.append("timeliness_label")
            detail = " — " + gettext("danh sách, mỗi mục có: %(fields)s") % {"fields": ", ".join(names)}
        result.append((name, detail))
    return result


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    """The register of issued PDFs: read only, as evidence (rows are written when a PDF is handed out)."""

    list_display = ("public_id", "kind", "reference", "agency_code", "issued_at", "is_signed")
    list_filter = ("kind", "is_signed")
    search_fields = ("public_id", "reference", "sha256")
    date_hierarchy = "issued_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
