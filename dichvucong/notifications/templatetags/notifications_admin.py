from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from dichvucong.notifications.constants import NotificationStatus
from dichvucong.notifications.selectors import notification_failed_count

register = template.Library()


@register.inclusion_tag("notifications/admin/failed_notice.html", takes_context=True)
def failed_notifications_notice(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not request.user.has_perm("notifications.view_notification"):
        return {"count": 0}
    url = reverse("admin:notifications_notification_changelist")
    return {"count": notification_failed_count(), "url": f"{url}?status__exact={NotificationStatus.FAILED}"}
