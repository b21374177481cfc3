"""What every payment gateway speaks in: an order going out, a callback and a query answer coming back.

Money is integer đồng everywhere in this package (never floats); a gateway that counts in hundredths
(VNPay's vnp_Amount is đồng × 100) converts at its own edge and refuses anything that is not a whole
number of đồng.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from django.utils.functional import Promise

from dichvucong.core.errors import ApplicationError

LOCALES = ("vn", "en")  # VNPay's spelling: "vn", not "vi"

# The IPN answer (VNPay's {RspCode, Message}, DESIGN §8). The messages are the gateway's, in English,
# exactly as its documentation and sample code spell them: the gateway logs them, nobody reads them.
IPN_OK = "00"
IPN_ORDER_NOT_FOUND = "01"
IPN_ALREADY_CONFIRMED = "02"
IPN_INVALID_AMOUNT = "04"
IPN_INVALID_SIGNATURE = "97"
IPN_UNKNOWN_ERROR = "99"
IPN_MESSAGES: dict[str, str] = {
    IPN_OK: "Confirm Success",
    IPN_ORDER_NOT_FOUND: "Order not found",
    IPN_ALREADY_CONFIRMED: "Order already confirmed",
    IPN_INVALID_AMOUNT: "Invalid amount",
    IPN_INVALID_SIGNATURE: "Invalid signature",
    IPN_UNKNOWN_ERROR: "Unknown error",
}

TRANSACTION_IN_PROGRESS = "01"  # VNPay's vnp_TransactionStatus: "Giao dịch chưa hoàn tất"

_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


class GatewayError(ApplicationError):
    """The gateway could not be asked, or its answer cannot be trusted (transport, format, checksum).

    `code` is "gateway_error"; `extra` carries the details for the log (the gateway's response code,
    the HTTP status), never for the citizen.
    """

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message, code="gateway_error", extra=extra)


def whole_dong(value: object) -> int | None:
    """A gateway's amount in đồng, or None when it is not a non-negative whole number ("150000" → 150000)."""
    text = str(value).strip() if value is not None else ""
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime (got a naive one: {value!r}).")


@dataclass(frozen=True)
class PaymentOrder:
    """One attempt to pay, as the gateway must see it.

    `order_id` is unique per attempt (vnp_TxnRef); `amount` integer đồng; `description` what the
    citizen's bank statement shows (gateways may fold it to plain ASCII, as VNPay requires);
    `return_url` where the bank sends the browser back; `client_ip` the citizen's address;
    `expires_at` None lets the gateway apply its own default.
    """

    order_id: str
    amount: int
    description: str
    return_url: str
    client_ip: str
    created_at: datetime
    expires_at: datetime | None = None
    locale: str = "vn"
    bank_code: str = ""

    def __post_init__(self) -> None:
        if not self.order_id:
            raise ValueError("order_id is required.")
        # bool is an int subclass, and a float of whole đồng is still a float: both are refused.
        if type(self.amount) is not int or self.amount <= 0:
            raise ValueError(f"amount must be a positive integer number of đồng (got {self.amount!r}).")
        _require_aware("created_at", self.created_at)
        _require_aware("expires_at", self.expires_at)
        if self.expires_at is not None and self.expires_at <= self.created_at:
            raise ValueError("expires_at must be after created_at.")
        if self.locale not in LOCALES:
            raise ValueError(f"locale must be one of {LOCALES} (got {self.locale!r}).")
        if not self.client_ip:
            raise ValueError("client_ip is required.")


@dataclass(frozen=True)
class CallbackResult:
    """What the gateway said about an attempt, from the browser's return or the IPN (same parameters).

    `amount` is whole đồng, None when the gateway's figure is missing or not a whole number of đồng
    (the IPN then answers 04). `paid` is never True unless `signature_valid` is: an unsigned "00" is
    only somebody typing in the address bar. `raw` keeps every parameter as received, for the record.
    """

    signature_valid: bool
    order_id: str
    amount: int | None
    paid: bool
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    paid_at: datetime | None
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryResult:
    """The gateway's own record of an attempt, asked server to server (reconciliation).

    `found` False: the gateway never saw the order (the citizen never reached its page). A query the
    gateway could not answer, or whose answer fails its checksum, raises GatewayError instead.
    """

    found: bool
    order_id: str
    amount: int | None
    paid: bool
    transaction_status: str
    transaction_no: str
    response_code: str
    raw: dict[str, Any] = field(default_factory=dict)
    bank_code: str = ""
    paid_at: datetime | None = None

    @property
    def in_progress(self) -> bool:
        """The gateway knows the order but it is not finished (VNPay's TransactionStatus "01"): the
        citizen may still be on the bank's page, so nothing should be closed on this answer."""
        return self.found and not self.paid and self.transaction_status in ("", TRANSACTION_IN_PROGRESS)


class Gateway(ABC):
    """One way to pay. Instances are built by the registry from settings; they hold no state."""

    code: str  # the registry's key, stored with each attempt ("vnpay", "paygov", "sandbox")
    label: str | Promise  # Vietnamese, gettext_lazy: what the citizen chooses from
    # False when the gateway has no transaction query this adapter can speak: reconciliation must
    # skip it (query() raises NotImplementedError) and leave the attempt to the IPN or to an officer.
    supports_query: ClassVar[bool] = True

    @abstractmethod
    def payment_url(self, order: PaymentOrder) -> str:
        """The address to send the citizen's browser to (signed)."""

    @abstractmethod
    def parse_callback(self, params: Mapping[str, str]) -> CallbackResult:
        """Check and read the gateway's callback: the browser's return and the IPN carry the same fields."""

    @abstractmethod
    def owns_callback(self, params: Mapping[str, str]) -> bool:
        """Whether these callback parameters name this gateway's merchant (before any signature check)."""

    @abstractmethod
    def query(self, order_id: str, transaction_date: datetime, *, client_ip: str, now: datetime) -> QueryResult:
        """Ask the gateway about an attempt; `transaction_date` is the order's `created_at`.

        `client_ip` is this server's address, `now` the time of the question. Raises GatewayError.
        """

    def ipn_response(self, code: str) -> dict[str, str]:
        """The body the IPN endpoint answers with (as JSON): {"RspCode": code, "Message": …}."""
        try:
            return {"RspCode": code, "Message": IPN_MESSAGES[code]}
        except KeyError:
            raise ValueError(f"{code!r} is not an IPN answer code ({', '.join(IPN_MESSAGES)}).") from None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code!r}>"
