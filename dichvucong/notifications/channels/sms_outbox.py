from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dichvucong.notifications.models import Notification

logger = logging.getLogger(__name__)


class OutboxSmsChannel:
    """The development SMS provider: nothing leaves the machine.

    The Notification row is already the record, and the admin's SMS outbox page lists it with its
    full text, which is where a tester reads the OTP. The text is deliberately not logged: logs
    travel further than the database.
    """

    name = "outbox"

    def send(self, notification: Notification) -> str:
        logger.info(
            "SMS kept in the development outbox: notification %s to %s", notification.pk, notification.recipient
        )
        return f"outbox-{notification.pk}"
