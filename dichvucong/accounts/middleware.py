"""Keep officers who have not entered their TOTP code away from everything but the code pages."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django_htmx.http import HttpResponseClientRedirect

from dichvucong.accounts import two_factor

# Reachable before the code: leaving (logout), the health probe, the language switch and the
# static files the code pages themselves need.
_ALWAYS_OPEN = ("/tai-khoan/dang-xuat/", "/healthz", "/i18n/")


class OfficerTwoFactorMiddleware:
    """Redirect an officer (or any staff account) whose session has no verified TOTP device.

    Placed after django_otp's OTPMiddleware, which gives `request.user.is_verified()`. The check
    is here rather than on each view so that a page added later cannot forget it; the admin is
    covered the same way as the back office.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.OFFICER_2FA_REQUIRED and self._owes_code(request) and not self._is_open(request):
            return self._challenge(request)
        return self.get_response(request)

    @staticmethod
    def _owes_code(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if not two_factor.is_two_factor_required(user):
            return False
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None:
            raise ImproperlyConfigured(
                "OfficerTwoFactorMiddleware must come after django_otp.middleware.OTPMiddleware in MIDDLEWARE."
            )
        return not is_verified()

    @staticmethod
    def _is_open(request: HttpRequest) -> bool:
        if request.path_info.startswith(_ALWAYS_OPEN) or request.path.startswith(settings.STATIC_URL or "/static/"):
            return True
        # reverse() includes the script prefix, like request.path.
        try:
            open_paths = [reverse("two_factor:verify"), reverse("two_factor:setup")]
        except NoReverseMatch as missing:
            raise ImproperlyConfigured(
                "OfficerTwoFactorMiddleware needs the two-factor pages: include "
                "dichvucong.accounts.urls_two_factor in the project's URLs."
            ) from missing
        with contextlib.suppress(NoReverseMatch):  # a deployment without the admin
            open_paths.append(reverse("admin:logout"))
        return request.path in open_paths

    @staticmethod
    def _challenge(request: HttpRequest) -> HttpResponse:
        # Come back to the page asked for, but only for reads: a POST cannot be replayed.
        next_url = request.get_full_path() if request.method in ("GET", "HEAD") else None
        url = two_factor.challenge_url(request.user, next_url)
        if request.headers.get("HX-Request") == "true":
            # An htmx fragment request would swap the code page into part of the screen.
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
