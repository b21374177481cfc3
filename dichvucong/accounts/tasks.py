from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dichvucong.accounts.services import housekeeping_purge


@db_periodic_task(crontab(minute="17", hour="2"))
def purge_expired_sessions_and_codes() -> None:
    # Nightly: expired sessions, their login rows, and one-time codes nobody can use any more.
    housekeeping_purge()
