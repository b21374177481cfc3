"""Identity rules for Vietnamese accounts: CCCD, tax code, mobile number, password strength.

Pure functions raising django ValidationError with Vietnamese messages, used by the forms and by
the services alike, so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dichvucong.accounts.constants import Sex

MOBILE_RE = re.compile(r"^(\+84|84|0)(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")

# Province codes of the CCCD (Circular 07/2016/TT-BCA, the 63 pre-2025 provinces: the code is the
# place of birth registration and does not change with the 2025 merger).
CCCD_PROVINCE_CODES = frozenset(
    re.findall(
        r"\d{3}",
        """
        001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033
        034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066
        067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096
        """,
    )
)
# 4th digit: century of birth and sex (0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, …).
_CENTURY_START = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def normalize_phone(raw: str) -> str:
    """+84 followed by 9 digits, from any of 0905…, 84905…, +84 905 123 456."""
    compact = re.sub(r"[\s.\-()]", "", raw or "")
    match = MOBILE_RE.match(compact)
    if not match:
        raise ValidationError(
            _("Số điện thoại di động không hợp lệ. Nhập 10 số, ví dụ 0905123456."), code="invalid_phone"
        )
    return "+84" + compact[len(match.group(1)) :]


def local_phone(normalised: str) -> str:
    """0905123456 from +84905123456, for display."""
    return "0" + normalised[3:] if normalised.startswith("+84") else normalised


def validate_national_id(value: str, *, date_of_birth: dt.date | None = None, sex: str | None = None) -> str:
    value = (value or "").strip()
    if not re.fullmatch(r"\d{12}", value):
        raise ValidationError(_("Số CCCD phải gồm đúng 12 chữ số."), code="cccd_format")
    if value[:3] not in CCCD_PROVINCE_CODES:
        raise ValidationError(_("Ba số đầu của CCCD không phải mã tỉnh/thành phố hợp lệ."), code="cccd_province")
    century_digit = int(value[3])
    if date_of_birth is not None:
        year = _CENTURY_START[century_digit] + int(value[4:6])
        if year != date_of_birth.year:
            raise ValidationError(
                _("Số CCCD không khớp với năm sinh %(year)s (chữ số thứ 4 đến 6 thể hiện thế kỷ và năm sinh).")
                % {"year": date_of_birth.year},
                code="cccd_birth_year",
            )
    if sex:
        expected = Sex.MALE if century_digit % 2 == 0 else Sex.FEMALE
        if sex != expected:
            raise ValidationError(
                _("Số CCCD không khớp với giới tính đã chọn (chữ số thứ 4 thể hiện giới tính)."), code="cccd_sex"
            )
    return value


def validate_tax_code(value: str) -> str:
    """10 digits with a check digit, or 13 for a branch (10 digits, a dash or not, 3 digits)."""
    compact = (value or "").strip().replace(" ", "")
    match = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", compact)
    if not match:
        raise ValidationError(_("Mã số thuế gồm 10 chữ số, hoặc 13 chữ số với đơn vị phụ thuộc."), code="tax_format")
    digits = match.group(1)
    check = 10 - sum(int(d) * w for d, w in zip(digits[:9], TAX_CODE_WEIGHTS, strict=True)) % 11
    if check > 9 or check != int(digits[9]):
        raise ValidationError(_("Mã số thuế không hợp lệ (sai chữ số kiểm tra)."), code="tax_check_digit")
    return digits + (f"-{match.group(2)}" if match.group(2) else "")


class PasswordStrengthValidator:
    """At least 8 characters with upper and lower case letters, a digit and a symbol, and none of
    the user's own identifiers (CCCD, tax code, phone) inside it."""

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < 8:
            errors.append(_("Mật khẩu phải có ít nhất 8 ký tự."))
        if not (re.search(r"[a-zà-ỹ]", password) and re.search(r"[A-ZÀ-Ỹ]", password)):
            errors.append(_("Mật khẩu phải có cả chữ hoa và chữ thường."))
        if not re.search(r"\d", password):
            errors.append(_("Mật khẩu phải có ít nhất một chữ số."))
        if not re.search(r"[^\w\s]", password):
            errors.append(_("Mật khẩu phải có ít nhất một ký tự đặc biệt (ví dụ @, #, !)."))
        if user is not None:
            for attr in ("national_id", "tax_code", "phone", "representative_national_id"):
                identifier = (getattr(user, attr, None) or "").replace("+84", "0")
                core = identifier[-9:]
                if core and len(core) >= 6 and core in password:
                    errors.append(_("Mật khẩu không được chứa số CCCD, mã số thuế hoặc số điện thoại."))
                    break
        if errors:
            raise ValidationError(errors, code="password_weak")

    def get_help_text(self) -> str:
        return _(
            "Ít nhất 8 ký tự, gồm chữ hoa, chữ thường, chữ số và ký tự đặc biệt; "
            "không chứa số CCCD, mã số thuế hoặc số điện thoại."
        )
