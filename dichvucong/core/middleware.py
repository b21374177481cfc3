from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

import redis.exceptions
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Everything the portal serves comes from its own origin: no CDN, no inline script. The admin's
# widgets set inline styles, so the admin alone may use them.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
_CSP_ADMIN = _CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = _CSP_ADMIN if request.path.startswith("/admin/") else _CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class PortalLocaleMiddleware:
    """Vietnamese unless the visitor chose another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a visitor whose
    browser is set to English would land on an English portal they never asked for; a public
    service portal speaks the national language first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


def client_address(request: HttpRequest) -> str | None:
    """The visitor's IP address: REMOTE_ADDR, or behind the trusted proxies the X-Forwarded-For entry
    that the outermost of them wrote (TRUSTED_PROXY_HOPS entries from the right)."""
    # Each proxy appends the address it saw (nginx's $proxy_add_x_forwarded_for), so only the last
    # TRUSTED_PROXY_HOPS entries are ours; anything left of them was sent by the client and is
    # forged at will: trusting the leftmost would let anyone pick the address that login throttling,
    # look-up limits and the audit log see. TRUST_X_FORWARDED_PROTO marks the proxied deployment.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        if hops:
            trusted = max(1, getattr(settings, "TRUSTED_PROXY_HOPS", 1))
            return hops[-trusted if len(hops) >= trusted else 0][:45] or None
    return request.META.get("REMOTE_ADDR")


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    user_agent: str


# Where a request came from, for the audit rows that services write without seeing the request
# (dossier_transition is called from views, the API and the payments app alike).
_request_origin: ContextVar[RequestOrigin | None] = ContextVar("request_origin", default=None)


def current_request_origin() -> RequestOrigin | None:
    return _request_origin.get()


class RequestOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        origin = RequestOrigin(
            ip_address=_valid_ip(client_address(request)),
            user_agent=request.headers.get("User-Agent", "")[:255],
        )
        token = _request_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)


def _valid_ip(value: str | None) -> str | None:
    # A forged X-Forwarded-For must not make the audit insert fail (GenericIPAddressField on PostgreSQL).
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


# What a Redis that is down or too slow raises (socket timeouts are 0.5 s): the throttles of logging
# in, the public look-up and the verification upload keep their counters there on purpose, so those
# requests cannot be served, but they are not a bug of the portal either.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
RETRY_AFTER_SECONDS = 30


def unavailable_message() -> str:
    return _("Dịch vụ tạm thời gián đoạn; yêu cầu chưa được thực hiện. Vui lòng thử lại sau %(n)s giây.") % {
        "n": RETRY_AFTER_SECONDS
    }


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After, in the visitor's language: the request was not carried out, what was
    saved before is safe. A page is rendered without the request's context processors (they may
    need the service that is down); under /api/ the answer is the API's error format, because
    ninja runs its throttle (a cache read) outside its own exception handlers."""
    if request.path_info.startswith("/api/"):
        body = {"error": {"code": "unavailable", "message": unavailable_message(), "fields": {}}}
        response: HttpResponse = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        context = {"retry_after": RETRY_AFTER_SECONDS, "language": translation.get_language()}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """A view that needs a dependency which is down answers 503, not the 500 of a bug.

    Last in MIDDLEWARE, so its process_exception sees the view's exception first. The API has its
    own handler for the same errors (api/errors.py) because ninja catches exceptions itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        logger.warning("Service unavailable on %s %s", request.method, request.path, exc_info=exception)
        return service_unavailable(request)
