from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from dichvucong.notifications.constants import NotificationStatus
from dichvucong.notifications.services import notification_send
from dichvucong.notifications.tests.factories import NotificationFactory


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are a PostgreSQL matter; SQLite lets one writer in at a time"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_message_send_it_once(recording_sms, monkeypatch):
    notification = NotificationFactory()
    original_send = recording_sms.send

    def slow_send(item):
        time.sleep(0.3)  # the second worker arrives while the first is still talking to the gateway
        return original_send(item)

    monkeypatch.setattr(recording_sms, "send", slow_send)
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            notification_send(notification_id=notification.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    notification.refresh_from_db()
    assert recording_sms.sent == [notification.pk]
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1
