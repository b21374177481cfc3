"""The forms of the officers' moves: a comment (a reason where the move needs one) and what each move asks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.validators import normalize_phone
from dichvucong.dossiers.constants import SUPPLEMENT_EFORM, DossierAction, IntakeChannel, ResultDelivery

COMMENT_MAX_LENGTH = 4000

# Moves whose comment is a reason the citizen reads (the service refuses them without one).
REASON_REQUIRED = frozenset(
    {
        DossierAction.REFUSE,
        DossierAction.SUSPEND,
        DossierAction.SEND_BACK,
        DossierAction.PROPOSE_REFUSAL,
        DossierAction.DECLINE_WITHDRAWAL,
        DossierAction.EXTEND,
    }
)
COMMENT_LABELS = {
    DossierAction.REFUSE: _("Lý do từ chối"),
    DossierAction.SUSPEND: _("Lý do dừng xử lý"),
    DossierAction.SEND_BACK: _("Lý do trả lại"),
    DossierAction.PROPOSE_REFUSAL: _("Lý do đề xuất từ chối"),
    DossierAction.DECLINE_WITHDRAWAL: _("Lý do không đồng ý"),
    DossierAction.EXTEND: _("Lý do chậm trả kết quả"),
    DossierAction.REQUEST_SUPPLEMENT: _("Ý kiến cán bộ (hướng dẫn bổ sung)"),
    DossierAction.RETURN_RESULT: _("Ghi chú trả kết quả (số vận đơn khi gửi qua bưu điện)"),
}


class ActionForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến xử lý"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Ý kiến tối đa %(limit_value)d ký tự.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(
        self,
        *args: Any,
        action: str,
        dossier: Any,
        holders: list[Any] | None = None,
        files: list[Any] | None = None,
        **kwargs: Any,
    ):
        """`files`: every file of the dossier when the page has read them (the consultation's choice)."""
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.dossier = dossier
        comment = self.fields["comment"]
        comment.label = COMMENT_LABELS.get(action, comment.label)
        if action in REASON_REQUIRED:
            comment.required = True
            comment.error_messages["required"] = _("Vui lòng nhập lý do.")
        if action in (DossierAction.RECEIVE, DossierAction.FORWARD, DossierAction.PROPOSE_REFUSAL) and holders:
            self.fields["assignee"] = forms.TypedChoiceField(
                label=_("Chuyển cho cán bộ"),
                choices=[("", _("— Cả đơn vị (ai nhận trước xử lý) —"))] + [(str(u.pk), str(u)) for u in holders],
                coerce=int,
                empty_value=None,
                required=False,
            )
        if action == DossierAction.REQUEST_SUPPLEMENT:
            components = [(str(c.pk), c.name) for c in dossier.procedure_version.components.all()]
            if dossier.procedure_version.eform:
                components.append((SUPPLEMENT_EFORM, str(_("Tờ khai"))))
            self.fields["items"] = forms.MultipleChoiceField(
                label=_("Thành phần cần bổ sung"),
                choices=components,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Vui lòng chọn ít nhất một thành phần cần bổ sung.")},
            )
            self.fields["reason"] = forms.CharField(
                label=_("Lý do, yêu cầu cụ thể"),
                max_length=1000,
                error_messages={"required": _("Vui lòng nêu lý do yêu cầu bổ sung.")},
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if action == DossierAction.EXTEND:
            self.fields["new_appointment"] = forms.DateField(
                label=_("Ngày hẹn trả mới"),
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={
                    "required": _("Vui lòng nhập ngày hẹn trả mới."),
                    "invalid": _("Ngày không hợp lệ."),
                },
            )
        if action == DossierAction.SIGN:
            self.fields["result"] = forms.FileField(
                label=_("Văn bản kết quả (PDF) để ký số"),
                help_text=_("Tệp PDF đã được lãnh đạo phê duyệt; hệ thống ký số bằng chứng thư của cơ quan."),
                error_messages={"required": _("Vui lòng chọn tệp PDF văn bản kết quả.")},
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
            )
        if action == DossierAction.CONSULT:
            from dichvucong.agencies.models import Agency
            from dichvucong.dossiers.models import DossierFile

            self.fields["agency"] = forms.ModelChoiceField(
                label=_("Cơ quan được xin ý kiến"),
                queryset=Agency.objects.exclude(pk=dossier.agency_id).filter(valid_to__isnull=True).order_by("name"),
                error_messages={"required": _("Vui lòng chọn cơ quan."), "invalid_choice": _("Cơ quan không hợp lệ.")},
            )
            self.fields["question"] = forms.CharField(
                label=_("Nội dung xin ý kiến"),
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": _("Vui lòng nhập nội dung xin ý kiến.")},
            )
            if files is None:
                files = DossierFile.objects.filter(dossier=dossier, replaced_at__isnull=True).order_by("pk")
            else:
                files = sorted((f for f in files if f.replaced_at is None), key=lambda f: f.pk)
            self.fields["files"] = forms.MultipleChoiceField(
                label=_("Tệp gửi kèm (cơ quan được xin ý kiến chỉ xem được các tệp này)"),
                choices=[(str(f.pk), f.name) for f in files],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
            self.fields["hours"] = forms.IntegerField(
                label=_("Thời hạn trả lời (giờ làm việc)"),
                initial=16,
                min_value=1,
                max_value=400,
                error_messages={
                    "min_value": _("Thời hạn trả lời phải từ 1 đến 400 giờ làm việc."),
                    "max_value": _("Thời hạn trả lời phải từ 1 đến 400 giờ làm việc."),
                    "invalid": _("Vui lòng nhập số giờ."),
                    "required": _("Vui lòng nhập thời hạn trả lời."),
                },
            )
        self.order_fields(
            [
                "result",
                "items",
                "reason",
                "agency",
                "question",
                "files",
                "hours",
                "assignee",
                "new_appointment",
                "comment",
            ]
        )

    @property
    def action_label(self) -> str:
        return str(DossierAction(self.action).label)

    def service_data(self) -> dict[str, Any] | None:
        """The `data` the transition service takes for this move."""
        data = self.cleaned_data
        if self.action == DossierAction.REQUEST_SUPPLEMENT:
            return {"items": [{"component": item, "reason": data["reason"]} for item in data["items"]]}
        if self.action == DossierAction.EXTEND:
            # The result is due by the end of the new day.
            day: dt.date = data["new_appointment"]
            return {"new_appointment_at": dt.datetime.combine(day, dt.time(17, 0)).isoformat()}
        if self.action == DossierAction.CONSULT:
            return {
                "agency": data["agency"].pk,
                "question": data["question"],
                "files": [int(pk) for pk in data["files"]],
                "hours": data["hours"],
            }
        if "assignee" in self.fields and data.get("assignee"):
            return {"assignee": data["assignee"]}
        return None


class ConsultationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Ý kiến trả lời"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Vui lòng nhập ý kiến trả lời.")},
    )


class DeskOpenForm(forms.Form):
    """Tiếp nhận hồ sơ trực tiếp: the procedure, the owner (an account found, or typed), channel, delivery."""

    procedure = forms.TypedChoiceField(label=_("Thủ tục hành chính"), coerce=int, choices=())
    channel = forms.ChoiceField(
        label=_("Kênh tiếp nhận"), choices=IntakeChannel.choices[1:], widget=forms.RadioSelect, initial="in_person"
    )
    result_delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"), choices=ResultDelivery.choices, initial=ResultDelivery.AT_DESK
    )
    account = forms.CharField(
        label=_("Tìm tài khoản của chủ hồ sơ (số CCCD, mã số thuế hoặc số điện thoại)"), max_length=16, required=False
    )
    full_name = forms.CharField(label=_("Họ và tên chủ hồ sơ"), max_length=255, required=False)
    national_id = forms.RegexField(
        label=_("Số CCCD"),
        regex=r"^\d{12}$",
        required=False,
        error_messages={"invalid": _("Số CCCD phải gồm đúng 12 chữ số.")},
    )
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    street_address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)

    def __init__(self, *args: Any, procedures: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("— Chọn thủ tục —")), *procedures]

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        return normalize_phone(raw) if raw.strip() else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("account") and not self.errors:
            if not data.get("full_name", "").strip():
                self.add_error("full_name", _("Vui lòng nhập họ và tên chủ hồ sơ, hoặc tìm tài khoản."))
            if not data.get("national_id"):
                self.add_error("national_id", _("Vui lòng nhập số CCCD của chủ hồ sơ, hoặc tìm tài khoản."))
        return data
