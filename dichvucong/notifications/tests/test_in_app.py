from __future__ import annotations

import copy

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.errors import ApplicationError
from dichvucong.notifications.constants import Channel, NotificationStatus
from dichvucong.notifications.context_processors import unread
from dichvucong.notifications.selectors import notification_unread_count
from dichvucong.notifications.services import notification_mark_read, notification_queue
from dichvucong.notifications.tests.factories import NotificationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("dichvucong.notifications.tests.urls")]

PROCESSOR = "dichvucong.notifications.context_processors.unread"


@pytest.fixture
def with_bell_processor(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    if PROCESSOR not in processors:
        processors.append(PROCESSOR)
    settings.TEMPLATES = templates


def test_an_account_created_message_appears_under_the_bell(settings, django_capture_on_commit_callbacks):
    settings.PORTAL_NAME = "Cổng Dịch vụ công"
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            event="account_created",
            channel=Channel.IN_APP,
            recipient=str(user.pk),
            context={"full_name": user.full_name},
            idempotency_key=f"account_created:{user.pk}:in_app",
            user=user,
        )

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.subject == "Chào mừng bạn đến với Cổng Dịch vụ công"
    assert notification_unread_count(user=user) == 1


def test_the_recipient_id_alone_finds_the_user(django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            event="account_created", channel=Channel.IN_APP, recipient=str(user.pk), context={}, idempotency_key="k"
        )

    assert notification.user == user


def test_the_unread_count_is_one_query_and_counts_only_this_users_delivered_unread_messages(
    django_assert_num_queries,
):
    user = UserFactory()
    NotificationFactory.create_batch(2, in_app=True, sent=True, user=user)
    NotificationFactory(in_app=True, sent=True, read=True, user=user)
    NotificationFactory(in_app=True, user=user)  # not delivered yet
    NotificationFactory(in_app=True, sent=True)  # someone else's
    NotificationFactory(sent=True)  # an SMS
    request = RequestFactory().get("/")
    request.user = user

    with django_assert_num_queries(1):
        assert unread(request) == {"notifications_unread": 2}


def test_the_logged_in_user_brings_the_unread_count_so_the_bell_costs_no_query(django_assert_num_queries):
    from dichvucong.accounts.backends import IdentifierBackend

    user = UserFactory()
    NotificationFactory.create_batch(2, in_app=True, sent=True, user=user)
    NotificationFactory(in_app=True, sent=True, read=True, user=user)
    NotificationFactory(in_app=True, user=user)  # not delivered yet
    NotificationFactory(in_app=True, sent=True)  # someone else's
    NotificationFactory(sent=True, user=user)  # an SMS
    with django_assert_num_queries(1):
        loaded = IdentifierBackend().get_user(user.pk)
    request = RequestFactory().get("/")
    request.user = loaded

    with django_assert_num_queries(0):
        assert unread(request) == {"notifications_unread": 2}
    assert IdentifierBackend().get_user(UserFactory().pk).notifications_unread_with_user == 0


def test_marking_one_read_makes_the_bell_count_again(django_assert_num_queries):
    from dichvucong.accounts.backends import IdentifierBackend

    user = UserFactory()
    first, _second = NotificationFactory.create_batch(2, in_app=True, sent=True, user=user)
    loaded = IdentifierBackend().get_user(user.pk)

    notification_mark_read(notification=first, user=loaded)

    with django_assert_num_queries(1):
        assert notification_unread_count(user=loaded) == 1


def test_an_anonymous_visitor_costs_no_query(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert unread(request) == {"notifications_unread": 0}


def test_the_inbox_lists_the_users_messages_and_marks_them_read(client, with_bell_processor):
    user = UserFactory()
    new = NotificationFactory(in_app=True, sent=True, user=user, subject="Hồ sơ đã được tiếp nhận")
    NotificationFactory(in_app=True, sent=True, read=True, user=user, subject="Tin cũ đã đọc")
    NotificationFactory(in_app=True, sent=True, subject="Thông báo của người khác")
    client.force_login(user)

    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Hồ sơ đã được tiếp nhận" in body
    assert "Tin cũ đã đọc" in body
    assert "Thông báo của người khác" not in body
    assert body.count('<span class="badge">Mới</span>') == 1
    assert response.context["notifications_unread"] == 0  # counted after marking, so the bell clears
    new.refresh_from_db()
    assert new.read_at is not None


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("notifications:inbox"))

    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


def test_the_bell_says_how_many_are_unread():
    user = UserFactory()

    html = render_to_string("notifications/includes/bell.html", {"user": user, "notifications_unread": 3})

    assert 'aria-label="Thông báo, 3 chưa đọc"' in html
    assert f'href="{reverse("notifications:inbox")}"' in html
    assert '<span class="notification-bell__count" aria-hidden="true">3</span>' in html
    assert render_to_string("notifications/includes/bell.html", {"user": AnonymousUser()}).strip() == ""


def test_only_the_owner_marks_a_message_read():
    notification = NotificationFactory(in_app=True, sent=True)

    with pytest.raises(ApplicationError):
        notification_mark_read(notification=notification, user=UserFactory())

    notification_mark_read(notification=notification, user=notification.user)
    first_read = notification.read_at
    notification_mark_read(notification=notification, user=notification.user)
    assert notification.read_at == first_read is not None
