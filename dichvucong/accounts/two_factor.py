"""Two-factor authentication of officers: a TOTP code from an authenticator app after the password.

Officers see and change personal data of many citizens, so in production a stolen password must
not be enough (OFFICER_2FA_REQUIRED). The codes come from django-otp's TOTPDevice, which also
throttles wrong codes and refuses a code that was already used. Citizens are never asked: they
confirm their phone with SMS codes instead (accounts.services).
"""

from __future__ import annotations

import base64
import math
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from dichvucong.accounts.constants import AccountKind
from dichvucong.core.errors import ApplicationError

DEVICE_NAME = "Ứng dụng xác thực"


class TokenRejected(ApplicationError):  # noqa: N818 - reads as what happened, like Http404
    """A code that did not verify; `message` is the sentence shown next to the field."""


def is_two_factor_required(user: Any) -> bool:
    """Officers, and any staff account (it reaches /admin/), when OFFICER_2FA_REQUIRED is on."""
    if not settings.OFFICER_2FA_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "kind", None) == AccountKind.OFFICER or bool(getattr(user, "is_staff", False))


def confirmed_device(user: Any) -> TOTPDevice | None:
    """The officer's authenticator; the oldest one if an administrator ever added a second."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_session_verified(request: HttpRequest, user: Any) -> bool:
    """Whether this session already passed a TOTP check for `user`.

    Read from the session rather than `request.user.is_verified()`: right after a password login
    `request.user` is the plain user object that OTPMiddleware has not wrapped.
    """
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id or not getattr(user, "pk", None):
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


def _with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def setup_url(next_url: str | None = None) -> str:
    return _with_next(reverse("two_factor:setup"), next_url)


def verify_url(next_url: str | None = None) -> str:
    return _with_next(reverse("two_factor:verify"), next_url)


def challenge_url(user: Any, next_url: str | None = None) -> str:
    """Where an officer who still owes a code goes: the setup page first time, the code page after."""
    return verify_url(next_url) if confirmed_device(user) is not None else setup_url(next_url)


def login_redirect(request: HttpRequest, user: Any, default_url: str) -> str:
    """Where to go after a successful password login.

    The login view calls this instead of redirecting straight to `default_url`, so an officer
    passes the code page first and still lands where they were going.
    """
    if not is_two_factor_required(user) or is_session_verified(request, user):
        return default_url
    return challenge_url(user, default_url)


def safe_next_url(request: HttpRequest, candidate: str | None, default: str | None = None) -> str:
    """`candidate` if it points back into this site, else `default` (the page after login)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL if default is None else default


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device shown on the setup page, kept across reloads.

    Reusing it means reloading the page does not invalidate the QR code the officer has just
    scanned into their phone.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it typed in: base32, without padding."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def grouped(secret: str, size: int = 4) -> str:
    """ABCD EFGH …: easier to copy by hand without losing one's place."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def qr_data_uri(device: TOTPDevice) -> str:
    """An SVG QR code of the otpauth:// address, as a data: URI (the CSP allows `img-src data:`)."""
    qr = segno.make(device.config_url, error="m")
    return qr.svg_data_uri(scale=5, border=2, dark="#000", light="#fff", title=_("Mã QR cài đặt xác thực hai lớp"))


def _wait_message(info: dict[str, Any] | None) -> str:
    locked_until = (info or {}).get("locked_until")
    seconds = max(math.ceil((locked_until - timezone.now()).total_seconds()) if locked_until else 1, 1)
    # The wait doubles with each wrong code, so after a dozen it is counted in minutes.
    if seconds >= 120:
        return _(
            "Bạn đã nhập sai mã nhiều lần. Vui lòng đợi %(minutes)s phút rồi thử lại, "
            "hoặc liên hệ quản trị đơn vị để đặt lại xác thực hai lớp."
        ) % {"minutes": math.ceil(seconds / 60)}
    return _("Bạn đã nhập sai mã nhiều lần. Vui lòng đợi %(seconds)s giây rồi thử lại.") % {"seconds": seconds}


def check_token(device: TOTPDevice, token: str) -> TOTPDevice:
    """Verify `token` against `device` under a row lock, or raise TokenRejected.

    The lock makes two simultaneous submissions of the same code count once, so the replay
    protection (`last_t`) and the throttle hold.
    """
    # Raise only after the block: an exception inside it would roll back the failure count that
    # verify_token() has just saved, and the throttle would never grow.
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = locked.verify_is_allowed()
        verified = allowed and locked.verify_token(token)
    if not allowed:
        raise TokenRejected(_wait_message(info), code="totp_throttled")
    if not verified:
        raise TokenRejected(
            _("Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã 6 số đang hiển thị trên ứng dụng xác thực."),
            code="totp_invalid",
        )
    return locked


def _mark_verified(request: HttpRequest, device: TOTPDevice) -> None:
    # The session now carries more privilege than before: give it a new key (session fixation).
    from dichvucong.accounts.services import login_session_rekey

    old_key = request.session.session_key
    request.session.cycle_key()
    login_session_rekey(old_key=old_key, new_key=request.session.session_key)
    otp_login(request, device)


def setup_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> TOTPDevice:
    """Confirm a new authenticator with its first code and mark the session verified."""
    device = check_token(device, token)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # A half-finished setup in another tab would otherwise linger as a second, unused secret.
    TOTPDevice.objects.filter(user=device.user_id, confirmed=False).delete()
    _mark_verified(request, device)
    return device


def verify(*, request: HttpRequest, device: TOTPDevice, token: str) -> TOTPDevice:
    """Check the code of an officer's confirmed authenticator and mark the session verified."""
    device = check_token(device, token)
    _mark_verified(request, device)
    return device


def reset_devices(*, user: Any) -> int:
    """Forget an officer's authenticators (lost phone); they set up a new one at next login."""
    deleted, _per_model = TOTPDevice.objects.filter(user=user).delete()
    return deleted
