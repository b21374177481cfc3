"""The catalogue in the REST API (/api/v1/procedures): the same search and page reads as the portal."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from dichvucong.api.constants import NO_NUL_PATTERN
from dichvucong.api.errors import ErrorOut
from dichvucong.api.pagination import PageParams, paginate
from dichvucong.catalog.constants import ImplementingLevel, OnlineLevel
from dichvucong.catalog.display import fee_line_text, time_limit_text
from dichvucong.catalog.models import DossierComponent, FeeLine, Procedure, ProcedureVersion
from dichvucong.catalog.search import MAX_QUERY_LENGTH
from dichvucong.catalog.selectors import SearchFilters, procedure_detail, procedure_search

router = Router(tags=["Thủ tục hành chính"])

_CODE_MAX = 32


class NamedCode(Schema):
    code: str
    name: str


class FeeOut(Schema):
    type: str = Field(description="phi (phí) hoặc le_phi (lệ phí).")
    type_label: str
    name: str
    kind: str = Field(description="fixed (mức cố định) hoặc per_unit (theo số lượng).")
    amount: int = Field(description="Đồng.")
    first_unit_amount: int
    first_units: int
    next_unit_amount: int
    cap_amount: int | None
    unit_label: str
    text: str = Field(description="Mức thu như trang thủ tục hiển thị.")
    exemption: str


class ComponentOut(Schema):
    id: int
    name: str
    required: bool
    originals: int
    copies: int
    template_name: str
    template_url: str | None
    signature_required: bool
    is_eform: bool = Field(description="Tờ khai điện tử: điền trực tuyến thay cho đính kèm tệp.")
    document_type: str


class ProcedureSummary(Schema):
    code: str
    name: str
    field: NamedCode
    level: str
    level_label: str
    online_level: str
    online_level_label: str
    time_limit: str
    receiving_agencies: list[NamedCode]
    url: str


class ProcedureDetail(ProcedureSummary):
    version: int
    processing_time: int
    processing_time_unit: str
    competent_agency: str
    applicants: str
    steps: str
    requirements: str
    legal_basis: str
    result: str
    fee_note: str
    has_eform: bool
    eform: dict[str, Any] = Field(description="Định nghĩa tờ khai điện tử (các mục, trường, ràng buộc).")
    fees: list[FeeOut]
    components: list[ComponentOut]


class ProcedurePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProcedureSummary]


class SearchParams(PageParams):
    q: str = Field(
        "",
        max_length=MAX_QUERY_LENGTH,
        pattern=NO_NUL_PATTERN,
        description="Tên, từ khóa hoặc mã thủ tục; có dấu hay không dấu.",
    )
    agency: str = Field(
        "", max_length=20, pattern=NO_NUL_PATTERN, description="Mã cơ quan tiếp nhận (và các đơn vị trực thuộc)."
    )
    field: str = Field("", max_length=32, pattern=NO_NUL_PATTERN, description="Mã lĩnh vực.")
    level: ImplementingLevel | None = Field(None, description="Cấp thực hiện.")
    online_level: OnlineLevel | None = Field(None, description="Mức độ dịch vụ công trực tuyến.")


def _agencies(version: ProcedureVersion) -> list[dict[str, str]]:
    return [{"code": agency.code, "name": agency.name} for agency in version.receiving_agencies.all()]


def _summary(procedure: Procedure) -> dict[str, Any]:
    version = procedure.current_version
    return {
        "code": procedure.code,
        "name": version.name,
        "field": {"code": version.field.code, "name": version.field.name},
        "level": version.level,
        "level_label": version.get_level_display(),
        "online_level": version.online_level,
        "online_level_label": version.get_online_level_display(),
        "time_limit": time_limit_text(version),
        "receiving_agencies": _agencies(version),
        "url": procedure.get_absolute_url(),
    }


def _fee(line: FeeLine) -> dict[str, Any]:
    return {
        "type": line.fee_type,
        "type_label": line.get_fee_type_display(),
        "name": line.name,
        "kind": line.kind,
        "amount": line.amount,
        "first_unit_amount": line.first_unit_amount,
        "first_units": line.first_units,
        "next_unit_amount": line.next_unit_amount,
        "cap_amount": line.cap_amount,
        "unit_label": line.unit_label,
        "text": fee_line_text(line),
        "exemption": line.exemption,
    }


def _component(component: DossierComponent, code: str) -> dict[str, Any]:
    return {
        "id": component.pk,
        "name": component.name,
        "required": component.required,
        "originals": component.originals,
        "copies": component.copies,
        "template_name": component.template_name,
        # Served by the portal (catalog:component_template), never the storage's own URL: on S3 that is
        # a pre-signed link to an endpoint the public may not reach, on local disk nothing serves /media/.
        "template_url": reverse("catalog:component_template", args=[code, component.pk])
        if component.template_file
        else None,
        "signature_required": component.signature_required,
        "is_eform": component.is_eform,
        "document_type": component.document_type,
    }


def _procedure_or_404(code: str) -> Procedure:
    procedure = procedure_detail(code=code[:_CODE_MAX])
    if procedure is None:
        raise Http404
    return procedure


@router.get("/procedures", response={200: ProcedurePage, 422: ErrorOut}, auth=None, summary="Tìm thủ tục hành chính")
def procedures(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Các thủ tục đang áp dụng khớp bộ lọc, phù hợp nhất trước (cùng cách xếp hạng với /thu-tuc-hanh-chinh/)."""
    filters = SearchFilters(
        query=params.q.strip(),
        agency=params.agency.strip(),
        field=params.field.strip(),
        level=params.level.value if params.level else "",
        online_level=params.online_level.value if params.online_level else "",
    )
    page = paginate(procedure_search(filters=filters), params)
    page["items"] = [_summary(procedure) for procedure in page["items"]]
    return page


@router.get("/procedures/{code}", response={200: ProcedureDetail, 404: ErrorOut}, auth=None, summary="Chi tiết thủ tục")
def procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    procedure = _procedure_or_404(code)
    version = procedure.current_version
    return {
        **_summary(procedure),
        "version": version.number,
        "processing_time": version.processing_time,
        "processing_time_unit": version.processing_time_unit,
        "competent_agency": version.competent_agency,
        "applicants": version.applicants,
        "steps": version.steps,
        "requirements": version.requirements,
        "legal_basis": version.legal_basis,
        "result": version.result,
        "fee_note": version.fee_note,
        "has_eform": bool((version.eform or {}).get("sections")),
        "eform": version.eform or {},
        "fees": [_fee(line) for line in version.fee_lines.all()],
        "components": [_component(c, procedure.code) for c in version.components.all()],
    }


@router.get("/procedures/{code}/fees", response={200: list[FeeOut], 404: ErrorOut}, auth=None, summary="Phí, lệ phí")
def procedure_fees(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_fee(line) for line in _procedure_or_404(code).current_version.fee_lines.all()]


@router.get(
    "/procedures/{code}/components",
    response={200: list[ComponentOut], 404: ErrorOut},
    auth=None,
    summary="Thành phần hồ sơ",
)
def procedure_components(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    procedure = _procedure_or_404(code)
    return [_component(c, procedure.code) for c in procedure.current_version.components.all()]
