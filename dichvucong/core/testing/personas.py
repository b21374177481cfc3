"""The small cast every permission test uses (after healthchecks' `hc/test.py`).

Agency A and agency B are two departments; each has an officer. Later issues give the officers
their roles and units; tests keep saying "officer of agency A" and "officer of agency B".
"""

from __future__ import annotations

from dataclasses import dataclass

from dichvucong.accounts.models import User
from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from dichvucong.agencies.models import Agency
from dichvucong.agencies.tests.factories import AgencyFactory


@dataclass(frozen=True)
class Personas:
    agency_a: Agency
    agency_b: Agency
    citizen: User  # Nguyễn Văn An, files dossiers
    other_citizen: User  # Trần Thị Bình, must never see An's dossiers
    officer_a: User  # works at agency A
    officer_b: User  # works at agency B
    sysadmin: User  # quản trị hệ thống
    password: str = DEFAULT_PASSWORD


def make_personas() -> Personas:
    agency_a = AgencyFactory(code="000.00.71.T01", name="Sở Thử nghiệm A")
    agency_b = AgencyFactory(code="000.00.72.T01", name="Sở Thử nghiệm B")
    return Personas(
        agency_a=agency_a,
        agency_b=agency_b,
        citizen=UserFactory(username="an.nguyen", full_name="Nguyễn Văn An"),
        other_citizen=UserFactory(username="binh.tran", full_name="Trần Thị Bình"),
        officer_a=UserFactory(username="canbo.a", full_name="Lê Văn Cường", officer=True),
        officer_b=UserFactory(username="canbo.b", full_name="Phạm Thị Dung", officer=True),
        sysadmin=UserFactory(username="quantri.test", full_name="Quản trị Thử nghiệm", sysadmin=True),
    )
