"""`manage.py demo`: every demo account exists once, works with the printed password and secret."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dichvucong.accounts import demo
from dichvucong.accounts.constants import AccountKind, OfficerRole, Sex
from dichvucong.accounts.models import OfficerProfile, OfficerRoleAssignment, User
from dichvucong.accounts.validators import MOBILE_RE, validate_national_id, validate_tax_code
from dichvucong.core.permissions import can_manage_officers, is_system_admin, officer_agency_id

ROLES_IN_EACH_AGENCY = set(OfficerRole.values) - {OfficerRole.SYSTEM_ADMIN}


@pytest.fixture
def run_demo(settings):
    settings.DEBUG = True

    def run() -> str:
        out = io.StringIO()
        call_command("demo", stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def output(db, run_demo) -> str:
    return run_demo()


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        OfficerProfile.objects.count(),
        OfficerRoleAssignment.objects.count(),
        TOTPDevice.objects.count(),
    )


def test_demo_is_idempotent_and_resets_what_testers_changed(output, run_demo):
    first = counts()
    officer = User.objects.get(username="motcua.stp")
    officer.set_password("Mat-khau-khac@1")
    officer.save()
    OfficerRoleAssignment.objects.create(profile=officer.officer_profile, role=OfficerRole.CLERK)
    TOTPDevice.objects.create(user=officer, name="Điện thoại của người thử", confirmed=True)
    User.objects.filter(username="giamdoc.stp").update(is_active=False)

    second_output = run_demo()

    assert counts() == first
    officer.refresh_from_db()
    assert officer.check_password(demo.DEMO_PASSWORD)
    assert list(officer.officer_profile.role_assignments.values_list("role", flat=True)) == [OfficerRole.ONE_STOP]
    assert [d.name for d in TOTPDevice.objects.filter(user=officer)] == [demo.DEMO_DEVICE_NAME]
    assert User.objects.get(username="giamdoc.stp").is_active
    assert second_output.count(demo.DEMO_PASSWORD) == output.count(demo.DEMO_PASSWORD)


def test_every_role_in_each_processing_agency(output):
    for code in (demo.JUSTICE, demo.THUAN_HOA):
        roles = set(OfficerRoleAssignment.objects.filter(profile__agency__code=code).values_list("role", flat=True))
        assert roles == ROLES_IN_EACH_AGENCY, code
    assert OfficerProfile.objects.filter(agency__code=demo.CENTRE).exists()
    assert OfficerRoleAssignment.objects.filter(
        role=OfficerRole.SYSTEM_ADMIN, profile__user__username="quantri"
    ).exists()


EXPECTED_OFFICERS = [
    ("motcua.stp", demo.JUSTICE, "MC", OfficerRole.ONE_STOP),
    ("chuyenvien.stp", demo.JUSTICE, "HCTP", OfficerRole.SPECIALIST),
    ("truongphong.stp", demo.JUSTICE, "HCTP", OfficerRole.HEAD_OF_DEPARTMENT),
    ("giamdoc.stp", demo.JUSTICE, "LD", OfficerRole.AGENCY_LEADER),
    ("vanthu.stp", demo.JUSTICE, "VP", OfficerRole.CLERK),
    ("quantri.stp", demo.JUSTICE, "VP", OfficerRole.AGENCY_ADMIN),
    ("motcua.thuanhoa", demo.THUAN_HOA, "MC", OfficerRole.ONE_STOP),
    ("chuyenvien.thuanhoa", demo.THUAN_HOA, "VHXH", OfficerRole.SPECIALIST),
    ("truongphong.thuanhoa", demo.THUAN_HOA, "VHXH", OfficerRole.HEAD_OF_DEPARTMENT),
    ("chutich.thuanhoa", demo.THUAN_HOA, "LD", OfficerRole.AGENCY_LEADER),
    ("vanthu.thuanhoa", demo.THUAN_HOA, "VP", OfficerRole.CLERK),
    ("quantri.thuanhoa", demo.THUAN_HOA, "VP", OfficerRole.AGENCY_ADMIN),
    ("motcua.trungtam", demo.CENTRE, "TN", OfficerRole.ONE_STOP),
]


def test_demo_officers(output):
    # One loop rather than one test per officer: each test would load the whole demo again.
    for username, agency_code, unit_code, role in EXPECTED_OFFICERS:
        officer = User.objects.get(username=username)
        profile = officer.officer_profile

        assert officer.kind == AccountKind.OFFICER, username
        assert (profile.agency.code, profile.unit.code) == (agency_code, unit_code), username
        assert list(profile.role_assignments.values_list("role", flat=True)) == [role], username
        assert officer_agency_id(officer) == profile.agency_id, username
        assert officer.is_staff == (role == OfficerRole.AGENCY_ADMIN), username
        assert not officer.is_superuser, username
        assert can_manage_officers(officer, profile.agency_id) == (role == OfficerRole.AGENCY_ADMIN), username
        assert re.fullmatch(r"[a-z]+\.[a-z]+", username)
        assert len(officer.full_name.split()) >= 3, username
        assert MOBILE_RE.match(officer.phone), username
        assert officer.phone.startswith("+84"), username
        assert username in output
    # Every account shares one password hash, so checking one checks them all.
    assert User.objects.get(username="vanthu.thuanhoa").check_password(demo.DEMO_PASSWORD)
    assert len(set(User.objects.filter(officer_profile__isnull=False).values_list("password", flat=True))) == 1


def test_system_administrator_is_kept(output):
    admin = User.objects.get(username="quantri")

    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password(demo.DEMO_PASSWORD)
    assert is_system_admin(admin)


def test_demo_citizen_nguyen_van_an(output):
    citizen = User.objects.get(username="046090001234")

    assert citizen.kind == AccountKind.CITIZEN
    assert citizen.full_name == "Nguyễn Văn An"
    assert citizen.national_id == "046090001234"
    assert citizen.phone == "+84905123456"
    assert citizen.email == "an.nguyen@example.invalid"
    assert citizen.phone_verified_at is not None
    assert citizen.date_of_birth == dt.date(1990, 5, 12)
    assert citizen.sex == Sex.MALE
    assert citizen.check_password(demo.DEMO_PASSWORD)
    # The CCCD agrees with the birth year and sex: the validators of registration accept it.
    validate_national_id(citizen.national_id, date_of_birth=citizen.date_of_birth, sex=citizen.sex)
    assert officer_agency_id(citizen) is None


def test_demo_enterprise_has_a_valid_tax_code(output):
    enterprise = User.objects.get(username=demo.ENTERPRISE_TAX_CODE)

    assert enterprise.kind == AccountKind.ENTERPRISE
    assert enterprise.tax_code == "3301234568"
    assert validate_tax_code(enterprise.tax_code) == enterprise.tax_code
    assert MOBILE_RE.match(enterprise.phone)
    validate_national_id(enterprise.representative_national_id)


def test_phone_numbers_are_unique_and_valid(output):
    phones = list(User.objects.exclude(phone=None).values_list("phone", flat=True))

    assert len(phones) == len(set(phones)) >= 16
    assert all(MOBILE_RE.match(phone) and phone.startswith("+84") for phone in phones)


def test_officers_have_the_published_authenticator_secret(output):
    for spec in demo.OFFICERS:
        device = TOTPDevice.objects.get(user__username=spec.username)
        assert device.confirmed
        assert device.key == demo.demo_totp_key(spec.username)
        secret = base64.b32encode(device.bin_key).decode()
        printed = re.search(rf"^\s+.*\s{re.escape(spec.username)}\s.*$", output, re.M).group(0)
        assert secret in printed.replace(" ", "")
        # What an authenticator app computes from the printed secret is accepted.
        assert device.verify_token(totp(base64.b32decode(secret)))


def test_demo_prints_a_table_of_every_account(output):
    header = next(line for line in output.splitlines() if "Tên đăng nhập" in line)
    assert [column.strip() for column in re.split(r"\s{2,}", header.strip())[:4]] == [
        "Vai trò",
        "Cơ quan",
        "Tên đăng nhập",
        "Mật khẩu",
    ]
    for spec in demo.OFFICERS:
        row = next(line for line in output.splitlines() if f" {spec.username} " in line)
        assert str(spec.role.label) in row
        assert demo.DEMO_PASSWORD in row
    for username in ("046090001234", "3301234568"):
        assert any(username in line and demo.DEMO_PASSWORD in line for line in output.splitlines())
    assert "Sở Tư pháp" in output
    assert "UBND phường Thuận Hóa" in output
