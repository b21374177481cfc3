"""The two pages of officers' two-factor authentication: set up an authenticator, enter a code."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dichvucong.accounts import two_factor


class TokenForm(forms.Form):
    # Rendered by hand in the template (inputmode, autocomplete, aria-describedby): the field
    # here only cleans the value.
    token = forms.CharField(label=gettext_lazy("Mã xác thực (6 chữ số)"), max_length=16)

    def clean_token(self) -> str:
        # Apps show the code as "123 456"; people copy it with the space.
        token = re.sub(r"[\s-]", "", self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token):
            raise ValidationError(_("Mã xác thực gồm đúng 6 chữ số, ví dụ 123456."), code="token_format")
        return token


def _next_url(request: HttpRequest) -> str:
    return two_factor.safe_next_url(request, request.POST.get("next") or request.GET.get("next"))


def _already_done(request: HttpRequest) -> bool:
    user = request.user
    return not two_factor.is_two_factor_required(user) or two_factor.is_session_verified(request, user)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if _already_done(request):
        return redirect(next_url)
    # Only a first authenticator can be set up here: if the officer already has one, a stolen
    # password alone must not be able to replace it.
    if two_factor.confirmed_device(request.user) is not None:
        return redirect(two_factor.verify_url(next_url))

    device = two_factor.pending_device(request.user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            two_factor.setup_confirm(request=request, device=device, token=form.cleaned_data["token"])
        except two_factor.TokenRejected as rejected:
            form.add_error("token", rejected.message)
        else:
            messages.success(
                request, _("Đã bật xác thực hai lớp. Từ nay mỗi lần đăng nhập, hãy nhập mã trên ứng dụng.")
            )
            return redirect(next_url)

    secret = two_factor.base32_secret(device)
    context = {
        "form": form,
        "next_url": next_url,
        "qr_data_uri": two_factor.qr_data_uri(device),
        "secret": two_factor.grouped(secret),
        "account_name": request.user.get_username(),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "accounts/two_factor/setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if _already_done(request):
        return redirect(next_url)
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect(two_factor.setup_url(next_url))

    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            two_factor.verify(request=request, device=device, token=form.cleaned_data["token"])
        except two_factor.TokenRejected as rejected:
            form.add_error("token", rejected.message)
        else:
            return redirect(next_url)

    context = {"form": form, "next_url": next_url}
    return render(request, "accounts/two_factor/verify.html", context)
