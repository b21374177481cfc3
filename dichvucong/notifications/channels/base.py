from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dichvucong.notifications.models import Notification


class DeliveryError(Exception):
    """The provider did not take the message.

    `permanent` says that trying again cannot help (a recipient the server refuses, a request the
    gateway calls malformed), so the outbox gives up at once instead of retrying for hours.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    name: str

    def send(self, notification: Notification) -> str:
        """Deliver the rendered message; return the provider's message id ("" when it has none).

        Raises DeliveryError when the provider did not accept the message.
        """
        ...
