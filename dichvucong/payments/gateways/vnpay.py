"""The VNPay payment gateway protocol, version 2.1.0 (DESIGN §8), for "vnpay" and the sandbox bank.

Payment (browser redirect, GET). The parameters vnp_Version=2.1.0, vnp_Command=pay, vnp_TmnCode,
vnp_Amount (đồng × 100), vnp_CurrCode=VND, vnp_TxnRef, vnp_OrderInfo, vnp_OrderType, vnp_Locale,
vnp_ReturnUrl, vnp_IpAddr, vnp_CreateDate, vnp_ExpireDate and, only when the citizen chose a bank,
vnp_BankCode are signed thus:

1. drop the parameters whose value is empty, sort the rest by key;
2. URL-encode key and value with `quote_plus` (UTF-8, space as "+", upper-case %XX) and join
   `key=value` pairs with "&" — the hash data, which is also the query string;
3. HMAC-SHA512 of the hash data with the merchant's secret, lower-case hex, sent as vnp_SecureHash.

Dates are yyyyMMddHHmmss in GMT+7, whatever zone the datetime given is in. vnp_OrderInfo is folded to
unaccented ASCII without special characters, as VNPay's parameter table asks ("Tiếng Việt không
dấu"); that also keeps it clear of the few characters (~ * ! ' ( )) that VNPay's sample code in other
languages encodes differently from Python.

Return URL and IPN (the bank's GET, same parameters). Verified by recomputing the hash over every
vnp_ parameter except vnp_SecureHash and vnp_SecureHashType (2.0.x sent the latter; it was never part
of the hashed data), compared in constant time and case-insensitively. Paid means vnp_ResponseCode
"00" and vnp_TransactionStatus "00".

Transaction query (vnp_Command=querydr; JSON POST to the API URL). Its checksum is not the sorted
query string but HMAC-SHA512 of the fields joined with "|" in the order VNPay documents:
  request:  RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo
  response: ResponseId|Command|ResponseCode|Message|TmnCode|TxnRef|Amount|BankCode|PayDate|
            TransactionNo|TransactionType|TransactionStatus|OrderInfo|PromotionCode|PromotionAmount
(each name with its vnp_ prefix; a missing field is an empty string). vnp_TransactionDate is the
payment's vnp_CreateDate. Response codes: 00 answered, 91 transaction not found, 02 bad merchant,
03 bad format, 94 duplicate request, 97 bad checksum, 99 other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote_plus, urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dichvucong.payments.gateways.base import (
    CallbackResult,
    Gateway,
    GatewayError,
    PaymentOrder,
    QueryResult,
    whole_dong,
)

VERSION = "2.1.0"
CURRENCY = "VND"
GMT7 = timezone(timedelta(hours=7), "GMT+7")
DATE_FORMAT = "%Y%m%d%H%M%S"
# vnp_ExpireDate when the order names none: the expiry VNPay's own sample code uses.
DEFAULT_EXPIRY = timedelta(minutes=15)
ORDER_INFO_MAX = 255
# vnp_Amount is Numeric[1,12]: at most 999 999 999 999 hundredths of a đồng.
MAX_AMOUNT = 999_999_999_999 // 100

HASH_PARAM = "vnp_SecureHash"
HASH_TYPE_PARAM = "vnp_SecureHashType"

RESPONSE_SUCCESS = "00"
TRANSACTION_SUCCESS = "00"
QUERY_NOT_FOUND = "91"
TRANSACTION_TYPE_PAYMENT = "01"

QUERY_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)

_TXN_REF = re.compile(r"[A-Za-z0-9_-]{1,100}")
_ORDER_INFO_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,:/#-]+")
_DATE = re.compile(r"[0-9]{14}")


# --- Encoding and signing ---------------------------------------------------------------------------
def format_date(moment: datetime) -> str:
    """yyyyMMddHHmmss in GMT+7: 2025-03-01 01:30:00 UTC → "20250301083000"."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"VNPay dates need an aware datetime (got {moment!r}).")
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_date(text: str | None) -> datetime | None:
    """The inverse of format_date; None for a missing or malformed date."""
    if not text or not _DATE.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT).replace(tzinfo=GMT7)
    except ValueError:
        return None


def to_vnp_amount(amount: int) -> str:
    return str(amount * 100)


def from_vnp_amount(value: object) -> int | None:
    """vnp_Amount back to đồng: "15000000" → 150000; None unless a non-negative multiple of 100."""
    hundredths = whole_dong(value)
    if hundredths is None or hundredths % 100:
        return None
    return hundredths // 100


def hash_data(params: Mapping[str, object]) -> str:
    """The sorted, URL-encoded `key=value&…` string that is signed (and sent as the query string)."""
    pairs = sorted((str(key), str(value)) for key, value in params.items() if value is not None and str(value) != "")
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in pairs)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def sign(params: Mapping[str, object], secret: str) -> str:
    return hmac_sha512(secret, hash_data(params))


def signed_part(params: Mapping[str, str]) -> dict[str, str]:
    """The parameters a callback's hash covers: every vnp_ one but the hash and its (old) type."""
    return {
        key: value
        for key, value in params.items()
        if key.startswith("vnp_") and key not in (HASH_PARAM, HASH_TYPE_PARAM)
    }


def same_hash(expected: str, received: str) -> bool:
    # Bytes, because compare_digest refuses non-ASCII str and a forged hash may contain anything.
    return hmac.compare_digest(expected.lower().encode(), received.strip().lower().encode())


def verify(params: Mapping[str, str], secret: str) -> bool:
    received = params.get(HASH_PARAM) or ""
    return bool(received) and same_hash(sign(signed_part(params), secret), received)


def field_checksum(data: Mapping[str, Any], names: Iterable[str], secret: str) -> str:
    """The querydr checksum: the named fields' values joined with "|", HMAC-SHA512, lower-case hex."""
    return hmac_sha512(secret, "|".join(_text(data.get(name)) for name in names))


def ascii_order_info(text: str, *, fallback: str = "") -> str:
    """vnp_OrderInfo as VNPay wants it: "Lệ phí hộ tịch (bản sao)" → "Le phi ho tich ban sao"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    text = " ".join(_ORDER_INFO_UNSAFE.sub(" ", text).split())
    return (text or fallback)[:ORDER_INFO_MAX]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def flatten(params: Mapping[str, Any]) -> tuple[dict[str, str], bool]:
    """(one string per key, whether a vnp_ key came more than once).

    A QueryDict keeps every value of a repeated key and hands out the last; a repeated vnp_ key is
    never the bank's doing, and which copy was signed cannot be known, so the caller refuses it.
    """
    repeated = False
    if hasattr(params, "getlist"):
        repeated = any(len(params.getlist(key)) > 1 for key in params if str(key).startswith("vnp_"))
    return {str(key): _text(params[key]) for key in params}, repeated


# --- The merchant's side ----------------------------------------------------------------------------
class VNPayGateway(Gateway):
    """A merchant of a VNPay payment gateway: VNPay itself, or the app's own sandbox bank."""

    def __init__(
        self,
        *,
        tmn_code: str,
        hash_secret: str,
        pay_endpoint: str,
        api_endpoint: str,
        order_type: str = "other",
        timeout: float = 15,
        code: str = "vnpay",
        label: str | Promise | None = None,
    ) -> None:
        self.code = code
        self.label = label if label is not None else _("Ngân hàng / ví điện tử qua VNPay")
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.pay_endpoint = pay_endpoint
        self.api_endpoint = api_endpoint
        self.order_type = order_type or "other"
        self.timeout = timeout

    # Payment ------------------------------------------------------------------------------------
    def payment_params(self, order: PaymentOrder) -> dict[str, str]:
        """The payment's parameters, vnp_SecureHash included."""
        if not _TXN_REF.fullmatch(order.order_id):
            raise ValueError(f"vnp_TxnRef takes 1–100 letters, digits, '-' or '_' (got {order.order_id!r}).")
        if order.amount > MAX_AMOUNT:
            raise ValueError(f"{order.amount} đồng is more than vnp_Amount can carry.")
        if urlsplit(order.return_url).scheme not in {"http", "https"}:
            raise ValueError(f"vnp_ReturnUrl must be an absolute http(s) URL (got {order.return_url!r}).")
        expires_at = order.expires_at or order.created_at + DEFAULT_EXPIRY
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": to_vnp_amount(order.amount),
            "vnp_CurrCode": CURRENCY,
            "vnp_TxnRef": order.order_id,
            "vnp_OrderInfo": ascii_order_info(order.description, fallback=f"Thanh toan {order.order_id}"),
            "vnp_OrderType": self.order_type,
            "vnp_Locale": order.locale,
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": order.client_ip,
            "vnp_CreateDate": format_date(order.created_at),
            "vnp_ExpireDate": format_date(expires_at),
        }
        if order.bank_code:
            params["vnp_BankCode"] = order.bank_code
        params[HASH_PARAM] = sign(params, self.hash_secret)
        return params

    def payment_url(self, order: PaymentOrder) -> str:
        params = self.payment_params(order)
        secure_hash = params.pop(HASH_PARAM)
        separator = "&" if "?" in self.pay_endpoint else "?"
        return f"{self.pay_endpoint}{separator}{hash_data(params)}&{HASH_PARAM}={secure_hash}"

    # Callbacks ----------------------------------------------------------------------------------
    def owns_callback(self, params: Mapping[str, str]) -> bool:
        return bool(self.tmn_code) and params.get("vnp_TmnCode") == self.tmn_code

    def parse_callback(self, params: Mapping[str, str]) -> CallbackResult:
        raw, repeated = flatten(params)
        signature_valid = not repeated and self.owns_callback(raw) and verify(raw, self.hash_secret)
        response_code = raw.get("vnp_ResponseCode", "")
        transaction_status = raw.get("vnp_TransactionStatus", "")
        return CallbackResult(
            signature_valid=signature_valid,
            order_id=raw.get("vnp_TxnRef", ""),
            amount=from_vnp_amount(raw.get("vnp_Amount")),
            paid=signature_valid and response_code == RESPONSE_SUCCESS and transaction_status == TRANSACTION_SUCCESS,
            response_code=response_code,
            transaction_status=transaction_status,
            transaction_no=raw.get("vnp_TransactionNo", ""),
            bank_code=raw.get("vnp_BankCode", ""),
            paid_at=parse_date(raw.get("vnp_PayDate")),
            raw=raw,
        )

    # Transaction query --------------------------------------------------------------------------
    def querydr_request(
        self, order_id: str, transaction_date: datetime, *, client_ip: str, now: datetime, request_id: str
    ) -> dict[str, str]:
        """The signed JSON body of a querydr request (request_id: unique, 1–32 letters or digits)."""
        body = {
            "vnp_RequestId": request_id,
            "vnp_Version": VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": order_id,
            "vnp_OrderInfo": ascii_order_info(f"Truy van giao dich {order_id}"),
            "vnp_TransactionDate": format_date(transaction_date),
            "vnp_CreateDate": format_date(now),
            "vnp_IpAddr": client_ip,
        }
        body[HASH_PARAM] = field_checksum(body, QUERY_REQUEST_FIELDS, self.hash_secret)
        return body

    def query(self, order_id: str, transaction_date: datetime, *, client_ip: str, now: datetime) -> QueryResult:
        body = self.querydr_request(
            order_id, transaction_date, client_ip=client_ip, now=now, request_id=uuid.uuid4().hex
        )
        answer = self._post_json(body)
        return self.read_query_answer(answer, order_id=order_id)

    def read_query_answer(self, answer: Any, *, order_id: str) -> QueryResult:
        """Check a querydr answer's checksum and read it; GatewayError unless it is 00 or 91."""
        if not isinstance(answer, Mapping):
            raise GatewayError(gettext("Cổng thanh toán trả lời không đúng định dạng."), answer=repr(answer)[:200])
        response_code = _text(answer.get("vnp_ResponseCode"))
        received = _text(answer.get(HASH_PARAM))
        # The merchant code hashed is ours, not the one in the answer: an answer about another
        # merchant's transaction fails the checksum instead of being read.
        expected = field_checksum({**answer, "vnp_TmnCode": self.tmn_code}, QUERY_RESPONSE_FIELDS, self.hash_secret)
        if received and not same_hash(expected, received):
            raise GatewayError(
                gettext("Chữ ký trong trả lời của cổng thanh toán không hợp lệ."), response_code=response_code
            )
        raw = {key: _text(value) for key, value in answer.items()}
        if response_code == QUERY_NOT_FOUND:
            return QueryResult(
                found=False,
                order_id=order_id,
                amount=None,
                paid=False,
                transaction_status="",
                transaction_no="",
                response_code=response_code,
                raw=raw,
            )
        if response_code != RESPONSE_SUCCESS:
            raise GatewayError(
                gettext("Cổng thanh toán không trả lời được truy vấn (mã %(code)s: %(message)s).")
                % {"code": response_code or "?", "message": _text(answer.get("vnp_Message"))},
                response_code=response_code,
            )
        if not received:
            raise GatewayError(gettext("Trả lời của cổng thanh toán không có chữ ký."), response_code=response_code)
        if raw.get("vnp_TxnRef") != order_id:
            raise GatewayError(
                gettext("Cổng thanh toán trả lời về một giao dịch khác."),
                asked=order_id,
                answered=raw.get("vnp_TxnRef"),
            )
        transaction_status = raw.get("vnp_TransactionStatus", "")
        return QueryResult(
            found=True,
            order_id=order_id,
            amount=from_vnp_amount(raw.get("vnp_Amount")),
            paid=transaction_status == TRANSACTION_SUCCESS,
            transaction_status=transaction_status,
            transaction_no=raw.get("vnp_TransactionNo", ""),
            response_code=response_code,
            raw=raw,
            bank_code=raw.get("vnp_BankCode", ""),
            paid_at=parse_date(raw.get("vnp_PayDate")),
        )

    def _post_json(self, body: Mapping[str, str]) -> Any:
        if urlsplit(self.api_endpoint).scheme not in {"http", "https"}:
            raise GatewayError(gettext("Chưa cấu hình địa chỉ API của cổng thanh toán."), url=self.api_endpoint)
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.api_endpoint,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise GatewayError(
                gettext("Cổng thanh toán báo lỗi HTTP %(status)s.") % {"status": exc.code}, status=exc.code
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise GatewayError(
                gettext("Không kết nối được cổng thanh toán: %(reason)s") % {"reason": getattr(exc, "reason", exc)}
            ) from exc
        try:
            return json.loads(payload.decode("utf-8"))
        except ValueError as exc:
            raise GatewayError(gettext("Cổng thanh toán trả lời không đúng định dạng."), body=payload[:200]) from exc
