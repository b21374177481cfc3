"""Writes on payments: a request from the procedure's fees, an attempt through a gateway, the gateway's
confirmation (IPN or transaction query), exemptions and refunds.

Money is integer đồng. The dossier moves only through dossiers.services.dossier_transition: the officer's
REQUEST_PAYMENT puts it in "chờ thanh toán", the system's PAYMENT_RECEIVED (or an officer's exemption)
takes it back to where it was.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.catalog.constants import FeeKind
from dichvucong.core.errors import ApplicationError
from dichvucong.core.permissions import ROLE_AGENCY_LEADER, ROLE_ONE_STOP, can_act_for_agency
from dichvucong.dossiers.codes import CODE_TIMEZONE
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.services import dossier_transition
from dichvucong.payments import constants as c
from dichvucong.payments.constants import PaymentStage, RequestStatus, TransactionStatus
from dichvucong.payments.gateways.base import CallbackResult, PaymentOrder
from dichvucong.payments.gateways.registry import gateway as gateway_for
from dichvucong.payments.models import PaymentLine, PaymentRequest, PaymentTransaction, ReceiptCounter, Refund

logger = logging.getLogger(__name__)

PAYMENT_EXPIRES = timedelta(minutes=15)  # how long the gateway's payment page stays valid
RECONCILE_AFTER = timedelta(minutes=5)  # an attempt older than this without an answer is asked about


@dataclass(frozen=True)
class FeeLineAmount:
    name: str
    fee_type: str
    quantity: int
    unit_label: str
    amount: int


def _quantity(dossier: Dossier, field: str) -> int:
    """The quantity a per-unit fee counts (number of copies, pages…) from the dossier's e-form."""
    if not field:
        return 1
    value = (dossier.eform_data or {}).get(field)
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        return 1
    return max(quantity, 0)


def dossier_fees(*, dossier: Dossier) -> list[FeeLineAmount]:
    """The fee lines of the dossier's procedure version with their amounts for this dossier."""
    lines = []
    for line in dossier.procedure_version.fee_lines.all():
        quantity = _quantity(dossier, line.quantity_field) if line.kind == FeeKind.PER_UNIT else 1
        lines.append(
            FeeLineAmount(
                name=line.name,
                fee_type=line.fee_type,
                quantity=quantity,
                unit_label=line.unit_label,
                amount=line.total_for(quantity),
            )
        )
    return lines


def stage_of(dossier: Dossier) -> str:
    if dossier.status == DossierStatus.SUBMITTED:
        return PaymentStage.BEFORE_RECEPTION
    if dossier.status == DossierStatus.RESULT_READY:
        return PaymentStage.BEFORE_RESULT
    return PaymentStage.AFTER_RECEPTION


def payment_request_create(
    *,
    dossier: Dossier,
    actor: AbstractBaseUser,
    note: str = "",
    expected_version: int | None = None,
    lines: list[FeeLineAmount] | None = None,
) -> PaymentRequest:
    """Ask the citizen to pay (Yêu cầu thanh toán phí, lệ phí): the lines from the procedure's fees."""
    lines = dossier_fees(dossier=dossier) if lines is None else lines
    total = sum(line.amount for line in lines)
    if total <= 0:
        raise ApplicationError(
            _("Thủ tục này không có phí, lệ phí phải thu cho hồ sơ (tổng 0 đồng)."), code="nothing_to_pay"
        )
    stage = stage_of(dossier)
    with transaction.atomic():
        moved = dossier_transition(
            dossier_id=dossier.pk,
            action=DossierAction.REQUEST_PAYMENT,
            actor=actor,
            comment=note,
            data={"amount": total, "stage": stage},
            expected_version=expected_version,
        )
        request = PaymentRequest.objects.create(
            dossier=moved, stage=stage, amount=total, note=note.strip(), created_by=actor
        )
        payment_lines_save(request=request, lines=lines)
    return request


def payment_lines_save(*, request: PaymentRequest, lines: list[FeeLineAmount]) -> None:
    PaymentLine.objects.bulk_create(
        PaymentLine(
            request=request,
            order=index,
            name=line.name,
            fee_type=line.fee_type,
            quantity=line.quantity,
            unit_label=line.unit_label,
            amount=line.amount,
        )
        for index, line in enumerate(lines)
    )


def payment_exempt(*, request: PaymentRequest, actor: AbstractBaseUser, reason: str) -> PaymentRequest:
    """Miễn phí, lệ phí with a reason (an officer of the agency: the desk or a leader)."""
    if not can_act_for_agency(actor, request.dossier.agency_id, ROLE_ONE_STOP, ROLE_AGENCY_LEADER):
        raise ApplicationError(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."), code="forbidden")
    if not reason.strip():
        raise ApplicationError(_("Vui lòng nhập lý do miễn phí, lệ phí."), code="comment_required")
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.PENDING:
            raise ApplicationError(_("Yêu cầu thanh toán này không còn chờ thanh toán."), code="invalid_transition")
        locked.status, locked.exemption_reason = RequestStatus.EXEMPTED, reason.strip()
        locked.save(update_fields=["status", "exemption_reason"])
        dossier_transition(
            dossier_id=locked.dossier_id,
            action=DossierAction.CONFIRM_PAYMENT,
            actor=actor,
            comment=_("Miễn phí, lệ phí: %(reason)s") % {"reason": reason.strip()},
        )
    return locked


def payment_start(
    *, request: PaymentRequest, gateway_code: str, client_ip: str, return_url: str, locale: str = "vn"
) -> tuple[PaymentTransaction, str]:
    """A new attempt for a pending request: the transaction row, and the gateway's payment page address."""
    gateway = gateway_for(gateway_code)
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().select_related("dossier").get(pk=request.pk)
        if locked.status != RequestStatus.PENDING or locked.dossier.status != DossierStatus.PAYMENT_REQUESTED:
            raise ApplicationError(_("Hồ sơ này không còn khoản phí nào chờ thanh toán."), code="invalid_transition")
        now = timezone.now()
        attempt = PaymentTransaction.objects.create(
            request=locked,
            gateway=gateway.code,
            order_id=PaymentTransaction.new_order_id(),
            amount=locked.amount,
            client_ip=client_ip or None,
            created_at=now,
        )
    order = PaymentOrder(
        order_id=attempt.order_id,
        amount=attempt.amount,
        description=_("Thanh toán hồ sơ %(code)s") % {"code": locked.dossier.code},
        return_url=return_url,
        client_ip=client_ip or "127.0.0.1",
        created_at=now,
        expires_at=now + PAYMENT_EXPIRES,
        locale=locale,
    )
    return attempt, gateway.payment_url(order)


def _next_receipt_number(moment: datetime) -> str:
    year = moment.astimezone(CODE_TIMEZONE).year
    try:
        with transaction.atomic():
            ReceiptCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another process created it first
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{year}-{counter.last_value:06d}"


def payment_confirm(*, result: CallbackResult, source: str) -> str:
    """Apply the gateway's answer about an attempt; returns the IPN answer code (DESIGN §8).

    01 unknown order, 04 amount differs, 02 already confirmed (a replay, or a second channel: the IPN
    after the query or the other way round), 00 applied (paid: the request and the dossier move on;
    failed or cancelled: the attempt is closed and the request stays payable). Idempotent under
    concurrent duplicates: the attempt's row is locked and its status decides.
    """
    with transaction.atomic():
        attempt = (
            PaymentTransaction.objects.select_for_update()
            .select_related("request")
            .filter(order_id=result.order_id)
            .first()
        )
        if attempt is None:
            return c.IPN_ORDER_NOT_FOUND
        if result.amount is None or result.amount != attempt.amount:
            logger.warning("Payment %s: amount %s, expected %s", attempt.order_id, result.amount, attempt.amount)
            return c.IPN_INVALID_AMOUNT
        if attempt.status != TransactionStatus.STARTED:
            return c.IPN_ALREADY_CONFIRMED
        now = timezone.now()
        attempt.transaction_no = result.transaction_no[:64]
        attempt.bank_code = result.bank_code[:32]
        attempt.response_code = result.response_code[:8]
        attempt.raw = dict(result.raw)
        attempt.confirmed_by = source
        attempt.last_checked_at = now
        if not result.paid:
            cancelled = result.response_code == c.VNPAY_CANCELLED
            attempt.status = TransactionStatus.CANCELLED if cancelled else TransactionStatus.FAILED
            attempt.save()
            return c.IPN_OK
        request = PaymentRequest.objects.select_for_update().get(pk=attempt.request_id)
        attempt.status = TransactionStatus.PAID
        attempt.paid_at = result.paid_at or now
        attempt.save()
        if request.status != RequestStatus.PENDING:
            # Paid twice (two attempts both went through): recorded, for the officers' report and a refund.
            logger.error("Payment request %s paid again by %s", request.pk, attempt.order_id)
            return c.IPN_OK
        request.status = RequestStatus.PAID
        request.paid_at = attempt.paid_at
        request.receipt_number = _next_receipt_number(attempt.paid_at)
        request.save(update_fields=["status", "paid_at", "receipt_number"])
        dossier = Dossier.objects.filter(pk=request.dossier_id).values_list("status", flat=True).first()
        if dossier == DossierStatus.PAYMENT_REQUESTED:
            dossier_transition(
                dossier_id=request.dossier_id,
                action=DossierAction.PAYMENT_RECEIVED,
                actor=None,
                data={"amount": request.amount, "receipt": request.receipt_number, "transaction": attempt.order_id},
            )
    return c.IPN_OK


def payment_ipn(*, params: Mapping[str, str]) -> dict[str, str]:
    """The gateway's server-to-server call: the signature first (97), then the order (01), the amount
    (04), a repeat (02), else applied (00). Unknown orders are checked against every configured
    gateway's secret, so a forged call learns nothing about which orders exist."""
    from dichvucong.payments.gateways.registry import available_gateways, gateway_for_callback

    code = _gateway_of(params)
    named = gateway_for_callback(params)
    candidates = [gateway_for(code)] if code else ([named] if named else list(available_gateways()))
    for gateway in candidates:
        result = gateway.parse_callback(params)
        if result.signature_valid:
            break
    else:
        return _vnpay_answer(c.IPN_BAD_SIGNATURE, candidates)
    try:
        answer = payment_confirm(result=result, source="ipn")
    except Exception:
        logger.exception("Payment IPN for %s failed", result.order_id)
        answer = c.IPN_OTHER
    return gateway.ipn_response(answer)


def _vnpay_answer(code: str, candidates: list[Any]) -> dict[str, str]:
    if candidates:
        return candidates[0].ipn_response(code)
    return {"RspCode": code, "Message": "Invalid signature"}


def _gateway_of(params: Mapping[str, str]) -> str | None:
    """Which gateway an attempt went through, from the order id the callback names."""
    order_id = params.get("vnp_TxnRef") or params.get("orderId") or params.get("order_id") or ""
    return PaymentTransaction.objects.filter(order_id=order_id[:64]).values_list("gateway", flat=True).first()


def payment_reconcile(*, now: datetime | None = None, older_than: timedelta = RECONCILE_AFTER) -> dict[str, int]:
    """Ask the gateways about attempts left without an answer (a lost IPN must not leave a paid dossier
    unpaid); apply what they say. Returns counts by outcome."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    pending = PaymentTransaction.objects.filter(
        status=TransactionStatus.STARTED, created_at__lte=now - older_than, created_at__gte=now - timedelta(days=7)
    ).order_by("created_at")[:200]
    for attempt in pending:
        try:
            gateway = gateway_for(attempt.gateway)
            if not gateway.supports_query:
                continue  # this gateway has no transaction query: its IPN is the only word
            answer = gateway.query(attempt.order_id, attempt.created_at, client_ip="127.0.0.1", now=now)
        except Exception:
            logger.exception("Payment %s: the transaction query failed", attempt.order_id)
            counts["error"] = counts.get("error", 0) + 1
            continue
        PaymentTransaction.objects.filter(pk=attempt.pk).update(last_checked_at=now)
        if answer.in_progress:
            # The citizen may still be on the bank's page: closing the attempt now would refuse their payment.
            counts["in_progress"] = counts.get("in_progress", 0) + 1
            continue
        if not answer.found:
            counts["unknown"] = counts.get("unknown", 0) + 1
            continue
        result = CallbackResult(
            signature_valid=True,
            order_id=attempt.order_id,
            amount=answer.amount,
            paid=answer.paid,
            response_code=answer.response_code,
            transaction_status=answer.transaction_status,
            transaction_no=answer.transaction_no,
            bank_code=answer.bank_code,
            paid_at=answer.paid_at,
            raw=dict(answer.raw),
        )
        code = payment_confirm(result=result, source="query")
        outcome = "paid" if answer.paid and code == c.IPN_OK else ("closed" if code == c.IPN_OK else code)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def payment_refund(
    *, request: PaymentRequest, actor: AbstractBaseUser, amount: int, reason: str, reference: str = ""
) -> Refund:
    """Record a refund made outside the portal (bank transfer, cash at the desk)."""
    if not can_act_for_agency(actor, request.dossier.agency_id, ROLE_ONE_STOP, ROLE_AGENCY_LEADER):
        raise ApplicationError(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."), code="forbidden")
    if not reason.strip():
        raise ApplicationError(_("Vui lòng nhập lý do hoàn tiền."), code="comment_required")
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        refunded = sum(locked.refunds.values_list("amount", flat=True))
        if (
            locked.status not in (RequestStatus.PAID, RequestStatus.REFUNDED)
            or not 0 < amount <= locked.amount - refunded
        ):
            raise ApplicationError(_("Số tiền hoàn không hợp lệ."), code="invalid")
        refund = Refund.objects.create(
            request=locked, amount=amount, reason=reason.strip(), reference=reference.strip(), created_by=actor
        )
        if refunded + amount == locked.amount:
            locked.status = RequestStatus.REFUNDED
            locked.save(update_fields=["status"])
    return refund


def request_for_payment(*, dossier: Dossier) -> PaymentRequest | None:
    """The request the citizen can pay now: pending, on a dossier still waiting for it (not withdrawn)."""
    if dossier.status != DossierStatus.PAYMENT_REQUESTED:
        return None
    return (
        PaymentRequest.objects.filter(dossier=dossier, status=RequestStatus.PENDING).prefetch_related("lines").first()
    )


def payment_record_at_desk(*, request: PaymentRequest, actor: AbstractBaseUser, expected_version: int | None = None):
    """Xác nhận đã thanh toán: the citizen paid at the one-stop desk; numbered like an online payment."""
    if not can_act_for_agency(actor, request.dossier.agency_id, ROLE_ONE_STOP):
        raise ApplicationError(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."), code="forbidden")
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.PENDING:
            raise ApplicationError(_("Yêu cầu thanh toán này không còn chờ thanh toán."), code="invalid_transition")
        now = timezone.now()
        locked.status, locked.paid_at = RequestStatus.PAID, now
        locked.receipt_number = _next_receipt_number(now)
        locked.save(update_fields=["status", "paid_at", "receipt_number"])
        return dossier_transition(
            dossier_id=locked.dossier_id,
            action=DossierAction.CONFIRM_PAYMENT,
            actor=actor,
            comment=_("Đã nộp tại Bộ phận Một cửa."),
            data={"amount": locked.amount, "receipt": locked.receipt_number},
            expected_version=expected_version,
        )


@dataclass(frozen=True)
class ReportRow:
    """One transaction of the day: what we recorded against what the gateway says."""

    transaction: PaymentTransaction
    recorded_paid: bool
    gateway_found: bool
    gateway_paid: bool
    gateway_amount: int | None
    problem: str  # empty when both agree


def payment_daily_report(*, transactions: Any, now: datetime | None = None) -> list[ReportRow]:
    """Đối soát: ask the gateway about each of the day's transactions and list where it disagrees."""
    now = now or timezone.now()
    rows = []
    for attempt in transactions:
        recorded = attempt.status == TransactionStatus.PAID
        try:
            gateway = gateway_for(attempt.gateway)
            if not gateway.supports_query:
                rows.append(
                    ReportRow(attempt, recorded, False, False, None, _("Cổng này không hỗ trợ tra cứu giao dịch."))
                )
                continue
            answer = gateway.query(attempt.order_id, attempt.created_at, client_ip="127.0.0.1", now=now)
        except Exception:
            logger.exception("Payment %s: the transaction query failed", attempt.order_id)
            rows.append(ReportRow(attempt, recorded, False, False, None, _("Không hỏi được cổng thanh toán.")))
            continue
        problem = ""
        if not answer.found:
            problem = _("Cổng thanh toán không có giao dịch này.") if recorded else ""
        elif answer.paid != recorded:
            problem = (
                _("Cổng báo đã thanh toán nhưng hệ thống chưa ghi nhận.")
                if answer.paid
                else _("Hệ thống ghi đã thanh toán nhưng cổng báo chưa.")
            )
        elif answer.paid and answer.amount != attempt.amount:
            problem = _("Số tiền khác nhau.")
        rows.append(ReportRow(attempt, recorded, answer.found, answer.paid, answer.amount, problem))
    return rows
