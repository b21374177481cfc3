from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dichvucong.notifications.selectors import notification_in_app_for_user
from dichvucong.notifications.services import notifications_mark_read

PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's in-app messages, newest first; the ones shown become read."""
    page = Paginator(notification_in_app_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("trang"))
    items = list(page.object_list)
    # Marked read after they were fetched, so this page can still show which ones are new.
    notifications_mark_read(user=request.user, notification_ids=[item.pk for item in items if item.read_at is None])
    return render(request, "notifications/inbox.html", {"page": page, "items": items})
