"""Working calendar: algebraic properties checked with hypothesis over 2025–2027.

Starts are any minute of any day, biased towards period boundaries and holiday seasons (Tết,
30/4–1/5, 2/9, the year end) where off-by-one mistakes hide. Durations go up to 60 working days,
biased towards multiples of half a day so that results land exactly on period ends.

Composition is deliberately stated only for a positive second duration: a positive duration may
end exactly at a period end E (Monday 07:30 + 4 h = 11:30), and adding 0 to E returns the next
opening (13:00), not E — see test_adding_zero_to_a_period_end_moves_to_the_next_opening.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from dichvucong.agencies.calendar import WorkingCalendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MINUTE = timedelta(minutes=1)
MAX_MINUTES = 60 * 8 * 60  # 60 working days of 8 hours
PROPERTY = settings(max_examples=200, deadline=None, database=None)

CALENDARS = (
    WorkingCalendar(),
    # An agency with its own hours, a storm day off, a Tết make-up Saturday, and a make-up day on a
    # national holiday.
    WorkingCalendar(
        periods=((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))),
        extra_days_off=frozenset({date(2025, 10, 7), date(2026, 3, 17), date(2026, 8, 22)}),
        makeup_working_days=frozenset({date(2026, 2, 14), date(2026, 3, 14), date(2027, 5, 3)}),
    ),
    # A single period and no national holidays.
    WorkingCalendar(periods=((time(9, 0), time(15, 0)),), use_national_holidays=False),
)

BOUNDARIES = sorted(
    {
        moment
        for calendar in CALENDARS
        for period in calendar.periods
        for clock in period
        for moment in (
            clock,
            (datetime.combine(date.min, clock) - MINUTE).time(),
            (datetime.combine(date.min, clock) + MINUTE).time(),
        )
    }
    | {time(0, 0), time(23, 59)}
)
# Days around the holidays of 2025–2027, as the `holidays` package lists them.
SEASONS = (
    date(2025, 1, 24),
    date(2025, 4, 28),
    date(2025, 8, 29),
    date(2026, 2, 11),
    date(2026, 4, 24),
    date(2026, 8, 19),
    date(2026, 8, 28),
    date(2026, 12, 29),
    date(2027, 2, 1),
    date(2027, 4, 28),
    date(2027, 8, 31),
)

calendars = st.sampled_from(CALENDARS)
any_day = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
season_day = st.builds(
    lambda first, offset: first + timedelta(days=offset), st.sampled_from(SEASONS), st.integers(0, 10)
)
any_minute = st.builds(time, st.integers(0, 23), st.integers(0, 59))
starts = st.builds(
    lambda day, clock: datetime.combine(day, clock, tzinfo=TZ),
    st.one_of(any_day, season_day),
    st.one_of(any_minute, st.sampled_from(BOUNDARIES)),
)
minutes = st.one_of(
    st.integers(0, MAX_MINUTES),
    st.integers(0, MAX_MINUTES // 120).map(lambda halves: halves * 120),  # whole half-days of 4 h
    st.integers(0, 10),
)
durations = minutes.map(lambda count: count * MINUTE)
positive_durations = durations.filter(lambda duration: duration > timedelta(0))


def is_period_end(calendar: WorkingCalendar, moment: datetime) -> bool:
    local = moment.astimezone(TZ)
    return calendar.is_working_day(local.date()) and any(local.time() == end for _, end in calendar.periods)


@PROPERTY
@given(calendars, starts, durations)
def test_working_time_between_inverts_add_working_time(calendar, start, duration):
    assert calendar.working_time_between(start, calendar.add_working_time(start, duration)) == duration


@PROPERTY
@given(calendars, starts, durations)
def test_result_is_working_time_or_a_period_end(calendar, start, duration):
    result = calendar.add_working_time(start, duration)
    assert result.tzinfo == TZ
    assert result >= start
    assert calendar.is_working_instant(result) or (duration > timedelta(0) and is_period_end(calendar, result))


@PROPERTY
@given(calendars, starts, positive_durations)
def test_result_is_the_earliest_instant(calendar, start, duration):
    # A microsecond earlier the duration has not elapsed: a period end is returned rather than
    # the next opening, which has the same working time elapsed but is later.
    result = calendar.add_working_time(start, duration)
    assert result > start
    assert calendar.working_time_between(start, result - timedelta(microseconds=1)) < duration


@PROPERTY
@given(calendars, starts, durations, durations)
def test_monotonic_in_the_duration(calendar, start, first, second):
    shorter, longer = sorted((first, second))
    assert calendar.add_working_time(start, shorter) <= calendar.add_working_time(start, longer)


@PROPERTY
@given(calendars, starts, starts, durations)
def test_monotonic_in_the_start(calendar, first, second, duration):
    earlier, later = sorted((first, second))
    assert calendar.add_working_time(earlier, duration) <= calendar.add_working_time(later, duration)


@PROPERTY
@given(calendars, starts, durations, positive_durations)
def test_adding_in_two_steps_equals_adding_the_sum(calendar, start, first, second):
    in_two_steps = calendar.add_working_time(calendar.add_working_time(start, first), second)
    assert in_two_steps == calendar.add_working_time(start, first + second)


@PROPERTY
@given(calendars, starts, durations)
def test_adding_zero_to_a_period_end_moves_to_the_next_opening(calendar, start, duration):
    result = calendar.add_working_time(start, duration)
    again = calendar.add_working_time(result, timedelta(0))
    assert again == calendar.next_working_instant(result)
    assert (again == result) == calendar.is_working_instant(result)
    # Whatever the case, no working time lies between the two.
    assert calendar.working_time_between(result, again) == timedelta(0)


@PROPERTY
@given(calendars, starts, starts, starts)
def test_working_time_between_is_additive(calendar, first, second, third):
    start, middle, end = sorted((first, second, third))
    whole = calendar.working_time_between(start, end)
    assert whole == calendar.working_time_between(start, middle) + calendar.working_time_between(middle, end)
    assert timedelta(0) <= whole <= end - start


@PROPERTY
@given(calendars, starts)
def test_next_working_instant(calendar, start):
    result = calendar.next_working_instant(start)
    assert result >= start
    assert calendar.is_working_instant(result)
    assert calendar.working_time_between(start, result) == timedelta(0)
    if calendar.is_working_instant(start):
        assert result == start


@PROPERTY
@given(calendars, st.one_of(any_day, season_day))
def test_next_working_day_skips_only_days_off(calendar, day):
    following = calendar.next_working_day(day)
    assert following > day
    assert calendar.is_working_day(following)
    skipped = (following - day).days - 1
    assert not any(calendar.is_working_day(day + timedelta(days=offset)) for offset in range(1, skipped + 1))


@PROPERTY
@given(calendars, st.one_of(any_day, season_day), st.integers(1, 60))
def test_whole_working_days_from_the_opening_end_at_a_closing(calendar, day, count):
    # From the opening of a working day, n working days end at the closing of the n-th working day.
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    opening = datetime.combine(day, calendar.periods[0][0], tzinfo=TZ)
    last = day
    for _ in range(count - 1):
        last = calendar.next_working_day(last)
    assert calendar.add_working_days(opening, count) == calendar.end_of_working_day(last)


def _walked(calendar: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """The day-by-day walk working_time_between replaced: the reference its arithmetic must equal."""
    begin, finish = start.astimezone(TZ), end.astimezone(TZ)
    total, day = timedelta(0), begin.date()
    while day <= finish.date():
        if calendar.is_working_day(day):
            for period_start, period_end in calendar.periods:
                overlap = min(finish, datetime.combine(day, period_end, tzinfo=TZ)) - max(
                    begin, datetime.combine(day, period_start, tzinfo=TZ)
                )
                total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


@PROPERTY
@given(calendars, starts, starts)
def test_working_time_between_counts_what_a_day_walk_counts(calendar, first, second):
    assert calendar.working_time_between(first, second) == _walked(calendar, first, second)


@PROPERTY
@given(calendars, any_day, st.integers(-3, 800))
def test_working_days_between_counts_each_working_day(calendar, first, length):
    last = first + timedelta(days=length)
    expected = sum(calendar.is_working_day(first + timedelta(days=k)) for k in range(length + 1))
    assert calendar.working_days_between(first, last) == expected
