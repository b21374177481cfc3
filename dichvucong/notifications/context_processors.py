from __future__ import annotations

from django.http import HttpRequest

from dichvucong.notifications.selectors import notification_unread_count


def unread(request: HttpRequest) -> dict[str, int]:
    """`notifications_unread` for the bell: one COUNT for a logged-in user, no query otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {"notifications_unread": notification_unread_count(user=user)}
