"""The sandbox bank's pages (mounted at /ngan-hang-thu-nghiem/): 404 unless PAYMENT_SANDBOX_ENABLED."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dichvucong.payments.gateways import sandbox as bank
from dichvucong.payments.gateways.registry import sandbox_enabled

logger = logging.getLogger(__name__)


def _require_enabled() -> None:
    if not sandbox_enabled():
        raise Http404("The sandbox bank is off.")


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200, return_url: str = ""
) -> HttpResponse:
    # The bank's page has its own look, in one inline style sheet: the nonce lets that one in while
    # the rest of the portal's policy (no inline anything) stands. The form's answer is a redirect to
    # the merchant's return URL, which form-action must allow.
    nonce = secrets.token_urlsafe(16)
    response = render(request, template, {**context, "csp_nonce": nonce}, status=status)
    form_action = "'self'"
    parts = urlsplit(return_url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        form_action += f" {parts.scheme}://{parts.netloc}"
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return response


def _error(request: HttpRequest, error: bank.BankError) -> HttpResponse:
    logger.info("Sandbox bank refused a payment: %s", error)
    return _render(request, "payments/sandbox/error.html", {"error": error}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest) -> HttpResponse:
    """GET: the bank's payment page for a signed vnp_ URL. POST (same URL): the tester's choice."""
    _require_enabled()
    try:
        payment = bank.read_payment(request.GET, now=timezone.now())
    except bank.BankError as error:
        return _error(request, error)

    if request.method == "GET":
        if bank.is_decided(payment):
            return _error(request, bank.BankError(bank.ERROR_ALREADY_EXISTS, _already_exists()))
        bank.record_opened(payment)
        context = {
            "payment": payment,
            "merchant_name": settings.PORTAL_NAME,
            "outcomes": bank.OUTCOMES,
            "ipn_url": bank.ipn_url(request),
            "ipn_dropped": bank.ipn_dropped(),
        }
        return _render(request, "payments/sandbox/pay.html", context, return_url=payment.return_url)

    outcome = bank.OUTCOMES.get(request.POST.get("action", ""))
    if outcome is None:
        return _error(request, bank.BankError(bank.ERROR_FORMAT, _unknown_choice()))
    decision = bank.decide(payment, outcome, now=timezone.now())
    if not decision.callback:
        # Pressed twice at the same instant and the first press has not finished: nothing to repeat.
        return _error(request, bank.BankError(bank.ERROR_ALREADY_EXISTS, _already_exists()))
    if decision.first:
        _send_ipn(request, decision.callback)
    return HttpResponseRedirect(bank.return_url_with(payment.return_url, decision.callback))


def _send_ipn(request: HttpRequest, callback: dict[str, str]) -> None:
    if bank.ipn_dropped():
        logger.warning("Sandbox bank: IPN for %s dropped (PAYMENT_SANDBOX_DROP_IPN)", callback.get("vnp_TxnRef"))
        return
    url = bank.ipn_url(request)
    if not url:
        logger.warning(
            "Sandbox bank: no IPN URL (set PAYMENT_SANDBOX_IPN_URL or mount payments:vnpay_ipn); IPN for %s not sent",
            callback.get("vnp_TxnRef"),
        )
        return
    delivery = bank.deliver_ipn(url, callback)
    if delivery.answer is None:
        logger.warning(
            "Sandbox bank: IPN to %s got no answer after %s attempts: %s", url, delivery.attempts, delivery.error
        )


@csrf_exempt  # a server-to-server JSON API, authenticated by its checksum like VNPay's
@require_POST
def api(request: HttpRequest) -> JsonResponse:
    """VNPay's merchant_webapi/api/transaction for vnp_Command=querydr."""
    _require_enabled()
    try:
        body = json.loads(request.body.decode("utf-8"))
    except ValueError:
        body = None
    return JsonResponse(bank.querydr_answer(body, now=timezone.now()), json_dumps_params={"ensure_ascii": False})


def _already_exists() -> str:
    return _("Giao dịch đã được xử lý. Xin vui lòng thực hiện giao dịch mới từ trang của đơn vị.")


def _unknown_choice() -> str:
    return _("Lựa chọn không hợp lệ.")
