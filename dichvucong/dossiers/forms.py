"""The forms of the dossier pages. Drafts may be incomplete, so nothing here is required to save;
fields needed to send carry `needed_to_send` (the (*) mark) and services.dossier_problems checks them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.forms import AddressFieldsMixin
from dichvucong.accounts.validators import normalize_phone, validate_national_id
from dichvucong.dossiers.constants import ResultDelivery
from dichvucong.dossiers.models import Dossier


def _needed(field: forms.Field) -> forms.Field:
    field.required = False
    field.needed_to_send = True
    return field


class _OptionalAddress(AddressFieldsMixin):
    """The accounts' address fields (htmx ward list, ward-in-province check), optional for a draft."""

    def setup_optional_address(self, province: int | None, ward: int | None, street: str) -> None:
        self.setup_address(province)
        for name in ("province_code", "ward_code", "street_address"):
            self.fields[name].required = False
        self.fields["province_code"].empty_value = None
        self.fields["ward_code"].empty_value = None
        if not self.is_bound:
            self.fields["ward_code"].initial = ward
            self.fields["street_address"].initial = street


class OwnerForm(_OptionalAddress):
    """Thông tin chung: the owner (chủ hồ sơ), prefilled from the account, editable when filing for someone else."""

    owner_name = forms.CharField(label=_("Họ và tên chủ hồ sơ"), max_length=255)
    owner_national_id = forms.CharField(label=_("Số CCCD/định danh cá nhân"), max_length=20)
    owner_phone = forms.CharField(label=_("Số điện thoại"), max_length=20)
    owner_email = forms.EmailField(label=_("Thư điện tử"), max_length=254)
    notify_by_sms = forms.BooleanField(label=_("Thông báo qua SMS"), required=False)

    field_order = [
        "owner_name",
        "owner_national_id",
        "owner_phone",
        "owner_email",
        "province_code",
        "ward_code",
        "street_address",
        "notify_by_sms",
    ]

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "chu")
        kwargs.setdefault(
            "initial",
            {
                "owner_name": dossier.owner_name,
                "owner_national_id": dossier.owner_national_id,
                "owner_phone": dossier.owner_phone,
                "owner_email": dossier.owner_email,
                "notify_by_sms": dossier.notify_by_sms,
            },
        )
        super().__init__(*args, **kwargs)
        self.setup_optional_address(dossier.owner_province_code, dossier.owner_ward_code, dossier.owner_street_address)
        if not self.is_bound and dossier.owner_province_code:
            self.fields["province_code"].initial = dossier.owner_province_code
        _needed(self.fields["owner_name"])
        for name in ("owner_national_id", "owner_phone", "owner_email"):
            self.fields[name].required = False
        self.fields["owner_phone"].help_text = _("Để nhận tin nhắn thông báo về hồ sơ.")
        self.order_fields(self.field_order)

    def clean_owner_national_id(self) -> str:
        value = "".join(self.cleaned_data.get("owner_national_id", "").split())
        if value:
            validate_national_id(value)
        return value

    def clean_owner_phone(self) -> str:
        value = self.cleaned_data.get("owner_phone", "").strip()
        return normalize_phone(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_address(data)
        return data

    def dossier_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "owner_name": data.get("owner_name", "").strip(),
            "owner_national_id": data.get("owner_national_id", ""),
            "owner_phone": data.get("owner_phone", ""),
            "owner_email": data.get("owner_email", ""),
            "owner_province_code": data.get("province_code"),
            "owner_ward_code": data.get("ward_code"),
            "owner_street_address": (data.get("street_address") or "").strip(),
            "notify_by_sms": bool(data.get("notify_by_sms")),
        }


class DeliveryForm(_OptionalAddress):
    """Hình thức nhận kết quả: at the one-stop desk, by post (Nhận trả hồ sơ qua bưu điện) or online."""

    result_delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"), choices=ResultDelivery.choices, widget=forms.RadioSelect
    )
    post_recipient_name = forms.CharField(label=_("Người nhận"), max_length=255)
    post_recipient_phone = forms.CharField(label=_("Điện thoại người nhận"), max_length=20)

    field_order = [
        "result_delivery",
        "post_recipient_name",
        "post_recipient_phone",
        "province_code",
        "ward_code",
        "street_address",
    ]

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "nhan")
        kwargs.setdefault(
            "initial",
            {
                "result_delivery": dossier.result_delivery,
                "post_recipient_name": dossier.post_recipient_name,
                "post_recipient_phone": dossier.post_recipient_phone,
            },
        )
        super().__init__(*args, **kwargs)
        self.setup_optional_address(dossier.post_province_code, dossier.post_ward_code, dossier.post_street_address)
        if not self.is_bound:
            self.fields["province_code"].initial = dossier.post_province_code or settings.PORTAL_PROVINCE_CODE
        self.fields["result_delivery"].required = False
        self.fields["post_recipient_phone"].required = False
        _needed(self.fields["post_recipient_name"])
        self.fields["street_address"].label = _("Địa chỉ nhận (số nhà, đường, thôn/tổ)")
        for name in ("post_recipient_name", "province_code", "ward_code", "street_address"):
            self.fields[name].help_text = ""
        self.fields["post_recipient_name"].help_text = _("Chỉ điền khi chọn nhận kết quả qua bưu điện.")
        self.order_fields(self.field_order)

    def clean_post_recipient_phone(self) -> str:
        value = self.cleaned_data.get("post_recipient_phone", "").strip()
        return normalize_phone(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.clean_address(data)
        return data

    def dossier_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        delivery = data.get("result_delivery") or ResultDelivery.AT_DESK
        by_post = delivery == ResultDelivery.BY_POST
        # The post address is kept only when the result goes by post: no stray personal data.
        return {
            "result_delivery": delivery,
            "post_recipient_name": (data.get("post_recipient_name") or "").strip() if by_post else "",
            "post_recipient_phone": data.get("post_recipient_phone", "") if by_post else "",
            "post_province_code": data.get("province_code") if by_post else None,
            "post_ward_code": data.get("ward_code") if by_post else None,
            "post_street_address": (data.get("street_address") or "").strip() if by_post else "",
        }


class AgencyChoiceForm(forms.Form):
    """Cơ quan tiếp nhận, when a procedure is received by several agencies (e.g. every commune)."""

    agency = forms.TypedChoiceField(label=_("Cơ quan tiếp nhận hồ sơ"), coerce=int, choices=())

    def __init__(self, *args: Any, agencies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("— Chọn cơ quan tiếp nhận —")), *((a.pk, a.name) for a in agencies)]
        self.fields["agency"].error_messages["required"] = _("Vui lòng chọn cơ quan tiếp nhận hồ sơ.")
        self.fields["agency"].error_messages["invalid_choice"] = _("Cơ quan đã chọn không tiếp nhận thủ tục này.")


class SubmitForm(forms.Form):
    """The review page: the pledge and the captcha before Gửi hồ sơ."""

    pledge = forms.BooleanField(
        label=_("Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên."),
        error_messages={"required": _("Vui lòng đánh dấu cam kết trước khi gửi hồ sơ.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from captcha.fields import CaptchaField

        super().__init__(*args, **kwargs)
        self.fields["captcha"] = CaptchaField(
            label=_("Mã xác nhận"),
            help_text=_("Nhập các ký tự trong ảnh."),
            error_messages={"invalid": _("Mã xác nhận không đúng, vui lòng nhập lại.")},
        )
        self.fields["captcha"].error_messages["required"] = _("Vui lòng nhập mã xác nhận.")
