"""The payment receipt (Biên lai thanh toán) of a paid request, drawn for documents.slips."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from dichvucong.documents.slips import ReceiptLine, payment_receipt_pdf
from dichvucong.payments.constants import TransactionStatus
from dichvucong.payments.gateways.registry import gateway as gateway_for
from dichvucong.payments.models import PaymentRequest


def payment_receipt(*, request: PaymentRequest) -> bytes:
    dossier = request.dossier
    attempt = request.transactions.filter(status=TransactionStatus.PAID).order_by("paid_at").first()
    if attempt is not None:
        try:
            method = str(gateway_for(attempt.gateway).label)
        except Exception:  # a gateway switched off since: the receipt still prints
            method = attempt.gateway
    else:
        method = str(_cash_label())
    agency = dossier.agency
    return payment_receipt_pdf(
        agency_name=agency.name,
        parent_agency_name=agency.parent.name if agency.parent_id else "",
        place=settings.PORTAL_PROVINCE,
        dossier_code=dossier.code,
        qr_url=f"{settings.PORTAL_BASE_URL}{reverse('portal:lookup')}?{urlencode({'ma': dossier.code})}",
        procedure_name=dossier.procedure_version.name,
        procedure_code=dossier.procedure_version.procedure.code,
        applicant_name=dossier.owner_name,
        payer_name=dossier.owner_name or str(dossier.applicant),
        receipt_number=request.receipt_number,
        lines=[ReceiptLine(line.name, line.quantity, line.amount) for line in request.lines.all()],
        total=request.amount,
        method=method,
        transaction_no=attempt.transaction_no if attempt else "",
        order_id=attempt.order_id if attempt else "",
        paid_at=request.paid_at,
    )


def _cash_label() -> str:
    from django.utils.translation import gettext as _

    return _("Nộp trực tiếp tại Bộ phận Một cửa")
