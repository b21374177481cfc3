"""The sandbox bank: the bank's side of the VNPay protocol, played by the app itself in development.

It checks a payment URL as VNPay would (merchant 02, signature 97, format 03, expiry 11, an order
already paid or refused 01), lets the tester choose the outcome, then signs the callback, sends the
IPN server to server and sends the browser back to vnp_ReturnUrl. It answers querydr from what it
recorded, so reconciliation can be tried offline.

Outcomes (VNPay's documented codes)
  approve   vnp_ResponseCode 00  vnp_TransactionStatus 00   paid
  decline   vnp_ResponseCode 51  vnp_TransactionStatus 02   insufficient funds
  cancel    vnp_ResponseCode 24  vnp_TransactionStatus 02   the customer cancelled
Every outcome gets its own vnp_TransactionNo (real VNPay may send "0" for a cancelled payment).

The record is kept in Django's cache (the database table or Redis in this project: shared by every
process) for STORE_DAYS; a transaction the tester has opened but not decided is answered by querydr
with vnp_TransactionStatus "01" (not completed).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dichvucong.payments.gateways import vnpay
from dichvucong.payments.gateways.registry import sandbox_credentials

logger = logging.getLogger(__name__)

STORE_DAYS = 30
BANK_CODE = "NCB"  # VNPay's own test bank
CARD_TYPE = "ATM"
IPN_ATTEMPTS = 3
IPN_TIMEOUT = 5  # seconds per attempt
# The answers that end IPN delivery; anything else (99, no answer, not JSON) is tried again.
IPN_FINAL_ANSWERS = frozenset({"00", "01", "02", "04", "97"})
REQUEST_ID_SECONDS = 300  # querydr: the same vnp_RequestId within this window is a duplicate (94)

# The payment page's errors, as VNPay numbers them.
ERROR_ALREADY_EXISTS = "01"
ERROR_MERCHANT = "02"
ERROR_FORMAT = "03"
ERROR_EXPIRED = "11"
ERROR_SIGNATURE = "97"

QUERY_MESSAGES = {
    "00": "QueryDR Success",
    "02": "Invalid merchant",
    "03": "Invalid request format",
    "91": "Transaction not found",
    "94": "Duplicate request",
    "97": "Invalid checksum",
    "99": "Unknown error",
}


@dataclass(frozen=True)
class Outcome:
    code: str
    response_code: str
    transaction_status: str
    label: str | Promise


OUTCOMES = {
    outcome.code: outcome
    for outcome in (
        Outcome("approve", "00", "00", _("Xác nhận thanh toán")),
        Outcome("decline", "51", "02", _("Từ chối: tài khoản không đủ số dư")),
        Outcome("cancel", "24", "02", _("Hủy giao dịch")),
    )
}


class BankError(Exception):
    """The bank refuses the payment URL: shown to the customer as the bank's own error page."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Payment:
    """A payment URL the bank has checked."""

    tmn_code: str
    txn_ref: str
    amount: int
    order_info: str
    return_url: str
    create_date: str  # as sent: the key querydr finds the transaction by
    created_at: datetime
    expires_at: datetime | None
    bank_code: str
    locale: str
    params: dict[str, str]


@dataclass(frozen=True)
class Decision:
    callback: dict[str, str]  # the signed parameters of the return URL and the IPN
    first: bool  # False: the tester pressed again; nothing new happened


# --- The payment page ---------------------------------------------------------------------------
def read_payment(params: Mapping[str, str], *, now: datetime) -> Payment:
    """Check a payment URL's parameters like VNPay's payment page; BankError says why not."""
    tmn_code, secret = sandbox_credentials()
    raw, repeated = vnpay.flatten(params)
    if repeated:
        raise BankError(ERROR_FORMAT, _("Dữ liệu gửi sang không đúng định dạng."))
    if raw.get("vnp_TmnCode") != tmn_code:
        raise BankError(ERROR_MERCHANT, _("Mã đơn vị chấp nhận thanh toán (vnp_TmnCode) không hợp lệ."))
    if not vnpay.verify(raw, secret):
        raise BankError(ERROR_SIGNATURE, _("Chữ ký không hợp lệ: dữ liệu thanh toán đã bị thay đổi."))
    amount = vnpay.from_vnp_amount(raw.get("vnp_Amount"))
    created_at = vnpay.parse_date(raw.get("vnp_CreateDate"))
    expire_date = raw.get("vnp_ExpireDate", "")
    expires_at = vnpay.parse_date(expire_date)
    wellformed = (
        raw.get("vnp_Version") == vnpay.VERSION
        and raw.get("vnp_Command") == "pay"
        and raw.get("vnp_CurrCode") == vnpay.CURRENCY
        and bool(amount)
        and bool(raw.get("vnp_TxnRef"))
        and bool(raw.get("vnp_OrderInfo"))
        and bool(raw.get("vnp_IpAddr"))
        and raw.get("vnp_Locale") in ("vn", "en")
        and urlsplit(raw.get("vnp_ReturnUrl", "")).scheme in {"http", "https"}
        and created_at is not None
        and (not expire_date or expires_at is not None)
    )
    if not wellformed or amount is None or created_at is None:
        raise BankError(ERROR_FORMAT, _("Dữ liệu gửi sang không đúng định dạng."))
    if expires_at is not None and expires_at < now:
        raise BankError(ERROR_EXPIRED, _("Đã hết thời gian chờ thanh toán. Xin vui lòng thực hiện lại giao dịch."))
    return Payment(
        tmn_code=tmn_code,
        txn_ref=raw["vnp_TxnRef"],
        amount=amount,
        order_info=raw["vnp_OrderInfo"],
        return_url=raw["vnp_ReturnUrl"],
        create_date=raw["vnp_CreateDate"],
        created_at=created_at,
        expires_at=expires_at,
        bank_code=raw.get("vnp_BankCode") or BANK_CODE,
        locale=raw["vnp_Locale"],
        params=vnpay.signed_part(raw),
    )


def _key(tmn_code: str, txn_ref: str) -> str:
    return f"payments:sandbox:{tmn_code}:{txn_ref}"


def lookup(tmn_code: str, txn_ref: str) -> dict[str, Any] | None:
    return cache.get(_key(tmn_code, txn_ref))


def is_decided(payment: Payment) -> bool:
    record = lookup(payment.tmn_code, payment.txn_ref)
    return bool(record and record.get("transaction_status") != "01")


def record_opened(payment: Payment) -> None:
    """The customer reached the bank: querydr now knows the transaction, not completed ("01")."""
    cache.add(
        _key(payment.tmn_code, payment.txn_ref),
        {
            "txn_ref": payment.txn_ref,
            "amount": payment.amount,
            "order_info": payment.order_info,
            "bank_code": payment.bank_code,
            "create_date": payment.create_date,
            "transaction_status": "01",
            "response_code": "",
            "transaction_no": "",
            "pay_date": "",
        },
        timeout=STORE_DAYS * 86400,
    )


def _new_transaction_no() -> str:
    # Unique across processes: cache.add is atomic (an INSERT, or Redis SET NX).
    while True:
        candidate = str(10_000_000 + secrets.randbelow(90_000_000))
        if cache.add(f"payments:sandbox:transaction-no:{candidate}", 1, timeout=STORE_DAYS * 86400):
            return candidate


def decide(payment: Payment, outcome: Outcome, *, now: datetime) -> Decision:
    """Settle the payment once; a second press of any button gets the first decision back."""
    _tmn_code, secret = sandbox_credentials()
    key = _key(payment.tmn_code, payment.txn_ref)
    if not cache.add(f"{key}:decided", outcome.code, timeout=STORE_DAYS * 86400):
        record = lookup(payment.tmn_code, payment.txn_ref) or {}
        return Decision(callback=dict(record.get("callback") or {}), first=False)
    transaction_no = _new_transaction_no()
    pay_date = vnpay.format_date(now)
    callback = {
        "vnp_Amount": vnpay.to_vnp_amount(payment.amount),
        "vnp_BankCode": payment.bank_code,
        "vnp_BankTranNo": f"{payment.bank_code}{pay_date}" if outcome.response_code != "24" else "",
        "vnp_CardType": CARD_TYPE,
        "vnp_OrderInfo": payment.order_info,
        "vnp_PayDate": pay_date,
        "vnp_ResponseCode": outcome.response_code,
        "vnp_TmnCode": payment.tmn_code,
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionStatus": outcome.transaction_status,
        "vnp_TxnRef": payment.txn_ref,
    }
    callback = {name: value for name, value in callback.items() if value}
    callback[vnpay.HASH_PARAM] = vnpay.sign(callback, secret)
    cache.set(
        key,
        {
            "txn_ref": payment.txn_ref,
            "amount": payment.amount,
            "order_info": payment.order_info,
            "bank_code": payment.bank_code,
            "create_date": payment.create_date,
            "transaction_status": outcome.transaction_status,
            "response_code": outcome.response_code,
            "transaction_no": transaction_no,
            "pay_date": pay_date,
            "callback": callback,
        },
        timeout=STORE_DAYS * 86400,
    )
    logger.info(
        "Sandbox bank: %s %s (%s đồng) → %s/%s, transaction %s",
        outcome.code,
        payment.txn_ref,
        payment.amount,
        outcome.response_code,
        outcome.transaction_status,
        transaction_no,
    )
    return Decision(callback=callback, first=True)


def return_url_with(return_url: str, callback: Mapping[str, str]) -> str:
    separator = "&" if "?" in return_url else "?"
    return f"{return_url}{separator}{urlencode(sorted(callback.items()))}"


# --- IPN --------------------------------------------------------------------------------------------
def ipn_url(request: HttpRequest | None = None) -> str:
    """PAYMENT_SANDBOX_IPN_URL, else the payments app's VNPay IPN route on the host that was asked."""
    configured = str(getattr(settings, "PAYMENT_SANDBOX_IPN_URL", "") or "")
    if configured or request is None:
        return configured
    try:
        return request.build_absolute_uri(reverse("payments:vnpay_ipn"))
    except NoReverseMatch:
        return ""


def ipn_dropped() -> bool:
    value: Any = getattr(settings, "PAYMENT_SANDBOX_DROP_IPN", False)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@dataclass(frozen=True)
class IpnDelivery:
    url: str
    attempts: int
    answer: dict[str, Any] | None  # the merchant's JSON answer to the last attempt
    error: str = ""


def deliver_ipn(url: str, callback: Mapping[str, str], *, attempts: int = IPN_ATTEMPTS) -> IpnDelivery:
    """GET the IPN URL with the callback, as VNPay does; again (briefly) until a final RspCode."""
    if urlsplit(url).scheme not in {"http", "https"}:
        logger.warning("Sandbox bank: IPN URL %r is not http(s); no IPN sent", url)
        return IpnDelivery(url=url, attempts=0, answer=None, error="not an http(s) URL")
    target = return_url_with(url, callback)
    answer: dict[str, Any] | None = None
    error = ""
    attempt = 0
    for attempt in range(1, attempts + 1):
        answer, error = _ipn_once(target)
        logger.info("Sandbox bank: IPN %s attempt %s → %s", callback.get("vnp_TxnRef"), attempt, answer or error)
        if answer is not None and str(answer.get("RspCode")) in IPN_FINAL_ANSWERS:
            break
        if attempt < attempts:
            time.sleep(0.2 * attempt)
    return IpnDelivery(url=url, attempts=attempt, answer=answer, error=error)


def _ipn_once(target: str) -> tuple[dict[str, Any] | None, str]:
    request = urllib.request.Request(target, headers={"Accept": "application/json"}, method="GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=IPN_TIMEOUT) as response:  # noqa: S310 (checked by the caller)
            payload = response.read()
    except urllib.error.HTTPError as exc:
        return None, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return None, f"{exc.__class__.__name__}: {getattr(exc, 'reason', exc)}"
    try:
        answer = json.loads(payload.decode("utf-8"))
    except ValueError:
        return None, f"not JSON: {payload[:200]!r}"
    return (answer, "") if isinstance(answer, dict) else (None, f"not an object: {payload[:200]!r}")


# --- querydr ----------------------------------------------------------------------------------------
def querydr_answer(body: Any, *, now: datetime) -> dict[str, str]:
    """VNPay's answer to a transaction query, checksum included, from what the bank recorded."""
    tmn_code, secret = sandbox_credentials()
    if not isinstance(body, dict):
        return _query_answer({}, "03", tmn_code, secret)
    if str(body.get("vnp_TmnCode", "")) != tmn_code:
        return _query_answer(body, "02", tmn_code, secret)
    expected = vnpay.field_checksum(body, vnpay.QUERY_REQUEST_FIELDS, secret)
    if not vnpay.same_hash(expected, str(body.get(vnpay.HASH_PARAM) or "")):
        return _query_answer(body, "97", tmn_code, secret)
    required = ("vnp_RequestId", "vnp_TxnRef", "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr")
    if (
        body.get("vnp_Command") != "querydr"
        or body.get("vnp_Version") != vnpay.VERSION
        or any(not str(body.get(name) or "") for name in required)
        or vnpay.parse_date(str(body["vnp_TransactionDate"])) is None
        or vnpay.parse_date(str(body["vnp_CreateDate"])) is None
    ):
        return _query_answer(body, "03", tmn_code, secret)
    request_key = f"payments:sandbox:request-id:{tmn_code}:{body['vnp_RequestId']}"
    if not cache.add(request_key, 1, timeout=REQUEST_ID_SECONDS):
        return _query_answer(body, "94", tmn_code, secret)
    record = lookup(tmn_code, str(body["vnp_TxnRef"]))
    # Like VNPay, the transaction is found by its reference and the date it was created.
    if record is None or record["create_date"] != str(body["vnp_TransactionDate"]):
        return _query_answer(body, "91", tmn_code, secret)
    return _query_answer(
        body,
        "00",
        tmn_code,
        secret,
        vnp_TxnRef=record["txn_ref"],
        vnp_Amount=vnpay.to_vnp_amount(record["amount"]),
        vnp_OrderInfo=record["order_info"],
        vnp_BankCode=record["bank_code"],
        vnp_PayDate=record["pay_date"],
        vnp_TransactionNo=record["transaction_no"],
        vnp_TransactionType=vnpay.TRANSACTION_TYPE_PAYMENT,
        vnp_TransactionStatus=record["transaction_status"],
        vnp_PromotionCode="",
        vnp_PromotionAmount="",
    )


def _query_answer(body: Mapping[str, Any], code: str, tmn_code: str, secret: str, **fields: str) -> dict[str, str]:
    answer = {
        "vnp_ResponseId": uuid.uuid4().hex,
        "vnp_Command": "querydr",
        "vnp_ResponseCode": code,
        "vnp_Message": QUERY_MESSAGES[code],
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": str(body.get("vnp_TxnRef") or ""),
        **fields,
    }
    answer[vnpay.HASH_PARAM] = vnpay.field_checksum(answer, vnpay.QUERY_RESPONSE_FIELDS, secret)
    return answer
