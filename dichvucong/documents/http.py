"""Sending a rendered document to the browser."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pdf_response(content: bytes, *, filename: str, inline: bool = False) -> HttpResponse:
    """`content` as application/pdf, saved as `filename`: an ASCII fallback for old clients and
    the exact name as RFC 5987 `filename*` (RFC 6266), so a code with any character stays safe."""
    fallback = _UNSAFE.sub("-", _ascii(filename)).strip("-.") or "tai-lieu.pdf"
    disposition = "inline" if inline else "attachment"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["Content-Length"] = str(len(content))
    return response


def _ascii(text: str) -> str:
    """ "tờ khai" → "to khai": Vietnamese letters without their marks (đ has none to drop)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
