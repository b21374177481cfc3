from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dichvucong.notifications.models import Notification


class InAppChannel:
    """The row is the message: delivering it only makes it visible under the bell."""

    name = "in_app"

    def send(self, notification: Notification) -> str:
        return ""
