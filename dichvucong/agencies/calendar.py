"""Working calendar: deadlines of administrative procedures counted in working time.

Procedures state their time limits in working days, working hours or calendar days. Working time
is Monday–Friday inside the agency's working periods, minus Vietnam's public holidays (from the
`holidays` package) and the administrator's extra days off, plus make-up working days (a Saturday
worked in exchange for a bridge day).

`WorkingCalendar` is pure (no database access) so deadlines can be computed and tested without a
database; `calendar_for` is the single place that reads the administrator's rows.

Every computation happens in local time (settings.TIME_ZONE, Asia/Ho_Chi_Minh): working hours are
wall-clock hours, and a UTC instant near midnight belongs to a different local day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from dichvucong.agencies.constants import CalendarDayKind, TimeUnit

if TYPE_CHECKING:
    from dichvucong.agencies.models import Agency

__all__ = [
    "DEFAULT_PERIODS",
    "WorkingCalendar",
    "calendar_for",
    "local_zone",
    "national_days_off",
    "national_make_up_days",
]

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
# Saturday and Sunday (date.weekday() numbering).
_WEEKEND = frozenset({5, 6})


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The zone working hours are expressed in; read on each call so override_settings works."""
    return _zone(settings.TIME_ZONE)


@cache
def _national_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and weekend working days the `holidays` package knows for one year.

    Cached per year for the life of the process: the list only changes with a package upgrade.
    The following year is populated too because a substituted day off may be paid back by a
    Saturday worked in the previous year (e.g. 02/01/2015 for 27/12/2014).
    """
    known = holidays.country_holidays("VN", years=(year, year + 1))
    days_off = frozenset(day for day in known if day.year == year)
    make_up = frozenset(day for day in known.weekend_workdays if day.year == year)
    return days_off, make_up


def national_days_off(year: int) -> frozenset[date]:
    """Vietnam's public holidays (Tết, 30/4, 1/5, 2/9, observed and substituted days) in `year`."""
    return _national_year(year)[0]


def national_make_up_days(year: int) -> frozenset[date]:
    """Weekend days the government declared working days in exchange for a substituted day off.

    For example Saturday 22/08/2026 is worked so that Monday 31/08/2026 can be taken off: counting
    31/08 off without counting 22/08 worked would lose a working day.
    """
    return _national_year(year)[1]


def _to_local(moment: datetime) -> datetime:
    """Convert to local time; a naive datetime is ambiguous, so refuse it rather than guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"A timezone-aware datetime is required, got the naive {moment!r}.")
    return moment.astimezone(local_zone())


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=local_zone())


def _span(start: time, end: time) -> timedelta:
    return datetime.combine(date.min, end) - datetime.combine(date.min, start)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and hours of one agency, and deadline arithmetic on them.

    Precedence for a day: an administrator's make-up working day, then an administrator's extra
    day off, then the national calendar (holidays off, government-declared working Saturdays on),
    then Monday–Friday.
    """

    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    extra_days_off: frozenset[date] = frozenset()
    makeup_working_days: frozenset[date] = frozenset()
    use_national_holidays: bool = True

    def __post_init__(self) -> None:
        # Accept lists and sets from callers but keep the instance hashable and immutable.
        periods = tuple((start, end) for start, end in self.periods)
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "extra_days_off", frozenset(self.extra_days_off))
        object.__setattr__(self, "makeup_working_days", frozenset(self.makeup_working_days))
        if not periods:
            raise ValueError("A working calendar needs at least one working period.")
        previous_end: time | None = None
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("Working periods are local wall-clock times and must be naive.")
            if not start < end:
                raise ValueError(f"A working period must start before it ends: {start}–{end}.")
            if previous_end is not None and start < previous_end:
                raise ValueError("Working periods must be in order and must not overlap.")
            previous_end = end

    # --- Days ---------------------------------------------------------------------------------

    def day_length(self) -> timedelta:
        """One working day, in working time: the sum of the periods (8 h with the defaults)."""
        return sum((_span(start, end) for start, end in self.periods), _ZERO)

    def is_holiday(self, day: date) -> bool:
        """A public holiday or extra day off, unless the administrator made it a working day."""
        if day in self.makeup_working_days:
            return False
        if day in self.extra_days_off:
            return True
        return self.use_national_holidays and day in national_days_off(day.year)

    def is_working_day(self, day: date) -> bool:
        """Whether the agency works on `day` at all (see the class docstring for precedence)."""
        if day in self.makeup_working_days:
            return True
        if day in self.extra_days_off:
            return False
        if self.use_national_holidays:
            if day in national_days_off(day.year):
                return False
            if day in national_make_up_days(day.year):
                return True
        return day.weekday() not in _WEEKEND

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def _working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def end_of_working_day(self, day: date) -> datetime:
        """Closing time of `day`: a deadline 'by the end of the day' is the end of the last period."""
        if not self.is_working_day(day):
            raise ValueError(f"{day.isoformat()} is not a working day.")
        return _at(day, self.periods[-1][1])

    def _start_of_day(self, day: date) -> datetime:
        return _at(day, self.periods[0][0])

    # --- Instants -----------------------------------------------------------------------------

    def is_working_instant(self, moment: datetime) -> bool:
        """Inside [start, end) of a period on a working day: at 17:00 sharp the office is closed."""
        local = _to_local(moment)
        if not self.is_working_day(local.date()):
            return False
        clock = local.time()
        return any(start <= clock < end for start, end in self.periods)

    def _next_working_local(self, local: datetime) -> datetime:
        day = local.date()
        if self.is_working_day(day):
            for start, end in self.periods:
                period_end = _at(day, end)
                if local < period_end:
                    return max(local, _at(day, start))
        return self._start_of_day(self.next_working_day(day))

    def next_working_instant(self, moment: datetime) -> datetime:
        """When counting starts: `moment` if the office is open, else the next opening."""
        return self._next_working_local(_to_local(moment))

    def apply_cutoff(self, moment: datetime, cutoff: time | None) -> datetime:
        """When counting starts for a dossier received at `moment`, given the same-day cut-off.

        A dossier received on a working day at or after the cut-off is treated as received at
        the opening of the next working day; otherwise counting starts at the next working instant.
        """
        local = _to_local(moment)
        if cutoff is not None and self.is_working_day(local.date()) and local.time() >= cutoff.replace(tzinfo=None):
            return self._start_of_day(self.next_working_day(local.date()))
        return self._next_working_local(local)

    # --- Durations ----------------------------------------------------------------------------

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of working time has elapsed since `start`.

        Counting starts at the next working instant. A duration that runs out exactly at the end
        of a period ends there (Monday 07:30 + 8 h is Monday 17:00, not Tuesday 07:30): a deadline
        is the earliest instant by which the work can be done.
        """
        if duration < _ZERO:
            raise ValueError(f"A duration cannot be negative, got {duration!r}.")
        current = self.next_working_instant(start)
        if duration == _ZERO:
            return current
        remaining = duration
        day = current.date()
        day_length = self.day_length()
        while True:
            for period_start, period_end in self.periods:
                end = _at(day, period_end)
                if end <= current:
                    continue
                begin = max(current, _at(day, period_start))
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            # Whole days cost one comparison each, so a year-long limit takes a few hundred steps.
            day = self.next_working_day(day)
            while remaining > day_length:
                remaining -= day_length
                day = self.next_working_day(day)
            current = self._start_of_day(day)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """`days` working days later: the same working time as `days` full working days."""
        return self.add_working_time(start, days * self.day_length())

    def add_working_hours(self, start: datetime, hours: int | float) -> datetime:
        """`hours` working hours later (fractions allowed, e.g. 1.5)."""
        return self.add_working_time(start, timedelta(hours=hours))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed in [start, end); the inverse of `add_working_time`.

        Only the first and the last day are partial; the days between are whole working days or
        none, so they are counted, not walked: a queue of dossiers two years overdue shows each
        row's countdown at the cost of a few set look-ups instead of 700 days of datetimes.
        """
        begin, finish = _to_local(start), _to_local(end)
        if finish <= begin:
            return _ZERO
        first, last = begin.date(), finish.date()
        total = self._overlap(first, begin, finish)
        if last > first:
            total += self._overlap(last, begin, finish)
            total += self.working_days_between(first + _ONE_DAY, last - _ONE_DAY) * self.day_length()
        return total

    def _overlap(self, day: date, begin: datetime, finish: datetime) -> timedelta:
        total = _ZERO
        if self.is_working_day(day):
            for period_start, period_end in self.periods:
                overlap = min(finish, _at(day, period_end)) - max(begin, _at(day, period_start))
                if overlap > _ZERO:
                    total += overlap
        return total

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days there are from `first` to `last`, both included (0 if last < first).

        Monday–Friday by arithmetic, then corrected for the few days whose status differs from
        their weekday's: holidays, make-up Saturdays and the administrator's rows.
        """
        if last < first:
            return 0
        span = (last - first).days + 1
        weeks, rest = divmod(span, 7)
        weekdays = weeks * 5 + sum(1 for k in range(rest) if (first.weekday() + k) % 7 not in _WEEKEND)
        special = set(self.extra_days_off) | set(self.makeup_working_days)
        if self.use_national_holidays:
            for year in range(first.year, last.year + 1):
                special |= national_days_off(year) | national_make_up_days(year)
        for day in special:
            if first <= day <= last:
                weekdays += int(self.is_working_day(day)) - int(day.weekday() not in _WEEKEND)
        return weekdays

    def add_duration(self, start: datetime, amount: int, unit: str, *, cutoff: time | None = None) -> datetime:
        """The deadline of a time limit of `amount` `unit`s (a TimeUnit value) from `start`.

        Working units count from `apply_cutoff(start, cutoff)`; an amount of 0 means "within the
        day", i.e. the end of that working day. Calendar days follow the civil code: the day of
        receipt is not counted, and when the last day is not a working day the limit ends at the
        end of the next working day. The cut-off only applies to working units.
        """
        if amount < 0:
            raise ValueError(f"A time limit cannot be negative, got {amount!r}.")
        if unit == TimeUnit.CALENDAR_DAYS:
            last_day = _to_local(start).date() + timedelta(days=amount)
            return self.end_of_working_day(self._working_day_on_or_after(last_day))
        if unit == TimeUnit.WORKING_DAYS:
            duration = amount * self.day_length()
        elif unit == TimeUnit.WORKING_HOURS:
            duration = timedelta(hours=amount)
        else:
            raise ValueError(f"Unknown time unit {unit!r}; expected one of {list(TimeUnit.values)}.")
        begin = self.apply_cutoff(start, cutoff)
        if amount == 0:
            return self.end_of_working_day(begin.date())
        return self.add_working_time(begin, duration)


def calendar_for(agency: Agency | None = None) -> WorkingCalendar:
    """The calendar of `agency` (or the national default), from one query of CalendarDay rows.

    Global rows apply to every agency; a row of the agency itself overrides a global row for the
    same date, whichever way, so an agency can work a day the province gave off and vice versa.
    """
    from django.db.models import Q

    from dichvucong.agencies.models import CalendarDay

    scope = Q(agency__isnull=True)
    if agency is not None and agency.pk is not None:
        scope |= Q(agency_id=agency.pk)
    rows = list(CalendarDay.objects.filter(scope).values_list("date", "kind", "agency_id"))
    return _calendar_from_rows(agency, rows)


def _calendar_from_rows(agency: Agency | None, rows: list[tuple[date, str, int | None]]) -> WorkingCalendar:
    kinds: dict[date, str] = {}
    # Global rows first (agency_id NULL sorts last on PostgreSQL, first on SQLite): sort in Python.
    for day, kind, _agency_id in sorted(rows, key=lambda row: row[2] is not None):
        kinds[day] = kind
    return WorkingCalendar(
        periods=agency.working_periods if agency is not None else DEFAULT_PERIODS,
        extra_days_off=frozenset(day for day, kind in kinds.items() if kind == CalendarDayKind.DAY_OFF),
        makeup_working_days=frozenset(day for day, kind in kinds.items() if kind == CalendarDayKind.WORKING_DAY),
    )
