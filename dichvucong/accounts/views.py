from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dichvucong.accounts import services
from dichvucong.accounts.constants import AccountKind, OtpPurpose
from dichvucong.accounts.forms import (
    SUBJECT_CHOICES,
    VERIFY_CHOICES,
    LoginForm,
    OtpForm,
    PasswordResetRequestForm,
    PhoneChangeForm,
    ProfileForm,
    RegistrationForm,
    SetPasswordWithOtpForm,
    SubjectForm,
)
from dichvucong.accounts.models import OneTimeCode, User
from dichvucong.accounts.two_factor import login_redirect, safe_next_url
from dichvucong.accounts.validators import local_phone
from dichvucong.core.addresses import ward_choices
from dichvucong.core.errors import ApplicationError
from dichvucong.core.middleware import client_address

_KINDS = {"cong-dan": AccountKind.CITIZEN, "to-chuc": AccountKind.ORGANISATION, "doanh-nghiep": AccountKind.ENTERPRISE}
_KIND_SLUGS = {kind: slug for slug, kind in _KINDS.items()}
_VERIFY = {"sdt": "sms", "email": "email"}


def _start_session(request: HttpRequest, user: User, *, remember: bool) -> None:
    login(request, user, backend="dichvucong.accounts.backends.IdentifierBackend")
    request.session.set_expiry(settings.LOGIN_REMEMBER_DAYS * 86400 if remember else 0)
    services.login_session_record(
        user=user,
        session_key=request.session.session_key or "",
        ip_address=client_address(request),
        user_agent=request.headers.get("User-Agent", ""),
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    return safe_next_url(request, request.POST.get("next") or request.GET.get("next"), default)


# --- Registration ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    kind = _KINDS.get(request.GET.get("doi-tuong", ""))
    verify_by = _VERIFY.get(request.GET.get("xac-thuc", ""))
    if kind is None or verify_by is None:
        subject = SubjectForm(request.GET or None, initial={"doi_tuong": AccountKind.CITIZEN, "xac_thuc": "sms"})
        if request.GET and subject.is_valid():
            slug = _KIND_SLUGS[subject.cleaned_data["doi_tuong"]]
            method = "sdt" if subject.cleaned_data["xac_thuc"] == "sms" else "email"
            return redirect(f"{reverse('accounts:register')}?doi-tuong={slug}&xac-thuc={method}")
        return render(request, "accounts/register_subject.html", {"form": subject})

    form = RegistrationForm(request.POST or None, kind=kind, verify_by=verify_by)
    if request.method == "POST" and form.is_valid():
        try:
            user, otp = services.account_register(data=form.registration_data())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session["pending_registration"] = {"user_id": user.pk, "otp_id": otp.pk}
            return redirect("accounts:register_verify")
    context = {
        "form": form,
        "kind": kind,
        "kind_label": dict(SUBJECT_CHOICES)[kind],
        "verify_label": dict(VERIFY_CHOICES)[verify_by],
        "verify_by": verify_by,
    }
    return render(request, "accounts/register.html", context)


def _pending(request: HttpRequest) -> tuple[User, OneTimeCode] | None:
    pending = request.session.get("pending_registration") or {}
    user = User.objects.filter(pk=pending.get("user_id"), is_active=False).first()
    otp = OneTimeCode.objects.filter(pk=pending.get("otp_id"), user=user).first() if user else None
    return (user, otp) if user and otp else None


@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("Phiên đăng ký đã kết thúc. Vui lòng đăng ký lại."))
        return redirect("accounts:register")
    user, otp = pending
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_activate(user=user, code=form.cleaned_data["code"], otp_id=otp.pk)
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            del request.session["pending_registration"]
            user.refresh_from_db()
            _start_session(request, user, remember=False)
            messages.success(request, _("Đăng ký tài khoản thành công."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/register_verify.html",
        {
            "form": form,
            "destination": local_phone(otp.destination),
            "by_email": "@" in otp.destination,
            "resend_url": reverse("accounts:register_resend"),
        },
    )


@require_POST
def register_resend(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("accounts:register")
    user, otp = pending
    try:
        new = services.otp_issue(
            purpose=OtpPurpose.REGISTRATION, destination=otp.destination, user=user, language=user.language
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        request.session["pending_registration"] = {"user_id": user.pk, "otp_id": new.pk}
        messages.success(request, _("Đã gửi lại mã xác thực."))
    return redirect("accounts:register_verify")


@require_http_methods(["GET", "POST"])
def verify_email_link(request: HttpRequest, otp_id: int, token: str) -> HttpResponse:
    """The link from the verification e-mail. Opening it (GET) only shows a button: mail scanners
    follow links, and must not consume the token or activate an account on their own."""
    otp = OneTimeCode.objects.filter(pk=otp_id).select_related("user").first()
    if request.method == "GET" and otp is not None and len(token) <= 64:
        return render(request, "accounts/verify_email.html", {"otp": otp})
    if otp is None or otp.user is None or len(token) > 64:
        return render(
            request,
            "accounts/message.html",
            {
                "title": _("Xác thực thư điện tử"),
                "message": _("Đường dẫn xác thực không đúng hoặc đã được sử dụng."),
            },
            status=400,
        )
    try:
        if otp.purpose == OtpPurpose.REGISTRATION:
            user = services.account_activate(user=otp.user, code=token, otp_id=otp.pk)
            _start_session(request, user, remember=False)
            messages.success(request, _("Đăng ký tài khoản thành công."))
            return redirect("accounts:profile")
        services.otp_verify(purpose=otp.purpose, destination=otp.destination, code=token, otp_id=otp.pk)
    except ApplicationError as error:
        return render(
            request, "accounts/message.html", {"title": _("Xác thực thư điện tử"), "message": error.message}, status=400
        )
    return render(
        request,
        "accounts/message.html",
        {"title": _("Xác thực thư điện tử"), "message": _("Thư điện tử đã được xác thực.")},
    )


@require_GET
def wards(request: HttpRequest) -> HttpResponse:
    """Ward <option>s of a province, for the htmx-enhanced address fields."""
    try:
        # Forms with a prefix (the dossier form has two addresses) send e.g. "chu-province_code".
        raw = request.GET.get("province_code") or next(
            (value for key, value in request.GET.items() if key.endswith("province_code")), ""
        )
        province = int(raw)
    except ValueError:
        return HttpResponseBadRequest(_("Tỉnh/thành phố không hợp lệ."))
    return render(request, "accounts/includes/ward_options.html", {"wards": ward_choices(province)})


# --- Login, logout, password --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier, address = form.cleaned_data["identifier"], client_address(request)
        locked = services.login_locked_until(identifier=identifier, address=address)
        user = None if locked else authenticate(request, username=identifier, password=form.cleaned_data["password"])
        if locked:
            form.add_error(None, services.login_locked_message(locked))
        elif user is None:
            locked = services.login_failure_record(identifier=identifier, address=address)
            form.add_error(
                None, services.login_locked_message(locked) if locked else _("Tài khoản hoặc mật khẩu không đúng.")
            )
        else:
            services.login_success_reset(identifier=identifier)
            _start_session(request, user, remember=form.cleaned_data["remember"])
            default = _safe_next(request, settings.LOGIN_REDIRECT_URL)
            return redirect(login_redirect(request, user, default))
    from dichvucong.accounts.views_oidc import login_buttons

    next_url = _safe_next(request, "")
    buttons = login_buttons()
    if next_url:
        for button in buttons:
            button["url"] += "?" + urlencode({"next": next_url})
    return render(request, "accounts/login.html", {"form": form, "next": next_url, "sso_buttons": buttons})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.session.session_key:
        request.user.login_sessions.filter(session_key=request.session.session_key).delete()
    logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("portal:home")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            services.password_reset_request(phone=phone)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session["password_reset_phone"] = phone
            return redirect("accounts:password_reset_confirm")
    return render(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    phone = request.session.get("password_reset_phone")
    if not phone:
        return redirect("accounts:password_reset")
    form = SetPasswordWithOtpForm(request.POST or None, user=User.objects.filter(phone=phone).first())
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                phone=phone, code=form.cleaned_data["code"], new_password=form.cleaned_data["new_password1"]
            )
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            del request.session["password_reset_phone"]
            messages.success(request, _("Đã đặt lại mật khẩu. Vui lòng đăng nhập bằng mật khẩu mới."))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form, "phone": local_phone(phone)})


# --- Personal area ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # The form works on its own copy: a ModelForm writes into its instance while validating, and
    # the service must see what changed against what is stored.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.fields if not form.fields[name].disabled}
        services.profile_update(user=user, **changes)
        messages.success(request, _("Đã cập nhật thông tin cá nhân."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "phone": local_phone(user.phone or "")})


@login_required
@require_http_methods(["GET", "POST"])
def phone_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    pending = request.session.get("phone_change")
    if request.method == "POST" and "code" in request.POST and pending:
        otp_form = OtpForm(request.POST)
        if otp_form.is_valid():
            try:
                services.phone_change_confirm(user=user, new_phone=pending, code=otp_form.cleaned_data["code"])
            except ApplicationError as error:
                otp_form.add_error("code", error.message)
            else:
                del request.session["phone_change"]
                messages.success(request, _("Đã đổi số điện thoại."))
                return redirect("accounts:profile")
        return render(request, "accounts/phone_change.html", {"otp_form": otp_form, "pending": local_phone(pending)})
    form = PhoneChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.phone_change_request(user=user, new_phone=form.cleaned_data["new_phone"])
        except ApplicationError as error:
            form.add_error("new_phone", error.message)
        else:
            request.session["phone_change"] = form.cleaned_data["new_phone"]
            return render(
                request,
                "accounts/phone_change.html",
                {
                    "otp_form": OtpForm(),
                    "pending": local_phone(form.cleaned_data["new_phone"]),
                },
            )
    return render(request, "accounts/phone_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    # An account opened by single sign-on has no password yet: it sets one without an old one.
    form_class = PasswordChangeForm if request.user.has_usable_password() else SetPasswordForm
    form = form_class(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        old_key = request.session.session_key
        update_session_auth_hash(request, form.user)  # cycles the session key
        services.login_session_rekey(old_key=old_key, new_key=request.session.session_key)
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    current = request.session.session_key or ""
    if request.method == "POST":
        if request.POST.get("action") == "others":
            count = services.login_sessions_end_others(user=user, keep_session_key=current)
            messages.success(request, _("Đã đăng xuất %(count)s phiên khác.") % {"count": count})
        else:
            try:
                services.login_session_end(user=user, session_id=int(request.POST.get("session", "0")))
            except (ApplicationError, ValueError):
                messages.error(request, _("Không tìm thấy phiên đăng nhập."))
            else:
                messages.success(request, _("Đã kết thúc phiên đăng nhập."))
        return redirect("accounts:sessions")
    return render(request, "accounts/sessions.html", {"sessions": user.login_sessions.all(), "current": current})


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    data: dict[str, Any] = services.personal_data_export(user=request.user)  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="du-lieu-ca-nhan.json"'
    return response
