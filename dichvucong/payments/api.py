"""Fees of the caller's own dossiers in the REST API: read only, as the dossier page lists them.

Paying stays on the pages (/thanh-toan/): a program cannot go through the bank's page. The receipt is the
same PDF as "Tải biên lai thanh toán" (payments.receipts), registered as issued at each download.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from dichvucong.api.auth import token_auth
from dichvucong.api.errors import ErrorOut
from dichvucong.documents.http import pdf_response
from dichvucong.dossiers.api import owned_dossier
from dichvucong.dossiers.models import Dossier
from dichvucong.payments.constants import RequestStatus
from dichvucong.payments.models import PaymentRequest
from dichvucong.payments.receipts import payment_receipt

router = Router(tags=["Phí, lệ phí"], auth=token_auth)

_AUTH = {401: ErrorOut, 429: ErrorOut}
# A receipt exists once the request is paid; a refund keeps it (the refund is recorded against it).
RECEIPT_STATUSES = (RequestStatus.PAID, RequestStatus.REFUNDED)


class PaymentLineOut(Schema):
    name: str
    quantity: int
    unit_label: str
    amount: int = Field(description="Đồng.")


class PaymentAttemptOut(Schema):
    gateway: str
    status: str
    status_label: str
    transaction_no: str
    created_at: datetime
    paid_at: datetime | None


class RefundOut(Schema):
    amount: int
    reason: str
    created_at: datetime


class PaymentOut(Schema):
    id: int
    stage: str
    stage_label: str
    status: str = Field(description="pending (chờ thanh toán), paid, exempted (được miễn), refunded.")
    status_label: str
    amount: int = Field(description="Tổng số tiền, đồng (số nguyên).")
    created_at: datetime
    paid_at: datetime | None
    receipt_number: str = Field(description="Số biên lai; rỗng khi chưa thanh toán.")
    receipt_url: str | None = Field(description="Biên lai thanh toán (PDF) qua API; null khi chưa có.")
    exemption_reason: str
    lines: list[PaymentLineOut]
    attempts: list[PaymentAttemptOut]
    refunds: list[RefundOut]


def _payment(request: HttpRequest, dossier: Dossier, item: PaymentRequest) -> dict[str, Any]:
    has_receipt = item.status in RECEIPT_STATUSES and bool(item.receipt_number)
    return {
        "id": item.pk,
        "stage": item.stage,
        "stage_label": item.get_stage_display(),
        "status": item.status,
        "status_label": item.get_status_display(),
        "amount": item.amount,
        "created_at": item.created_at,
        "paid_at": item.paid_at,
        "receipt_number": item.receipt_number,
        "receipt_url": f"/api/v1/dossiers/{dossier.code}/payments/{item.pk}/receipt" if has_receipt else None,
        "exemption_reason": item.exemption_reason,
        "lines": [
            {"name": line.name, "quantity": line.quantity, "unit_label": line.unit_label, "amount": line.amount}
            for line in item.lines.all()
        ],
        "attempts": [
            {
                "gateway": attempt.gateway,
                "status": attempt.status,
                "status_label": attempt.get_status_display(),
                "transaction_no": attempt.transaction_no,
                "created_at": attempt.created_at,
                "paid_at": attempt.paid_at,
            }
            for attempt in item.transactions.all()
        ],
        "refunds": [
            {"amount": refund.amount, "reason": refund.reason, "created_at": refund.created_at}
            for refund in item.refunds.all()
        ],
    }


@router.get(
    "/dossiers/{ref}/payments",
    response={200: list[PaymentOut], 404: ErrorOut, **_AUTH},
    summary="Phí, lệ phí của hồ sơ",
)
@owned_dossier
def payments(request: HttpRequest, dossier: Dossier) -> list[dict[str, Any]]:
    """Các yêu cầu thanh toán của hồ sơ, cũ nhất trước, như trên trang hồ sơ; thanh toán tại /thanh-toan/."""
    rows = (
        PaymentRequest.objects.filter(dossier=dossier)
        .prefetch_related("lines", "transactions", "refunds")
        .order_by("created_at", "pk")
    )
    return [_payment(request, dossier, item) for item in rows]


@router.get(
    "/dossiers/{ref}/payments/{payment_id}/receipt",
    response={404: ErrorOut, **_AUTH},
    summary="Biên lai thanh toán (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Biên lai thanh toán, PDF có mã QR xác thực.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@owned_dossier
def receipt(request: HttpRequest, dossier: Dossier, payment_id: int) -> HttpResponse:
    """Như “Tải biên lai thanh toán”: chỉ khoản đã thanh toán của hồ sơ này; khoản khác → 404."""
    item = (
        PaymentRequest.objects.select_related("dossier__agency", "dossier__procedure_version__procedure")
        .filter(pk=payment_id, dossier=dossier, status__in=RECEIPT_STATUSES)
        .exclude(receipt_number="")
        .first()
    )
    if item is None:
        raise Http404(_("Không tìm thấy biên lai."))
    response = pdf_response(payment_receipt(request=item), filename=f"bien-lai-{item.receipt_number}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response
