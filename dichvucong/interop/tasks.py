from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dichvucong.interop.services import national_sync_send_dossier, national_sync_send_due


# No huey retries: the attempts, the backoff and the last error live on the row (like notifications).
@db_task()
def send_national_sync(dossier_id: int) -> None:
    national_sync_send_dossier(dossier_id=dossier_id)


@db_periodic_task(crontab(minute="*"))
def retry_due_national_syncs() -> int:
    return national_sync_send_due()
