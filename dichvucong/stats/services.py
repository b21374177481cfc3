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
from dichvucong.stats.models import DailySnapshot, SatisfactionRating

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


def satisfaction_rating_window_open(*, dossier: Dossier, now: dt.datetime | None = None) -> bool:
    """A rating can be given or changed only once the result is returned, for N days (a setting)."""
    from django.conf import settings
    from django.utils import timezone

    from dichvucong.dossiers.constants import DossierStatus

    if dossier.status != DossierStatus.RETURNED or dossier.returned_at is None:
        return False
    now = now or timezone.now()
    return now <= dossier.returned_at + dt.timedelta(days=settings.SATISFACTION_EDIT_DAYS)


def satisfaction_rate(
    *, dossier_id: int, actor: object, answers: dict[str, int], comment: str = ""
) -> SatisfactionRating:
    """Record or change the applicant's rating of their returned dossier.

    Anyone but the applicant gets "not_found" (they learn nothing about the dossier); outside the
    window "closed"; a missing criterion or an unknown level "invalid".
    """
    from django.utils.translation import gettext as _

    from dichvucong.core.errors import ApplicationError
    from dichvucong.stats.satisfaction import CRITERION_KEYS, LEVELS

    dossier = Dossier.objects.filter(pk=dossier_id, applicant_id=getattr(actor, "pk", None)).first()
    if dossier is None:
        raise ApplicationError(_("Không tìm thấy hồ sơ."), code="not_found")
    if not satisfaction_rating_window_open(dossier=dossier):
        raise ApplicationError(
            _("Chỉ đánh giá được hồ sơ đã trả kết quả, trong thời hạn cho phép sau khi trả kết quả."), code="closed"
        )
    levels = {level for level, _label in LEVELS}
    clean = {key: answers.get(key) for key in CRITERION_KEYS}
    if any(value not in levels for value in clean.values()) or set(answers) - set(CRITERION_KEYS):
        raise ApplicationError(_("Vui lòng chọn mức độ hài lòng cho từng tiêu chí."), code="invalid")
    if len(comment) > 1000:
        raise ApplicationError(_("Góp ý tối đa 1000 ký tự."), code="invalid")
    satisfied = all(value >= 2 for value in clean.values())
    rating, _created = SatisfactionRating.objects.update_or_create(
        dossier=dossier,
        defaults={"agency_id": dossier.agency_id, "answers": clean, "satisfied": satisfied, "comment": comment},
    )
    return rating
