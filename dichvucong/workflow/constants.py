"""The vocabulary of processes: what an officer may do at a step of a procedure's internal process."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.constants import OfficerRole


class StepAction(models.TextChoices):
    """Moves an administrator can allow at a step (the values are those of dossiers' DossierAction)."""

    FORWARD = "forward", _("Chuyển bước tiếp")
    SEND_BACK = "send_back", _("Trả lại bước trước")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung hồ sơ")
    PROPOSE_REFUSAL = "propose_refusal", _("Đề xuất từ chối")
    CONSULT = "consult", _("Xin ý kiến cơ quan khác")
    SIGN = "sign", _("Ký số kết quả")
    FINISH = "finish", _("Hoàn thành xử lý (không ký số)")
    RETURN_RESULT = "return_result", _("Trả kết quả")


# Moves that end the processing part (the result exists): the dossier becomes "chờ trả kết quả".
RESULT_ACTIONS: frozenset[str] = frozenset({StepAction.SIGN, StepAction.FINISH})

# Reception and the moves that do not belong to one step: the engine offers them by status and role.
RECEIVE = "receive"
REFUSE = "refuse"
REQUEST_PAYMENT = "request_payment"
CONFIRM_PAYMENT = "confirm_payment"
SUSPEND = "suspend"
RESUME = "resume"
APPROVE_WITHDRAWAL = "approve_withdrawal"
DECLINE_WITHDRAWAL = "decline_withdrawal"
EXTEND = "extend"

# An online dossier must be received, sent back for supplement or refused within 8 working hours.
ACCEPTANCE_HOURS = 8

# The default process (DESIGN §2, officers): một cửa receives → chuyên viên → lãnh đạo phòng →
# lãnh đạo cơ quan → văn thư → một cửa returns. Each step's share of the procedure's time limit.
# (role, name, share of the time limit, actions)
DEFAULT_STEPS: tuple[tuple[str, str, float, tuple[str, ...]], ...] = (
    (
        OfficerRole.SPECIALIST,
        "Thẩm định hồ sơ, dự thảo kết quả",
        0.5,
        (StepAction.FORWARD, StepAction.REQUEST_SUPPLEMENT, StepAction.PROPOSE_REFUSAL, StepAction.CONSULT),
    ),
    (
        OfficerRole.HEAD_OF_DEPARTMENT,
        "Lãnh đạo phòng xem xét, trình ký",
        0.15,
        (StepAction.FORWARD, StepAction.SEND_BACK),
    ),
    (OfficerRole.AGENCY_LEADER, "Lãnh đạo cơ quan phê duyệt", 0.15, (StepAction.FORWARD, StepAction.SEND_BACK)),
    (
        OfficerRole.CLERK,
        "Văn thư vào sổ, ký số, đóng dấu",
        0.1,
        (StepAction.SIGN, StepAction.FINISH, StepAction.SEND_BACK),
    ),
    (OfficerRole.ONE_STOP, "Bộ phận Một cửa trả kết quả", 0.1, (StepAction.RETURN_RESULT,)),
)
# A same-day procedure (time limit 0) still gets working time per step: half a working day in all.
MINIMUM_PROCESS_HOURS = 4
