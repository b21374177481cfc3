"""Fees of a dossier and the payments made for them. Money is integer đồng, never floats."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dichvucong.payments.constants import PaymentStage, RequestStatus, TransactionStatus


class PaymentRequest(models.Model):
    """What the agency asks the citizen to pay for one dossier, line by line (DESIGN §6, §8)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="payment_requests"
    )
    stage = models.CharField(_("thời điểm thu"), max_length=24, choices=PaymentStage)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=RequestStatus, default=RequestStatus.PENDING, db_index=True
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    note = models.TextField(_("ghi chú"), blank=True)
    exemption_reason = models.TextField(_("lý do miễn"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ yêu cầu"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), default=timezone.now)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    # The receipt's number, given once when the request is paid (per year, like a receipt book).
    receipt_number = models.CharField(_("số biên lai"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("yêu cầu thanh toán")
        verbose_name_plural = _("yêu cầu thanh toán")
        ordering = ("-created_at", "-pk")
        constraints = [
            # At most one request waiting per dossier: the citizen always knows what to pay.
            models.UniqueConstraint(
                fields=("dossier",), condition=models.Q(status="pending"), name="one_pending_request_per_dossier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier} — {self.amount:,} đ".replace(",", ".")


class PaymentLine(models.Model):
    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="lines")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("nội dung"), max_length=500)
    fee_type = models.CharField(_("loại"), max_length=8, blank=True)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    unit_label = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    amount = models.PositiveBigIntegerField(_("thành tiền (đồng)"))

    class Meta:
        verbose_name = _("dòng phí, lệ phí")
        verbose_name_plural = _("dòng phí, lệ phí")
        ordering = ("request", "order", "pk")

    def __str__(self) -> str:
        return self.name


class PaymentTransaction(models.Model):
    """One attempt to pay a request through a gateway; `order_id` is what the gateway calls vnp_TxnRef."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="transactions")
    gateway = models.CharField(_("cổng thanh toán"), max_length=32)
    order_id = models.CharField(_("mã giao dịch của cổng"), max_length=64, unique=True)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=TransactionStatus, default=TransactionStatus.STARTED, db_index=True
    )
    created_at = models.DateTimeField(_("bắt đầu lúc"), default=timezone.now)
    client_ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    # What the gateway said: its transaction number, the bank, the response code, when.
    transaction_no = models.CharField(_("số giao dịch"), max_length=64, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=32, blank=True)
    response_code = models.CharField(_("mã phản hồi"), max_length=8, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    confirmed_by = models.CharField(_("xác nhận qua"), max_length=16, blank=True)  # "ipn" or "query"
    last_checked_at = models.DateTimeField(_("đối soát lần cuối"), null=True, blank=True)
    raw = models.JSONField(_("dữ liệu của cổng"), default=dict, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("status", "created_at"), name="payment_tx_pending")]

    def __str__(self) -> str:
        return self.order_id

    @staticmethod
    def new_order_id() -> str:
        # Unguessable and unique; 32 hex characters fit vnp_TxnRef (≤ 100) and PayGov's order ids.
        return uuid.uuid4().hex


class Refund(models.Model):
    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("số tiền hoàn (đồng)"))
    reason = models.TextField(_("lý do hoàn tiền"))
    reference = models.CharField(_("số chứng từ hoàn tiền"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cán bộ ghi nhận"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("hoàn tiền")
        verbose_name_plural = _("hoàn tiền")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.request} − {self.amount}"


class ReceiptCounter(models.Model):
    """The last receipt number of a year, locked when a receipt is numbered (like the dossier codes)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"
