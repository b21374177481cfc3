"""Demo processes: a configured process for a procedure of Sở Tư pháp, naming its units.

The other demo procedures get the default process when their first dossier is received. Loaded once:
an existing process of the procedure and agency is left as it is (an administrator may have edited it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils.translation import gettext as _

from dichvucong.accounts.constants import OfficerRole
from dichvucong.agencies.models import Agency, Unit
from dichvucong.catalog.models import Procedure
from dichvucong.workflow.constants import StepAction
from dichvucong.workflow.models import ProcessDefinition, ProcessStep
from dichvucong.workflow.services import process_publish

JUSTICE = "000.00.11.H57"
CRIMINAL_RECORD = "2.000488"  # Cấp Phiếu lý lịch tư pháp: 10 working days

_A = StepAction
# (order, name, role, unit code, working hours, actions)
CRIMINAL_RECORD_STEPS = (
    (
        1,
        "Phòng Hành chính tư pháp thẩm định, tra cứu, xác minh",
        OfficerRole.SPECIALIST,
        "HCTP",
        48,
        (_A.FORWARD, _A.REQUEST_SUPPLEMENT, _A.PROPOSE_REFUSAL, _A.CONSULT),
    ),
    (
        2,
        "Trưởng phòng Hành chính tư pháp kiểm tra",
        OfficerRole.HEAD_OF_DEPARTMENT,
        "HCTP",
        12,
        (_A.FORWARD, _A.SEND_BACK),
    ),
    (3, "Giám đốc Sở ký Phiếu lý lịch tư pháp", OfficerRole.AGENCY_LEADER, "LD", 8, (_A.FORWARD, _A.SEND_BACK)),
    (4, "Văn phòng Sở vào sổ, ký số, đóng dấu", OfficerRole.CLERK, "VP", 4, (_A.SIGN, _A.SEND_BACK)),
    (5, "Bộ phận Một cửa trả kết quả", OfficerRole.ONE_STOP, "MC", 8, (_A.RETURN_RESULT,)),
)


def _signing_keys(out: TextIO) -> None:
    """The demo signing keys of the agencies with officers, made now rather than at the first signature."""
    from dichvucong.documents.signing import demo_setup, signing_provider_name

    if signing_provider_name() != "demo":
        return
    agencies = Agency.objects.filter(officers__isnull=False).distinct().order_by("code")
    rows = demo_setup([(agency.code, agency.name) for agency in agencies])
    out.write(
        _("Chứng thư ký số mẫu: %(n)s cơ quan (CA thử nghiệm của bản cài đặt này).") % {"n": len(rows) - 1} + "\n"
    )


def load(out: TextIO) -> None:
    _signing_keys(out)
    agency = Agency.objects.filter(code=JUSTICE).first()
    procedure = Procedure.objects.filter(code=CRIMINAL_RECORD).first()
    if agency is None or procedure is None:
        out.write(_("Quy trình mẫu: bỏ qua (chưa có cơ quan hoặc thủ tục mẫu).") + "\n")
        return
    if ProcessDefinition.objects.filter(procedure=procedure, agency=agency).exists():
        out.write(_("Quy trình mẫu: đã có, không đổi.") + "\n")
        return
    units = {unit.code: unit for unit in Unit.objects.filter(agency=agency)}
    with transaction.atomic():
        process = ProcessDefinition.objects.create(
            procedure=procedure,
            agency=agency,
            number=1,
            name="Quy trình cấp Phiếu lý lịch tư pháp tại Sở Tư pháp",
        )
        ProcessStep.objects.bulk_create(
            ProcessStep(
                process=process,
                order=order,
                name=name,
                role=role,
                unit=units.get(unit_code),
                allotted_hours=Decimal(hours),
                actions=list(actions),
            )
            for order, name, role, unit_code, hours, actions in CRIMINAL_RECORD_STEPS
        )
        process_publish(process=process)
    out.write(
        _("Quy trình mẫu: %(name)s (%(n)s bước).") % {"name": process.name, "n": len(CRIMINAL_RECORD_STEPS)} + "\n"
    )
