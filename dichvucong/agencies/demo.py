"""Demo agencies of one province (Thành phố Huế after the 1 July 2025 reform).

Names follow the real structure of the province's administration; the electronic identifier
codes follow the format of Decision 20/2020/QĐ-TTg but are demo values (verify against the
province's published list before real use). Every row is flagged `is_demo`.
"""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from dichvucong.agencies.constants import AgencyKind, UnitKind
from dichvucong.agencies.models import Agency, Unit

HUE = 46  # vietnam-provinces code of Thành phố Huế

# (code, name, short name, kind, parent code, ward code, street, phone)
AGENCIES: list[tuple[str, str, str, str, str | None, int | None, str, str]] = [
    (
        "000.00.00.H57",
        "Ủy ban nhân dân thành phố Huế",
        "UBND TP Huế",
        AgencyKind.PROVINCIAL_COMMITTEE,
        None,
        19786,
        "16 Lê Lợi",
        "0234 3 822 003",
    ),
    (
        "000.00.31.H57",
        "Trung tâm Phục vụ hành chính công thành phố Huế",
        "TTPVHCC TP Huế",
        AgencyKind.SERVICE_CENTRE,
        "000.00.00.H57",
        19786,
        "01 Lê Lai",
        "0234 3 822 222",
    ),
    (
        "000.00.11.H57",
        "Sở Tư pháp thành phố Huế",
        "Sở Tư pháp",
        AgencyKind.DEPARTMENT,
        "000.00.00.H57",
        19786,
        "09 Tôn Đức Thắng",
        "0234 3 822 480",
    ),
    (
        "000.00.12.H57",
        "Sở Tài chính thành phố Huế",
        "Sở Tài chính",
        AgencyKind.DEPARTMENT,
        "000.00.00.H57",
        19786,
        "07 Tôn Đức Thắng",
        "0234 3 822 538",
    ),
    (
        "000.00.13.H57",
        "Sở Xây dựng thành phố Huế",
        "Sở Xây dựng",
        AgencyKind.DEPARTMENT,
        "000.00.00.H57",
        19786,
        "19 Lê Lợi",
        "0234 3 822 684",
    ),
    (
        "000.00.14.H57",
        "Sở Y tế thành phố Huế",
        "Sở Y tế",
        AgencyKind.DEPARTMENT,
        "000.00.00.H57",
        19768,
        "28 Lê Lợi",
        "0234 3 822 442",
    ),
    (
        "000.60.01.H57",
        "Ủy ban nhân dân phường Thuận Hóa",
        "UBND phường Thuận Hóa",
        AgencyKind.COMMUNE_COMMITTEE,
        "000.00.00.H57",
        19786,
        "24 Tố Hữu",
        "0234 3 826 101",
    ),
    (
        "000.60.02.H57",
        "Ủy ban nhân dân phường Phú Xuân",
        "UBND phường Phú Xuân",
        AgencyKind.COMMUNE_COMMITTEE,
        "000.00.00.H57",
        19768,
        "06 Lê Duẩn",
        "0234 3 522 102",
    ),
    (
        "000.60.03.H57",
        "Ủy ban nhân dân phường Vỹ Dạ",
        "UBND phường Vỹ Dạ",
        AgencyKind.COMMUNE_COMMITTEE,
        "000.00.00.H57",
        19777,
        "112 Nguyễn Sinh Cung",
        "0234 3 826 103",
    ),
    (
        "000.60.04.H57",
        "Ủy ban nhân dân xã Phú Vinh",
        "UBND xã Phú Vinh",
        AgencyKind.COMMUNE_COMMITTEE,
        "000.00.00.H57",
        19945,
        "Thôn Diêm Trường",
        "0234 3 869 104",
    ),
]

# Before 1 July 2025 the city had districts; the district's old dossiers keep it, new ones go
# to its successor. One such pair shows how the reform is recorded.
FORMER = (
    "000.20.00.H57",
    "Ủy ban nhân dân quận Thuận Hóa (trước 01/7/2025)",
    "UBND quận Thuận Hóa",
    AgencyKind.OTHER,
    "000.00.00.H57",
    19786,
    "24 Tố Hữu",
    "0234 3 826 100",
)

# (code, name, kind) of the units inside each kind of agency
DEPARTMENT_UNITS = [
    ("MC", "Bộ phận Một cửa", UnitKind.ONE_STOP),
    ("VP", "Văn phòng", UnitKind.CLERICAL),
    ("LD", "Ban Giám đốc", UnitKind.LEADERSHIP),
]
SPECIALIST_UNITS = {
    "000.00.11.H57": [("HCTP", "Phòng Hành chính tư pháp"), ("BTTP", "Phòng Bổ trợ tư pháp")],
    "000.00.12.H57": [("DKKD", "Phòng Đăng ký kinh doanh"), ("QLGCS", "Phòng Quản lý giá và công sản")],
    "000.00.13.H57": [("QLXD", "Phòng Quản lý xây dựng"), ("QHKT", "Phòng Quy hoạch - Kiến trúc")],
    "000.00.14.H57": [("NVY", "Phòng Nghiệp vụ Y"), ("NVD", "Phòng Nghiệp vụ Dược")],
}
COMMUNE_UNITS = [
    ("MC", "Bộ phận Một cửa", UnitKind.ONE_STOP),
    ("VP", "Văn phòng HĐND và UBND", UnitKind.CLERICAL),
    ("KT", "Phòng Kinh tế", UnitKind.SPECIALIST),
    ("VHXH", "Phòng Văn hóa - Xã hội", UnitKind.SPECIALIST),
    ("LD", "Lãnh đạo UBND", UnitKind.LEADERSHIP),
]
CENTRE_UNITS = [
    ("TN", "Bộ phận Tiếp nhận và Trả kết quả", UnitKind.ONE_STOP),
    ("HCTH", "Phòng Hành chính - Tổng hợp", UnitKind.CLERICAL),
    ("LD", "Lãnh đạo Trung tâm", UnitKind.LEADERSHIP),
]


def _upsert(row: tuple, **extra: object) -> Agency:
    code, name, short, kind, parent_code, ward, street, phone = row
    agency, _created = Agency.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short,
            "kind": kind,
            "parent": Agency.objects.get(code=parent_code) if parent_code else None,
            "province_code": HUE,
            "ward_code": ward,
            "street_address": street,
            "phone": phone,
            "email": "",
            "is_demo": True,
            **extra,
        },
    )
    return agency


def _units(agency: Agency, units: list[tuple[str, str, str]]) -> None:
    for code, name, kind in units:
        Unit.objects.update_or_create(agency=agency, code=code, defaults={"name": name, "kind": kind})


def load(out: TextIO) -> None:
    agencies = [_upsert(row) for row in AGENCIES]
    for agency in agencies:
        if agency.kind == AgencyKind.DEPARTMENT:
            specialists = [(c, n, UnitKind.SPECIALIST) for c, n in SPECIALIST_UNITS[agency.code]]
            _units(agency, DEPARTMENT_UNITS[:1] + specialists + DEPARTMENT_UNITS[1:])
        elif agency.kind == AgencyKind.COMMUNE_COMMITTEE:
            _units(agency, COMMUNE_UNITS)
        elif agency.kind == AgencyKind.SERVICE_CENTRE:
            _units(agency, CENTRE_UNITS)
    successor = Agency.objects.get(code="000.60.01.H57")
    _upsert(FORMER, valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2025, 6, 30), successor=successor)
    out.write(
        f"Cơ quan mẫu: {len(agencies) + 1} cơ quan, {Unit.objects.filter(agency__is_demo=True).count()} đơn vị.\n"
    )
