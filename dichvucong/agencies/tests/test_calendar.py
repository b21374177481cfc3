"""Working calendar: concrete deadlines checked against Vietnam's 2026 calendar.

Every date is written out with its weekday. National holidays used below, as the `holidays`
package lists them for 2026: Tết 16–20/02 (Mon–Fri), Hùng Kings 27/04 (Mon, observed),
30/04 (Thu), 01/05 (Fri), 31/08 (Mon, substituted from Saturday 22/08, which is worked),
01–02/09 (Tue–Wed); 01/01/2027 (Fri).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dichvucong.agencies.calendar import (
    DEFAULT_PERIODS,
    WorkingCalendar,
    calendar_for,
    national_days_off,
    national_make_up_days,
)
from dichvucong.agencies.constants import AgencyKind, CalendarDayKind, TimeUnit
from dichvucong.agencies.models import Agency, CalendarDay

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOUR = timedelta(hours=1)
AGENCY_PERIODS = ((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30)))


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant in Vietnamese local time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- The national calendar as the package reports it --------------------------------------------


def test_package_lists_the_2026_days_off_the_tests_rely_on():
    days_off = national_days_off(2026)
    expected = {
        date(2026, 1, 1),  # Thursday
        date(2026, 2, 16),
        date(2026, 2, 17),
        date(2026, 2, 18),  # Monday–Wednesday, Tết
        date(2026, 2, 19),
        date(2026, 2, 20),  # Thursday–Friday, Tết
        date(2026, 4, 27),  # Monday, Hùng Kings observed
        date(2026, 4, 30),  # Thursday
        date(2026, 5, 1),  # Friday
        date(2026, 8, 31),  # Monday, substituted from Saturday 22/08
        date(2026, 9, 1),
        date(2026, 9, 2),  # Tuesday–Wednesday
    }
    assert expected <= days_off
    assert date(2026, 8, 22) in national_make_up_days(2026)  # Saturday worked in exchange


def test_weekdays_are_working_days_and_weekends_are_not(cal):
    assert cal.is_working_day(date(2026, 3, 13))  # Friday
    assert not cal.is_working_day(date(2026, 3, 14))  # Saturday
    assert not cal.is_working_day(date(2026, 3, 15))  # Sunday
    assert cal.is_working_day(date(2026, 3, 16))  # Monday


def test_national_holidays_are_holidays_and_not_working_days(cal):
    assert cal.is_holiday(date(2026, 2, 17))  # Tuesday, Tết
    assert not cal.is_working_day(date(2026, 2, 17))  # Tuesday, Tết
    assert cal.is_holiday(date(2026, 4, 30))  # Thursday
    assert not cal.is_holiday(date(2026, 3, 14))  # Saturday: a weekend, not a holiday
    assert not cal.is_holiday(date(2026, 3, 16))  # Monday


def test_national_holidays_can_be_switched_off():
    cal = WorkingCalendar(use_national_holidays=False)
    assert not cal.is_holiday(date(2026, 4, 30))  # Thursday
    assert cal.is_working_day(date(2026, 4, 30))  # Thursday
    assert not cal.is_working_day(date(2026, 8, 22))  # Saturday: the package's swap is ignored too


def test_next_working_day_is_strictly_after(cal):
    assert cal.next_working_day(date(2026, 3, 13)) == date(2026, 3, 16)  # Friday → Monday
    assert cal.next_working_day(date(2026, 3, 16)) == date(2026, 3, 17)  # Monday → Tuesday
    assert cal.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)  # Friday → Monday after Tết
    assert cal.next_working_day(date(2026, 12, 31)) == date(2027, 1, 4)  # Thursday → Monday, 1/1 off


def test_end_of_working_day(cal):
    assert cal.end_of_working_day(date(2026, 3, 16)) == vn(2026, 3, 16, 17)  # Monday
    with pytest.raises(ValueError, match="not a working day"):
        cal.end_of_working_day(date(2026, 3, 14))  # Saturday


# --- Working periods ------------------------------------------------------------------------------


def test_default_day_is_eight_hours(cal):
    assert cal.periods == DEFAULT_PERIODS
    assert cal.day_length() == 8 * HOUR


def test_day_length_is_the_sum_of_the_periods():
    cal = WorkingCalendar(periods=((time(7, 0), time(11, 0)), (time(13, 30), time(16, 30))))
    assert cal.day_length() == 7 * HOUR
    # Friday 2026-03-13 10:00 + 1 working day (7 h) → Monday 2026-03-16 10:00.
    assert cal.add_working_days(vn(2026, 3, 13, 10), 1) == vn(2026, 3, 16, 10)


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((time(11, 30), time(7, 30)),),
        ((time(7, 30), time(7, 30)),),
        ((time(13, 0), time(17, 0)), (time(7, 30), time(11, 30))),
        ((time(7, 30), time(12, 0)), (time(11, 0), time(17, 0))),
    ],
    ids=["empty", "reversed", "empty-period", "out-of-order", "overlapping"],
)
def test_invalid_periods_are_rejected(periods):
    with pytest.raises(ValueError, match="period"):
        WorkingCalendar(periods=periods)


def test_is_working_instant_is_half_open(cal):
    assert cal.is_working_instant(vn(2026, 3, 16, 7, 30))  # Monday, opening
    assert not cal.is_working_instant(vn(2026, 3, 16, 7, 29))  # Monday, before opening
    assert not cal.is_working_instant(vn(2026, 3, 16, 11, 30))  # Monday, lunch starts
    assert cal.is_working_instant(vn(2026, 3, 16, 13, 0))  # Monday, afternoon opens
    assert not cal.is_working_instant(vn(2026, 3, 16, 17, 0))  # Monday, closed
    assert not cal.is_working_instant(vn(2026, 3, 14, 9, 0))  # Saturday
    assert not cal.is_working_instant(vn(2026, 2, 17, 9, 0))  # Tuesday, Tết


# --- Starting outside working hours ----------------------------------------------------------------


def test_next_working_instant(cal):
    assert cal.next_working_instant(vn(2026, 3, 16, 9, 15)) == vn(2026, 3, 16, 9, 15)  # Monday, open
    assert cal.next_working_instant(vn(2026, 3, 16, 6, 0)) == vn(2026, 3, 16, 7, 30)  # Monday
    assert cal.next_working_instant(vn(2026, 3, 16, 12, 0)) == vn(2026, 3, 16, 13, 0)  # Monday lunch
    assert cal.next_working_instant(vn(2026, 3, 16, 11, 30)) == vn(2026, 3, 16, 13, 0)  # Monday
    # Monday 18:00 → Tuesday 2026-03-17 07:30.
    assert cal.next_working_instant(vn(2026, 3, 16, 18, 0)) == vn(2026, 3, 17, 7, 30)
    # Saturday 2026-03-14 10:00 → Monday 2026-03-16 07:30.
    assert cal.next_working_instant(vn(2026, 3, 14, 10, 0)) == vn(2026, 3, 16, 7, 30)


def test_start_on_saturday(cal):
    # Saturday 2026-03-14 10:00 + 2 working hours → Monday 2026-03-16 09:30.
    assert cal.add_working_hours(vn(2026, 3, 14, 10, 0), 2) == vn(2026, 3, 16, 9, 30)


def test_start_before_opening(cal):
    # Monday 2026-03-16 06:00 + 1 working hour → Monday 08:30.
    assert cal.add_working_hours(vn(2026, 3, 16, 6, 0), 1) == vn(2026, 3, 16, 8, 30)


def test_zero_duration_returns_next_working_instant(cal):
    # Monday 2026-03-16 12:00 (lunch) + 0 → Monday 13:00.
    assert cal.add_working_time(vn(2026, 3, 16, 12, 0), timedelta(0)) == vn(2026, 3, 16, 13, 0)
    # Monday 2026-03-16 10:00 + 0 → Monday 10:00.
    assert cal.add_working_time(vn(2026, 3, 16, 10, 0), timedelta(0)) == vn(2026, 3, 16, 10, 0)


# --- Adding working time ---------------------------------------------------------------------------


def test_across_a_weekend(cal):
    # Friday 2026-03-13 16:00 + 1 working day → Monday 2026-03-16 16:00.
    assert cal.add_working_days(vn(2026, 3, 13, 16, 0), 1) == vn(2026, 3, 16, 16, 0)
    # Friday 2026-03-13 15:00 + 3 working hours: 2 h until 17:00, 1 h Monday → Monday 2026-03-16 08:30.
    assert cal.add_working_hours(vn(2026, 3, 13, 15, 0), 3) == vn(2026, 3, 16, 8, 30)
    # Friday 2026-03-13 16:00 + 3 working hours: 1 h until 17:00, 2 h Monday → Monday 2026-03-16 09:30.
    assert cal.add_working_hours(vn(2026, 3, 13, 16, 0), 3) == vn(2026, 3, 16, 9, 30)


def test_across_lunch(cal):
    # Monday 2026-03-16 11:00 + 1 working hour → Monday 13:30.
    assert cal.add_working_hours(vn(2026, 3, 16, 11, 0), 1) == vn(2026, 3, 16, 13, 30)
    # Monday 2026-03-16 11:00 + 1.5 working hours → Monday 14:00.
    assert cal.add_working_hours(vn(2026, 3, 16, 11, 0), 1.5) == vn(2026, 3, 16, 14, 0)


def test_duration_ending_at_a_period_end_stops_there(cal):
    # Monday 2026-03-16 07:30 + 8 h → Monday 17:00, not Tuesday 07:30.
    assert cal.add_working_hours(vn(2026, 3, 16, 7, 30), 8) == vn(2026, 3, 16, 17, 0)
    # Monday 2026-03-16 07:30 + 4 h → Monday 11:30, not 13:00.
    assert cal.add_working_hours(vn(2026, 3, 16, 7, 30), 4) == vn(2026, 3, 16, 11, 30)
    # Monday 2026-03-16 07:30 + 1 working day → Monday 17:00.
    assert cal.add_working_days(vn(2026, 3, 16, 7, 30), 1) == vn(2026, 3, 16, 17, 0)
    # Friday 2026-03-13 17:00 (closed) + 1 working day → Monday 2026-03-16 17:00.
    assert cal.add_working_days(vn(2026, 3, 13, 17, 0), 1) == vn(2026, 3, 16, 17, 0)
    # Monday 2026-03-16 11:30 + 1 minute: counting resumes at 13:00 → 13:01.
    assert cal.add_working_time(vn(2026, 3, 16, 11, 30), timedelta(minutes=1)) == vn(2026, 3, 16, 13, 1)


def test_tet_2026(cal):
    # Friday 2026-02-13 16:00 + 1 working day → Monday 2026-02-23 16:00
    # (Monday 16 – Friday 20 February are Tết, 21–22 the weekend).
    assert cal.add_working_days(vn(2026, 2, 13, 16, 0), 1) == vn(2026, 2, 23, 16, 0)
    # Friday 2026-02-13 17:00 → Monday 2026-02-23 07:30: no working time at all.
    assert cal.working_time_between(vn(2026, 2, 13, 17, 0), vn(2026, 2, 23, 7, 30)) == timedelta(0)


def test_reunification_and_labour_day_2026(cal):
    # Wednesday 2026-04-29 10:00 + 1 working day → Monday 2026-05-04 10:00
    # (Thursday 30/4 and Friday 1/5 are holidays).
    assert cal.add_working_days(vn(2026, 4, 29, 10, 0), 1) == vn(2026, 5, 4, 10, 0)


def test_national_day_2026(cal):
    # Friday 2026-08-28 16:00 + 1 working day → Thursday 2026-09-03 16:00
    # (Monday 31/8, Tuesday 1/9 and Wednesday 2/9 are days off).
    assert cal.add_working_days(vn(2026, 8, 28, 16, 0), 1) == vn(2026, 9, 3, 16, 0)


def test_deadline_crossing_into_next_year(cal):
    # Thursday 2026-12-31 16:00 + 1 working day → Monday 2027-01-04 16:00 (Friday 1/1/2027 is off).
    assert cal.add_working_days(vn(2026, 12, 31, 16, 0), 1) == vn(2027, 1, 4, 16, 0)


def test_make_up_saturday_from_the_administrator():
    # Saturday 2026-03-14 is not a make-up day in the package; the administrator adds it.
    with_row = WorkingCalendar(makeup_working_days=frozenset({date(2026, 3, 14)}))
    assert with_row.is_working_day(date(2026, 3, 14))  # Saturday
    # Friday 2026-03-13 16:00 + 2 working hours → Saturday 2026-03-14 08:30.
    assert with_row.add_working_hours(vn(2026, 3, 13, 16, 0), 2) == vn(2026, 3, 14, 8, 30)
    # Without the row → Monday 2026-03-16 08:30.
    assert WorkingCalendar().add_working_hours(vn(2026, 3, 13, 16, 0), 2) == vn(2026, 3, 16, 8, 30)


def test_make_up_saturday_22_august_2026():
    # The package itself declares Saturday 2026-08-22 worked (Monday 31/08 is given off instead).
    explicit = WorkingCalendar(makeup_working_days=frozenset({date(2026, 8, 22)}))
    # Friday 2026-08-21 16:00 + 2 working hours → Saturday 2026-08-22 08:30.
    assert explicit.add_working_hours(vn(2026, 8, 21, 16, 0), 2) == vn(2026, 8, 22, 8, 30)
    # Same without an administrator row: the package's swap applies.
    assert WorkingCalendar().add_working_hours(vn(2026, 8, 21, 16, 0), 2) == vn(2026, 8, 22, 8, 30)
    # Without national holidays and without the row → Monday 2026-08-24 08:30.
    plain = WorkingCalendar(use_national_holidays=False)
    assert plain.add_working_hours(vn(2026, 8, 21, 16, 0), 2) == vn(2026, 8, 24, 8, 30)
    # An administrator's day off overrides the package: Saturday 22/08 off → Monday 24/08 08:30.
    cancelled = WorkingCalendar(extra_days_off=frozenset({date(2026, 8, 22)}))
    assert cancelled.add_working_hours(vn(2026, 8, 21, 16, 0), 2) == vn(2026, 8, 24, 8, 30)


def test_extra_day_off():
    cal = WorkingCalendar(extra_days_off=frozenset({date(2026, 3, 17)}))  # Tuesday
    assert cal.is_holiday(date(2026, 3, 17))  # Tuesday
    assert not cal.is_working_day(date(2026, 3, 17))  # Tuesday
    # Monday 2026-03-16 16:00 + 1 working day → Wednesday 2026-03-18 16:00.
    assert cal.add_working_days(vn(2026, 3, 16, 16, 0), 1) == vn(2026, 3, 18, 16, 0)


def test_make_up_day_wins_over_a_day_off_listed_in_both():
    cal = WorkingCalendar(
        extra_days_off=frozenset({date(2026, 3, 17)}),  # Tuesday
        makeup_working_days=frozenset({date(2026, 3, 17)}),  # Tuesday
    )
    assert not cal.is_holiday(date(2026, 3, 17))  # Tuesday
    assert cal.is_working_day(date(2026, 3, 17))  # Tuesday


def test_make_up_day_on_a_national_holiday():
    cal = WorkingCalendar(makeup_working_days=frozenset({date(2026, 4, 30)}))  # Thursday
    assert not cal.is_holiday(date(2026, 4, 30))  # Thursday
    # Wednesday 2026-04-29 10:00 + 1 working day → Thursday 2026-04-30 10:00.
    assert cal.add_working_days(vn(2026, 4, 29, 10, 0), 1) == vn(2026, 4, 30, 10, 0)


def test_large_duration_is_consistent(cal):
    # Monday 2026-03-16 07:30 + 365 working days ends at 17:00 of the 365th working day.
    start = vn(2026, 3, 16, 7, 30)
    day, count = date(2026, 3, 16), 1  # Monday, the first working day
    while count < 365:
        day += timedelta(days=1)
        count += cal.is_working_day(day)
    result = cal.add_working_days(start, 365)
    assert result == cal.end_of_working_day(day)
    assert cal.working_time_between(start, result) == 365 * cal.day_length()


# --- Working time between two instants -------------------------------------------------------------


def test_working_time_between(cal):
    # Friday 2026-03-13 16:00 → Monday 2026-03-16 08:30: 1 h Friday + 1 h Monday.
    assert cal.working_time_between(vn(2026, 3, 13, 16, 0), vn(2026, 3, 16, 8, 30)) == 2 * HOUR
    # Monday 2026-03-16 11:00 → Monday 13:30: 30 min before lunch + 30 min after.
    assert cal.working_time_between(vn(2026, 3, 16, 11, 0), vn(2026, 3, 16, 13, 30)) == HOUR
    # Friday 2026-03-13 11:00 → Monday 2026-03-16 13:30: 0.5 + 4 (Friday) + 4 + 0.5 (Monday).
    assert cal.working_time_between(vn(2026, 3, 13, 11, 0), vn(2026, 3, 16, 13, 30)) == 9 * HOUR
    # Saturday 2026-03-14 → Sunday 2026-03-15: nothing.
    assert cal.working_time_between(vn(2026, 3, 14, 8, 0), vn(2026, 3, 15, 16, 0)) == timedelta(0)
    # Monday 2026-03-16 10:00 → Monday 09:00: end before start.
    assert cal.working_time_between(vn(2026, 3, 16, 10, 0), vn(2026, 3, 16, 9, 0)) == timedelta(0)


# --- Time zones ------------------------------------------------------------------------------------


def test_other_time_zones_are_converted_to_local_time(cal):
    # 2026-03-16 00:30 UTC is Monday 07:30 in Hà Nội.
    assert cal.is_working_instant(datetime(2026, 3, 16, 0, 30, tzinfo=UTC))
    # 2026-03-15 23:00 UTC is Monday 2026-03-16 06:00 local → opening at 07:30.
    result = cal.next_working_instant(datetime(2026, 3, 15, 23, 0, tzinfo=UTC))
    assert result == vn(2026, 3, 16, 7, 30)
    assert result.tzinfo == TZ
    assert result.utcoffset() == 7 * HOUR
    # Friday 2026-03-13 09:00 UTC is 16:00 local; + 1 working day → Monday 2026-03-16 16:00 local.
    result = cal.add_working_days(datetime(2026, 3, 13, 9, 0, tzinfo=UTC), 1)
    assert result == vn(2026, 3, 16, 16, 0)
    assert result.tzinfo == TZ


@pytest.mark.parametrize(
    "call",
    [
        lambda c, naive: c.is_working_instant(naive),
        lambda c, naive: c.next_working_instant(naive),
        lambda c, naive: c.add_working_time(naive, HOUR),
        lambda c, naive: c.add_working_days(naive, 1),
        lambda c, naive: c.add_working_hours(naive, 1),
        lambda c, naive: c.working_time_between(naive, vn(2026, 3, 17, 9)),
        lambda c, naive: c.working_time_between(vn(2026, 3, 15, 9), naive),
        lambda c, naive: c.apply_cutoff(naive, time(15, 0)),
        lambda c, naive: c.add_duration(naive, 1, TimeUnit.CALENDAR_DAYS),
    ],
    ids=[
        "is_working_instant",
        "next_working_instant",
        "add_working_time",
        "add_working_days",
        "add_working_hours",
        "between-start",
        "between-end",
        "apply_cutoff",
        "add_duration",
    ],
)
def test_naive_datetime_is_rejected(cal, call):
    naive = datetime(2026, 3, 16, 9, 0)  # Monday
    with pytest.raises(ValueError, match="timezone-aware"):
        call(cal, naive)


def test_negative_durations_are_rejected(cal):
    monday = vn(2026, 3, 16, 9, 0)  # Monday
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_time(monday, timedelta(minutes=-1))
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(monday, -1)
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_hours(monday, -0.5)
    with pytest.raises(ValueError, match="negative"):
        cal.add_duration(monday, -1, TimeUnit.WORKING_DAYS)


# --- Cut-off and time limits -----------------------------------------------------------------------


def test_apply_cutoff(cal):
    cutoff = time(15, 0)
    # Monday 2026-03-16 14:59 → counts from Monday 14:59.
    assert cal.apply_cutoff(vn(2026, 3, 16, 14, 59), cutoff) == vn(2026, 3, 16, 14, 59)
    # Monday 2026-03-16 15:00 → counts from Tuesday 2026-03-17 07:30.
    assert cal.apply_cutoff(vn(2026, 3, 16, 15, 0), cutoff) == vn(2026, 3, 17, 7, 30)
    # Monday 2026-03-16 06:00 → Monday 07:30 (before opening, not after the cut-off).
    assert cal.apply_cutoff(vn(2026, 3, 16, 6, 0), cutoff) == vn(2026, 3, 16, 7, 30)
    # Saturday 2026-03-14 16:00 → Monday 2026-03-16 07:30.
    assert cal.apply_cutoff(vn(2026, 3, 14, 16, 0), cutoff) == vn(2026, 3, 16, 7, 30)
    # No cut-off: Monday 2026-03-16 16:00 counts from 16:00.
    assert cal.apply_cutoff(vn(2026, 3, 16, 16, 0), None) == vn(2026, 3, 16, 16, 0)


def test_same_day_limit_with_cutoff(cal):
    cutoff = time(15, 0)
    # Monday 2026-03-16 14:59 → Monday 17:00.
    assert cal.add_duration(vn(2026, 3, 16, 14, 59), 0, TimeUnit.WORKING_DAYS, cutoff=cutoff) == vn(2026, 3, 16, 17, 0)
    # Monday 2026-03-16 15:00 → Tuesday 2026-03-17 17:00.
    assert cal.add_duration(vn(2026, 3, 16, 15, 0), 0, TimeUnit.WORKING_DAYS, cutoff=cutoff) == vn(2026, 3, 17, 17, 0)
    # Friday 2026-03-13 15:30 → Monday 2026-03-16 17:00.
    assert cal.add_duration(vn(2026, 3, 13, 15, 30), 0, TimeUnit.WORKING_DAYS, cutoff=cutoff) == vn(2026, 3, 16, 17, 0)
    # Same with working hours: Monday 2026-03-16 15:00 → Tuesday 2026-03-17 17:00.
    assert cal.add_duration(vn(2026, 3, 16, 15, 0), 0, TimeUnit.WORKING_HOURS, cutoff=cutoff) == vn(2026, 3, 17, 17, 0)
    # No cut-off: Monday 2026-03-16 16:30 → Monday 17:00.
    assert cal.add_duration(vn(2026, 3, 16, 16, 30), 0, TimeUnit.WORKING_DAYS) == vn(2026, 3, 16, 17, 0)


def test_working_units_with_cutoff(cal):
    cutoff = time(15, 0)
    # Monday 2026-03-16 14:00, before the cut-off, + 2 working days → Wednesday 2026-03-18 14:00.
    assert cal.add_duration(vn(2026, 3, 16, 14, 0), 2, TimeUnit.WORKING_DAYS, cutoff=cutoff) == vn(2026, 3, 18, 14, 0)
    # Monday 2026-03-16 15:30, after the cut-off: counts from Tuesday 2026-03-17 07:30
    # → Wednesday 2026-03-18 17:00 (Tuesday and Wednesday, whole).
    assert cal.add_duration(vn(2026, 3, 16, 15, 30), 2, TimeUnit.WORKING_DAYS, cutoff=cutoff) == vn(2026, 3, 18, 17, 0)
    # Without the cut-off: Monday 2026-03-16 15:30 + 2 working days → Wednesday 2026-03-18 15:30.
    assert cal.add_duration(vn(2026, 3, 16, 15, 30), 2, TimeUnit.WORKING_DAYS) == vn(2026, 3, 18, 15, 30)
    # Friday 2026-03-13 15:00 + 3 working hours → Monday 2026-03-16 08:30.
    assert cal.add_duration(vn(2026, 3, 13, 15, 0), 3, TimeUnit.WORKING_HOURS) == vn(2026, 3, 16, 8, 30)
    # Friday 2026-03-13 15:00 + 3 working hours, cut-off 15:00 → Monday 2026-03-16 10:30.
    assert cal.add_duration(vn(2026, 3, 13, 15, 0), 3, TimeUnit.WORKING_HOURS, cutoff=cutoff) == vn(2026, 3, 16, 10, 30)


def test_calendar_days(cal):
    # Monday 2026-03-16 10:00 + 5 calendar days = Saturday 21 → end of Monday 2026-03-23.
    assert cal.add_duration(vn(2026, 3, 16, 10, 0), 5, TimeUnit.CALENDAR_DAYS) == vn(2026, 3, 23, 17, 0)
    # Monday 2026-03-16 10:00 + 2 calendar days = Wednesday 2026-03-18 → its end, 17:00.
    assert cal.add_duration(vn(2026, 3, 16, 10, 0), 2, TimeUnit.CALENDAR_DAYS) == vn(2026, 3, 18, 17, 0)
    # Wednesday 2026-04-22 + 8 calendar days = Thursday 30/4 (holiday) → end of Monday 2026-05-04.
    assert cal.add_duration(vn(2026, 4, 22, 9, 0), 8, TimeUnit.CALENDAR_DAYS) == vn(2026, 5, 4, 17, 0)
    # Monday 2026-03-16 23:30 (after hours) + 1 calendar day = Tuesday 2026-03-17 → 17:00.
    assert cal.add_duration(vn(2026, 3, 16, 23, 30), 1, TimeUnit.CALENDAR_DAYS) == vn(2026, 3, 17, 17, 0)
    # Sunday 2026-03-15 + 0 calendar days → end of Monday 2026-03-16.
    assert cal.add_duration(vn(2026, 3, 15, 9, 0), 0, TimeUnit.CALENDAR_DAYS) == vn(2026, 3, 16, 17, 0)


def test_calendar_days_use_the_local_date(cal):
    # 2026-03-15 18:00 UTC is Monday 2026-03-16 01:00 local; + 1 calendar day → Tuesday 2026-03-17.
    start = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)
    assert cal.add_duration(start, 1, TimeUnit.CALENDAR_DAYS) == vn(2026, 3, 17, 17, 0)


def test_add_duration_accepts_plain_strings(cal):
    # Friday 2026-03-13 16:00 + 1 "working_days" → Monday 2026-03-16 16:00.
    assert cal.add_duration(vn(2026, 3, 13, 16, 0), 1, "working_days") == vn(2026, 3, 16, 16, 0)


def test_add_duration_rejects_unknown_units(cal):
    with pytest.raises(ValueError, match="Unknown time unit"):
        cal.add_duration(vn(2026, 3, 16, 9, 0), 1, "fortnights")  # Monday


def test_agency_periods():
    cal = WorkingCalendar(periods=AGENCY_PERIODS)
    assert cal.day_length() == 8 * HOUR
    # Monday 2026-03-16 11:00 + 2 working hours → Monday 14:30 (lunch 12:00–13:30).
    assert cal.add_working_hours(vn(2026, 3, 16, 11, 0), 2) == vn(2026, 3, 16, 14, 30)
    # Monday 2026-03-16 09:00, same day → Monday 17:30.
    assert cal.add_duration(vn(2026, 3, 16, 9, 0), 0, TimeUnit.WORKING_DAYS) == vn(2026, 3, 16, 17, 30)
    # Monday 2026-03-16 07:45 (before opening) → 08:00.
    assert cal.next_working_instant(vn(2026, 3, 16, 7, 45)) == vn(2026, 3, 16, 8, 0)


# --- calendar_for: the database-backed factory -----------------------------------------------------


def make_agency(code: str, periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS) -> Agency:
    (morning_start, morning_end), (afternoon_start, afternoon_end) = periods
    return Agency.objects.create(
        code=code,
        name=f"Cơ quan {code}",
        kind=AgencyKind.DEPARTMENT,
        morning_start=morning_start,
        morning_end=morning_end,
        afternoon_start=afternoon_start,
        afternoon_end=afternoon_end,
    )


@pytest.fixture
def agencies(db) -> tuple[Agency, Agency]:
    own = make_agency("000.00.12.H57", AGENCY_PERIODS)
    other = make_agency("000.00.13.H57")
    day_off, working_day = CalendarDayKind.DAY_OFF, CalendarDayKind.WORKING_DAY
    rows = [
        # Global rows.
        (date(2026, 3, 17), day_off, None, "Bão"),  # Tuesday
        (date(2026, 3, 19), day_off, None, "Lễ hội tỉnh"),  # Thursday
        (date(2026, 3, 28), working_day, None, "Làm bù"),  # Saturday
        # Rows of the agency under test.
        (date(2026, 3, 14), working_day, own, "Làm bù"),  # Saturday
        (date(2026, 3, 19), working_day, own, "Trực lễ hội"),  # Thursday: overrides the global day off
        (date(2026, 3, 28), day_off, own, "Nghỉ"),  # Saturday: overrides the global working day
        # Rows of another agency, ignored.
        (date(2026, 3, 18), day_off, other, "Nghỉ"),  # Wednesday
        (date(2026, 3, 21), working_day, other, "Làm bù"),  # Saturday
    ]
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=kind, agency=agency, name=name) for day, kind, agency, name in rows
    )
    return own, other


@pytest.mark.django_db
def test_calendar_for_agency(agencies, django_assert_num_queries):
    own, _other = agencies
    with django_assert_num_queries(1):
        cal = calendar_for(own)
    assert cal.periods == AGENCY_PERIODS
    assert cal.use_national_holidays
    assert cal.extra_days_off == frozenset({date(2026, 3, 17), date(2026, 3, 28)})
    assert cal.makeup_working_days == frozenset({date(2026, 3, 14), date(2026, 3, 19)})
    assert cal.is_working_day(date(2026, 3, 14))  # Saturday, the agency's make-up day
    assert not cal.is_working_day(date(2026, 3, 17))  # Tuesday, global day off
    assert cal.is_working_day(date(2026, 3, 18))  # Wednesday: the other agency's day off is ignored
    assert cal.is_working_day(date(2026, 3, 19))  # Thursday: the agency works despite the global row
    assert not cal.is_working_day(date(2026, 3, 21))  # Saturday: the other agency's make-up day
    assert not cal.is_working_day(date(2026, 3, 28))  # Saturday: the agency rests despite the global row
    assert not cal.is_working_day(date(2026, 4, 30))  # Thursday: national holidays still apply
    # Friday 2026-03-13 16:30 + 2 working hours: 1 h until 17:30, then Saturday 2026-03-14 08:00–09:00.
    assert cal.add_working_hours(vn(2026, 3, 13, 16, 30), 2) == vn(2026, 3, 14, 9, 0)
    # Monday 2026-03-16 16:30 + 1 working day → Wednesday 2026-03-18 16:30 (Tuesday off).
    assert cal.add_working_days(vn(2026, 3, 16, 16, 30), 1) == vn(2026, 3, 18, 16, 30)


@pytest.mark.django_db
def test_calendar_for_other_agency(agencies, django_assert_num_queries):
    _own, other = agencies
    with django_assert_num_queries(1):
        cal = calendar_for(other)
    assert cal.periods == DEFAULT_PERIODS
    assert cal.extra_days_off == frozenset({date(2026, 3, 17), date(2026, 3, 18), date(2026, 3, 19)})
    assert cal.makeup_working_days == frozenset({date(2026, 3, 21), date(2026, 3, 28)})


@pytest.mark.django_db
def test_calendar_for_no_agency_uses_global_rows_and_default_periods(agencies, django_assert_num_queries):
    with django_assert_num_queries(1):
        cal = calendar_for()
    assert cal.periods == DEFAULT_PERIODS
    assert cal.extra_days_off == frozenset({date(2026, 3, 17), date(2026, 3, 19)})
    assert cal.makeup_working_days == frozenset({date(2026, 3, 28)})
    assert not cal.is_working_day(date(2026, 3, 14))  # Saturday: only the agency works it
    assert cal.is_working_day(date(2026, 3, 28))  # Saturday, global make-up day


@pytest.mark.django_db
def test_calendar_for_without_rows(django_assert_num_queries):
    with django_assert_num_queries(1):
        cal = calendar_for()
    assert cal == WorkingCalendar()
