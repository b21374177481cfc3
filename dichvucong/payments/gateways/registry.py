"""Which payment gateways exist and how each is configured, from settings (CONVENTIONS #6).

Settings read here, all with `getattr(settings, NAME, default)` so that tests can change them:

Choice
  PAYMENT_GATEWAYS           ["sandbox"] when DEBUG, else []   the gateways the citizen may choose
                                         from, in this order (codes: vnpay, paygov, sandbox)
  PAYMENT_GATEWAY_TIMEOUT    15          seconds for a server-to-server call (transaction query)
VNPay ("vnpay")
  VNPAY_TMN_CODE, VNPAY_HASH_SECRET      the merchant code and secret VNPay issued
  VNPAY_PAYMENT_URL          ""          e.g. https://sandbox.vnpayment.vn/paymentv2/vpcpay.html
                                         (production: https://pay.vnpay.vn/vpcpay.html)
  VNPAY_API_URL              ""          e.g. https://sandbox.vnpayment.vn/merchant_webapi/api/transaction
                                         (production: https://merchant.vnpay.vn/merchant_webapi/api/transaction)
  VNPAY_ORDER_TYPE           "other"     vnp_OrderType: the goods category agreed with VNPay
PayGov ("paygov")
  PAYGOV_MERCHANT_CODE, PAYGOV_SECRET, PAYGOV_PAYMENT_URL, PAYGOV_API_URL
Sandbox bank ("sandbox": the VNPay protocol against this app's own /ngan-hang-thu-nghiem/ pages)
  PAYMENT_SANDBOX_ENABLED    DEBUG       off: the pages answer 404 and gateway("sandbox") refuses
  PAYMENT_SANDBOX_TMN_CODE   "DVCSBX01" when DEBUG, else ""
  PAYMENT_SANDBOX_SECRET     a development secret when DEBUG, else ""
  PAYMENT_SANDBOX_IPN_URL    ""          where the sandbox bank sends its IPN; empty: the route
                                         "payments:vnpay_ipn" on the host that served the bank page
  PAYMENT_SANDBOX_DROP_IPN   False       on: no IPN is sent (a lost IPN, for reconciliation tests)
  PORTAL_BASE_URL                        the sandbox's query API is reached at this address

`gateway(code)` builds any known gateway that is configured, listed in PAYMENT_GATEWAYS or not: an
attempt started before a gateway was withdrawn must still be verifiable. `available_gateways()` is
the citizen's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from dichvucong.payments.gateways.base import Gateway
from dichvucong.payments.gateways.paygov import PayGovGateway
from dichvucong.payments.gateways.vnpay import VNPayGateway

SANDBOX = "sandbox"
# Where the lead's URLconf mounts sandbox_urls; used when the named routes cannot be reversed.
SANDBOX_PAY_PATH = "/ngan-hang-thu-nghiem/thanh-toan/"
SANDBOX_API_PATH = "/ngan-hang-thu-nghiem/api/"


def _setting(name: str, default: Any = "") -> Any:
    value = getattr(settings, name, default)
    return default if value is None else value


def _setting_bool(name: str, default: bool = False) -> bool:
    value: Any = getattr(settings, name, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _require(code: str, names: list[str]) -> dict[str, str]:
    values = {name: str(_setting(name, "")).strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ImproperlyConfigured(f"The payment gateway {code!r} needs {', '.join(missing)} (see .env.example).")
    return values


def _timeout() -> float:
    return float(_setting("PAYMENT_GATEWAY_TIMEOUT", 15) or 15)


def _vnpay() -> VNPayGateway:
    values = _require("vnpay", ["VNPAY_TMN_CODE", "VNPAY_HASH_SECRET", "VNPAY_PAYMENT_URL", "VNPAY_API_URL"])
    return VNPayGateway(
        tmn_code=values["VNPAY_TMN_CODE"],
        hash_secret=values["VNPAY_HASH_SECRET"],
        pay_endpoint=values["VNPAY_PAYMENT_URL"],
        api_endpoint=values["VNPAY_API_URL"],
        order_type=str(_setting("VNPAY_ORDER_TYPE", "other")),
        timeout=_timeout(),
    )


def _paygov() -> PayGovGateway:
    values = _require("paygov", ["PAYGOV_MERCHANT_CODE", "PAYGOV_SECRET", "PAYGOV_PAYMENT_URL"])
    return PayGovGateway(
        merchant_code=values["PAYGOV_MERCHANT_CODE"],
        secret=values["PAYGOV_SECRET"],
        pay_endpoint=values["PAYGOV_PAYMENT_URL"],
        api_endpoint=str(_setting("PAYGOV_API_URL", "")),
    )


def sandbox_enabled() -> bool:
    return _setting_bool("PAYMENT_SANDBOX_ENABLED", default=False)


def sandbox_credentials() -> tuple[str, str]:
    """(TMN code, secret) shared by the sandbox gateway and the sandbox bank."""
    if not sandbox_enabled():
        raise ImproperlyConfigured("The sandbox bank is off (PAYMENT_SANDBOX_ENABLED): it cannot take payments.")
    values = _require(SANDBOX, ["PAYMENT_SANDBOX_TMN_CODE", "PAYMENT_SANDBOX_SECRET"])
    return values["PAYMENT_SANDBOX_TMN_CODE"], values["PAYMENT_SANDBOX_SECRET"]


def _sandbox_path(name: str, fallback: str) -> str:
    try:
        return reverse(f"payments_sandbox:{name}")
    except NoReverseMatch:
        return fallback


def _sandbox() -> VNPayGateway:
    tmn_code, secret = sandbox_credentials()
    base_url = str(_setting("PORTAL_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return VNPayGateway(
        code=SANDBOX,
        label=_("Ngân hàng thử nghiệm (không có giao dịch thật)"),
        tmn_code=tmn_code,
        hash_secret=secret,
        # A path, not an address: the browser stays on whichever host it is using (127.0.0.1 or
        # localhost, a test server's port), where the bank page is served too.
        pay_endpoint=_sandbox_path("pay", SANDBOX_PAY_PATH),
        # The query is server to server, so it needs the full address.
        api_endpoint=base_url + _sandbox_path("api", SANDBOX_API_PATH),
        timeout=_timeout(),
    )


GATEWAYS: dict[str, Callable[[], Gateway]] = {
    "vnpay": _vnpay,
    "paygov": _paygov,
    SANDBOX: _sandbox,
}


def gateway(code: str) -> Gateway:
    """The gateway `code`, built from the settings as they are now. ImproperlyConfigured when it is
    unknown, lacks a setting, or is the sandbox while the sandbox is off."""
    try:
        factory = GATEWAYS[code]
    except KeyError:
        raise ImproperlyConfigured(f"No payment gateway {code!r}; known: {', '.join(sorted(GATEWAYS))}.") from None
    return factory()


def enabled_codes() -> list[str]:
    codes = _setting("PAYMENT_GATEWAYS", [])
    if isinstance(codes, str):
        codes = [item.strip() for item in codes.split(",")]
    seen: list[str] = []
    for code in codes:
        if code and code not in seen:
            seen.append(code)
    return seen


def available_gateways() -> list[Gateway]:
    """What the citizen may choose, in the order of PAYMENT_GATEWAYS (the sandbox only while it is on).

    A listed gateway that is misconfigured raises ImproperlyConfigured rather than vanishing from the
    page: a payment method that silently disappears is found by citizens, not by the operator.
    """
    return [gateway(code) for code in enabled_codes() if code != SANDBOX or sandbox_enabled()]


def gateway_for_callback(params: Mapping[str, str]) -> Gateway | None:
    """The configured gateway whose merchant the callback names (vnp_TmnCode, merchant_code), if any.

    Lets the IPN check the signature before it looks the order up.
    """
    for code in GATEWAYS:
        try:
            candidate = gateway(code)
        except ImproperlyConfigured:
            continue
        if candidate.owns_callback(params):
            return candidate
    return None


def check_gateways(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A system check for the payments app to register: every listed gateway is configured."""
    errors: list[checks.CheckMessage] = []
    for code in enabled_codes():
        if code == SANDBOX and not sandbox_enabled():
            errors.append(
                checks.Warning(
                    "PAYMENT_GATEWAYS lists 'sandbox' but PAYMENT_SANDBOX_ENABLED is off; it is not offered.",
                    id="payments.W001",
                )
            )
            continue
        try:
            gateway(code)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="payments.E001"))
    return errors
