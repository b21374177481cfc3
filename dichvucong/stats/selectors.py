"""Reads of the statistics: a period's figures from the daily snapshot, today computed on demand.

A fixed number of queries whatever the number of dossiers or rows: one for the agency tree, four
aggregates over the snapshots (flows of the period's whole months from MonthlySnapshot and of its
edge days from DailySnapshot, stocks at its end, stocks the day before it)
and, when the period reaches today and the 15-minute job has not stored it yet, the 16 grouped
counts of today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from dichvucong.agencies.models import Agency
from dichvucong.catalog.models import Procedure, ProcedureField
from dichvucong.stats.constants import CATEGORIES, FLOW_CATEGORIES, STOCK_CATEGORIES, Category
from dichvucong.stats.definitions import TIMEZONE, Period
from dichvucong.stats.models import DailySnapshot, MonthlySnapshot, SatisfactionRating
from dichvucong.stats.services import snapshot_compute

GROUPS = ("agency", "procedure", "field")


def local_today() -> dt.date:
    return timezone.now().astimezone(TIMEZONE).date()


def agency_subtree_ids(agency_id: int) -> set[int]:
    """The agency and every agency under it (one query for the whole tree)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Agency.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    found, todo = {agency_id}, [agency_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@dataclass
class Figures:
    """The categories of one row (a group, or the total), with the derived shares."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    carried_over: int = 0

    def add(self, values: dict[str, int | None], categories: tuple[str, ...] | frozenset[str]) -> None:
        for name in categories:
            self.counts[name] += values.get(name) or 0

    @property
    def received(self) -> int:
        c = self.counts
        return c[Category.RECEIVED_ONLINE] + c[Category.RECEIVED_IN_PERSON] + c[Category.RECEIVED_POST]

    @property
    def processed(self) -> int:
        c = self.counts
        return c[Category.PROCESSED_EARLY] + c[Category.PROCESSED_ON_TIME] + c[Category.PROCESSED_LATE]

    @property
    def in_progress(self) -> int:
        c = self.counts
        return c[Category.IN_PROGRESS_ON_TIME] + c[Category.IN_PROGRESS_OVERDUE] + c[Category.PAUSED]

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        """A percentage with one decimal, None when there is nothing to divide (shown as "—")."""
        return round(100 * part / whole, 1) if whole else None

    @property
    def in_time_share(self) -> float | None:
        """Returned early or on time, out of everything returned in the period."""
        c = self.counts
        return self.share(c[Category.PROCESSED_EARLY] + c[Category.PROCESSED_ON_TIME], self.processed)

    @property
    def online_share(self) -> float | None:
        return self.share(self.counts[Category.RECEIVED_ONLINE], self.received)

    @property
    def full_online_share(self) -> float | None:
        return self.share(self.counts[Category.RECEIVED_FULL_ONLINE], self.received)

    @property
    def paid_online_share(self) -> float | None:
        c = self.counts
        return self.share(c[Category.RECEIVED_PAID_ONLINE], c[Category.RECEIVED_WITH_PAYMENT])

    @property
    def reuse_share(self) -> float | None:
        return self.share(self.counts[Category.RECEIVED_REUSING], self.received)

    @property
    def digitised_share(self) -> float | None:
        c = self.counts
        return self.share(c[Category.RECEIVED_DIGITISED], c[Category.RECEIVED_IN_PERSON] + c[Category.RECEIVED_POST])


@dataclass
class Report:
    period: Period
    group: str
    total: Figures
    rows: list[tuple[str, Figures]]  # (name of the agency or procedure, figures), by name
    ratings: int = 0  # satisfaction ratings of dossiers returned in the period
    satisfied: int = 0  # of which no criterion rated "Không hài lòng"

    @property
    def satisfied_share(self) -> float | None:
        return Figures.share(self.satisfied, self.ratings)


def _snapshot_filter(agency_ids: set[int] | None, procedure_id: int | None, field_id: int | None) -> Q:
    q = Q()
    if agency_ids is not None:
        q &= Q(agency_id__in=agency_ids)
    if procedure_id is not None:
        q &= Q(procedure_id=procedure_id)
    if field_id is not None:
        q &= Q(procedure__current_version__field_id=field_id)
    return q


def month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def split_period(first: dt.date, last: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """[first, last] as whole calendar months (first days of the first and last one, or None) and
    the edge days outside them (at most two ranges), so a year reads ~12 monthly rows and a few days."""
    months_from = first if first.day == 1 else month_after(first)
    ends_a_month = last + dt.timedelta(days=1) == month_after(last)
    months_to = last if ends_a_month else last.replace(day=1) - dt.timedelta(days=1)
    if months_from > months_to:
        return None, [(first, last)]
    edges = []
    if first < months_from:
        edges.append((first, months_from - dt.timedelta(days=1)))
    if months_to < last:
        edges.append((months_to + dt.timedelta(days=1), last))
    return (months_from, months_to.replace(day=1)), edges


def _group_key(group: str) -> str:
    return {"agency": "agency_id", "procedure": "procedure_id", "field": "procedure__current_version__field_id"}[group]


def _flows(where: Q, key: str, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The flow sums of [first, last] per group: whole months from MonthlySnapshot, edge days from DailySnapshot."""
    months, edges = split_period(first, last)
    sums = {name: Sum(name) for name in FLOW_CATEGORIES}
    found: list[dict[str, Any]] = []
    if edges:
        days = Q()
        for edge_from, edge_to in edges:
            days |= Q(day__gte=edge_from, day__lte=edge_to)
        found += DailySnapshot.objects.filter(where, days).order_by().values(key).annotate(**sums)
    if months is not None:
        monthly = MonthlySnapshot.objects.filter(where, month__gte=months[0], month__lte=months[1])
        found += monthly.order_by().values(key).annotate(**sums)
    return found


def stats_report(
    *,
    period: Period,
    agency_id: int | None = None,
    procedure_id: int | None = None,
    field_id: int | None = None,
    group: str = "agency",
    subtree: set[int] | None = None,
) -> Report:
    """The period's figures for an agency's sub-tree (or the province), a procedure and a field (lĩnh
    vực: the procedure's current version's), grouped by agency, procedure or field.

    `subtree`: `agency_subtree_ids(agency_id)` when the caller has read it already.
    """
    group = group if group in GROUPS else "agency"
    key = _group_key(group)
    today = local_today()
    # The job stores today every 15 minutes (a live count scans every open dossier: ~40 s at 1M);
    # only when it has not run yet is today counted from the dossiers.
    today_stored = period.first <= today <= period.last and DailySnapshot.objects.filter(day=today).exists()
    last_stored = min(period.last, today if today_stored else today - dt.timedelta(days=1))
    agency_ids = None
    if agency_id is not None:
        agency_ids = subtree if subtree is not None else agency_subtree_ids(agency_id)
    where = _snapshot_filter(agency_ids, procedure_id, field_id)
    snapshots = DailySnapshot.objects.filter(where).order_by()
    by_group: dict[int, Figures] = defaultdict(Figures)

    if period.first <= last_stored:
        for row in _flows(where, key, period.first, last_stored):
            by_group[row[key]].add(row, FLOW_CATEGORIES)
    if period.last < today or today_stored:
        stocks = snapshots.filter(day=period.last).values(key)
        for row in stocks.annotate(**{name: Sum(name) for name in STOCK_CATEGORIES}):
            by_group[row[key]].add(row, STOCK_CATEGORIES)
    before = period.first - dt.timedelta(days=1)
    carried: dict[int, int] = {}
    if before < today:
        for row in snapshots.filter(day=before).values(key).annotate(**{n: Sum(n) for n in STOCK_CATEGORIES}):
            carried[row[key]] = sum(row[n] or 0 for n in STOCK_CATEGORIES)
    if period.first <= today <= period.last and not today_stored:
        live = snapshot_compute(day=today)
        fields = dict(
            Procedure.objects.filter(pk__in={p for _a, p in live}).values_list("pk", "current_version__field_id")
        )
        for (row_agency, row_procedure), counts in live.items():
            if agency_ids is not None and row_agency not in agency_ids:
                continue
            if procedure_id is not None and row_procedure != procedure_id:
                continue
            if field_id is not None and fields.get(row_procedure) != field_id:
                continue
            pk = {"agency": row_agency, "procedure": row_procedure, "field": fields.get(row_procedure)}[group]
            by_group[pk].add(counts, CATEGORIES)
    for pk, n in carried.items():
        by_group[pk].carried_over += n

    if group == "agency":
        names = dict(Agency.objects.filter(pk__in=list(by_group)).values_list("pk", "name"))
    elif group == "field":
        names = dict(ProcedureField.objects.filter(pk__in=[pk for pk in by_group if pk]).values_list("pk", "name"))
    else:
        procedures = Procedure.objects.filter(pk__in=list(by_group))
        names = {
            pk: f"{code} {name}" for pk, code, name in procedures.values_list("pk", "code", "current_version__name")
        }
    total = Figures()
    rows = []
    for pk, figures in by_group.items():
        total.add(figures.counts, CATEGORIES)
        total.carried_over += figures.carried_over
        rows.append((names.get(pk, str(pk)), figures))
    rows.sort(key=lambda item: item[0])
    ratings = SatisfactionRating.objects.filter(returned_at__gte=period.start, returned_at__lt=period.end)
    if agency_ids is not None:
        ratings = ratings.filter(agency_id__in=agency_ids)
    if procedure_id is not None:
        ratings = ratings.filter(procedure_id=procedure_id)
    if field_id is not None:
        ratings = ratings.filter(procedure__current_version__field_id=field_id)
    counted = ratings.aggregate(n=Count("pk"), ok=Count("pk", filter=Q(satisfied=True)))
    return Report(period=period, group=group, total=total, rows=rows, ratings=counted["n"], satisfied=counted["ok"])
