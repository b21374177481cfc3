from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from dichvucong.stats.definitions import TIMEZONE
from dichvucong.stats.services import snapshot_store


# Shortly after midnight in Vietnam (the periodic schedule runs in UTC: 17:20 UTC = 00:20 ICT).
# Yesterday is stored once the day is over; the day before is redone too, to catch late events.
@db_periodic_task(crontab(hour="17", minute="20"))
def stats_snapshot_yesterday() -> None:
    today = timezone.now().astimezone(TIMEZONE).date()
    for back in (2, 1):
        snapshot_store(day=today - dt.timedelta(days=back))


# Today, so the pages never count it from the dossiers (a scan of every open dossier) while a
# visitor waits; a run still going when the next is due is skipped.
@db_periodic_task(crontab(minute="*/15"))
@lock_task("stats-snapshot-today")
def stats_snapshot_today() -> None:
    snapshot_store(day=timezone.now().astimezone(TIMEZONE).date())
