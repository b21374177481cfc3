from __future__ import annotations

import mimetypes
import posixpath
import unicodedata
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dichvucong.agencies.selectors import agency_tree_cached
from dichvucong.catalog.constants import ImplementingLevel, OnlineLevel
from dichvucong.catalog.eforms import EFormDefinitionError
from dichvucong.catalog.models import ProcedureField
from dichvucong.catalog.search import MAX_QUERY_LENGTH
from dichvucong.catalog.selectors import SearchFilters, procedure_detail, procedure_search
from dichvucong.documents.declaration import blank_declaration_pdf, blank_sections
from dichvucong.documents.http import pdf_response

PAGE_SIZE = 20


def _filters(request: HttpRequest, *, online_default: str = "") -> SearchFilters:
    def param(name: str, limit: int = 64) -> str:
        # Control and format characters dropped: a NUL in an agency or field code reached PostgreSQL,
        # which refuses it in a text parameter (500), and was echoed into the search box.
        raw = (request.GET.get(name) or "")[: limit * 4]
        return "".join(ch for ch in raw if unicodedata.category(ch) not in {"Cc", "Cf"}).strip()[:limit]

    level = param("cap")
    online = param("muc-do") or online_default
    return SearchFilters(
        query=param("q", MAX_QUERY_LENGTH),
        agency=param("co-quan", 20),
        field=param("linh-vuc", 32),
        level=level if level in ImplementingLevel.values else "",
        online_level=online if online in OnlineLevel.values else "",
    )


def _search_page(request: HttpRequest, *, title: str, online_default: str = "") -> HttpResponse:
    filters = _filters(request, online_default=online_default)
    paginator = Paginator(procedure_search(filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    params = request.GET.copy()
    params.pop("trang", None)
    context: dict[str, Any] = {
        "title": title,
        "filters": filters,
        "page": page,
        "count": paginator.count,
        "agency_tree": agency_tree_cached(),
        "fields": ProcedureField.objects.order_by("name"),
        "levels": [(v, label) for v, label in ImplementingLevel.choices if v != ImplementingLevel.DISTRICT],
        "online_levels": OnlineLevel.choices,
        "query_string": params.urlencode(),
    }
    return render(request, "catalog/search.html", context)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    return _search_page(request, title=_("Thủ tục hành chính"))


@require_GET
def online_services(request: HttpRequest) -> HttpResponse:
    return _search_page(request, title=_("Dịch vụ công trực tuyến"), online_default=OnlineLevel.FULL)


@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = procedure_detail(code=code[:32])
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    return render(request, "catalog/detail.html", {"procedure": procedure, "version": procedure.current_version})


@require_GET
def component_template(request: HttpRequest, code: str, component_id: int) -> FileResponse:
    """A component's template form (mẫu đơn) of the procedure's current version: public, like the page
    that links it, and streamed through the portal from whatever storage holds it (local disk or S3)."""
    procedure = procedure_detail(code=code[:32])
    component = None
    if procedure is not None:
        component = next((c for c in procedure.current_version.components.all() if c.pk == component_id), None)
    if component is None or not component.template_file:
        raise Http404(_("Không tìm thấy mẫu đơn."))
    try:
        stream = component.template_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy mẫu đơn.")) from None
    name = posixpath.basename(component.template_file.name)
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def blank_form(request: HttpRequest, code: str) -> HttpResponse:
    """The declaration to print and fill by hand (for procedures partly online, or for anyone)."""
    procedure = procedure_detail(code=code[:32])
    if procedure is None or not procedure.current_version.eform.get("sections"):
        raise Http404(_("Thủ tục này không có tờ khai."))
    return render(
        request,
        "catalog/blank_form.html",
        {
            "procedure": procedure,
            "version": procedure.current_version,
            "form": procedure.current_version.eform,
            "blank_rows": range(3),
        },
    )


@require_GET
def blank_form_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The same empty declaration as a PDF file to download ("Tải tờ khai (PDF)")."""
    procedure = procedure_detail(code=code[:32])
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    version = procedure.current_version
    if not version.eform.get("sections"):
        raise Http404(_("Thủ tục này không có tờ khai."))
    try:
        sections = blank_sections(version.eform)
    except EFormDefinitionError as error:
        # A definition that no longer validates is an administrator's problem to fix, not a crash.
        raise Http404(_("Thủ tục này không có tờ khai.")) from error
    pdf = blank_declaration_pdf(
        title=version.eform.get("title") or version.name,
        procedure_name=version.name,
        procedure_code=procedure.code,
        agency_name=" / ".join(agency.name for agency in version.receiving_agencies.all()),
        sections=sections,
    )
    return pdf_response(pdf, filename=f"to-khai-{procedure.code}.pdf")


@require_GET
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Nộp hồ sơ: the dossier form lives with the dossiers (which log the visitor in first)."""
    procedure = procedure_detail(code=code[:32])
    if procedure is None:
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    return redirect("dossiers:create", code=procedure.code)
