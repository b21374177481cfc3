"""Tra cứu hồ sơ (/tra-cuu/): the public look-up by dossier code, or by code and the owner's CCCD.

`/tra-cuu/?ma=CODE` looks up at once: it is the link printed on slips, in QR codes and sent by SMS
and e-mail. The form posts, so an optional CCCD never ends up in an address bar, a history or a log.
Look-ups are counted per client address per hour: the first LOOKUP_FREE_TRIES are free, then each
needs the captcha, and past LOOKUP_MAX_PER_HOUR the page answers 429.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlencode

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dichvucong.accounts.views import client_address
from dichvucong.dossiers.lookup import (
    CODE_MAX_LENGTH,
    dossier_lookup,
    lookup_attempt_record,
    lookup_attempts,
    lookup_window_remaining,
    normalize_dossier_code,
    normalize_national_id,
)


class DossierCodeField(forms.CharField):
    """Normalises before Django's own validators run, so a NUL byte or 5,000 characters get our message."""

    default_error_messages = {
        "required": _("Vui lòng nhập mã hồ sơ."),
        "invalid": _(
            "Mã hồ sơ không hợp lệ: mã hồ sơ chỉ gồm chữ cái không dấu, chữ số, dấu chấm và dấu gạch ngang "
            "(tối đa %(max)s ký tự)."
        ),
    }

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        code = normalize_dossier_code(value)
        if code is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"max": CODE_MAX_LENGTH})
        return code


class NationalIdField(forms.CharField):
    default_error_messages = {"invalid": _("Số CCCD gồm 12 chữ số (hoặc số CMND gồm 9 chữ số).")}

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        national_id = normalize_national_id(value)
        if national_id is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return national_id


class LookupForm(forms.Form):
    ma = DossierCodeField(
        label=_("Mã hồ sơ"),
        help_text=_("Ghi trên giấy tiếp nhận hồ sơ hoặc tin nhắn thông báo, ví dụ: 000.00.00.H57-250716-0001."),
        widget=forms.TextInput(
            attrs={
                "maxlength": CODE_MAX_LENGTH,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    cccd = NationalIdField(
        label=_("Số CCCD của chủ hồ sơ (không bắt buộc)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 15, "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, with_captcha: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_captcha:
            self.add_captcha()

    def add_captcha(self) -> None:
        """Ask the captcha (also on a form already validated, for the next look-up)."""
        self.fields["captcha"] = CaptchaField(
            label=_("Mã xác nhận"),
            help_text=_("Nhập các ký tự trong ảnh. Tải lại trang nếu ảnh khó đọc."),
            error_messages={
                "required": _("Vui lòng nhập mã xác nhận."),
                "invalid": _("Mã xác nhận không đúng. Vui lòng nhập các ký tự trong ảnh mới."),
            },
        )

    @property
    def has_captcha(self) -> bool:
        return "captcha" in self.fields


def _printable(raw: str) -> str:
    # What to show back in the code box after an invalid entry: no control or format characters
    # (NUL, direction overrides), and no more than a code's length.
    kept = "".join(ch for ch in raw[: CODE_MAX_LENGTH * 4] if unicodedata.category(ch) not in {"Cc", "Cf"})
    return kept[:CODE_MAX_LENGTH]


def _respond(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, "portal/lookup.html", context, status=status)
    # The answer depends on who asks and may carry the owner's name: never kept by a shared cache
    # or the browser's back-forward history.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    address = client_address(request)
    free_tries = settings.LOOKUP_FREE_TRIES
    max_per_hour = settings.LOOKUP_MAX_PER_HOUR

    if request.method == "POST":
        data: Any = request.POST
    elif "ma" in request.GET:
        data = {"ma": request.GET.get("ma", "")}  # only the code: a CCCD never travels in an address
    else:
        # The empty form: not a look-up, not counted; it asks the captcha if the next one will.
        form = LookupForm(with_captcha=lookup_attempts(address=address) >= free_tries)
        return _respond(request, {"form": form})

    used = lookup_attempt_record(address=address)
    if used > max_per_hour:
        response = _respond(request, {"limited": True}, status=429)
        response["Retry-After"] = str(lookup_window_remaining())
        return response
    captcha_required = used > free_tries
    next_needs_captcha = used >= free_tries

    if captcha_required and request.method == "GET":
        # A link (SMS, QR code) followed after the free look-ups: keep the code, ask the captcha,
        # show nothing of the dossier until it is answered.
        code = normalize_dossier_code(data["ma"]) or ""
        form = LookupForm(initial={"ma": code}, with_captcha=True)
        return _respond(request, {"form": form, "captcha_notice": True})

    form = LookupForm(data, with_captcha=captcha_required)
    if not form.is_valid():
        form.data = form.data.copy()
        for name in ("ma", "cccd"):
            if name in form.errors:
                form.data[name] = _printable(str(form.data.get(name, "")))
        if next_needs_captcha and not form.has_captcha:
            form.add_captcha()
        return _respond(request, {"form": form, "captcha_notice": form.has_captcha})

    code = form.cleaned_data["ma"]
    national_id = form.cleaned_data["cccd"]
    result = dossier_lookup(code=code, national_id=national_id or None, viewer=request.user)
    context = {
        # A fresh form for the next look-up; the CCCD is not written back into the page.
        "form": LookupForm(initial={"ma": code}, with_captcha=next_needs_captcha),
        "captcha_notice": next_needs_captcha,
        "searched": True,
        "searched_code": code,
        "searched_with_national_id": bool(national_id),
        "result": result,
    }
    if result is not None:
        lookup_path = f"{reverse('portal:lookup')}?{urlencode({'ma': result.code})}"
        context["login_url"] = f"{reverse('accounts:login')}?{urlencode({'next': lookup_path})}"
        # The owner's dossier page (DESIGN §14 /ho-so/<code>/); codes hold only [A-Z0-9.-].
        context["detail_url"] = f"/ho-so/{result.code}/"
    return _respond(request, context)
