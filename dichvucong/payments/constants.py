"""Payment requests and transactions: their states, in Vietnamese (CONVENTIONS #4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStage(models.TextChoices):
    """When the fee is due (DESIGN §8): the request moves the dossier to "chờ thanh toán" until paid."""

    BEFORE_RECEPTION = "before_reception", _("Trước khi tiếp nhận")
    AFTER_RECEPTION = "after_reception", _("Sau khi tiếp nhận")
    BEFORE_RESULT = "before_result", _("Trước khi trả kết quả")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    EXEMPTED = "exempted", _("Được miễn")
    REFUNDED = "refunded", _("Đã hoàn tiền")


class TransactionStatus(models.TextChoices):
    """One attempt to pay through a gateway."""

    STARTED = "started", _("Đang thanh toán")
    PAID = "paid", _("Thành công")
    FAILED = "failed", _("Không thành công")
    CANCELLED = "cancelled", _("Đã hủy")


# VNPay IPN answers (DESIGN §8): what the gateway reads from our endpoint.
IPN_OK = "00"
IPN_ORDER_NOT_FOUND = "01"
IPN_ALREADY_CONFIRMED = "02"
IPN_INVALID_AMOUNT = "04"
IPN_BAD_SIGNATURE = "97"
IPN_OTHER = "99"
# VNPay's "customer cancelled" response code (the others that are not "00" are failures).
VNPAY_CANCELLED = "24"
