"""The values a bag's metadata can draw from, and the default mapping to Circular 02/2019/TT-BNV's elements.

The mapping itself is data (MetadataField rows, seeded from DEFAULT_FIELDS by a migration and
edited in the admin); this module only says which values exist. Every seeded element is marked
unverified: the element names follow the Circular's annex on electronic-records metadata as far
as we know it, and must be checked against the published text before the package is relied on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dichvucong.dossiers.codes import CODE_TIMEZONE


def _day(moment: datetime | None) -> str:
    return moment.astimezone(CODE_TIMEZONE).date().isoformat() if moment else ""


SOURCES: dict[str, Callable[[Any], Any]] = {
    "dossier_code": lambda c: c.dossier.code or "",
    "title": lambda c: c.dossier.procedure_version.name,
    "procedure_code": lambda c: c.dossier.procedure_version.procedure.code,
    "procedure_name": lambda c: c.dossier.procedure_version.name,
    "agency_code": lambda c: c.dossier.agency.code,
    "agency_name": lambda c: c.dossier.agency.name,
    "owner_name": lambda c: c.dossier.owner_name,
    "status": lambda c: c.dossier.status,
    "start_date": lambda c: _day(c.dossier.submitted_at),
    "end_date": lambda c: _day(c.finished_at),
    "retention": lambda c: c.retention.label,
    "retention_years": lambda c: c.retention.years,
    "file_count": lambda c: c.file_count,
    "language": lambda c: "Tiếng Việt",
    "access_mode": lambda c: "Hạn chế",
}

# (key, element of the Circular, source). Order is the order in metadata.json and metadata.xml.
DEFAULT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("ma-ho-so", "Mã hồ sơ", "dossier_code"),
    ("tieu-de-ho-so", "Tiêu đề hồ sơ", "title"),
    ("ma-thu-tuc", "Mã thủ tục hành chính", "procedure_code"),
    ("ten-thu-tuc", "Tên thủ tục hành chính", "procedure_name"),
    ("ma-co-quan", "Mã cơ quan, tổ chức lập hồ sơ", "agency_code"),
    ("ten-co-quan", "Tên cơ quan, tổ chức lập hồ sơ", "agency_name"),
    ("chu-ho-so", "Tổ chức, cá nhân nộp hồ sơ", "owner_name"),
    ("thoi-gian-bat-dau", "Thời gian bắt đầu", "start_date"),
    ("thoi-gian-ket-thuc", "Thời gian kết thúc", "end_date"),
    ("thoi-han-bao-quan", "Thời hạn bảo quản", "retention"),
    ("tong-so-tai-lieu", "Tổng số văn bản, tài liệu trong hồ sơ", "file_count"),
    ("ngon-ngu", "Ngôn ngữ", "language"),
    ("che-do-su-dung", "Chế độ sử dụng", "access_mode"),
    ("trang-thai", "Tình trạng giải quyết", "status"),
)
