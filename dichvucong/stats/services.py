"""Writes of the statistics: the daily snapshot."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, QuerySet

from dichvucong.dossiers.constants import IntakeChannel
from dichvucong.dossiers.models import Dossier
from dichvucong.stats import definitions as d
from dichvucong.stats.constants import Category
from dichvucong.stats.models import DailySnapshot

Key = tuple[int, int]  # (agency id, procedure id)

_COUNTERS: dict[str, Callable[[d.Period], QuerySet[Dossier]]] = {
    Category.RECEIVED_ONLINE: lambda p: d.received(p, channel=IntakeChannel.ONLINE),
    Category.RECEIVED_IN_PERSON: lambda p: d.received(p, channel=IntakeChannel.IN_PERSON),
    Category.RECEIVED_POST: lambda p: d.received(p, channel=IntakeChannel.POST),
    Category.PROCESSED_EARLY: d.processed_early,
    Category.PROCESSED_ON_TIME: d.processed_on_time,
    Category.PROCESSED_LATE: d.processed_late,
    Category.REFUSED: d.refused,
    Category.WITHDRAWN: d.withdrawn,
    Category.RECEIVED_FULL_ONLINE: d.received_full_online,
    Category.RECEIVED_WITH_PAYMENT: d.received_with_payment,
    Category.RECEIVED_PAID_ONLINE: d.received_paid_online,
    Category.RECEIVED_REUSING: d.received_reusing,
    Category.RECEIVED_DIGITISED: d.received_digitised,
    Category.IN_PROGRESS_ON_TIME: d.in_progress_on_time,
    Category.IN_PROGRESS_OVERDUE: d.in_progress_overdue,
    Category.PAUSED: d.paused,
}


def snapshot_compute(*, day: dt.date) -> dict[Key, dict[str, int]]:
    """Every category of `day`, per (agency, procedure): one grouped query per category."""
    period = d.Period(day, day)
    rows: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Category.values, 0))
    for category, counter in _COUNTERS.items():
        grouped = (
            counter(period)
            .order_by()
            .values("agency_id", "procedure_version__procedure_id")
            .annotate(n=Count("pk", distinct=True))
        )
        for row in grouped:
            rows[(row["agency_id"], row["procedure_version__procedure_id"])][category] = row["n"]
    return dict(rows)


def snapshot_store(*, day: dt.date) -> int:
    """Recompute and store the snapshot of `day` (replacing what was there); returns the row count."""
    computed = snapshot_compute(day=day)
    with transaction.atomic():
        DailySnapshot.objects.filter(day=day).delete()
        DailySnapshot.objects.bulk_create(
            DailySnapshot(day=day, agency_id=agency_id, procedure_id=procedure_id, **counts)
            for (agency_id, procedure_id), counts in computed.items()
            if any(counts.values())
        )
    return len(computed)


def snapshot_store_range(*, first: dt.date, last: dt.date) -> int:
    """Backfill every day of [first, last]; returns the number of days."""
    day, days = first, 0
    while day <= last:
        snapshot_store(day=day)
        day += dt.timedelta(days=1)
        days += 1
    return days
