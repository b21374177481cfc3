"""Demo accounts, printed with their passwords by `manage.py demo` (development only).

One officer for each role in the two demo agencies that process dossiers (Sở Tư pháp and UBND
phường Thuận Hóa), a one-stop officer at the service centre, the system administrator, a citizen
and an enterprise. Every run resets their passwords, roles and authenticator secrets to the
published values below, so what is printed is always what works.

Officers must enter a TOTP code when OFFICER_2FA_REQUIRED is on (the default in production), so
each demo officer gets a confirmed authenticator whose secret is derived from the username and
printed: a tester adds it to an authenticator app by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from dichvucong.accounts.constants import AccountKind, OfficerRole, Sex
from dichvucong.accounts.models import OfficerProfile, OfficerRoleAssignment, User
from dichvucong.accounts.two_factor import base32_secret, grouped
from dichvucong.agencies.models import Agency, Unit

DEMO_PASSWORD = "DemoDVC@2026"  # noqa: S105 - published on purpose, demo only
DEMO_DEVICE_NAME = "Ứng dụng xác thực (mẫu)"
HUE = 46  # vietnam-provinces code of Thành phố Huế
THUAN_HOA_WARD = 19786

JUSTICE = "000.00.11.H57"  # Sở Tư pháp
THUAN_HOA = "000.60.01.H57"  # UBND phường Thuận Hóa
CENTRE = "000.00.31.H57"  # Trung tâm Phục vụ hành chính công
CITY = "000.00.00.H57"  # UBND thành phố Huế


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    full_name: str
    agency_code: str
    unit_code: str | None
    position: str
    role: OfficerRole
    phone: str


OFFICERS: tuple[DemoOfficer, ...] = (
    DemoOfficer(
        "quantri", "Quản trị hệ thống (mẫu)", CITY, None, "Quản trị hệ thống", OfficerRole.SYSTEM_ADMIN, "+84914200001"
    ),
    # Sở Tư pháp: a civil-status dossier goes one-stop → specialist → head of department → director → clerk.
    DemoOfficer(
        "motcua.stp", "Nguyễn Thị Thu Hà", JUSTICE, "MC", "Công chức Bộ phận Một cửa", OfficerRole.ONE_STOP,
        "+84914200101",
    ),
    DemoOfficer(
        "chuyenvien.stp", "Lê Quang Minh", JUSTICE, "HCTP", "Chuyên viên Phòng Hành chính tư pháp",
        OfficerRole.SPECIALIST, "+84914200102",
    ),
    DemoOfficer(
        "truongphong.stp", "Phan Thị Lan Anh", JUSTICE, "HCTP", "Trưởng phòng Hành chính tư pháp",
        OfficerRole.HEAD_OF_DEPARTMENT, "+84914200103",
    ),
    DemoOfficer(
        "giamdoc.stp", "Hồ Đắc Thắng", JUSTICE, "LD", "Giám đốc Sở Tư pháp", OfficerRole.AGENCY_LEADER,
        "+84914200104",
    ),
    DemoOfficer("vanthu.stp", "Tôn Nữ Bảo Trâm", JUSTICE, "VP", "Văn thư", OfficerRole.CLERK, "+84914200105"),
    DemoOfficer(
        "quantri.stp", "Trương Công Định", JUSTICE, "VP", "Chuyên viên Văn phòng Sở", OfficerRole.AGENCY_ADMIN,
        "+84914200106",
    ),
    # UBND phường Thuận Hóa: the ward's leader is its chairman, hence chutich rather than giamdoc.
    DemoOfficer(
        "motcua.thuanhoa", "Đặng Thị Ngọc Ánh", THUAN_HOA, "MC", "Công chức Bộ phận Một cửa", OfficerRole.ONE_STOP,
        "+84914200201",
    ),
    DemoOfficer(
        "chuyenvien.thuanhoa", "Võ Văn Tài", THUAN_HOA, "VHXH", "Chuyên viên Phòng Văn hóa - Xã hội",
        OfficerRole.SPECIALIST, "+84914200202",
    ),
    DemoOfficer(
        "truongphong.thuanhoa", "Ngô Thị Kim Liên", THUAN_HOA, "VHXH", "Trưởng phòng Văn hóa - Xã hội",
        OfficerRole.HEAD_OF_DEPARTMENT, "+84914200203",
    ),
    DemoOfficer(
        "chutich.thuanhoa", "Lê Văn Hùng", THUAN_HOA, "LD", "Chủ tịch UBND phường", OfficerRole.AGENCY_LEADER,
        "+84914200204",
    ),
    DemoOfficer(
        "vanthu.thuanhoa", "Huỳnh Thị Thanh Thủy", THUAN_HOA, "VP", "Văn thư", OfficerRole.CLERK, "+84914200205"
    ),
    DemoOfficer(
        "quantri.thuanhoa", "Phạm Minh Khoa", THUAN_HOA, "VP", "Công chức Văn phòng HĐND và UBND",
        OfficerRole.AGENCY_ADMIN, "+84914200206",
    ),
    DemoOfficer(
        "motcua.trungtam", "Nguyễn Hoàng Long", CENTRE, "TN", "Cán bộ tiếp nhận và trả kết quả",
        OfficerRole.ONE_STOP, "+84914200301",
    ),
)  # fmt: skip

# Nguyễn Văn An: CCCD 046 (Thừa Thiên Huế) 0 (male, born 1900–1999) 90 (1990) 001234.
CITIZEN_NATIONAL_ID = "046090001234"
# 330123456 + check digit: 10 - (Σ weights × digits) mod 11 = 10 - 343 mod 11 = 8.
ENTERPRISE_TAX_CODE = "3301234568"


def demo_totp_key(username: str) -> str:
    """A fixed, published 20-byte secret (hex) per demo officer, so reruns keep the same one."""
    return hashlib.sha256(f"dichvucong-demo-totp:{username}".encode()).hexdigest()[:40]


@cache
def _password_hash() -> str:
    # One Argon2 hash (~0.2 s) shared by every demo account: the password is public anyway, and
    # hashing it sixteen times would make each `manage.py demo` seconds slower.
    return make_password(DEMO_PASSWORD)


def _account(username: str, **fields: object) -> User:
    # Always reset the password: the one printed below must be the one that works, even if
    # someone changed it while trying the portal.
    user, _created = User.objects.update_or_create(
        username=username, defaults={"is_active": True, "password": _password_hash(), **fields}
    )
    return user


def _officer(spec: DemoOfficer) -> tuple[User, TOTPDevice]:
    agency = Agency.objects.get(code=spec.agency_code)
    unit = Unit.objects.get(agency=agency, code=spec.unit_code) if spec.unit_code else None
    is_system_admin = spec.role == OfficerRole.SYSTEM_ADMIN
    user = _account(
        spec.username,
        kind=AccountKind.OFFICER,
        full_name=spec.full_name,
        email=f"{spec.username}@example.invalid",
        phone=spec.phone,
        is_staff=spec.role in (OfficerRole.AGENCY_ADMIN, OfficerRole.SYSTEM_ADMIN),
        is_superuser=is_system_admin,
    )
    profile, _created = OfficerProfile.objects.update_or_create(
        user=user, defaults={"agency": agency, "unit": unit, "position": spec.position, "is_active": True}
    )
    profile.role_assignments.exclude(role=spec.role).delete()
    OfficerRoleAssignment.objects.get_or_create(profile=profile, role=spec.role)

    device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first() or TOTPDevice(
        user=user, name=DEMO_DEVICE_NAME
    )
    device.key = demo_totp_key(spec.username)
    device.confirmed = True
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    # The printed secret must be the one asked for: drop any authenticator a tester set up.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return user, device


def _citizen() -> User:
    existing = User.objects.filter(username=CITIZEN_NATIONAL_ID).first()
    return _account(
        CITIZEN_NATIONAL_ID,
        kind=AccountKind.CITIZEN,
        full_name="Nguyễn Văn An",
        national_id=CITIZEN_NATIONAL_ID,
        phone="+84905123456",
        email="an.nguyen@example.invalid",
        date_of_birth=dt.date(1990, 5, 12),
        sex=Sex.MALE,
        province_code=HUE,
        ward_code=THUAN_HOA_WARD,
        street_address="25 Nguyễn Huệ",
        phone_verified_at=existing.phone_verified_at if existing and existing.phone_verified_at else timezone.now(),
    )


def _enterprise() -> User:
    existing = User.objects.filter(username=ENTERPRISE_TAX_CODE).first()
    return _account(
        ENTERPRISE_TAX_CODE,
        kind=AccountKind.ENTERPRISE,
        full_name="Công ty TNHH Thương mại và Dịch vụ Hương Giang",
        tax_code=ENTERPRISE_TAX_CODE,
        representative_name="Trần Minh Quân",
        representative_national_id="046085004321",
        phone="+84935123456",
        email="huonggiang@example.invalid",
        province_code=HUE,
        ward_code=THUAN_HOA_WARD,
        street_address="48 Trần Hưng Đạo",
        phone_verified_at=existing.phone_verified_at if existing and existing.phone_verified_at else timezone.now(),
    )


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(f"  {line}" for line in lines) + "\n"


def load(out: TextIO) -> None:
    rows: list[tuple[str, ...]] = [
        ("Vai trò", "Cơ quan", "Tên đăng nhập", "Mật khẩu", "Khóa xác thực hai lớp (TOTP, base32)")
    ]
    for spec in OFFICERS:
        user, device = _officer(spec)
        agency = user.officer_profile.agency
        rows.append(
            (
                str(spec.role.label),
                agency.short_name or agency.name,
                user.username,
                DEMO_PASSWORD,
                grouped(base32_secret(device)),
            )
        )
    citizen, enterprise = _citizen(), _enterprise()
    rows.append(("Công dân", "—", citizen.username, DEMO_PASSWORD, "—"))
    rows.append(("Doanh nghiệp", "—", enterprise.username, DEMO_PASSWORD, "—"))

    out.write("Tài khoản mẫu (mật khẩu chung " + DEMO_PASSWORD + "):\n")
    out.write(_table(rows))
    out.write(
        "  Cán bộ đăng nhập xong phải nhập mã 6 số khi bật xác thực hai lớp (OFFICER_2FA_REQUIRED): thêm khóa\n"
        "  ở cột cuối vào ứng dụng xác thực (Google Authenticator, Microsoft Authenticator, FreeOTP …),\n"
        "  chọn nhập khóa thủ công, loại theo thời gian. Quản trị: /admin/ (quantri, quantri.stp, quantri.thuanhoa).\n"
    )
