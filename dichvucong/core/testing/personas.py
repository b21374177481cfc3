"""The small cast every permission test uses (after healthchecks' `hc/test.py`).

Agency A and agency B are two departments; each has an officer, and agency A has its own
administrator (quản trị đơn vị). Tests keep saying "officer of agency A" and "officer of agency B".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.models import OfficerProfile, OfficerRoleAssignment, User
from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from dichvucong.agencies.models import Agency
from dichvucong.agencies.tests.factories import AgencyFactory


@dataclass(frozen=True)
class Personas:
    agency_a: Agency
    agency_b: Agency
    citizen: User  # Nguyễn Văn An, files dossiers
    other_citizen: User  # Trần Thị Bình, must never see An's dossiers
    officer_a: User  # chuyên viên at agency A
    officer_b: User  # cán bộ một cửa at agency B
    agency_admin_a: User  # quản trị đơn vị of agency A (staff: manages A's officers in the admin)
    sysadmin: User  # quản trị hệ thống
    password: str = DEFAULT_PASSWORD


@cache
def _password_hash() -> str:
    # Argon2 takes ~0.2 s on purpose; hashing the shared test password once per process instead
    # of once per persona keeps every permission test about a second faster.
    return make_password(DEFAULT_PASSWORD)


def _user(**fields: Any) -> User:
    user = UserFactory(password=None, **fields)  # None: no hashing here, the shared hash follows
    user.password = _password_hash()
    user.save(update_fields=["password"])
    return user


def make_officer(user: User, agency: Agency, *roles: str, **profile: Any) -> User:
    officer_profile = OfficerProfile.objects.create(user=user, agency=agency, **profile)
    OfficerRoleAssignment.objects.bulk_create(OfficerRoleAssignment(profile=officer_profile, role=r) for r in roles)
    return user


def make_personas() -> Personas:
    agency_a = AgencyFactory(code="000.00.71.T01", name="Sở Thử nghiệm A")
    agency_b = AgencyFactory(code="000.00.72.T01", name="Sở Thử nghiệm B")
    return Personas(
        agency_a=agency_a,
        agency_b=agency_b,
        citizen=_user(username="an.nguyen", full_name="Nguyễn Văn An"),
        other_citizen=_user(username="binh.tran", full_name="Trần Thị Bình"),
        officer_a=make_officer(
            _user(username="canbo.a", full_name="Lê Văn Cường", officer=True), agency_a, OfficerRole.SPECIALIST
        ),
        officer_b=make_officer(
            _user(username="canbo.b", full_name="Phạm Thị Dung", officer=True), agency_b, OfficerRole.ONE_STOP
        ),
        agency_admin_a=make_officer(
            _user(username="quantri.a", full_name="Hoàng Văn Em", officer=True, is_staff=True),
            agency_a,
            OfficerRole.AGENCY_ADMIN,
        ),
        sysadmin=_user(username="quantri.test", full_name="Quản trị Thử nghiệm", sysadmin=True),
    )


def force_login_verified(client: Any, user: User) -> TOTPDevice:
    """Log `user` into the test client with a session that has passed the TOTP check.

    Officers and staff are sent to the code page until then (OFFICER_2FA_REQUIRED, on in the
    tests), so a test of a back-office or admin page logs in through this instead of force_login.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Thử nghiệm", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
