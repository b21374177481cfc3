"""The payment receipt (Biên lai thanh toán) of a paid request, drawn for documents.slips."""

from __future__ import annotations

from django.conf import settings

from dichvucong.documents.constants import IssuedKind
from dichvucong.documents.slips import ReceiptLine, payment_receipt_pdf
from dichvucong.documents.verification import issued_document_render
from dichvucong.dossiers.lookup import mask_name
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
    arguments = {
        "agency_name": agency.name,
        "parent_agency_name": agency.parent.name if agency.parent_id else "",
        "place": settings.PORTAL_PROVINCE,
        "dossier_code": dossier.code,
        "procedure_name": dossier.procedure_version.name,
        "procedure_code": dossier.procedure_version.procedure.code,
        "applicant_name": dossier.owner_name,
        "payer_name": dossier.owner_name or str(dossier.applicant),
        "receipt_number": request.receipt_number,
        "lines": [ReceiptLine(line.name, line.quantity, line.amount) for line in request.lines.all()],
        "total": request.amount,
        "method": method,
        "transaction_no": attempt.transaction_no if attempt else "",
        "order_id": attempt.order_id if attempt else "",
        "paid_at": request.paid_at,
    }
    # Registered as issued at each download: the QR code leads to this copy's verification page.
    _record, pdf = issued_document_render(
        kind=IssuedKind.PAYMENT_RECEIPT,
        agency_code=agency.code,
        agency_name=agency.name,
        reference=dossier.code,
        holder_masked=mask_name(dossier.owner_name or str(dossier.applicant)),
        source=f"payment:{request.pk}",
        render=lambda qr_url: payment_receipt_pdf(**arguments, qr_url=qr_url),
    )
    return pdf


def _cash_label() -> str:
    from django.utils.translation import gettext as _

    return _("Nộp trực tiếp tại Bộ phận Một cửa")
