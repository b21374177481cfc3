from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from dichvucong.dossiers import presentation
from dichvucong.dossiers.files import accept_attribute, human_size, kinds_label

register = template.Library()


@register.filter
def file_size(size: int | None) -> str:
    """1,5 MB / 820 KB, the way the limits are written."""
    return human_size(size or 0)


@register.simple_tag
def upload_hint() -> str:
    return _("Tệp %(kinds)s; tối đa %(file)s MB mỗi tệp, %(dossier)s MB mỗi hồ sơ.") % {
        "kinds": kinds_label(settings.ATTACHMENT_ALLOWED_TYPES),
        "file": settings.ATTACHMENT_MAX_FILE_MB,
        "dossier": settings.ATTACHMENT_MAX_DOSSIER_MB,
    }


@register.simple_tag
def upload_accept() -> str:
    return accept_attribute(settings.ATTACHMENT_ALLOWED_TYPES)


@register.simple_tag
def dossier_address(dossier: object, which: str) -> str:
    """The owner's ("owner") or the post ("post") address of a dossier as one line, "—" when none."""
    from dichvucong.core.addresses import format_address

    text = format_address(
        getattr(dossier, f"{which}_street_address", ""),
        getattr(dossier, f"{which}_ward_code", None),
        getattr(dossier, f"{which}_province_code", None),
    )
    return text or "—"


@register.simple_tag
def folder_cards(dossiers: object) -> str:
    """The cards of a folder page, drawn in Python (dossiers/presentation.py)."""
    return presentation.folder_cards(dossiers)  # type: ignore[arg-type]


@register.simple_tag
def queue_rows(rows: object) -> str:
    """The rows of a back-office queue page, drawn in Python (dossiers/presentation.py)."""
    return presentation.queue_rows(rows)  # type: ignore[arg-type]
