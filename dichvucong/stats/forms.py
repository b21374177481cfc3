from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dichvucong.agencies.models import Agency
from dichvucong.catalog.models import Procedure, ProcedureField
from dichvucong.stats.definitions import Period

MAX_PERIOD_DAYS = 366
EARLIEST_DAY = dt.date(2020, 1, 1)


class StatsFilterForm(forms.Form):
    """The period picker and the filters; every field is optional and has a default (this month)."""

    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    co_quan = forms.CharField(label=_("Cơ quan"), required=False, max_length=20)
    linh_vuc = forms.CharField(label=_("Lĩnh vực"), required=False, max_length=32)
    thu_tuc = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=40)
    theo = forms.ChoiceField(
        label=_("Thống kê theo"),
        required=False,
        choices=(("agency", _("Cơ quan")), ("procedure", _("Thủ tục")), ("field", _("Lĩnh vực"))),
    )

    def __init__(self, *args: Any, today: dt.date, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.agencies = agencies
        self.agency: Agency | None = None
        self.procedure: Procedure | None = None
        self.field: ProcedureField | None = None
        self.fields_in_use = ProcedureField.objects.filter(versions__procedure__current_version__isnull=False)
        self.fields_in_use = self.fields_in_use.distinct().order_by("name")

    def clean_co_quan(self) -> str:
        code = self.cleaned_data["co_quan"].strip()
        if code:
            self.agency = self.agencies.filter(code=code).first()
            if self.agency is None:
                raise forms.ValidationError(_("Không tìm thấy cơ quan có mã này."))
        return code

    def clean_linh_vuc(self) -> str:
        code = self.cleaned_data["linh_vuc"].strip()
        if code:
            self.field = ProcedureField.objects.filter(code=code).first()
            if self.field is None:
                raise forms.ValidationError(_("Không tìm thấy lĩnh vực có mã này."))
        return code

    def clean_thu_tuc(self) -> str:
        code = self.cleaned_data["thu_tuc"].strip()
        if code:
            self.procedure = Procedure.objects.filter(code=code).first()
            if self.procedure is None:
                raise forms.ValidationError(_("Không tìm thấy thủ tục có mã này."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first = data.get("tu_ngay") or self.today.replace(day=1)
        last = data.get("den_ngay") or self.today
        if last > self.today:
            last = self.today
        if first < EARLIEST_DAY:
            raise forms.ValidationError(_("Chỉ có số liệu từ ngày 01/01/2020."))
        if first > last:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc và không sau hôm nay."))
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Mỗi lần chỉ thống kê tối đa 366 ngày."))
        data["period"] = Period(first, last)
        return data

    def clean_defaults(self) -> dict[str, Any]:
        """The figures of this month so far, for a first visit without any parameter."""
        self.cleaned_data = {"tu_ngay": None, "den_ngay": None, "theo": "agency"}
        return self.clean()
