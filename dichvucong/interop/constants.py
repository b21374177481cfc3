"""The national sync's vocabulary, kept as data.

VERIFY AGAINST THE CURRENT INTEGRATION SPECIFICATION of the national public services portal
(Cổng Dịch vụ công quốc gia, tài liệu kỹ thuật tích hợp đồng bộ hồ sơ) before going live: the field
names, the answer codes and the header names below follow the published documents we had, which the
national side revises; changing them here changes what is sent, nothing else.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi thất bại")


# Our field -> the national field name (verify against the current integration specification).
FIELD_MAP: dict[str, str] = {
    "system_code": "MaHeThong",
    "idempotency_key": "MaGiaoDich",
    "sequence": "SoThuTuSuKien",
    "code": "MaHoSo",
    "procedure_code": "MaTTHC",
    "agency_code": "MaCoQuan",
    "received_at": "NgayTiepNhan",
    "due_at": "NgayHenTra",
    "returned_at": "NgayTra",
    "status": "TrangThaiHoSo",
    "history": "QuaTrinhXuLy",
}
# One line of the processing history (verify against the current integration specification).
HISTORY_FIELD_MAP: dict[str, str] = {
    "sequence": "SoThuTu",
    "status": "TrangThai",
    "at": "ThoiDiem",
    "action": "NoiDungXuLy",
    "actor": "NguoiXuLy",
}
# Dates as the national side reads them (verify against the current integration specification).
DATE_FORMAT = "%Y%m%d%H%M%S"

# Headers of the authenticated POST (verify against the current integration specification).
HEADER_SYSTEM = "X-DVCQG-System"
HEADER_TIMESTAMP = "X-DVCQG-Timestamp"
HEADER_SIGNATURE = "X-DVCQG-Signature"

# Answer codes in the JSON body's "error_code" (verify against the current integration specification).
ANSWER_ACCEPTED = "0"
ANSWER_DUPLICATE = "1"  # already received: counts as delivered
ANSWER_OUTDATED = "2"  # an older event than one already received: ignored, counts as delivered
ANSWER_BAD_SIGNATURE = "97"
ANSWER_INVALID = "99"
DELIVERED_ANSWERS = frozenset({ANSWER_ACCEPTED, ANSWER_DUPLICATE, ANSWER_OUTDATED})

# How old a signed request may be before the receiver refuses it (replays).
SIGNATURE_MAX_AGE_SECONDS = 300
