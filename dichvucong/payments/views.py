"""Thanh toán (/thanh-toan/): enter the dossier code, Thực hiện, check the fees, choose a method,
Thanh toán; the result page; the receipt (Biên lai thanh toán); and the gateway's IPN endpoint.

The return page only displays: the state changes come from the IPN (server to server) or from the
reconciliation job that asks the gateway (DESIGN §8).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dichvucong.core.errors import ApplicationError
from dichvucong.core.middleware import client_address
from dichvucong.core.permissions import can_view_agency_records
from dichvucong.documents.http import pdf_response
from dichvucong.dossiers.models import Dossier
from dichvucong.payments.constants import RequestStatus, TransactionStatus
from dichvucong.payments.gateways.registry import available_gateways
from dichvucong.payments.gateways.registry import gateway as gateway_for
from dichvucong.payments.models import PaymentRequest, PaymentTransaction
from dichvucong.payments.receipts import payment_receipt
from dichvucong.payments.services import payment_ipn, payment_start, request_for_payment

logger = logging.getLogger(__name__)

NO_STORE = "private, no-store"


class CodeForm(forms.Form):
    ma = forms.CharField(
        label=gettext_lazy("Mã hồ sơ"),
        max_length=40,
        help_text=gettext_lazy("Mã hồ sơ cần thanh toán, xem trong mục Hồ sơ chờ thanh toán."),
        error_messages={"required": gettext_lazy("Vui lòng nhập mã hồ sơ.")},
    )

    def clean_ma(self) -> str:
        return "".join(self.cleaned_data["ma"].split()).upper()


def _client_ip(request: HttpRequest) -> str:
    # The gateway wants the payer's address; behind the reverse proxy REMOTE_ADDR is the proxy's.
    return client_address(request) or "127.0.0.1"


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """Step 2–3 of the seed: the code, Thực hiện, then the fee lines, the total and the methods."""
    form = CodeForm(request.GET if "ma" in request.GET else None)
    context: dict[str, Any] = {"form": form, "methods": available_gateways()}
    if form.is_bound:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            code = form.cleaned_data["ma"]
            dossier = (
                Dossier.objects.select_related("procedure_version__procedure", "agency")
                .filter(code=code, applicant=request.user)
                .first()
            )
            if dossier is None:
                form.add_error("ma", _("Không tìm thấy hồ sơ có mã “%(code)s” trong hồ sơ của bạn.") % {"code": code})
            else:
                context["dossier"] = dossier
                context["pending"] = request_for_payment(dossier=dossier)
                context["history"] = list(
                    PaymentRequest.objects.filter(dossier=dossier).exclude(status=RequestStatus.PENDING)
                )
    response = render(request, "payments/start.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_POST
def pay(request: HttpRequest, request_id: int) -> HttpResponse:
    """Thanh toán: a new attempt through the chosen method, then off to the gateway's page."""
    payment = (
        PaymentRequest.objects.select_related("dossier").filter(pk=request_id, dossier__applicant=request.user).first()
    )
    if payment is None:
        raise Http404(_("Không tìm thấy yêu cầu thanh toán."))
    method = request.POST.get("phuong-thuc", "")
    codes = {gateway.code for gateway in available_gateways()}
    back = f"{reverse('payments:start')}?{urlencode({'ma': payment.dossier.code})}"
    if method not in codes:
        messages.error(request, _("Vui lòng chọn hình thức thanh toán."))
        return redirect(back)
    try:
        _attempt, url = payment_start(
            request=payment,
            gateway_code=method,
            client_ip=_client_ip(request),
            return_url=request.build_absolute_uri(reverse("payments:result")),
            locale="en" if getattr(request, "LANGUAGE_CODE", "vi") == "en" else "vn",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return redirect(url)


@require_GET
def result(request: HttpRequest) -> HttpResponse:
    """The gateway sends the browser back here: say what happened (display only)."""
    order_id = request.GET.get("vnp_TxnRef", "")[:64]
    attempt = PaymentTransaction.objects.select_related("request__dossier").filter(order_id=order_id).first()
    outcome = "unknown"
    if attempt is not None:
        answer = gateway_for(attempt.gateway).parse_callback(request.GET.dict())
        if not answer.signature_valid:
            outcome = "invalid"
        elif attempt.status == TransactionStatus.PAID:
            outcome = "paid"
        elif answer.paid:
            outcome = "confirming"  # the bank says paid; the IPN has not arrived yet
        elif attempt.status == TransactionStatus.CANCELLED or answer.response_code == "24":
            outcome = "cancelled"
        else:
            outcome = "failed"
    owner = (
        attempt is not None
        and request.user.is_authenticated
        and attempt.request.dossier.applicant_id == request.user.pk
    )
    context = {"attempt": attempt if owner else None, "outcome": outcome, "owner": owner}
    response = render(request, "payments/result.html", context)
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_GET
def receipt(request: HttpRequest, request_id: int) -> HttpResponse:
    """Biên lai thanh toán: to the dossier's applicant and the handling agency's officers only."""
    payment = PaymentRequest.objects.select_related("dossier__agency").filter(pk=request_id).first()
    if payment is None or payment.status not in (RequestStatus.PAID, RequestStatus.REFUNDED):
        raise Http404(_("Không tìm thấy biên lai."))
    dossier = payment.dossier
    if dossier.applicant_id != request.user.pk and not can_view_agency_records(request.user, dossier.agency_id):
        raise Http404(_("Không tìm thấy biên lai."))
    response = pdf_response(
        payment_receipt(request=payment), filename=f"bien-lai-{payment.receipt_number}.pdf", inline=True
    )
    response["Cache-Control"] = NO_STORE
    return response


@csrf_exempt
@require_GET
def vnpay_ipn(request: HttpRequest) -> JsonResponse:
    """VNPay's server-to-server notification (also the sandbox bank's): answers {RspCode, Message}."""
    return JsonResponse(payment_ipn(params=request.GET))
