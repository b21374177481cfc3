"""The public verification page of an issued PDF (/xac-thuc/<id>/, the target of its QR code)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from dichvucong.accounts.views import client_address
from dichvucong.core.errors import ApplicationError
from dichvucong.documents.models import IssuedDocument
from dichvucong.documents.verification import (
    issued_document_check_copy,
    issued_document_get,
    upload_attempt_record,
    upload_window_remaining,
)

UPLOAD_FIELD = "tep"


def _respond(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    # A copy's verdict concerns one visitor's file: never kept by a shared cache; no search engine
    # indexes the registry.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _context(document: IssuedDocument) -> dict[str, Any]:
    lookup = ""
    if document.reference:
        lookup = f"{reverse('portal:lookup')}?{urlencode({'ma': document.reference})}"
    return {
        "document": document,
        "lookup_url": lookup,
        "upload_field": UPLOAD_FIELD,
        "max_mb": settings.VERIFY_UPLOAD_MAX_MB,
    }


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, public_id: str) -> HttpResponse:
    document = issued_document_get(public_id=public_id)
    if document is None:
        return _respond(request, "documents/verify_not_found.html", {}, status=404)
    context = _context(document)
    if request.method == "GET":
        return _respond(request, "documents/verify.html", context)
    if upload_attempt_record(address=client_address(request)) > settings.VERIFY_UPLOADS_PER_HOUR:
        response = _respond(request, "documents/verify.html", {**context, "limited": True}, status=429)
        response["Retry-After"] = str(upload_window_remaining())
        return response
    try:
        check = issued_document_check_copy(document=document, upload=request.FILES.get(UPLOAD_FIELD))
    except ApplicationError as error:
        return _respond(request, "documents/verify.html", {**context, "error": error.message}, status=400)
    return _respond(request, "documents/verify.html", {**context, "check": check})
