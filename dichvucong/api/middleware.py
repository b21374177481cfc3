from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"


class ApiLanguageMiddleware:
    """The API speaks the language the client asks for with Accept-Language (Vietnamese by default).

    The portal's pages deliberately ignore the browser's language (PortalLocaleMiddleware); a program
    calling the API has no language switch to click, so the header is how it chooses. Placed after
    PortalLocaleMiddleware, it overrides it for /api/ only.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        language = settings.LANGUAGE_CODE
        for code, _quality in translation.trans_real.parse_accept_lang_header(
            request.headers.get("Accept-Language", "")
        ):
            base = code.split("-")[0].lower()
            if base in self.supported:
                language = base
                break
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers["Content-Language"] = language
        return response
