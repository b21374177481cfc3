"""The sandbox national portal: the receiving end of the sync protocol, served by the app in development.

Every view answers 404 unless NATIONAL_SANDBOX_ENABLED, so mounting it in production is harmless.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dichvucong.interop.constants import (
    ANSWER_ACCEPTED,
    ANSWER_BAD_SIGNATURE,
    ANSWER_DUPLICATE,
    ANSWER_INVALID,
    ANSWER_OUTDATED,
    FIELD_MAP,
    SIGNATURE_MAX_AGE_SECONDS,
)
from dichvucong.interop.models import SandboxPortalSwitch, SandboxReceipt
from dichvucong.interop.providers import signature_valid

MAX_BODY_BYTES = 1_000_000


def _enabled() -> None:
    if not settings.NATIONAL_SANDBOX_ENABLED:
        raise Http404


def _answer(code: str, message: str, status: int = 200) -> JsonResponse:
    return JsonResponse({"error_code": code, "message": message}, status=status)


def sandbox_is_down() -> bool:
    return SandboxPortalSwitch.objects.filter(pk=1, is_down=True).exists()


@csrf_exempt
@require_POST
def receive(request: HttpRequest) -> JsonResponse:
    _enabled()
    if sandbox_is_down():
        return _answer("503", _("Cổng quốc gia thử nghiệm đang ngừng hoạt động."), status=503)
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return _answer(ANSWER_INVALID, _("Dữ liệu gửi quá lớn."), status=400)
    timestamp = request.headers.get("X-DVCQG-Timestamp", "")
    signature = request.headers.get("X-DVCQG-Signature", "")
    if (
        not timestamp.isdigit()
        or abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS
        or not signature_valid(
            secret=settings.NATIONAL_SANDBOX_SECRET, timestamp=timestamp, body=body, signature=signature
        )
    ):
        return _answer(ANSWER_BAD_SIGNATURE, _("Chữ ký không hợp lệ."), status=401)
    try:
        payload = json.loads(body)
        key = str(payload[FIELD_MAP["idempotency_key"]])[:64]
        code = str(payload[FIELD_MAP["code"]])[:40]
        sequence = int(payload[FIELD_MAP["sequence"]])
        status_code = str(payload[FIELD_MAP["status"]])[:8]
    except (ValueError, KeyError, TypeError):
        return _answer(ANSWER_INVALID, _("Dữ liệu gửi không hợp lệ."), status=400)
    if SandboxReceipt.objects.filter(idempotency_key=key).exists():
        return _answer(ANSWER_DUPLICATE, _("Đã nhận trước đó."))
    if SandboxReceipt.objects.filter(dossier_code=code, sequence__gt=sequence).exists():
        return _answer(ANSWER_OUTDATED, _("Đã nhận trạng thái mới hơn; bỏ qua."))
    try:
        with transaction.atomic():
            SandboxReceipt.objects.create(
                idempotency_key=key, dossier_code=code, sequence=sequence, status_code=status_code, payload=payload
            )
    except IntegrityError:
        return _answer(ANSWER_DUPLICATE, _("Đã nhận trước đó."))
    return _answer(ANSWER_ACCEPTED, _("Đã tiếp nhận."))


@staff_member_required
def received(request: HttpRequest) -> HttpResponse:
    _enabled()
    receipts = list(SandboxReceipt.objects.order_by("dossier_code", "sequence"))
    dossiers: dict[str, list[SandboxReceipt]] = {}
    for receipt in receipts:
        dossiers.setdefault(receipt.dossier_code, []).append(receipt)
    return render(
        request,
        "interop/sandbox_received.html",
        {"dossiers": dossiers, "is_down": sandbox_is_down(), "field_history": FIELD_MAP["history"]},
    )


@staff_member_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    _enabled()
    SandboxPortalSwitch.objects.update_or_create(pk=1, defaults={"is_down": request.POST.get("down") == "1"})
    return redirect("interop_sandbox:received")
