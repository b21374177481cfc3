"""One error format for the whole API: {"error": {"code", "message", "fields"}}, messages in Vietnamese
(English with Accept-Language: en), whatever raised them: a domain rule (ApplicationError), a missing
object (404), ninja's request validation, authentication, throttling, or a bug (500, no details)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from dichvucong.core.errors import ApplicationError
from dichvucong.core.middleware import RETRY_AFTER_SECONDS, UNAVAILABLE_ERRORS, unavailable_message

logger = logging.getLogger(__name__)

# The HTTP status of each ApplicationError code the services raise; anything else is 422 (the request
# was understood, the rule said no).
STATUS_BY_CODE: dict[str, int] = {
    "not_found": 404,
    "forbidden": 403,
    "stale": 409,
    "invalid_transition": 409,
    "not_draft": 409,
    "not_editable": 409,
    "duplicate": 409,
    "too_many_tokens": 409,
    "rate_limited": 429,
    "too_large": 413,
    "dossier_too_large": 413,
}


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_name(location: Any) -> str:
    # ninja's "loc" is ("body", "payload", "name") or ("query", "limit"): the caller knows the field
    # by its own name, not by the layers of the request it sat in.
    parts = [str(part) for part in location if part not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or "__all__"


def _validation_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind == "missing":
        return _("Thiếu giá trị bắt buộc.")
    if kind in ("string_too_long", "too_long"):
        return _("Dài quá mức cho phép (tối đa %(n)s).") % {"n": context.get("max_length", "?")}
    if kind in ("string_too_short", "too_short"):
        return _("Ngắn hơn mức tối thiểu (%(n)s).") % {"n": context.get("min_length", "?")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("Giá trị phải từ %(n)s trở lên.") % {"n": context.get("ge", context.get("gt", "?"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Giá trị phải không quá %(n)s.") % {"n": context.get("le", context.get("lt", "?"))}
    if kind.startswith("int") or kind.startswith("float"):
        return _("Phải là một số nguyên.")
    if kind.startswith("bool"):
        return _("Phải là true hoặc false.")
    if kind == "string_pattern_mismatch":
        return _("Chứa ký tự không hợp lệ.")
    if kind in ("literal_error", "enum"):
        return _("Giá trị không nằm trong danh sách cho phép.")
    if kind.startswith("string") or kind.startswith("str"):
        return _("Phải là một chuỗi ký tự.")
    if kind.startswith("dict") or kind.startswith("model"):
        return _("Phải là một đối tượng JSON.")
    if kind.startswith("json"):
        return _("Nội dung JSON không hợp lệ.")
    return _("Giá trị không hợp lệ.")


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        fields = exc.extra.get("fields") or {}
        if not fields and exc.extra.get("problems"):
            fields = {"__all__": [str(p) for p in exc.extra["problems"]]}
        if not fields and isinstance(exc.extra.get("errors"), dict):
            fields = {k: [str(m) for m in v] for k, v in exc.extra["errors"].items()}
        headers = {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
        return error_response(
            api,
            request,
            status=STATUS_BY_CODE.get(exc.code, 422),
            code=exc.code,
            message=exc.message,
            fields=fields,
            headers=headers,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Always the same words: the answer must not tell "exists but not yours" from "does not exist".
        return error_response(api, request, status=404, code="not_found", message=_("Không tìm thấy."))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(_validation_message(error))
        return error_response(
            api,
            request,
            status=422,
            code="invalid",
            message=_("Dữ liệu gửi lên không hợp lệ; xem chi tiết từng trường."),
            fields=fields,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api,
            request,
            status=401,
            code="unauthenticated",
            message=_("Thiếu mã truy cập, hoặc mã đã hết hạn hay bị thu hồi. Gửi tiêu đề Authorization: Bearer <mã>."),
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )

    @api.exception_handler(AuthorizationError)
    def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response(
            api, request, status=403, code="forbidden", message=_("Tài khoản của mã truy cập không có quyền này.")
        )

    @api.exception_handler(Throttled)
    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        wait = max(1, int(exc.wait or 1))
        return error_response(
            api,
            request,
            status=429,
            code="rate_limited",
            message=_("Quá nhiều yêu cầu. Vui lòng thử lại sau %(n)s giây.") % {"n": wait},
            headers={"Retry-After": str(wait)},
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        messages = {
            400: _("Yêu cầu không hợp lệ."),
            405: _("Phương thức không được hỗ trợ."),
            413: _("Nội dung gửi lên quá lớn."),
        }
        status = exc.status_code
        return error_response(
            api,
            request,
            status=status,
            code=f"http_{status}",
            message=messages.get(status, _("Yêu cầu không hợp lệ.")),
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(api, request, status=413, code="too_large", message=_("Nội dung gửi lên quá lớn."))

    def unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.warning("API unavailable on %s %s", request.method, request.path, exc_info=exc)
        return error_response(
            api,
            request,
            status=503,
            code="unavailable",
            message=unavailable_message(),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for error in UNAVAILABLE_ERRORS:
        api.add_exception_handler(error, unavailable)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(
            api, request, status=500, code="server_error", message=_("Đã có lỗi ở máy chủ. Vui lòng thử lại sau.")
        )
