from __future__ import annotations

from typing import Any

from django import template

from dichvucong.dossiers.constants import DossierStatus
from dichvucong.stats.models import SatisfactionRating
from dichvucong.stats.satisfaction import CRITERIA, LEVELS
from dichvucong.stats.services import satisfaction_rating_window_open

register = template.Library()


@register.inclusion_tag("stats/_rating.html")
def rating_panel(dossier: Any) -> dict[str, Any]:
    """The rating form on the citizen's page of a returned dossier (nothing for other statuses)."""
    if dossier.status != DossierStatus.RETURNED:
        return {"show": False}
    rating = SatisfactionRating.objects.filter(dossier=dossier).first()
    answers = rating.answers if rating else {}
    return {
        "show": True,
        "dossier": dossier,
        "rating": rating,
        "open": satisfaction_rating_window_open(dossier=dossier),
        "criteria": [(key, label, answers.get(key)) for key, label in CRITERIA],
        "levels": LEVELS,
    }
