from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.constants import AccountKind, Sex
from dichvucong.accounts.models import User
from dichvucong.accounts.services import PROFILE_FIELDS, RegistrationData, registration_conflicts
from dichvucong.accounts.validators import (
    PasswordStrengthValidator,
    normalize_phone,
    validate_national_id,
    validate_tax_code,
)
from dichvucong.core.addresses import province_choices, ward_choices, ward_in_province

VERIFY_CHOICES = [("sms", _("Thuê bao di động (mã OTP qua SMS)")), ("email", _("Thư điện tử (đường dẫn xác thực)"))]
SUBJECT_CHOICES = [
    (AccountKind.CITIZEN, _("Công dân")),
    (AccountKind.ORGANISATION, _("Tổ chức")),
    (AccountKind.ENTERPRISE, _("Doanh nghiệp")),
]


def _new_password_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, strip=False, max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class SubjectForm(forms.Form):
    """Step 1 of the seeds: Đối tượng đăng ký and Phương thức xác thực."""

    doi_tuong = forms.ChoiceField(label=_("Đối tượng đăng ký"), choices=SUBJECT_CHOICES, widget=forms.RadioSelect)
    xac_thuc = forms.ChoiceField(label=_("Phương thức xác thực"), choices=VERIFY_CHOICES, widget=forms.RadioSelect)


class AddressFieldsMixin(forms.Form):
    province_code = forms.TypedChoiceField(label=_("Tỉnh/thành phố"), coerce=int, choices=())
    ward_code = forms.TypedChoiceField(label=_("Xã/phường/đặc khu"), coerce=int, choices=())
    street_address = forms.CharField(label=_("Số nhà, đường, thôn/tổ"), max_length=255)

    def setup_address(self, initial_province: int | None) -> None:
        province = self.data.get(self.add_prefix("province_code")) or initial_province or settings.PORTAL_PROVINCE_CODE
        try:
            province = int(province)
        except (TypeError, ValueError):
            province = settings.PORTAL_PROVINCE_CODE
        self.fields["province_code"].choices = [("", _("— Chọn tỉnh/thành phố —")), *province_choices()]
        self.fields["province_code"].initial = province
        # Offer the wards of the chosen province; a submitted ward of another province is still
        # accepted as a choice and then rejected by clean() with a message that says why.
        wards = list(ward_choices(province))
        submitted = self.data.get(self.add_prefix("ward_code"))
        if (
            submitted
            and submitted.isascii()
            and submitted.isdigit()
            and int(submitted) not in {code for code, _name in wards}
        ):
            wards += [(code, name) for code, name in ward_choices() if code == int(submitted)]
        self.fields["ward_code"].choices = [("", _("— Chọn xã/phường —")), *wards]
        # With JavaScript, htmx refreshes the ward list when the province changes.
        self.fields["province_code"].widget.attrs.update(
            {"hx-get": reverse("accounts:wards"), "hx-target": f"#{self['ward_code'].auto_id}", "hx-trigger": "change"}
        )

    def clean_address(self, data: dict[str, Any]) -> None:
        province, ward = data.get("province_code"), data.get("ward_code")
        if province and ward and not ward_in_province(ward, province):
            self.add_error("ward_code", _("Xã/phường đã chọn không thuộc tỉnh/thành phố đã chọn."))


class RegistrationForm(AddressFieldsMixin):
    """The registration form of one subject type; fields marked (*) in the template are required."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    national_id = forms.CharField(label=_("Số CCCD"), max_length=12, required=False)
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sex = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *Sex.choices], required=False)
    tax_code = forms.CharField(label=_("Mã số thuế"), max_length=14, required=False)
    representative_name = forms.CharField(label=_("Họ và tên người đại diện"), max_length=255, required=False)
    representative_national_id = forms.CharField(label=_("Số CCCD người đại diện"), max_length=12, required=False)
    phone = forms.CharField(
        label=_("Số điện thoại di động"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"), required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = _new_password_field(_("Mật khẩu"))
    password2 = _new_password_field(_("Nhập lại mật khẩu"))

    def __init__(self, *args: Any, kind: str, verify_by: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind, self.verify_by = kind, verify_by
        self.setup_address(None)
        self.fields["password1"].help_text = PasswordStrengthValidator().get_help_text()
        if kind == AccountKind.CITIZEN:
            for name in ("national_id", "date_of_birth", "sex"):
                self.fields[name].required = True
            for name in ("tax_code", "representative_name", "representative_national_id"):
                del self.fields[name]
        else:
            self.fields["full_name"].label = (
                _("Tên doanh nghiệp") if kind == AccountKind.ENTERPRISE else _("Tên tổ chức")
            )
            for name in ("tax_code", "representative_name", "representative_national_id"):
                self.fields[name].required = True
            for name in ("national_id", "date_of_birth", "sex"):
                del self.fields[name]
        if verify_by == "email":
            self.fields["email"].required = True

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups = [
            (
                _("Thông tin cá nhân") if self.kind == AccountKind.CITIZEN else _("Thông tin tổ chức, doanh nghiệp"),
                [
                    "full_name",
                    "national_id",
                    "date_of_birth",
                    "sex",
                    "tax_code",
                    "representative_name",
                    "representative_national_id",
                ],
            ),
            (_("Liên hệ và địa chỉ"), ["phone", "email", "province_code", "ward_code", "street_address"]),
            (_("Mật khẩu"), ["password1", "password2"]),
        ]
        return [(str(title), [self[name] for name in names if name in self.fields]) for title, names in groups]

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_tax_code(self) -> str:
        return validate_tax_code(self.cleaned_data["tax_code"])

    def clean_representative_national_id(self) -> str:
        return validate_national_id(self.cleaned_data["representative_national_id"])

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born and (born > today or born.year < 1900):
            raise ValidationError(_("Ngày sinh không hợp lệ."))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_address(data)
        if "national_id" in self.fields and data.get("national_id") is not None:
            try:
                data["national_id"] = validate_national_id(
                    data["national_id"], date_of_birth=data.get("date_of_birth"), sex=data.get("sex") or None
                )
            except ValidationError as error:
                self.add_error("national_id", error)
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        if data.get("password1"):
            candidate = User(
                national_id=data.get("national_id"),
                tax_code=data.get("tax_code"),
                phone=data.get("phone"),
                representative_national_id=data.get("representative_national_id", ""),
                full_name=data.get("full_name", ""),
                email=data.get("email", ""),
            )
            try:
                password_validation.validate_password(data["password1"], candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        if not self.errors:
            taken = registration_conflicts(self.registration_data())
            # Say which identifier is taken: the form must, to be usable; it says no more (no name,
            # no hint of the other account's state).
            messages = {
                "national_id": _("Số CCCD này đã được đăng ký tài khoản."),
                "tax_code": _("Mã số thuế này đã được đăng ký tài khoản."),
                "phone": _("Số điện thoại này đã được đăng ký tài khoản."),
            }
            for field in sorted(taken):
                self.add_error(field, messages[field])
        return data

    def registration_data(self) -> RegistrationData:
        data = self.cleaned_data
        return RegistrationData(
            kind=self.kind,
            full_name=data["full_name"].strip(),
            password=data.get("password1", ""),
            phone=data["phone"],
            email=data.get("email", ""),
            national_id=data.get("national_id") or None,
            tax_code=data.get("tax_code") or None,
            date_of_birth=data.get("date_of_birth"),
            sex=data.get("sex", ""),
            representative_name=data.get("representative_name", ""),
            representative_national_id=data.get("representative_national_id", ""),
            province_code=data.get("province_code"),
            ward_code=data.get("ward_code"),
            street_address=data.get("street_address", ""),
            verify_by=self.verify_by,
        )


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("Mã OTP"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
        error_messages={"min_length": _("Mã OTP gồm 6 chữ số."), "max_length": _("Mã OTP gồm 6 chữ số.")},
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("Mã OTP gồm 6 chữ số."))
        return code


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Tài khoản"),
        max_length=254,
        help_text=_("Số CCCD, mã số thuế, số điện thoại hoặc thư điện tử."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember = forms.BooleanField(label=_("Ghi nhớ đăng nhập"), required=False)


class PasswordResetRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("Số điện thoại di động đã đăng ký"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])


class SetPasswordWithOtpForm(OtpForm):
    new_password1 = _new_password_field(_("Mật khẩu mới"))
    new_password2 = _new_password_field(_("Nhập lại mật khẩu mới"))

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("Hai mật khẩu không giống nhau."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except ValidationError as error:
                self.add_error("new_password1", error)
        return data


class ProfileForm(AddressFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = [f for f in PROFILE_FIELDS if f not in {"province_code", "ward_code", "street_address"}]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_address(self.instance.province_code)
        self.fields["province_code"].initial = self.instance.province_code or settings.PORTAL_PROVINCE_CODE
        self.fields["ward_code"].initial = self.instance.ward_code
        self.fields["street_address"].initial = self.instance.street_address
        self.fields["full_name"].required = True
        self.fields["full_name"].label = {
            AccountKind.ENTERPRISE: _("Tên doanh nghiệp"),
            AccountKind.ORGANISATION: _("Tên tổ chức"),
        }.get(self.instance.kind, _("Họ và tên"))
        self.fields["email"].label = _("Thư điện tử")
        # Identity data that must match the CCCD cannot be edited here: it was checked at registration.
        if self.instance.kind == AccountKind.CITIZEN:
            for name in ("representative_name", "representative_national_id"):
                del self.fields[name]
            self.fields["date_of_birth"].disabled = True
            self.fields["sex"].disabled = True
        else:
            for name in ("date_of_birth", "sex"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_address(data)
        return data


class PhoneChangeForm(forms.Form):
    new_phone = forms.CharField(
        label=_("Số điện thoại mới"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_new_phone(self) -> str:
        return normalize_phone(self.cleaned_data["new_phone"])
