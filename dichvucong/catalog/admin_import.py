"""The administrator's upload page for the catalogue (registered by ProcedureAdmin.get_urls).

A staff member with the right to add and change procedures uploads a .json or .xlsx file in the
exchange format (docs/catalog-format.md) and gets the import report back: what was created, what
got a new version, what was unchanged, and each rejected row with its reason. `?mau=xlsx` returns
an empty workbook with the headers, for an officer to fill in.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect

from dichvucong.catalog.importexport import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    ImportReport,
    import_catalog,
    read_file,
    write_excel,
)
from dichvucong.catalog.models import Procedure
from dichvucong.core.errors import ApplicationError

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPTED = (".json", ".xlsx")
MAX_LISTED_CODES = 300  # the page lists codes; a 6,000-row import shows the counts and the first ones


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp danh mục (.json hoặc .xlsx)"),
        help_text=gettext_lazy("Tối đa 20 MB, 10.000 thủ tục. Định dạng: docs/catalog-format.md."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ACCEPTED):
            raise forms.ValidationError(_("Chỉ nhận tệp .json hoặc .xlsx."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)})
        return upload


def _may_import(user: Any) -> bool:
    return user.has_perm("catalog.add_procedure") and user.has_perm("catalog.change_procedure")


@staff_member_required
@csrf_protect
def catalog_import_view(request: HttpRequest) -> HttpResponse:
    if not _may_import(request.user):
        return HttpResponseForbidden(_("Bạn không có quyền nhập danh mục thủ tục."))
    if request.method == "GET" and request.GET.get("mau") == "xlsx":
        return _template_workbook()
    report: ImportReport | None = None
    if request.method == "POST":
        form = CatalogImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = import_catalog(read_file(upload, name=upload.name))
            except ApplicationError as exc:
                form.add_error("file", exc.message)
    else:
        form = CatalogImportForm()
    context = {
        **admin.site.each_context(request),
        "title": _("Nhập danh mục thủ tục"),
        "opts": Procedure._meta,
        "form": form,
        "report": report,
        "listed": MAX_LISTED_CODES,
        "created": report.created[:MAX_LISTED_CODES] if report else [],
        "new_version": report.new_version[:MAX_LISTED_CODES] if report else [],
    }
    return render(request, "catalog/admin/import.html", context)


def _template_workbook() -> HttpResponse:
    buffer = io.BytesIO()
    write_excel({"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "fields": [], "procedures": []}, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-danh-muc-thu-tuc.xlsx"'
    return response
