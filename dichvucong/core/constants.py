from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    """What an officer or administrator did; the reads are the ones of a dossier's personal data."""

    DOSSIER_VIEW = "dossier_view", _("Xem hồ sơ")
    FILE_DOWNLOAD = "file_download", _("Tải tệp đính kèm")
    DOCUMENT_DOWNLOAD = "document_download", _("Tải tài liệu của hồ sơ")
    SLIP_PRINT = "slip_print", _("In phiếu")
    TRACKING_BOOK_EXPORT = "tracking_book_export", _("Xuất sổ theo dõi hồ sơ")
    ADMIN_VIEW = "admin_view", _("Xem trong trang quản trị")
    DOSSIER_ACTION = "dossier_action", _("Thao tác trên hồ sơ")
    ARCHIVE_EXPORT = "archive_export", _("Xuất gói lưu trữ")
