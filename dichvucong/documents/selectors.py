"""Reads of the documents app."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from dichvucong.documents.constants import Language, SlipKind
from dichvucong.documents.models import SlipTemplate


def document_language() -> str:
    """The language documents are printed in: the active one, when we have templates for it."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return code if code in Language.values else Language.VI


def active_slip_template(*, kind: SlipKind | str, language: str) -> SlipTemplate | None:
    """The administrator's body for this kind and language, if one is in use."""
    return SlipTemplate.objects.filter(kind=kind, language=language, is_active=True).order_by("-updated_at").first()
