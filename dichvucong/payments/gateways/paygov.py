"""The national payment platform (PayGov, Nền tảng thanh toán quốc gia, pay.gov.vn), DESIGN §8.

PayGov's integration specification is handed to the agencies that connect to it and is not public,
so the scheme below is this project's own reading of DESIGN §8 ("SHA-256 checksum over |-joined
fields"), written down so that it can be checked line by line — every field name, the field order,
where the secret goes and the amount's unit — (verify against the current PayGov integration spec)
before real money goes through it.

Checksum. Lower-case hex SHA-256 of the UTF-8 string made of the listed fields' values, in the order
listed, joined with "|", with the merchant's secret appended as the last field:
    sha256("value1|value2|…|valueN|SECRET")
Values are joined as they are (not URL-encoded); a missing value is an empty string, so no field
ever moves into another's place. The secret goes last, not first, because SHA-256(secret ‖ data) is
open to length extension (anyone could append fields to a signed string) and SHA-256(data ‖ secret)
is not. No value may contain "|": ours never do, and a callback with one is refused.

Payment (browser redirect, GET to PAYGOV_PAYMENT_URL)
    version=1.0, command=pay, merchant_code, order_id, amount (whole đồng, not × 100), currency=VND,
    order_info (unaccented ASCII, ≤ 255), return_url, client_ip, create_date, expire_date
    (yyyyMMddHHmmss, GMT+7), locale (vn | en), bank_code (may be empty), checksum over
    version|command|merchant_code|order_id|amount|currency|order_info|return_url|client_ip|
    create_date|expire_date|locale|bank_code

Return URL and IPN (PayGov's GET with the same fields)
    merchant_code, order_id, amount, currency, response_code, transaction_status, transaction_no,
    bank_code, pay_date, checksum over
    merchant_code|order_id|amount|currency|response_code|transaction_status|transaction_no|
    bank_code|pay_date
    Paid means response_code "00" and transaction_status "00" (VNPay's convention, assumed); the IPN
    is answered with the same {"RspCode", "Message"} as VNPay's (assumed).

Transaction query: not implemented — its request and answer cannot be guessed sensibly, and a
guessed query would make reconciliation report "unpaid" for payments PayGov has. `supports_query` is
False and `query()` raises NotImplementedError; PayGov attempts without an IPN are left to an officer.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dichvucong.payments.gateways.base import CallbackResult, Gateway, PaymentOrder, QueryResult, whole_dong
from dichvucong.payments.gateways.vnpay import DEFAULT_EXPIRY, ascii_order_info, flatten, format_date, parse_date

VERSION = "1.0"
CURRENCY = "VND"
CHECKSUM_PARAM = "checksum"

PAYMENT_FIELDS = (
    "version",
    "command",
    "merchant_code",
    "order_id",
    "amount",
    "currency",
    "order_info",
    "return_url",
    "client_ip",
    "create_date",
    "expire_date",
    "locale",
    "bank_code",
)
CALLBACK_FIELDS = (
    "merchant_code",
    "order_id",
    "amount",
    "currency",
    "response_code",
    "transaction_status",
    "transaction_no",
    "bank_code",
    "pay_date",
)


def checksum(data: Mapping[str, object], names: Iterable[str], secret: str) -> str:
    """sha256("v1|v2|…|vN|secret"), lower-case hex (the scheme in the module docstring)."""
    values = ["" if data.get(name) is None else str(data.get(name)) for name in names]
    return hashlib.sha256("|".join([*values, secret]).encode()).hexdigest()


class PayGovGateway(Gateway):
    supports_query = False

    def __init__(
        self,
        *,
        merchant_code: str,
        secret: str,
        pay_endpoint: str,
        api_endpoint: str = "",
        code: str = "paygov",
        label: str | Promise | None = None,
    ) -> None:
        self.code = code
        self.label = label if label is not None else _("Nền tảng thanh toán quốc gia (PayGov)")
        self.merchant_code = merchant_code
        self.secret = secret
        self.pay_endpoint = pay_endpoint
        self.api_endpoint = api_endpoint

    def payment_params(self, order: PaymentOrder) -> dict[str, str]:
        if "|" in order.order_id or "|" in order.return_url or "|" in order.client_ip or "|" in order.bank_code:
            raise ValueError("PayGov fields cannot contain '|'.")
        if urlsplit(order.return_url).scheme not in {"http", "https"}:
            raise ValueError(f"return_url must be an absolute http(s) URL (got {order.return_url!r}).")
        params = {
            "version": VERSION,
            "command": "pay",
            "merchant_code": self.merchant_code,
            "order_id": order.order_id,
            "amount": str(order.amount),
            "currency": CURRENCY,
            "order_info": ascii_order_info(order.description, fallback=f"Thanh toan {order.order_id}"),
            "return_url": order.return_url,
            "client_ip": order.client_ip,
            "create_date": format_date(order.created_at),
            "expire_date": format_date(order.expires_at or order.created_at + DEFAULT_EXPIRY),
            "locale": order.locale,
            "bank_code": order.bank_code,
        }
        params[CHECKSUM_PARAM] = checksum(params, PAYMENT_FIELDS, self.secret)
        return params

    def payment_url(self, order: PaymentOrder) -> str:
        separator = "&" if "?" in self.pay_endpoint else "?"
        return f"{self.pay_endpoint}{separator}{urlencode(self.payment_params(order))}"

    def owns_callback(self, params: Mapping[str, str]) -> bool:
        return bool(self.merchant_code) and params.get("merchant_code") == self.merchant_code

    def parse_callback(self, params: Mapping[str, str]) -> CallbackResult:
        raw, _repeated_vnp = flatten(params)
        repeated = hasattr(params, "getlist") and any(len(params.getlist(name)) > 1 for name in CALLBACK_FIELDS)
        received = raw.get(CHECKSUM_PARAM, "").strip().lower()
        expected = checksum(raw, CALLBACK_FIELDS, self.secret)
        signature_valid = (
            bool(received)
            and not repeated
            and self.owns_callback(raw)
            and not any("|" in raw.get(name, "") for name in CALLBACK_FIELDS)
            and hmac.compare_digest(expected.encode(), received.encode())
        )
        response_code = raw.get("response_code", "")
        transaction_status = raw.get("transaction_status", "")
        return CallbackResult(
            signature_valid=signature_valid,
            order_id=raw.get("order_id", ""),
            amount=whole_dong(raw.get("amount")),
            paid=signature_valid and response_code == "00" and transaction_status == "00",
            response_code=response_code,
            transaction_status=transaction_status,
            transaction_no=raw.get("transaction_no", ""),
            bank_code=raw.get("bank_code", ""),
            paid_at=parse_date(raw.get("pay_date")),
            raw=raw,
        )

    def query(self, order_id: str, transaction_date: datetime, *, client_ip: str, now: datetime) -> QueryResult:
        raise NotImplementedError(
            "PayGov's transaction query is not public and is not implemented: check this attempt in "
            "PayGov's merchant portal (PayGovGateway.supports_query is False)."
        )
