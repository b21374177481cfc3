"""Dossier codes `{agency code}-{YYMMDD}-{NNNN}` (DESIGN §5), unique per agency per day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from dichvucong.agencies.models import Agency
from dichvucong.dossiers.models import DossierCodeCounter

# The date in a dossier code is the Vietnamese calendar date of sending, whatever TIME_ZONE a
# deployment runs with: the code is printed on slips and read by other agencies.
CODE_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

_CREATE_ATTEMPTS = 3


def dossier_code_day(moment: dt.datetime) -> dt.date:
    """The local (Asia/Ho_Chi_Minh) date of an aware moment: 23:30 on the 16th is still the 16th."""
    return moment.astimezone(CODE_TIMEZONE).date()


def dossier_code_format(*, agency_code: str, day: dt.date, value: int) -> str:
    # 4 digits, and simply more once a day passes 9,999 (DESIGN §5): the code stays unique.
    return f"{agency_code}-{day:%y%m%d}-{value:04d}"


def _counter_next(*, agency: Agency, day: dt.date) -> int:
    for _attempt in range(_CREATE_ATTEMPTS):
        # PostgreSQL: the row lock makes concurrent senders of the same agency and day wait for
        # each other until the caller's transaction ends, so each reads the value the previous
        # one wrote. SQLite ignores FOR UPDATE, but its IMMEDIATE transactions (settings) already
        # hold the single write lock for the whole transaction, which serialises the same way.
        counter = DossierCodeCounter.objects.select_for_update().filter(agency=agency, day=day).first()
        if counter is not None:
            counter.last_value += 1
            counter.save(update_fields=["last_value"])
            return counter.last_value
        try:
            # A savepoint: losing the race for the day's first row must not break the caller's
            # transaction, only this insert.
            with transaction.atomic():
                DossierCodeCounter.objects.create(agency=agency, day=day, last_value=1)
            return 1
        except IntegrityError:
            # Another sender created the day's row first (its insert committed while ours waited
            # on the unique index); go round and lock that row.
            continue
    raise RuntimeError(f"Could not obtain the dossier code counter for agency {agency.pk} on {day}.")


def dossier_code_next(*, agency: Agency, day: dt.date) -> str:
    """Take the next code of `agency` for `day`; the caller's transaction must be open.

    The counter row stays locked until the caller commits, so the code is taken and the dossier
    saved together: a rollback gives the number back and no two committed dossiers share a code.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_code_next() must be called inside the caller's transaction.atomic().")
    value = _counter_next(agency=agency, day=day)
    return dossier_code_format(agency_code=agency.code, day=day, value=value)
