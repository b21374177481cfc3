"""Template helpers of the standard documents: the place-and-date line, dates written out, the QR block."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from dichvucong.documents.pdf import (
    date_or_datetime_text,
    date_text,
    datetime_text,
    place_date_text,
    qr_data_uri,
)
from dichvucong.documents.pdf import date_words as date_words_text
from dichvucong.documents.pdf import datetime_words as datetime_words_text

register = template.Library()


@register.simple_tag
def place_date(place: str, when: dt.date | dt.datetime | None = None) -> str:
    return place_date_text(place, when)


@register.filter
def datetime_vn(when: dt.datetime | None) -> str:
    return datetime_text(when)


@register.inclusion_tag("documents/includes/qr_block.html")
def qr_block(text: str, code: str = "") -> dict[str, Any]:
    """The QR code of `text` (the verification or look-up address) with the dossier code under it."""
    return {"qr": qr_data_uri(text), "code": code}


@register.filter
def date_vn(when: dt.date | dt.datetime | None) -> str:
    """ "22/11/2026" (for a moment, its day in the portal's time zone)."""
    return date_text(when)


@register.filter
def when_vn(when: dt.date | dt.datetime | None) -> str:
    """ "22/11/2026 14:05" for a moment, "22/11/2026" for a day."""
    return date_or_datetime_text(when)


@register.filter
def date_words(when: dt.date | dt.datetime | None) -> str:
    """ "ngày 05 tháng 3 năm 2026"."""
    return date_words_text(when)


@register.filter
def datetime_words(when: dt.date | dt.datetime | None) -> str:
    """ "14 giờ 05 phút, ngày 22 tháng 11 năm 2026" (a bare date: the date only)."""
    return datetime_words_text(when)


@register.filter
def money_vn(amount: int | None) -> str:
    """150000 → "150.000": integer đồng with the Vietnamese thousands separator."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".")
