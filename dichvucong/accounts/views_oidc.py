"""Single sign-on views: the button's redirect to the provider, the callback, the proof of ownership
of an existing account, and the citizen's list of linked identities.

The protocol lives in accounts.oidc and the linking rules in accounts.services; these views keep the
flow's secrets (state, nonce, PKCE verifier) in the session and turn every failure into a message on
the login page. Officers are refused by the services: their door is password + TOTP.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dichvucong.accounts import oidc, services
from dichvucong.accounts.constants import OtpPurpose
from dichvucong.accounts.forms import OtpForm
from dichvucong.accounts.models import OidcIdentity, User
from dichvucong.accounts.two_factor import login_redirect
from dichvucong.accounts.validators import local_phone
from dichvucong.accounts.views import _safe_next, _start_session
from dichvucong.core.errors import ApplicationError
from dichvucong.core.middleware import client_address

logger = logging.getLogger(__name__)

FLOWS_KEY = "oidc_flows"
PENDING_KEY = "oidc_pending_link"
MAX_FLOWS = 5  # a few tabs at once; older unfinished ones are dropped

BUTTON_LABELS = {
    "vneid": gettext_lazy("Đăng nhập bằng tài khoản định danh điện tử (VNeID)"),
    "dvcqg": gettext_lazy("Đăng nhập bằng tài khoản Cổng Dịch vụ công quốc gia"),
}


def login_buttons() -> list[dict[str, str]]:
    """The configured providers for the login page, in settings order."""
    return [
        {
            "slug": slug,
            "label": str(BUTTON_LABELS.get(slug) or _("Đăng nhập bằng %(provider)s") % {"provider": p.label}),
            "url": reverse("accounts:oidc_start", args=[slug]),
        }
        for slug, p in oidc.providers().items()
    ]


def _fail(request: HttpRequest, error: ApplicationError, *, to: str = "accounts:login") -> HttpResponse:
    logger.warning("OIDC login failed (%s): %s", error.code, error.message)
    messages.error(request, error.message)
    return redirect(to)


def _redirect_uri(request: HttpRequest, slug: str) -> str:
    return request.build_absolute_uri(reverse("accounts:oidc_callback", args=[slug]))


def _begin(request: HttpRequest, slug: str, *, intent: str, next_url: str) -> HttpResponse:
    provider = oidc.provider_get(slug=slug)
    metadata = oidc.provider_metadata(provider)
    redirect_uri = _redirect_uri(request, slug)
    auth = oidc.authorization_request_build(
        provider=provider, redirect_uri=redirect_uri, authorization_endpoint=metadata.authorization_endpoint
    )
    flows: dict[str, Any] = dict(request.session.get(FLOWS_KEY) or {})
    while len(flows) >= MAX_FLOWS:
        flows.pop(min(flows, key=lambda state: flows[state]["started"]))
    flows[auth.state] = {
        "provider": slug,
        "nonce": auth.nonce,
        "verifier": auth.code_verifier,
        "redirect_uri": redirect_uri,
        "intent": intent,
        "user_id": request.user.pk if intent == "link" else None,
        "next": next_url,
        "started": time.time(),
    }
    request.session[FLOWS_KEY] = flows
    return redirect(auth.url)


@never_cache
@require_GET
def oidc_start(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        return _begin(request, provider, intent="login", next_url=_safe_next(request, ""))
    except ApplicationError as error:
        return _fail(request, error)


@never_cache
@login_required
@require_POST
def oidc_link_start(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        return _begin(request, provider, intent="link", next_url=reverse("accounts:identities"))
    except ApplicationError as error:
        return _fail(request, error, to="accounts:identities")


_PROVIDER_ERRORS = {
    "access_denied": gettext_lazy("Bạn đã từ chối chia sẻ thông tin với Cổng. Bạn có thể đăng nhập bằng mật khẩu."),
    "login_required": gettext_lazy("Bạn chưa đăng nhập tại nhà cung cấp định danh. Vui lòng thử lại."),
}


def _take_flow(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The flow the callback's state names, removed from the session: a state works once."""
    flows: dict[str, Any] = dict(request.session.get(FLOWS_KEY) or {})
    state = request.GET.get("state", "")
    flow = flows.pop(state, None) if state else None
    request.session[FLOWS_KEY] = flows
    fresh = flow is not None and time.time() - flow["started"] <= settings.OIDC_FLOW_MAX_AGE_SECONDS
    if flow is None or not fresh or flow["provider"] != slug:
        oidc.state_check(expected=None, received=state)  # raises the "session expired" error
    return flow  # type: ignore[return-value]


@never_cache
@require_GET
def oidc_callback(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        flow = _take_flow(request, provider)
    except ApplicationError as error:
        return _fail(request, error)
    back = "accounts:identities" if flow["intent"] == "link" else "accounts:login"
    try:
        config = oidc.provider_get(slug=provider)
        if request.GET.get("error"):
            code = request.GET["error"][:64]
            description = request.GET.get("error_description", "")[:200]
            logger.info("OIDC %s: provider answered error=%s %s", provider, code, description)
            message = _PROVIDER_ERRORS.get(code) or _(
                "%(provider)s không hoàn tất đăng nhập (mã lỗi: %(code)s). Vui lòng thử lại."
            ) % {"provider": config.label, "code": code}
            raise ApplicationError(str(message), code="oidc_provider_error")
        if not request.GET.get("code"):
            raise ApplicationError(
                _("Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng thử đăng nhập lại."), code="oidc_no_code"
            )
        try:
            claims = oidc.callback_claims(
                provider=config,
                code=request.GET["code"],
                redirect_uri=flow["redirect_uri"],
                code_verifier=flow["verifier"],
                nonce=flow["nonce"],
            )
        except ApplicationError:
            raise
        except Exception as exc:  # a provider answering nonsense must end on the login page, not in a 500
            logger.exception("OIDC %s: unexpected failure in the back channel", provider)
            raise oidc.OidcError(
                _("Không xác minh được thông tin đăng nhập từ nhà cung cấp định danh. Vui lòng thử lại."),
                code="oidc_bad_token",
            ) from exc
        level = str(claims.get(config.level_claim) or "")
        if flow["intent"] == "link":
            return _link_to_current(request, flow, config, claims, level)
        outcome = services.oidc_login_resolve(
            issuer=config.issuer,
            claims=claims,
            national_id_claim=config.national_id_claim,
            level_claim=config.level_claim,
        )
    except ApplicationError as error:
        return _fail(request, error, to=back)
    if outcome.needs_proof:
        request.session[PENDING_KEY] = {
            "provider": provider,
            "issuer": config.issuer,
            "subject": str(claims["sub"]),
            "national_id": outcome.user.national_id,
            "level": level,
            "user_id": outcome.user.pk,
            "next": flow["next"],
            "started": time.time(),
        }
        logger.info("OIDC %s: account %s exists for this CCCD, asking for proof", provider, outcome.user.pk)
        return redirect("accounts:oidc_link_proof")
    logger.info("OIDC %s: login of account %s", provider, outcome.user.pk)
    _start_session(request, outcome.user, remember=False)
    messages.success(request, _("Đăng nhập bằng %(provider)s thành công.") % {"provider": config.label})
    return redirect(login_redirect(request, outcome.user, flow["next"] or settings.LOGIN_REDIRECT_URL))


def _link_to_current(
    request: HttpRequest, flow: dict[str, Any], config: oidc.OidcProvider, claims: dict[str, Any], level: str
) -> HttpResponse:
    user = request.user
    if not user.is_authenticated or user.pk != flow["user_id"]:
        raise ApplicationError(
            _("Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng thử đăng nhập lại."), code="oidc_bad_state"
        )
    services.oidc_identity_link(
        user=user,  # type: ignore[arg-type]
        issuer=config.issuer,
        subject=str(claims["sub"]),
        national_id=str(claims.get(config.national_id_claim) or ""),
        assurance_level=level,
    )
    messages.success(request, _("Đã liên kết tài khoản %(provider)s.") % {"provider": config.label})
    return redirect("accounts:identities")


# --- Proof of ownership of an existing account ----------------------------------------------------


class OwnershipPasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu của tài khoản trên Cổng"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _pending(request: HttpRequest) -> tuple[dict[str, Any], User] | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["started"] > settings.OIDC_FLOW_MAX_AGE_SECONDS:
        return None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    return (pending, user) if user else None


def _finish_link(request: HttpRequest, pending: dict[str, Any], user: User) -> HttpResponse:
    services.oidc_identity_link(
        user=user,
        issuer=pending["issuer"],
        subject=pending["subject"],
        national_id=pending["national_id"],
        assurance_level=pending["level"],
    )
    del request.session[PENDING_KEY]
    label = oidc.provider_get(slug=pending["provider"]).label
    logger.info("OIDC %s: identity linked to account %s after proof", pending["provider"], user.pk)
    _start_session(request, user, remember=False)
    messages.success(request, _("Đã liên kết tài khoản %(provider)s và đăng nhập.") % {"provider": label})
    return redirect(login_redirect(request, user, pending["next"] or settings.LOGIN_REDIRECT_URL))


@never_cache
@require_http_methods(["GET", "POST"])
def oidc_link_proof(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Phiên liên kết đã hết hạn. Vui lòng đăng nhập lại."))
        return redirect("accounts:login")
    pending, user = found
    action = request.POST.get("action", "")
    password_form = OwnershipPasswordForm(request.POST if action == "password" else None)
    otp_form = OtpForm(request.POST if action == "otp" else None)
    try:
        label = oidc.provider_get(slug=pending["provider"]).label
        if action == "password" and password_form.is_valid():
            identifier, address = user.national_id or user.username, client_address(request)
            locked = services.login_locked_until(identifier=identifier, address=address)
            if locked:
                password_form.add_error(None, services.login_locked_message(locked))
            elif authenticate(request, username=identifier, password=password_form.cleaned_data["password"]) != user:
                locked = services.login_failure_record(identifier=identifier, address=address)
                password_form.add_error(
                    None, services.login_locked_message(locked) if locked else _("Mật khẩu không đúng.")
                )
            else:
                services.login_success_reset(identifier=identifier)
                return _finish_link(request, pending, user)
        elif action == "send_otp" and user.phone:
            otp = services.otp_issue(
                purpose=OtpPurpose.IDENTITY_LINK, destination=user.phone, user=user, language=user.language
            )
            request.session[PENDING_KEY] = {**pending, "otp_id": otp.pk}
            messages.success(request, _("Đã gửi mã OTP đến số điện thoại %(phone)s.") % {"phone": _masked(user.phone)})
            return redirect("accounts:oidc_link_proof")
        elif action == "otp" and user.phone and otp_form.is_valid():
            try:
                services.otp_verify(
                    purpose=OtpPurpose.IDENTITY_LINK,
                    destination=user.phone,
                    code=otp_form.cleaned_data["code"],
                    otp_id=pending.get("otp_id"),
                )
            except ApplicationError as error:
                otp_form.add_error("code", error.message)
            else:
                return _finish_link(request, pending, user)
    except ApplicationError as error:
        messages.error(request, error.message)
        if error.code.startswith("oidc_"):
            request.session.pop(PENDING_KEY, None)
            return redirect("accounts:login")
    context = {
        "provider_label": label,
        "national_id": _masked(user.national_id or ""),
        "has_password": user.has_usable_password(),
        "phone": _masked(user.phone) if user.phone else "",
        "otp_sent": bool(pending.get("otp_id")),
        "password_form": password_form,
        "otp_form": otp_form,
        "linked_labels": [p.label for p in _linked_providers(user)],
    }
    return render(request, "accounts/oidc_link_proof.html", context)


@require_POST
def oidc_link_cancel(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    messages.info(request, _("Đã hủy liên kết định danh điện tử."))
    return redirect("accounts:login")


def _masked(value: str) -> str:
    """Enough of a CCCD or phone for its owner to recognise it, not enough for anyone else."""
    shown = local_phone(value) if value.startswith("+84") else value
    return shown[:3] + "*" * max(len(shown) - 6, 0) + shown[-3:] if len(shown) > 6 else shown


def _linked_providers(user: User) -> list[oidc.OidcProvider]:
    issuers = set(user.oidc_identities.values_list("issuer", flat=True))
    return [p for p in oidc.providers().values() if p.issuer in issuers]


# --- The citizen's linked identities --------------------------------------------------------------


@login_required
@require_GET
def identities(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    configured = oidc.providers()
    by_issuer = {p.issuer: p for p in configured.values()}
    rows = [
        {"identity": identity, "label": getattr(by_issuer.get(identity.issuer), "label", identity.issuer)}
        for identity in OidcIdentity.objects.filter(user=user).order_by("created_at")
    ]
    linked = {row["identity"].issuer for row in rows}
    can_unlink_last = user.has_usable_password()
    context = {
        "rows": rows,
        "can_unlink": can_unlink_last or len(rows) > 1,
        "available": [{"slug": slug, "label": p.label} for slug, p in configured.items() if p.issuer not in linked],
        "is_officer": user.is_officer or user.is_staff,
    }
    return render(request, "accounts/identities.html", context)


@login_required
@require_POST
def identity_unlink(request: HttpRequest, identity_id: int) -> HttpResponse:
    try:
        services.oidc_identity_unlink(user=request.user, identity_id=identity_id)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Đã hủy liên kết định danh điện tử."))
    return redirect("accounts:identities")
