"""The report categories of DESIGN §4: one function per category, each the single definition of its rule.

Every category is a queryset of dossiers, so it can be counted for one agency, grouped by agency and
procedure (the daily snapshot) or listed. A period is a range of whole days [first, last] in
Asia/Ho_Chi_Minh: it starts at 00:00 of `first` and ends at 00:00 of the day after `last`; "before the
period" means strictly before its start, "at the end of the period" means at that end instant.
Derived only from dossier fields and DossierEvent rows; no field on the dossier exists for statistics.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from dichvucong.catalog.constants import OnlineLevel
from dichvucong.dossiers.codes import CODE_TIMEZONE
from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier, DossierEvent

TIMEZONE = CODE_TIMEZONE
# The moves that end a received dossier without a result.
_ENDING_ACTIONS = (DossierAction.REFUSE, DossierAction.APPROVE_WITHDRAWAL, DossierAction.WITHDRAW)
# Statuses in which the clock stands still for a received dossier (DESIGN §4).
PAUSED_STATUSES = (DossierStatus.SUSPENDED, DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.PAYMENT_REQUESTED)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("period ends before it starts")

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=TIMEZONE)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=TIMEZONE)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _dossiers(base: QuerySet[Dossier] | None) -> QuerySet[Dossier]:
    return base if base is not None else Dossier.objects.all()


def with_finished_at(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """`finished_at`: when the dossier left the agency's hands for good.

    The return of the result (`returned_at`), otherwise the first refusal or withdrawal event.
    A dossier with neither is unfinished.
    """
    ending = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), action__in=_ENDING_ACTIONS)
        .order_by("created_at", "sequence")
        .values("created_at")[:1]
    )
    return qs.annotate(finished_at=Coalesce("returned_at", Subquery(ending, output_field=DateTimeField())))


def with_due_at(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """`due_at`: the appointment statistics judge against: the original one.

    An extension (văn bản xin lỗi và hẹn lại) keeps the first date in `original_appointment_at`, so
    an extended dossier is still judged by the date first promised. Pauses (supplement during
    processing, payment, suspension) legally move the appointment, so the paused time is not held
    against the agency: `appointment_at` already includes it.
    """
    return qs.annotate(due_at=Coalesce("original_appointment_at", "appointment_at"))


def with_status_at(qs: QuerySet[Dossier], moment: dt.datetime) -> QuerySet[Dossier]:
    """`status_at`: the status the dossier had at `moment`, from the last history event before it."""
    last = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), created_at__lt=moment)
        .order_by("-created_at", "-sequence")
        .values("to_status")[:1]
    )
    return qs.annotate(status_at=Subquery(last))


def received(period: Period, *, channel: str | None = None, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Received in the period: `received_at` in [start, end), optionally from one intake channel.

    Reception is the agency accepting the dossier (Tiếp nhận); a dossier refused or withdrawn before
    reception was never received. The channel is `Dossier.channel` (online, in person, by post).
    """
    qs = _dossiers(base).filter(received_at__gte=period.start, received_at__lt=period.end)
    return qs.filter(channel=channel) if channel else qs


def carried_over(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Carried over from the previous period: received before the start and not finished at the start."""
    qs = with_finished_at(_dossiers(base).filter(received_at__lt=period.start))
    return qs.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=period.start))


def _returned(period: Period, base: QuerySet[Dossier] | None) -> QuerySet[Dossier]:
    qs = _dossiers(base).filter(
        status=DossierStatus.RETURNED, returned_at__gte=period.start, returned_at__lt=period.end
    )
    qs = with_due_at(qs).annotate(
        returned_day=TruncDate("returned_at", tzinfo=TIMEZONE), due_day=TruncDate("due_at", tzinfo=TIMEZONE)
    )
    return qs


def processed_early(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Processed early (trước hạn): result returned in the period on a day before the original appointment's day.

    Days are calendar days in Asia/Ho_Chi_Minh; the appointment is `with_due_at`'s.
    """
    return _returned(period, base).filter(returned_day__lt=F("due_day"))


def processed_on_time(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Processed on time (đúng hạn): result returned in the period on the original appointment's day."""
    return _returned(period, base).filter(returned_day=F("due_day"))


def processed_late(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Processed late (trễ hạn): result returned in the period on a day after the original appointment's day."""
    return _returned(period, base).filter(returned_day__gt=F("due_day"))


def _open_at_end(period: Period, base: QuerySet[Dossier] | None) -> QuerySet[Dossier]:
    qs = with_finished_at(_dossiers(base).filter(received_at__lt=period.end))
    qs = qs.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=period.end))
    return with_status_at(qs, period.end)


def _not_paused(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    # A dossier without any history event before the instant (imported, or synthetic data) has no
    # status then, and is not paused: a bare exclude() would drop it with SQL's NULL logic.
    return qs.filter(Q(status_at__isnull=True) | ~Q(status_at__in=PAUSED_STATUSES))


def paused(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Paused at the end of the period: received, unfinished, and its status at the end instant was
    suspended, supplement requested (during processing) or payment requested (the clock stood still)."""
    return _open_at_end(period, base).filter(status_at__in=PAUSED_STATUSES)


def in_progress_on_time(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """In progress within time at the end of the period: received, unfinished, not paused, and its
    original appointment is at or after the end instant (the last day of the period is not yet late)."""
    qs = with_due_at(_not_paused(_open_at_end(period, base)))
    return qs.filter(due_at__gte=period.end)


def in_progress_overdue(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Overdue at the end of the period: received, unfinished, not paused, original appointment before the end."""
    qs = with_due_at(_not_paused(_open_at_end(period, base)))
    return qs.filter(due_at__lt=period.end)


def refusal_events(period: Period) -> QuerySet[DossierEvent]:
    """The refusal events (at reception or during processing) in [start, end)."""
    return DossierEvent.objects.filter(
        action=DossierAction.REFUSE, created_at__gte=period.start, created_at__lt=period.end
    )


def withdrawal_events(period: Period) -> QuerySet[DossierEvent]:
    """The events in [start, end) that ended a sent dossier as withdrawn (a discarded draft is not one)."""
    return DossierEvent.objects.filter(
        action__in=(DossierAction.WITHDRAW, DossierAction.APPROVE_WITHDRAWAL),
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).exclude(from_status=DossierStatus.DRAFT)


def refused(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Refused in the period: a refusal event (at reception or during processing) in [start, end)."""
    return _dossiers(base).filter(pk__in=refusal_events(period).values("dossier_id"))


def withdrawn(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Withdrawn in the period: a sent dossier that ended as withdrawn by an event in [start, end).

    A draft the citizen discards never reached the agency and is not counted.
    """
    return _dossiers(base).filter(pk__in=withdrawal_events(period).values("dossier_id"))


def received_full_online(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Received online in the period for a toàn trình procedure version (Decree 42/2022: every step online)."""
    return received(period, channel=IntakeChannel.ONLINE, base=base).filter(
        procedure_version__online_level=OnlineLevel.FULL
    )


def received_paid_online(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Received in the period and with at least one fee paid online (the gateway's IPN, event
    `payment_received`); a payment an officer confirms at the desk is not online."""
    paid = DossierEvent.objects.filter(action=DossierAction.PAYMENT_RECEIVED)
    return received(period, base=base).filter(pk__in=paid.values("dossier_id"))


def received_with_payment(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Received in the period and with a fee to pay (a payment request event), the denominator of
    the online payment share."""
    asked = DossierEvent.objects.filter(action=DossierAction.REQUEST_PAYMENT)
    return received(period, base=base).filter(pk__in=asked.values("dossier_id"))


def received_reusing(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Received in the period with at least one component reused from an earlier dossier's file
    (`DossierFile.reused_from`): the citizen did not upload the document again."""
    return received(period, base=base).filter(files__reused_from__isnull=False).distinct()


def received_digitised(period: Period, *, base: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """Received in person or by post in the period with at least one file on the dossier: the desk
    scanned (digitised) the paper it was given."""
    qs = received(period, base=base).exclude(channel=IntakeChannel.ONLINE)
    return qs.filter(files__isnull=False).distinct()
