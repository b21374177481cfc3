from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from dichvucong.archive.models import RetentionPeriod
from dichvucong.dossiers.constants import FINAL_STATUSES
from dichvucong.dossiers.models import Dossier

# Used when not even the default row exists (a database before the seed migration).
FALLBACK_RETENTION = RetentionPeriod(years=10, basis="")


def retention_for(*, procedure_id: int | None) -> RetentionPeriod:
    """The procedure's own retention period, else the default row: at most one query."""
    rows = {row.procedure_id: row for row in RetentionPeriod.objects.filter(procedure_id__in=[procedure_id, None])}
    if procedure_id is None:
        return rows.get(None, FALLBACK_RETENTION)
    return rows.get(procedure_id) or rows.get(None) or FALLBACK_RETENTION


def finished_at(dossier: Dossier) -> datetime | None:
    """When the dossier reached its final status: the last event of its history."""
    if dossier.status not in FINAL_STATUSES:
        return None
    return dossier.events.aggregate(last=Max("created_at"))["last"]


def dossiers_due_for_archiving(*, now: datetime | None = None) -> QuerySet[Dossier]:
    """Finished (returned, refused, withdrawn) for ARCHIVE_DUE_AFTER_DAYS and never packaged."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ARCHIVE_DUE_AFTER_DAYS)
    return (
        Dossier.objects.filter(status__in=FINAL_STATUSES, archive_packages__isnull=True)
        .annotate(finished=Max("events__created_at"))
        .filter(finished__lt=cutoff)
        .order_by("finished", "pk")
    )
