from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.notifications.constants import NotificationEvent

ALERT_EVENT = NotificationEvent.INTEGRITY_ALERT  # the alert to the system administrators


class FindingKind(models.TextChoices):
    EVENT_CHAIN = "event_chain", _("Lịch sử hồ sơ đã bị thay đổi")
    FILE_CHANGED = "file_changed", _("Tệp đã bị thay đổi")
    FILE_MISSING = "file_missing", _("Tệp không còn trong kho lưu trữ")


class Scope(models.TextChoices):
    """What a periodic run walks through, each with its own cursor."""

    EVENTS = "events", _("Lịch sử hồ sơ")
    FILES = "files", _("Tệp đính kèm của hồ sơ")
    DOCUMENTS = "documents", _("Tài liệu của cơ quan")


CHAIN_REASONS = {
    "sequence": _("thiếu sự kiện hoặc sai thứ tự"),
    "previous_hash": _("mã băm sự kiện trước không khớp"),
    "hash": _("nội dung sự kiện không khớp mã băm"),
    "status": _("trạng thái hiện tại không khớp với lịch sử"),
}
