"""Demo payments: the demo dossiers waiting for payment get their fee request, so Thanh toán works.

The dossiers demo moves a dossier to "chờ thanh toán" through the transition service (it cannot use
the payments app, which sits above it); here its PaymentRequest is made from the procedure's fee lines,
as the desk's move would have made it. Loaded once: a dossier that has a request is left alone.
"""

from __future__ import annotations

from typing import TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.models import Dossier, DossierEvent
from dichvucong.payments.models import PaymentRequest
from dichvucong.payments.services import dossier_fees, payment_lines_save, stage_of

CITIZEN = "046090001234"


def load(out: TextIO) -> None:
    waiting = Dossier.objects.filter(
        applicant__national_id=CITIZEN, status=DossierStatus.PAYMENT_REQUESTED, payment_requests__isnull=True
    ).select_related("procedure_version")
    made = 0
    for dossier in waiting:
        lines = dossier_fees(dossier=dossier)
        total = sum(line.amount for line in lines)
        asked = (
            DossierEvent.objects.filter(dossier=dossier, action=DossierAction.REQUEST_PAYMENT)
            .order_by("-sequence")
            .first()
        )
        if total <= 0 or asked is None or asked.actor is None:
            continue
        with transaction.atomic():
            request = PaymentRequest.objects.create(
                dossier=dossier,
                stage=stage_of(Dossier(status=asked.from_status)),
                amount=total,
                note=asked.comment,
                created_by=asked.actor,
                created_at=asked.created_at,
            )
            payment_lines_save(request=request, lines=lines)
        made += 1
    out.write(_("Thanh toán mẫu: %(n)s yêu cầu thanh toán cho hồ sơ mẫu chờ thanh toán.") % {"n": made} + "\n")
