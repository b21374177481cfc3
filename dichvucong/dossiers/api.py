"""Dossiers in the REST API: the public look-up, the citizen's own dossiers, the officers' reads.

Every endpoint calls the selectors and services the pages call (dossier_for_applicant, dossier_transition,
dossier_file_add, dossier_file_reuse, dossier_delete_draft, withdraw_mode, the dossier forms and the e-form
engine), so a rule holds the same in both; another citizen's or another agency's dossier answers 404, as on
the pages. The citizen's `{ref}` endpoints get their dossier through `owned_dossier`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.signature.utils import get_typed_signature

from dichvucong.accounts.views import client_address
from dichvucong.agencies.models import Agency
from dichvucong.api.auth import officer_auth, token_auth
from dichvucong.api.constants import NO_NUL_PATTERN
from dichvucong.api.errors import ErrorOut
from dichvucong.api.pagination import PageParams, paginate
from dichvucong.catalog.eforms import payload_draft
from dichvucong.catalog.selectors import procedure_detail
from dichvucong.core.constants import AuditAction
from dichvucong.core.errors import ApplicationError
from dichvucong.core.services import audit_record
from dichvucong.dossiers import services
from dichvucong.dossiers.constants import STATUS_FOLDER, CitizenFolder, DossierAction, DossierStatus, ResultDelivery
from dichvucong.dossiers.forms import DeliveryForm, OwnerForm
from dichvucong.dossiers.lookup import (
    CODE_MAX_LENGTH,
    dossier_lookup,
    lookup_attempt_record,
    lookup_window_remaining,
    normalize_dossier_code,
    normalize_national_id,
)
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.selectors import (
    dossier_components,
    dossier_for_applicant,
    dossiers_for_applicant,
    folder_counts,
    reusable_by_component,
)
from dichvucong.dossiers.selectors_officer import (
    QUEUE_SLUGS,
    QUEUES,
    agency_deadline,
    dossier_for_officer,
    queue_counts,
    queue_filters,
    queue_rows,
)
from dichvucong.dossiers.selectors_officer import (
    now as officer_now,
)
from dichvucong.dossiers.selectors_pages import (
    WITHDRAW_NOW,
    WITHDRAW_REQUEST,
    dossier_page,
    withdraw_mode,
    withdraw_unavailable_reason,
)

lookup_router = Router(tags=["Tra cứu hồ sơ"])
citizen_router = Router(tags=["Hồ sơ của tôi"], auth=token_auth)
officer_router = Router(tags=["Cán bộ: hồ sơ của cơ quan"], auth=officer_auth)

_REF_MAX = 40


# --- Schemas ---------------------------------------------------------------------------------------
class NamedCode(Schema):
    code: str
    name: str


class LookupIn(Schema):
    code: str = Field(..., max_length=4 * CODE_MAX_LENGTH, description="Mã hồ sơ.")
    national_id: str = Field("", max_length=20, description="Số CCCD của chủ hồ sơ (không bắt buộc).")


class LookupOut(Schema):
    code: str
    procedure: NamedCode
    agency_name: str
    owner_name: str = Field(description="Che bớt, trừ khi người hỏi là chủ hồ sơ.")
    owner_national_id: str
    is_owner: bool
    status: str
    status_label: str
    submitted_at: datetime | None
    received_at: datetime | None
    appointment_at: datetime | None
    returned_at: datetime | None


class FileOut(Schema):
    id: int
    component_id: int
    name: str
    size: int
    kind: str
    sha256: str
    round: int
    is_signed_pdf: bool
    created_at: datetime
    replaced: bool
    digitised: bool = Field(description="Bản số hóa: giấy tờ giấy được Bộ phận Một cửa quét tại quầy.")
    reused: bool = Field(description="Dùng lại giấy tờ đã cung cấp trong một hồ sơ trước.")


class ComponentState(Schema):
    id: int
    name: str
    required: bool
    is_eform: bool
    editable: bool
    files: list[FileOut]


class ProblemOut(Schema):
    section: str
    message: str


class SupplementItem(Schema):
    component: str
    name: str
    reason: str


class SupplementOut(Schema):
    requested_at: datetime
    comment: str
    items: list[SupplementItem]


class Owner(Schema):
    name: str
    national_id: str
    phone: str
    email: str
    province_code: int | None
    ward_code: int | None
    street_address: str


class Delivery(Schema):
    method: str
    method_label: str
    recipient_name: str
    recipient_phone: str
    province_code: int | None
    ward_code: int | None
    street_address: str


class DossierSummary(Schema):
    id: int
    code: str | None
    status: str
    status_label: str
    folder: str
    folder_label: str
    procedure: NamedCode
    agency: NamedCode
    created_at: datetime
    submitted_at: datetime | None
    appointment_at: datetime | None
    version: int = Field(description="Phiên bản dữ liệu: gửi lại khi sửa/gửi để tránh ghi đè thay đổi mới hơn.")


class DossierDetail(DossierSummary):
    received_at: datetime | None
    returned_at: datetime | None
    owner: Owner
    delivery: Delivery
    notify_by_sms: bool
    eform_data: dict[str, Any]
    components: list[ComponentState]
    problems: list[ProblemOut] = Field(description="Những gì còn thiếu để gửi (hồ sơ chưa gửi / đang bổ sung).")
    supplement: SupplementOut | None
    refusal_reason: str | None
    withdraw: str | None = Field(
        description="Rút hồ sơ lúc này: `withdraw` (rút ngay, trước khi tiếp nhận), `request` (đề nghị rút, cơ quan "
        "trả lời), null (không rút được)."
    )
    withdrawal_requested_at: datetime | None


class DossierPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DossierSummary]


class FolderOut(Schema):
    folder: str
    label: str
    count: int


class EventOut(Schema):
    sequence: int
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_status_label: str
    who: str
    by_officer: bool
    at_desk: bool = Field(description="Bổ sung do Bộ phận Một cửa nhận trực tiếp thay chủ hồ sơ.")
    comment: str
    created_at: datetime
    items: list[SupplementItem]


class FolderParams(PageParams):
    folder: CitizenFolder | None = Field(None, description="Thư mục (mặc định: tất cả hồ sơ).")


class DraftCreate(Schema):
    procedure: str = Field(..., max_length=32, pattern=NO_NUL_PATTERN, description="Mã thủ tục, ví dụ 1.001193.")
    agency: str = Field(
        "",
        max_length=20,
        pattern=NO_NUL_PATTERN,
        description="Mã cơ quan tiếp nhận (bắt buộc khi thủ tục có nhiều cơ quan).",
    )


class DraftUpdate(Schema):
    """Chỉ các trường được gửi thay đổi; một giá trị không hợp lệ làm cả yêu cầu bị từ chối, không lưu gì."""

    version: int | None = Field(None, ge=1, description="Phiên bản dữ liệu đã đọc; khác với hiện tại → 409.")
    owner_name: str | None = Field(None, max_length=255)
    owner_national_id: str | None = Field(None, max_length=20)
    owner_phone: str | None = Field(None, max_length=20)
    owner_email: str | None = Field(None, max_length=254)
    owner_province_code: int | None = Field(None, ge=0, le=999)
    owner_ward_code: int | None = Field(None, ge=0, le=99999)
    owner_street_address: str | None = Field(None, max_length=255)
    notify_by_sms: bool | None = None
    result_delivery: ResultDelivery | None = None
    post_recipient_name: str | None = Field(None, max_length=255)
    post_recipient_phone: str | None = Field(None, max_length=20)
    post_province_code: int | None = Field(None, ge=0, le=999)
    post_ward_code: int | None = Field(None, ge=0, le=99999)
    post_street_address: str | None = Field(None, max_length=255)
    eform_data: dict[str, Any] | None = Field(None, description="Tờ khai: giá trị theo tên trường của định nghĩa.")


class SendIn(Schema):
    pledge: bool = Field(..., description="“Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên.” Phải là true.")
    version: int | None = Field(None, ge=1)


class SupplementIn(Schema):
    version: int | None = Field(None, ge=1)
    eform_data: dict[str, Any] | None = Field(
        None, description="Tờ khai đã sửa, khi tờ khai nằm trong yêu cầu bổ sung."
    )


class WithdrawIn(Schema):
    reason: str = Field(
        "",
        max_length=2000,
        pattern=NO_NUL_PATTERN,
        description="Lý do rút hồ sơ: không bắt buộc khi rút ngay, bắt buộc khi đề nghị rút.",
    )
    version: int | None = Field(None, ge=1)


class ReuseIn(Schema):
    component: int = Field(..., ge=1, le=2**31 - 1, description="Id thành phần hồ sơ của thủ tục.")
    file_id: int = Field(..., ge=1, le=2**31 - 1, description="Id giấy tờ đã cung cấp (GET …/reusable).")


class ReusableFile(Schema):
    id: int
    name: str
    kind: str
    size: int
    sha256: str
    created_at: datetime
    dossier_code: str | None = Field(description="Hồ sơ trước đã nộp giấy tờ này.")


class ReusableComponent(Schema):
    component_id: int
    component_name: str
    document_type: str
    files: list[ReusableFile]


class QueueOut(Schema):
    slug: str
    label: str
    count: int


class QueueRow(Schema):
    code: str
    status: str
    status_label: str
    procedure: NamedCode
    owner_name: str
    submitted_at: datetime | None
    acceptance_due_at: datetime | None
    appointment_at: datetime | None
    deadline: datetime | None = Field(description="Hạn cơ quan đang phải đáp ứng; null khi đồng hồ dừng.")
    assignee: str | None
    step_order: int | None


class QueuePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[QueueRow]


class OfficerDossier(QueueRow):
    agency: NamedCode
    received_at: datetime | None
    returned_at: datetime | None
    owner: Owner
    delivery: Delivery
    eform_data: dict[str, Any]
    components: list[ComponentState]
    history: list[EventOut]


# --- Shaping ---------------------------------------------------------------------------------------
def _summary(dossier: Dossier) -> dict[str, Any]:
    folder = CitizenFolder(STATUS_FOLDER[dossier.status])
    return {
        "id": dossier.pk,
        "code": dossier.code,
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
        "folder": folder.value,
        "folder_label": str(folder.label),
        "procedure": {"code": dossier.procedure_version.procedure.code, "name": dossier.procedure_version.name},
        "agency": {"code": dossier.agency.code, "name": dossier.agency.name},
        "created_at": dossier.created_at,
        "submitted_at": dossier.submitted_at,
        "appointment_at": dossier.appointment_at,
        "version": dossier.version,
    }


def _owner(dossier: Dossier) -> dict[str, Any]:
    return {
        "name": dossier.owner_name,
        "national_id": dossier.owner_national_id,
        "phone": dossier.owner_phone,
        "email": dossier.owner_email,
        "province_code": dossier.owner_province_code,
        "ward_code": dossier.owner_ward_code,
        "street_address": dossier.owner_street_address,
    }


def _delivery(dossier: Dossier) -> dict[str, Any]:
    return {
        "method": dossier.result_delivery,
        "method_label": dossier.get_result_delivery_display(),
        "recipient_name": dossier.post_recipient_name,
        "recipient_phone": dossier.post_recipient_phone,
        "province_code": dossier.post_province_code,
        "ward_code": dossier.post_ward_code,
        "street_address": dossier.post_street_address,
    }


def _file(record: DossierFile) -> dict[str, Any]:
    return {
        "id": record.pk,
        "component_id": record.component_id,
        "name": record.name,
        "size": record.size,
        "kind": record.kind,
        "sha256": record.sha256,
        "round": record.round,
        "is_signed_pdf": record.is_signed_pdf,
        "created_at": record.created_at,
        "replaced": record.replaced_at is not None,
        "digitised": record.digitised,
        "reused": record.reused_from_id is not None,
    }


def _components(components: list[Any], scope: services.EditScope | None) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "name": c.name,
            "required": c.required,
            "is_eform": c.is_eform,
            "editable": scope is not None and scope.allows(c.pk),
            "files": [_file(f) for f in (*c.current_files, *c.replaced_files)],
        }
        for c in components
    ]


def _items(raw: Any) -> list[dict[str, str]]:
    return [
        {"component": str(i.get("component", "")), "name": str(i.get("name", "")), "reason": str(i.get("reason", ""))}
        for i in (raw or [])
        if isinstance(i, dict)
    ]


def _history(timeline: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "sequence": entry.event.sequence,
            "action": entry.event.action,
            "action_label": entry.event.get_action_display(),
            "from_status": entry.event.from_status,
            "to_status": entry.event.to_status,
            "to_status_label": entry.event.get_to_status_display(),
            "who": str(entry.who),
            "by_officer": entry.by_officer,
            "at_desk": entry.at_desk,
            "comment": entry.event.comment,
            "created_at": entry.event.created_at,
            "items": _items(entry.items),
        }
        for entry in timeline
    ]


def _detail(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    page = dossier_page(dossier=dossier, viewer=request.user)
    scope = services.dossier_edit_scope(dossier)
    supplement = None
    if page.supplement is not None:
        supplement = {
            "requested_at": page.supplement.created_at,
            "comment": page.supplement.comment,
            "items": _items(page.supplement.data.get("items")),
        }
    problems = []
    if dossier.status in (DossierStatus.DRAFT, DossierStatus.SUPPLEMENT_REQUESTED):
        problems = [{"section": p.section, "message": str(p.message)} for p in services.dossier_problems(dossier)]
    return {
        **_summary(dossier),
        "received_at": dossier.received_at,
        "returned_at": dossier.returned_at,
        "owner": _owner(dossier),
        "delivery": _delivery(dossier),
        "notify_by_sms": dossier.notify_by_sms,
        "eform_data": dossier.eform_data if isinstance(dossier.eform_data, dict) else {},
        "components": _components(page.components, scope),
        "problems": problems,
        "supplement": supplement,
        "refusal_reason": page.refusal.comment if page.refusal is not None else None,
        "withdraw": page.withdraw_mode,
        "withdrawal_requested_at": dossier.withdrawal_requested_at,
    }


def _mine(request: HttpRequest, ref: str) -> Dossier:
    return dossier_for_applicant(user=request.user, ref=ref[:_REF_MAX])


def owned_dossier(view: Callable[..., Any]) -> Callable[..., Any]:
    """The `{ref}` of the path becomes the caller's own dossier, for an endpoint declared with `dossier: Dossier`.

    Anyone else's dossier, or one that does not exist, answers 404 before the endpoint runs (IDOR), the same
    for every endpoint. A service that still says "forbidden" about a dossier found as the caller's (deleted
    or handed to the desk in between) answers 404 too: the caller learns nothing more than from a wrong ref.
    Other domain errors go to the API's one error format (errors.py). The OpenAPI document shows `ref: str`.
    """
    signature = get_typed_signature(view)  # resolved in the view's own module, wherever it is declared
    parameters = [
        inspect.Parameter("ref", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)
        if parameter.name == "dossier"
        else parameter
        for parameter in signature.parameters.values()
    ]

    @wraps(view)
    def endpoint(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
        dossier = _mine(request, ref)
        try:
            return view(request, dossier, **kwargs)
        except ApplicationError as exc:
            if exc.code == "forbidden":
                raise Http404 from exc
            raise

    endpoint.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return endpoint


def _reload(request: HttpRequest, dossier: Dossier) -> Dossier:
    return dossier_for_applicant(user=request.user, ref=str(dossier.pk))


# --- Tra cứu hồ sơ ---------------------------------------------------------------------------------
def _lookup(request: HttpRequest, code: str, national_id: str) -> Any:
    # The same per-address hourly count as /tra-cuu/; a program cannot answer the page's captcha, so it
    # gets the hard cap only (LOOKUP_MAX_PER_HOUR), then 429 until the hour ends.
    used = lookup_attempt_record(address=client_address(request))
    if used > settings.LOOKUP_MAX_PER_HOUR:
        wait = lookup_window_remaining()
        raise ApplicationError(
            _("Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau %(n)s phút.") % {"n": max(1, wait // 60)},
            code="rate_limited",
            extra={"retry_after": wait},
        )
    fields: dict[str, list[str]] = {}
    if normalize_dossier_code(code) is None:
        fields["code"] = [_("Mã hồ sơ chỉ gồm chữ cái không dấu, chữ số, dấu chấm và dấu gạch ngang.")]
    if national_id.strip() and normalize_national_id(national_id) is None:
        fields["national_id"] = [_("Số CCCD gồm 12 chữ số (hoặc số CMND gồm 9 chữ số).")]
    if fields:
        raise ApplicationError(_("Dữ liệu tra cứu không hợp lệ."), code="invalid", extra={"fields": fields})
    viewer = getattr(request, "user", None)
    result = dossier_lookup(code=code, national_id=national_id.strip() or None, viewer=viewer)
    if result is None:
        raise ApplicationError(_("Không tìm thấy hồ sơ với thông tin đã nhập."), code="not_found")
    return {
        "code": result.code,
        "procedure": {"code": result.procedure_code, "name": result.procedure_name},
        "agency_name": result.agency_name,
        "owner_name": result.owner_name,
        "owner_national_id": result.owner_national_id,
        "is_owner": result.is_owner,
        "status": result.status,
        "status_label": result.status_label,
        "submitted_at": result.submitted_at,
        "received_at": result.received_at,
        "appointment_at": result.appointment_at,
        "returned_at": result.returned_at,
    }


_LOOKUP_RESPONSES = {200: LookupOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@lookup_router.get("/lookup/{code}", response=_LOOKUP_RESPONSES, auth=None, summary="Tra cứu hồ sơ theo mã")
def lookup_by_code(request: HttpRequest, code: str) -> Any:
    """Như trang /tra-cuu/: thông tin cá nhân được che; tính số lần theo địa chỉ mỗi giờ như trang."""
    return _lookup(request, code[: 4 * CODE_MAX_LENGTH], "")


@lookup_router.post("/lookup", response=_LOOKUP_RESPONSES, auth=None, summary="Tra cứu hồ sơ theo mã và CCCD")
def lookup_with_national_id(request: HttpRequest, payload: LookupIn) -> Any:
    """Kèm số CCCD của chủ hồ sơ (trong nội dung, không bao giờ trên địa chỉ): cả hai phải khớp."""
    return _lookup(request, payload.code, payload.national_id)


# --- Hồ sơ của tôi ---------------------------------------------------------------------------------
_AUTH = {401: ErrorOut, 429: ErrorOut}


@citizen_router.get("/dossiers/folders", response={200: list[FolderOut], **_AUTH}, summary="Các thư mục hồ sơ")
def folders(request: HttpRequest) -> list[dict[str, Any]]:
    counts = folder_counts(user=request.user)
    return [{"folder": f.value, "label": str(f.label), "count": counts.get(f, 0)} for f in CitizenFolder]


@citizen_router.get("/dossiers", response={200: DossierPage, 422: ErrorOut, **_AUTH}, summary="Hồ sơ của tôi")
def dossiers(request: HttpRequest, params: Query[FolderParams]) -> dict[str, Any]:
    folder = params.folder.value if params.folder else None
    page = paginate(dossiers_for_applicant(user=request.user, folder=folder), params)
    page["items"] = [_summary(d) for d in page["items"]]
    return page


@citizen_router.post(
    "/dossiers", response={201: DossierDetail, 404: ErrorOut, 422: ErrorOut, **_AUTH}, summary="Tạo hồ sơ chưa gửi"
)
def dossier_create(request: HttpRequest, payload: DraftCreate) -> Status:
    procedure = procedure_detail(code=payload.procedure.strip()[:32])
    if procedure is None:
        raise ApplicationError(_("Không tìm thấy thủ tục hành chính."), code="not_found")
    agency = None
    if payload.agency.strip():
        agency = Agency.objects.filter(code=payload.agency.strip()).first()
        if agency is None:
            raise ApplicationError(_("Cơ quan này không tiếp nhận hồ sơ của thủ tục đã chọn."), code="agency_invalid")
    dossier = services.dossier_create_draft(procedure=procedure, applicant=request.user, agency=agency)
    return Status(201, _detail(request, _reload(request, dossier)))


@citizen_router.get("/dossiers/{ref}", response={200: DossierDetail, 404: ErrorOut, **_AUTH}, summary="Một hồ sơ")
@owned_dossier
def dossier(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """Hồ sơ chưa gửi theo số, hồ sơ đã gửi theo mã (như /ho-so/<mã>/)."""
    return _detail(request, dossier)


@citizen_router.get(
    "/dossiers/{ref}/history", response={200: list[EventOut], 404: ErrorOut, **_AUTH}, summary="Quá trình xử lý"
)
@owned_dossier
def dossier_history(request: HttpRequest, dossier: Dossier) -> list[dict[str, Any]]:
    return _history(dossier_page(dossier=dossier, viewer=request.user).timeline)


_OWNER_KEYS = {
    "owner_name": "owner_name",
    "owner_national_id": "owner_national_id",
    "owner_phone": "owner_phone",
    "owner_email": "owner_email",
    "owner_province_code": "province_code",
    "owner_ward_code": "ward_code",
    "owner_street_address": "street_address",
    "notify_by_sms": "notify_by_sms",
}
_DELIVERY_KEYS = {
    "result_delivery": "result_delivery",
    "post_recipient_name": "post_recipient_name",
    "post_recipient_phone": "post_recipient_phone",
    "post_province_code": "province_code",
    "post_ward_code": "ward_code",
    "post_street_address": "street_address",
}


def _form_fields(
    form_class: type[OwnerForm] | type[DeliveryForm],
    keys: dict[str, str],
    dossier: Dossier,
    sent: dict[str, Any],
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    """Validate the sent fields with the page's own form, the unsent ones keeping their saved values."""
    prefix = "chu" if form_class is OwnerForm else "nhan"
    data: dict[str, Any] = {}
    for attribute, input_name in keys.items():
        value = sent[attribute] if attribute in sent else getattr(dossier, attribute)
        if isinstance(value, bool):
            if value:
                data[f"{prefix}-{input_name}"] = "on"
            continue
        data[f"{prefix}-{input_name}"] = "" if value is None else str(getattr(value, "value", value))
    form = form_class(data, dossier=dossier)
    if not form.is_valid():
        by_input = {input_name: attribute for attribute, input_name in keys.items()}
        for name, messages in form.errors.items():
            errors.setdefault(by_input.get(name, name), []).extend(str(m) for m in messages)
        return {}
    return form.dossier_fields()


def _eform_payload(dossier: Dossier, raw: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any] | None:
    definition = dossier.procedure_version.eform or {}
    if not definition.get("sections"):
        errors["eform_data"] = [_("Thủ tục này không có tờ khai điện tử.")]
        return None
    payload, rejected = payload_draft(definition, raw)
    if rejected:
        errors["eform_data"] = [
            _("Các mục sau của tờ khai chưa đúng nên chưa được lưu: %(labels)s.") % {"labels": "; ".join(rejected)}
        ]
        return None
    return payload


def _invalid(errors: dict[str, list[str]]) -> ApplicationError:
    return ApplicationError(
        _("Dữ liệu gửi lên không hợp lệ; hồ sơ chưa được thay đổi."), code="invalid", extra={"fields": errors}
    )


@citizen_router.patch(
    "/dossiers/{ref}",
    response={200: DossierDetail, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **_AUTH},
    summary="Sửa hồ sơ chưa gửi (Lưu lại)",
)
@owned_dossier
def dossier_update(request: HttpRequest, dossier: Dossier, payload: DraftUpdate) -> dict[str, Any]:
    sent = payload.dict(exclude_unset=True)
    expected = sent.pop("version", None)
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if any(key in sent for key in _OWNER_KEYS):
        fields.update(_form_fields(OwnerForm, _OWNER_KEYS, dossier, sent, errors))
    if any(key in sent for key in _DELIVERY_KEYS):
        fields.update(_form_fields(DeliveryForm, _DELIVERY_KEYS, dossier, sent, errors))
    if sent.get("eform_data") is not None:
        eform = _eform_payload(dossier, sent["eform_data"], errors)
        if eform is not None:
            fields["eform_data"] = eform
    if errors:
        raise _invalid(errors)
    if fields:
        services.dossier_update_draft(dossier=dossier, actor=request.user, expected_version=expected, **fields)
    return _detail(request, _reload(request, dossier))


@citizen_router.post(
    "/dossiers/{ref}/files",
    response={201: FileOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, **_AUTH},
    summary="Đính kèm tệp cho một thành phần hồ sơ",
)
@owned_dossier
def file_add(request: HttpRequest, dossier: Dossier, component: Form[int], file: File[UploadedFile]) -> Status:
    """multipart/form-data: `component` (id thành phần hồ sơ của thủ tục) và `file`; tệp được kiểm tra theo nội dung."""
    record = services.dossier_file_add(dossier=dossier, component_id=component, upload=file, actor=request.user)
    return Status(201, _file(record))


@citizen_router.delete(
    "/dossiers/{ref}/files/{file_id}",
    response={204: None, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **_AUTH},
    summary="Bỏ một tệp đính kèm",
)
@owned_dossier
def file_remove(request: HttpRequest, dossier: Dossier, file_id: int) -> Status:
    services.dossier_file_remove(dossier=dossier, file_id=file_id, actor=request.user)
    return Status(204, None)


@citizen_router.post(
    "/dossiers/{ref}/send",
    response={200: DossierDetail, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **_AUTH},
    summary="Gửi hồ sơ",
)
@owned_dossier
def dossier_send(request: HttpRequest, dossier: Dossier, payload: SendIn) -> dict[str, Any]:
    """Gửi hồ sơ: cùng các kiểm tra như nút Gửi đi (còn thiếu → 422 kèm danh sách); câu trả lời có mã hồ sơ."""
    if not payload.pledge:
        raise _invalid({"pledge": [_("Vui lòng đánh dấu cam kết trước khi gửi hồ sơ.")]})
    services.dossier_transition(
        dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=request.user, expected_version=payload.version
    )
    return _detail(request, _reload(request, dossier))


@citizen_router.post(
    "/dossiers/{ref}/supplement",
    response={200: DossierDetail, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **_AUTH},
    summary="Gửi bổ sung",
)
@owned_dossier
def dossier_supplement(request: HttpRequest, dossier: Dossier, payload: SupplementIn) -> dict[str, Any]:
    """Trả lời yêu cầu bổ sung: đính kèm tệp trước (POST …/files), gửi tờ khai ở đây nếu được yêu cầu."""
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
        raise ApplicationError(_("Hồ sơ này hiện không có yêu cầu bổ sung."), code="invalid_transition")
    if payload.eform_data is not None:
        errors: dict[str, list[str]] = {}
        eform = _eform_payload(dossier, payload.eform_data, errors)
        if errors:
            raise _invalid(errors)
        services.dossier_update_draft(
            dossier=dossier, actor=request.user, expected_version=payload.version, eform_data=eform
        )
        dossier = _reload(request, dossier)
    services.dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.SUBMIT_SUPPLEMENT,
        actor=request.user,
        expected_version=dossier.version if payload.eform_data is not None else payload.version,
    )
    return _detail(request, _reload(request, dossier))


@citizen_router.delete(
    "/dossiers/{ref}",
    response={204: None, 404: ErrorOut, 409: ErrorOut, **_AUTH},
    summary="Xóa hồ sơ chưa gửi",
)
@owned_dossier
def dossier_delete(request: HttpRequest, dossier: Dossier) -> Status:
    """Như nút Xóa: chỉ hồ sơ chưa từng gửi, cùng các tệp của nó (hồ sơ đã gửi → 409 `not_draft`)."""
    services.dossier_delete_draft(dossier=dossier, actor=request.user)
    return Status(204, None)


@citizen_router.post(
    "/dossiers/{ref}/withdraw",
    response={200: DossierDetail, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **_AUTH},
    summary="Rút hồ sơ",
)
@owned_dossier
def dossier_withdraw(request: HttpRequest, dossier: Dossier, payload: WithdrawIn) -> dict[str, Any]:
    """Như trang Rút hồ sơ: chưa tiếp nhận → rút ngay; đã tiếp nhận → đề nghị rút (bắt buộc lý do), cơ quan trả lời.

    Chế độ hiện tại có trong `withdraw` của hồ sơ; không rút được (đã kết thúc, đã đề nghị) → 409.
    """
    mode = withdraw_mode(dossier)
    if mode is None:
        raise ApplicationError(withdraw_unavailable_reason(dossier), code="invalid_transition")
    reason = payload.reason.strip()
    if mode == WITHDRAW_REQUEST and not reason:
        raise _invalid({"reason": [_("Vui lòng nhập lý do đề nghị rút hồ sơ.")]})
    services.dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.WITHDRAW if mode == WITHDRAW_NOW else DossierAction.REQUEST_WITHDRAWAL,
        actor=request.user,
        comment=reason,
        expected_version=payload.version,
    )
    return _detail(request, _reload(request, dossier))


@citizen_router.get(
    "/dossiers/{ref}/reusable",
    response={200: list[ReusableComponent], 404: ErrorOut, **_AUTH},
    summary="Giấy tờ đã cung cấp có thể dùng lại",
)
@owned_dossier
def reusable(request: HttpRequest, dossier: Dossier) -> list[dict[str, Any]]:
    """Như “Dùng lại giấy tờ đã cung cấp”: giấy tờ cùng loại trong các hồ sơ trước đã được tiếp nhận, mới nhất trước
    (tối đa 5 mỗi thành phần, mỗi nội dung một lần), cho các thành phần đang sửa được; hồ sơ không sửa được → []."""
    scope = services.dossier_edit_scope(dossier)
    if scope is None:
        return []
    components = [c for c in dossier_components(dossier=dossier) if c.document_type and scope.allows(c.pk)]
    offered = reusable_by_component(user=request.user, components=components)
    return [
        {
            "component_id": c.pk,
            "component_name": c.name,
            "document_type": c.document_type,
            "files": [
                {
                    "id": f.pk,
                    "name": f.name,
                    "kind": f.kind,
                    "size": f.size,
                    "sha256": f.sha256,
                    "created_at": f.created_at,
                    "dossier_code": f.dossier.code,
                }
                for f in offered.get(c.pk, [])
            ],
        }
        for c in components
    ]


@citizen_router.post(
    "/dossiers/{ref}/reuse",
    response={201: FileOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, **_AUTH},
    summary="Đính kèm bằng giấy tờ đã cung cấp",
)
@owned_dossier
def file_reuse(request: HttpRequest, dossier: Dossier, payload: ReuseIn) -> Status:
    """`{component, file_id}`: giấy tờ lấy từ GET …/reusable; không phải tải lên lại (cùng tệp đã lưu, cùng SHA-256)."""
    record = services.dossier_file_reuse(
        dossier=dossier, component_id=payload.component, source_file_id=payload.file_id, actor=request.user
    )
    return Status(201, _file(record))


# --- Cán bộ ----------------------------------------------------------------------------------------
_OFFICER = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


class QueueParams(PageParams):
    pass


def _queue_row(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code or "",
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
        "procedure": {"code": dossier.procedure_version.procedure.code, "name": dossier.procedure_version.name},
        "owner_name": dossier.owner_name,
        "submitted_at": dossier.submitted_at,
        "acceptance_due_at": dossier.acceptance_due_at,
        "appointment_at": dossier.appointment_at,
        "deadline": agency_deadline(dossier),
        "assignee": dossier.assignee.get_full_name() if dossier.assignee else None,
        "step_order": dossier.step_order,
    }


@officer_router.get("/queues", response={200: list[QueueOut], **_OFFICER}, summary="Các hàng đợi và số hồ sơ")
def queues(request: HttpRequest) -> list[dict[str, Any]]:
    counts = queue_counts(request.user, filters=queue_filters(request.user, now=officer_now()))
    return [{"slug": q.slug, "label": str(q.label), "count": counts.get(q.slug, 0)} for q in QUEUES]


@officer_router.get(
    "/queues/{slug}", response={200: QueuePage, 404: ErrorOut, 422: ErrorOut, **_OFFICER}, summary="Một hàng đợi"
)
def queue(request: HttpRequest, slug: str, params: Query[QueueParams]) -> dict[str, Any]:
    """Các hồ sơ của hàng đợi như trên /mot-cua/, gấp nhất trước; chỉ hồ sơ của cơ quan cán bộ."""
    if slug not in QUEUE_SLUGS:
        raise ApplicationError(_("Không có hàng đợi này."), code="not_found")
    conditions = queue_filters(request.user, now=officer_now())
    page = paginate(queue_rows(request.user, slug=slug, conditions=conditions), params)
    page["items"] = [_queue_row(d) for d in page["items"]]
    return page


@officer_router.get(
    "/dossiers/{code}", response={200: OfficerDossier, 404: ErrorOut, **_OFFICER}, summary="Một hồ sơ của cơ quan"
)
def officer_dossier(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = dossier_for_officer(user=request.user, code=code[:_REF_MAX])
    page = dossier_page(dossier=dossier, viewer=request.user)
    # The same read of personal data as the officers' dossier page, so it is audited the same way.
    audit_record(actor=request.user, action=AuditAction.DOSSIER_VIEW, dossier=dossier, data={"via": "api"})
    return {
        **_queue_row(dossier),
        "agency": {"code": dossier.agency.code, "name": dossier.agency.name},
        "received_at": dossier.received_at,
        "returned_at": dossier.returned_at,
        "owner": _owner(dossier),
        "delivery": _delivery(dossier),
        "eform_data": dossier.eform_data if isinstance(dossier.eform_data, dict) else {},
        "components": _components(page.components, None),
        "history": _history(page.timeline),
    }
