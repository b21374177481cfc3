"""Template helpers of the standard documents: the place-and-date line and the QR block."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from dichvucong.documents.pdf import datetime_text, place_date_text, qr_data_uri

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
