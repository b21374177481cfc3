from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dichvucong.core.services import audit_seal, heartbeat_record


@db_periodic_task(crontab(minute=f"*/{settings.HEARTBEAT_INTERVAL_MINUTES}"))
def heartbeat() -> None:
    heartbeat_record(name="huey")


@db_periodic_task(crontab(minute="*"))
def audit_seal_pending() -> None:
    # Every minute: the unsealed rows are the only ones an edit would not reveal.
    audit_seal()
