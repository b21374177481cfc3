from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dichvucong.notifications.services import notification_send, notifications_send_due


# No huey retries: the attempts, the backoff and the last error live on the row, where they
# survive a worker restart and administrators can see them.
@db_task()
def send_notification(notification_id: int) -> None:
    notification_send(notification_id=notification_id)


@db_periodic_task(crontab(minute="*"))
def retry_due_notifications() -> int:
    return notifications_send_due()
