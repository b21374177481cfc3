"""The account page where a logged-in user creates and revokes personal access tokens, and the API's 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dichvucong.api.constants import NAME_MAX_LENGTH, TokenLifetime
from dichvucong.api.selectors import api_tokens_for_user
from dichvucong.api.services import api_token_create, api_token_revoke
from dichvucong.core.errors import ApplicationError


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên gợi nhớ"),
        max_length=NAME_MAX_LENGTH,
        help_text=gettext_lazy("Ví dụ: phần mềm kế toán của hộ kinh doanh. Giúp bạn nhận ra mã khi cần thu hồi."),
        error_messages={"required": gettext_lazy("Vui lòng đặt tên gợi nhớ cho mã truy cập.")},
    )
    lifetime = forms.TypedChoiceField(
        label=gettext_lazy("Thời hạn"),
        coerce=int,
        choices=TokenLifetime.choices,
        initial=TokenLifetime.QUARTER,
        error_messages={"invalid_choice": gettext_lazy("Thời hạn của mã truy cập không hợp lệ.")},
    )


def _page(request: HttpRequest, form: TokenForm, *, secret: str = "", status: int = 200) -> HttpResponse:
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": list(api_tokens_for_user(user=request.user)), "secret": secret, "now": timezone.now()},
        status=status,
    )
    # The page may carry a secret shown once: never kept by a cache or the back-forward history.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "revoke":
        raw = request.POST.get("token", "")
        try:
            api_token_revoke(user=request.user, token_id=int(raw) if raw.isascii() and raw.isdigit() else 0)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Đã thu hồi mã truy cập. Các chương trình dùng mã này sẽ không truy cập được nữa.")
            )
        return redirect("apitokens:list")
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                issued = api_token_create(
                    user=request.user, name=form.cleaned_data["name"], lifetime_days=form.cleaned_data["lifetime"]
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                # Rendered, not redirected: the secret must not pass through the session or a message cookie.
                return _page(request, TokenForm(), secret=issued.secret, status=201)
        return _page(request, form, status=400)
    return _page(request, TokenForm())


@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "not_found", "message": _("Không có địa chỉ này trong API."), "fields": {}}},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
