"""Rendering a Django template to PDF with WeasyPrint, and the pieces every standard document shares.

Documents take plain arguments (strings, dates, lists) and never import the dossiers: the caller
decides what goes on the page, this module decides how it is printed.

Nothing is ever fetched over the network while rendering: a template (administrators will be able
to edit some) must not make the server call an outside address, nor read local files. The URL
fetcher below serves our own static files and data: URIs, and refuses everything else.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import posixpath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative and /static/ URLs in document templates resolve against this address when the caller
# gives no base URL. The .invalid top-level domain never resolves (RFC 2606), and the fetcher
# answers for it from local files, so the address is a name, not a place.
INTERNAL_BASE_URL = "https://tai-lieu.invalid/"
QR_ERROR_LEVEL = "m"  # 15 % of the code may be damaged (a fold, a stamp) and it still reads
QR_SCALE = 4  # pixels a module; the print stylesheet sizes the image and keeps its edges sharp
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


class FetchRefusedError(ValueError):
    """A document asked for a resource it may not have (WeasyPrint catches it and warns)."""


class LocalOnlyURLFetcher(URLFetcher):
    """Serves data: URIs and our static files; refuses any other address (WeasyPrint then logs a
    warning and leaves the resource out, rather than reaching the network or the disk)."""

    def __init__(self, *, base_url: str) -> None:
        super().__init__(allowed_protocols=("data",))
        self._static_prefixes = tuple(
            {urljoin(base_url, settings.STATIC_URL), urljoin(INTERNAL_BASE_URL, settings.STATIC_URL)}
        )

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return super().fetch(url, headers)  # only the data: handler can answer (allowed_protocols)
        for prefix in self._static_prefixes:
            if url.startswith(prefix):
                return self._static_file(url, urlsplit(prefix).path)
        logger.warning("Document rendering refused to fetch %s", url[:200])
        raise FetchRefusedError(f"refused: only static files and data: URIs are served to documents ({url[:200]})")

    def _static_file(self, url: str, prefix_path: str) -> URLFetcherResponse:
        name = unquote(urlsplit(url).path)[len(prefix_path) :]
        normalized = posixpath.normpath(name) if name else ""
        if not normalized or normalized.startswith(("/", "..")) or "\x00" in normalized or normalized != name:
            raise FetchRefusedError(f"refused: not a static file name ({url[:200]})")
        body = _read_static(normalized)
        if body is None:
            raise FetchRefusedError(f"static file not found: {normalized}")
        content_type = mimetypes.guess_type(normalized)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _read_static(name: str) -> bytes | None:
    """A static file's content: the collected (possibly hashed) file first, else the app's own."""
    try:
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                return handle.read()
    except (SuspiciousFileOperation, OSError, ValueError):
        pass
    try:
        path = finders.find(name)
    except SuspiciousFileOperation:
        return None
    if not path or isinstance(path, list):
        return None
    with open(path, "rb") as handle:
        return handle.read()


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """PDF bytes of an HTML document, with the network out of reach."""
    base = base_url or INTERNAL_BASE_URL
    return HTML(string=html, base_url=base, url_fetcher=LocalOnlyURLFetcher(base_url=base)).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    """PDF bytes of a document template (one that extends documents/base.html)."""
    return html_to_pdf(render_to_string(template_name, context), base_url=base_url)


def qr_data_uri(text: str) -> str:
    """A QR code of `text` as a PNG data: URI (a few hundred bytes, no file, nothing fetched)."""
    return segno.make(text, error=QR_ERROR_LEVEL, micro=False).png_data_uri(scale=QR_SCALE, border=QR_BORDER)


def _local_date(when: dt.date | dt.datetime) -> dt.date:
    if isinstance(when, dt.datetime):
        return timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    return when


def _day_month_year(when: dt.date) -> dict[str, Any]:
    # Decree 30/2020/NĐ-CP writes days below 10 and the months 1 and 2 with a leading zero (so
    # that "tháng 1" cannot be turned into "tháng 11" by hand).
    return {
        "day": f"{when.day:02d}",
        "month": f"{when.month:02d}" if when.month <= 2 else str(when.month),
        "year": when.year,
    }


def place_date_text(place: str, when: dt.date | dt.datetime | None) -> str:
    """ "Huế, ngày 05 tháng 3 năm 2026": the place-and-date line of an administrative document;
    without a date, the dotted line of a form filled by hand."""
    if when is None:
        return _("%(place)s, ngày …… tháng …… năm ……") % {"place": place or "…………"}
    return _("%(place)s, ngày %(day)s tháng %(month)s năm %(year)s") % {
        "place": place or "…………",
        **_day_month_year(_local_date(when)),
    }


def date_words(when: dt.date | dt.datetime | None) -> str:
    """ "ngày 05 tháng 3 năm 2026": a date written out, as in the body of a slip."""
    if when is None:
        return ""
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % _day_month_year(_local_date(when))


def datetime_words(when: dt.date | dt.datetime | None) -> str:
    """ "14 giờ 05 phút, ngày 22 tháng 11 năm 2026" (a bare date: only the date, written out)."""
    if when is None:
        return ""
    if not isinstance(when, dt.datetime):
        return date_words(when)
    local = timezone.localtime(when) if timezone.is_aware(when) else when
    return _("%(hour)s giờ %(minute)s phút, %(date)s") % {
        "hour": f"{local.hour:02d}",
        "minute": f"{local.minute:02d}",
        "date": date_words(local),
    }


def datetime_text(when: dt.datetime | None) -> str:
    """ "22/11/2026 14:05" in the portal's time zone."""
    if when is None:
        return ""
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    return when.strftime("%d/%m/%Y %H:%M")


def date_text(when: dt.date | dt.datetime | None) -> str:
    """ "22/11/2026" (of a date and time: the day in the portal's time zone, the time left out)."""
    if when is None:
        return ""
    return _local_date(when).strftime("%d/%m/%Y")


def date_or_datetime_text(when: dt.date | dt.datetime | None) -> str:
    """ "22/11/2026 14:05" for a moment, "22/11/2026" for a day."""
    return datetime_text(when) if isinstance(when, dt.datetime) else date_text(when)
