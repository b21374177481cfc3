from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import F, Func, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from dichvucong.core.errors import ApplicationError
from dichvucong.notifications.constants import Channel, Language, NotificationStatus
from dichvucong.notifications.models import Notification, NotificationTemplate


def notification_template_get(*, event: str, channel: str, language: str) -> NotificationTemplate:
    """The template in the asked language, else the Vietnamese one (every event has Vietnamese)."""
    found = {
        template.language: template
        for template in NotificationTemplate.objects.filter(
            event=event, channel=channel, language__in={language, Language.VI}
        )
    }
    template = found.get(language) or found.get(Language.VI)
    if template is None:
        raise ApplicationError(
            _("Chưa có mẫu thông báo cho sự kiện “%(event)s” qua kênh “%(channel)s”.")
            % {"event": event, "channel": channel},
            code="notification_template_missing",
            extra={"event": event, "channel": channel, "language": language},
        )
    return template


def _delivered_in_app(user: Any) -> QuerySet[Notification]:
    """The in-app messages delivered to `user` (a user or an OuterRef to one)."""
    return Notification.objects.filter(user=user, channel=Channel.IN_APP, status=NotificationStatus.SENT)


def notification_in_app_for_user(*, user: AbstractBaseUser) -> QuerySet[Notification]:
    return _delivered_in_app(user).order_by("-created_at", "-pk")


# The bell's count is read with the user on every logged-in page (accounts.backends.IdentifierBackend
# .get_user annotates it), so that it costs no round trip of its own: on a busy server a query's
# round trip costs more than its work (the bell's COUNT took 17 % of a folder page at 16 users).
UNREAD_WITH_USER = "notifications_unread_with_user"


def notification_unread_subquery() -> Subquery:
    """The unread count of the user `OuterRef("pk")`, as a scalar subquery (0 when there is none)."""
    unread = _delivered_in_app(OuterRef("pk")).filter(read_at__isnull=True)
    # COUNT without GROUP BY: one row even when the user has no message.
    return Subquery(unread.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


def notification_unread_count(*, user: AbstractBaseUser) -> int:
    read_with_user = getattr(user, UNREAD_WITH_USER, None)
    if read_with_user is not None:
        return read_with_user
    return notification_in_app_for_user(user=user).filter(read_at__isnull=True).count()


def notification_unread_forget(user: AbstractBaseUser) -> None:
    """After marking messages read: the count read with the user is no longer true."""
    with contextlib.suppress(AttributeError):
        delattr(user, UNREAD_WITH_USER)


def notification_due_ids(*, now: datetime, limit: int) -> list[int]:
    """Messages the worker should try now: pending and due, or stuck "sending" past their lease."""
    return list(
        Notification.objects.filter(
            status__in=(NotificationStatus.PENDING, NotificationStatus.SENDING), next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def notification_failed_count() -> int:
    return Notification.objects.filter(status=NotificationStatus.FAILED).count()
