from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dichvucong.agencies.models import Agency
from dichvucong.core.addresses import grouped_ward_choices, province_choices, ward_in_province


class AgencyForm(forms.ModelForm):
    province_code = forms.TypedChoiceField(
        label=_("Tỉnh/thành phố"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=lambda: [("", "—"), *province_choices()],
    )
    ward_code = forms.TypedChoiceField(
        label=_("Xã/phường"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=lambda: [("", "—"), *grouped_ward_choices()],
    )

    website = forms.URLField(label=_("Trang thông tin"), required=False, assume_scheme="https")

    class Meta:
        model = Agency
        fields = (
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "is_demo",
            "province_code",
            "ward_code",
            "street_address",
            "phone",
            "email",
            "website",
            "valid_from",
            "valid_to",
            "successor",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        province, ward = data.get("province_code"), data.get("ward_code")
        if ward and not province:
            self.add_error("province_code", _("Chọn tỉnh/thành phố của xã/phường đã chọn."))
        elif ward and province and not ward_in_province(ward, province):
            self.add_error("ward_code", _("Xã/phường này không thuộc tỉnh/thành phố đã chọn."))
        successor = data.get("successor")
        if successor and self.instance.pk and successor.pk == self.instance.pk:
            self.add_error("successor", _("Một cơ quan không thể kế thừa chính nó."))
        parent = data.get("parent")
        if parent and self.instance.pk and self.instance.pk in {a.pk for a in parent.ancestors_and_self()}:
            self.add_error("parent", _("Cơ quan cấp trên không thể là chính nó hoặc đơn vị cấp dưới của nó."))
        return data
