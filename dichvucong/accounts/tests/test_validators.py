from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dichvucong.accounts.models import User
from dichvucong.accounts.validators import (
    PasswordStrengthValidator,
    normalize_phone,
    validate_national_id,
    validate_tax_code,
)


@pytest.mark.parametrize("raw", ["0905123456", "84905123456", "+84905123456", "0905 123 456", "090.512.3456"])
def test_phone_numbers_are_stored_normalised(raw):
    assert normalize_phone(raw) == "+84905123456"


@pytest.mark.parametrize("raw", ["", "0123456789", "090512345", "09051234567", "+1 202 555 0100", "abc", "0205123456"])
def test_invalid_phone_numbers_are_refused_in_vietnamese(raw):
    with pytest.raises(ValidationError, match="Số điện thoại di động không hợp lệ"):
        normalize_phone(raw)


def test_cccd_structure_province_century_year_and_sex():
    born_1990 = dt.date(1990, 5, 12)
    assert validate_national_id("046090001234", date_of_birth=born_1990, sex="male") == "046090001234"
    assert validate_national_id("001305001234", date_of_birth=dt.date(2005, 1, 1), sex="female")

    with pytest.raises(ValidationError, match="12 chữ số"):
        validate_national_id("04609000123")
    with pytest.raises(ValidationError, match="mã tỉnh"):
        validate_national_id("003090001234")  # 003 is not a province code
    with pytest.raises(ValidationError, match="năm sinh 1991"):
        validate_national_id("046090001234", date_of_birth=dt.date(1991, 5, 12))
    with pytest.raises(ValidationError, match="năm sinh 1990"):
        validate_national_id("046290001234", date_of_birth=born_1990)  # 2 = born in the 2000s
    with pytest.raises(ValidationError, match="giới tính"):
        validate_national_id("046090001234", date_of_birth=born_1990, sex="female")


def test_tax_code_check_digit():
    assert validate_tax_code("0100109106") == "0100109106"
    assert validate_tax_code("0100109106-001") == "0100109106-001"
    assert validate_tax_code("0100109106001") == "0100109106-001"
    with pytest.raises(ValidationError, match="sai chữ số kiểm tra"):
        validate_tax_code("0100109107")
    with pytest.raises(ValidationError, match="10 chữ số"):
        validate_tax_code("01001091")


def test_password_strength_and_no_identifiers_inside():
    validator = PasswordStrengthValidator()
    validator.validate("Hue@2026-song")

    validator.validate("Short1A!")  # exactly 8 characters is enough
    for weak in ["Sh0rt!", "alllowercase1!", "ALLUPPER1!", "NoDigits!!", "NoSymbol123"]:
        with pytest.raises(ValidationError):
            validator.validate(weak)
    user = User(national_id="046090001234", phone="+84905123456")
    with pytest.raises(ValidationError, match="không được chứa số CCCD"):
        validator.validate("Ab!046090001234", user)
    with pytest.raises(ValidationError, match="không được chứa số CCCD"):
        validator.validate("Ab!0905123456", user)
