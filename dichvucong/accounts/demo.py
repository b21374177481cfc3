"""Demo accounts, printed with their passwords by `manage.py demo` (development only)."""

from __future__ import annotations

from typing import TextIO

from dichvucong.accounts.constants import AccountKind
from dichvucong.accounts.models import User

DEMO_PASSWORD = "DemoDVC@2026"  # noqa: S105 - published on purpose, demo only


def load(out: TextIO) -> None:
    admin, _created = User.objects.get_or_create(
        username="quantri",
        defaults={
            "full_name": "Quản trị hệ thống (mẫu)",
            "kind": AccountKind.OFFICER,
            "is_staff": True,
            "is_superuser": True,
            "email": "quantri@example.invalid",
        },
    )
    # Always reset: the password printed below must be the one that works, even if someone
    # changed it while trying the portal.
    admin.set_password(DEMO_PASSWORD)
    admin.save(update_fields=["password"])
    out.write("Tài khoản mẫu:\n")
    out.write(f"  quản trị hệ thống  tên đăng nhập: quantri   mật khẩu: {DEMO_PASSWORD}   (/admin/)\n")
