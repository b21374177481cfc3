"""Dossier statuses, citizen folders and the moves the one door (services.dossier_transition) knows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.notifications.constants import NotificationEvent


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Chưa gửi")
    SUBMITTED = "submitted", _("Đã gửi")
    PAYMENT_REQUESTED = "payment_requested", _("Chờ thanh toán")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    PROCESSING = "processing", _("Đang xử lý")
    SUSPENDED = "suspended", _("Tạm dừng")
    RESULT_READY = "result_ready", _("Chờ trả kết quả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Bị trả lại")
    WITHDRAWN = "withdrawn", _("Đã rút")


# The national portal's status codes (DESIGN §3), what other systems exchange. A draft has none:
# the national portal never hears of it. `processing` starts as 2 (Được tiếp nhận) and becomes
# 4 (Đang xử lý) once an officer works on it; the exchange layer picks between them from the history.
NATIONAL_STATUS_CODES: dict[str, str | None] = {
    DossierStatus.DRAFT: None,
    DossierStatus.SUBMITTED: "1",
    DossierStatus.PAYMENT_REQUESTED: "6",
    DossierStatus.SUPPLEMENT_REQUESTED: "5",
    DossierStatus.PROCESSING: "2",
    DossierStatus.SUSPENDED: "8",
    DossierStatus.RESULT_READY: "9",
    DossierStatus.RETURNED: "10",
    DossierStatus.REFUSED: "3",
    DossierStatus.WITHDRAWN: "7",
}
NATIONAL_STATUS_RECEIVED = "2"
NATIONAL_STATUS_IN_PROGRESS = "4"

FINAL_STATUSES: frozenset[str] = frozenset({DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.WITHDRAWN})


class CitizenFolder(models.TextChoices):
    """The folders of "Hồ sơ của tôi" (DESIGN §3), in the order the page shows them."""

    DRAFT = "chua-gui", _("Hồ sơ chưa gửi")
    SUBMITTED = "da-gui", _("Hồ sơ đã gửi")
    SUPPLEMENT = "yeu-cau-bo-sung", _("Hồ sơ yêu cầu bổ sung")
    PAYMENT = "cho-thanh-toan", _("Hồ sơ chờ thanh toán")
    PROCESSING = "dang-xu-ly", _("Hồ sơ đang xử lý")
    SUSPENDED = "tam-dung", _("Hồ sơ tạm dừng")
    RETURNED = "da-tra-ket-qua", _("Hồ sơ đã trả kết quả")
    REFUSED = "bi-tra-lai", _("Hồ sơ bị trả lại")


# Each status sits in exactly one folder. Known simplification: DESIGN §3 also lists in "chờ thanh
# toán" every dossier with an unpaid payment request whatever its status; that needs the payments
# app and is added there (the folder then becomes a status OR an outstanding request).
FOLDER_STATUSES: dict[str, tuple[str, ...]] = {
    CitizenFolder.DRAFT: (DossierStatus.DRAFT,),
    CitizenFolder.SUBMITTED: (DossierStatus.SUBMITTED,),
    CitizenFolder.SUPPLEMENT: (DossierStatus.SUPPLEMENT_REQUESTED,),
    CitizenFolder.PAYMENT: (DossierStatus.PAYMENT_REQUESTED,),
    CitizenFolder.PROCESSING: (DossierStatus.PROCESSING, DossierStatus.RESULT_READY),
    CitizenFolder.SUSPENDED: (DossierStatus.SUSPENDED,),
    CitizenFolder.RETURNED: (DossierStatus.RETURNED,),
    CitizenFolder.REFUSED: (DossierStatus.REFUSED, DossierStatus.WITHDRAWN),
}
STATUS_FOLDER: dict[str, str] = {status: folder for folder, statuses in FOLDER_STATUSES.items() for status in statuses}


class ResultDelivery(models.TextChoices):
    AT_DESK = "at_desk", _("Nhận tại Bộ phận Một cửa")
    BY_POST = "by_post", _("Nhận qua bưu điện")
    ONLINE = "online", _("Nhận trực tuyến")


class IntakeChannel(models.TextChoices):
    """How the dossier reached the agency: a category of the statistics (DESIGN §4)."""

    ONLINE = "online", _("Trực tuyến")
    IN_PERSON = "in_person", _("Trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua dịch vụ bưu chính")


class DossierAction(models.TextChoices):
    """Moves through the one door (services.TRANSITIONS says who may make each, from where).

    The applicant's moves are complete here; the officers' moves are the domain rules the back
    office (issue "Hệ thống một cửa điện tử") builds its screens and its per-procedure process on.
    """

    SUBMIT = "submit", _("Gửi hồ sơ")
    WITHDRAW = "withdraw", _("Rút hồ sơ")
    REQUEST_WITHDRAWAL = "request_withdrawal", _("Đề nghị rút hồ sơ")
    SUBMIT_SUPPLEMENT = "submit_supplement", _("Gửi bổ sung")
    RECEIVE = "receive", _("Tiếp nhận hồ sơ")
    REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung hồ sơ")
    REFUSE = "refuse", _("Từ chối tiếp nhận")
    REQUEST_PAYMENT = "request_payment", _("Yêu cầu thanh toán phí, lệ phí")
    CONFIRM_PAYMENT = "confirm_payment", _("Xác nhận đã thanh toán")
    SUSPEND = "suspend", _("Tạm dừng xử lý")
    RESUME = "resume", _("Tiếp tục xử lý")
    APPROVE_WITHDRAWAL = "approve_withdrawal", _("Đồng ý cho rút hồ sơ")
    DECLINE_WITHDRAWAL = "decline_withdrawal", _("Không đồng ý cho rút hồ sơ")
    FINISH = "finish", _("Hoàn thành xử lý")
    RETURN_RESULT = "return_result", _("Trả kết quả")
    # Moves along the procedure's process (workflow.constants.StepAction has the same values).
    FORWARD = "forward", _("Chuyển bước tiếp")
    SEND_BACK = "send_back", _("Trả lại bước trước")
    PROPOSE_REFUSAL = "propose_refusal", _("Đề xuất từ chối")
    SIGN = "sign", _("Ký số kết quả")
    EXTEND = "extend", _("Gia hạn, hẹn lại ngày trả kết quả")
    PAYMENT_RECEIVED = "payment_received", _("Đã thanh toán trực tuyến")
    CONSULT = "consult", _("Xin ý kiến cơ quan khác")
    ANSWER_CONSULTATION = "answer_consultation", _("Trả lời xin ý kiến")


class SupplementStage(models.TextChoices):
    """Where a supplement request was made, hence where the answer goes back to."""

    RECEPTION = "reception", _("Khi tiếp nhận")
    PROCESSING = "processing", _("Trong quá trình xử lý")


# Supplement requests name the e-form (tờ khai) as an item with this key instead of a component id.
SUPPLEMENT_EFORM = "eform"

# The notification event sent when a dossier is submitted (templates in migration 0002).
EVENT_DOSSIER_SUBMITTED = NotificationEvent.DOSSIER_SUBMITTED.value
# Every later move the citizen must hear about (received, supplement asked, refused, result…).
EVENT_DOSSIER_UPDATED = NotificationEvent.DOSSIER_UPDATED.value
