"""E-mail through a real SMTP server on 127.0.0.1 (aiosmtpd), including an outage."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dichvucong.notifications import tasks
from dichvucong.notifications.constants import Channel, NotificationStatus
from dichvucong.notifications.services import notification_queue

pytestmark = pytest.mark.django_db

LINK = "https://dichvucong.example.gov.vn/tai-khoan/xac-thuc-thu/?token=abc&lang=vi"


def queue_verification(key: str = "email_verification:7:email"):
    return notification_queue(
        event="email_verification",
        channel=Channel.EMAIL,
        recipient="an.nguyen@example.invalid",
        context={"link": LINK, "full_name": "Nguyễn Văn An", "minutes": 30},
        idempotency_key=key,
    )


def test_an_e_mail_arrives_with_subject_text_and_html_in_vietnamese(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.PORTAL_NAME = "Cổng Dịch vụ công"
    smtp_server.start()

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_verification()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT, notification.last_error
    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "no-reply@dichvucong.example.gov.vn"
    assert envelope.rcpt_tos == ["an.nguyen@example.invalid"]
    [message] = smtp_server.messages
    # Django folds a long encoded subject onto the next line, which the parser reads back with one
    # leading space; mail clients drop it.
    assert message["Subject"].strip() == "Xác thực địa chỉ thư điện tử — Cổng Dịch vụ công"
    assert message["To"] == "an.nguyen@example.invalid"
    assert message["From"] == "Cổng Dịch vụ công <no-reply@dichvucong.example.gov.vn>"
    assert message["Message-ID"].strip() == notification.provider_message_id
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Xin chào Nguyễn Văn An," in text
    assert "Để xác thực địa chỉ thư điện tử của tài khoản trên Cổng Dịch vụ công" in text
    assert LINK in text
    assert "Liên kết có hiệu lực trong 30 phút." in text
    assert '<html lang="vi">' in html
    assert "Xác thực thư điện tử</a>" in html
    assert 'href="https://dichvucong.example.gov.vn/tai-khoan/xac-thuc-thu/?token=abc&amp;lang=vi"' in html


def test_an_smtp_outage_is_retried_and_the_message_is_delivered_exactly_once(
    smtp_server, django_capture_on_commit_callbacks
):
    # The server is down: nothing listens on its port.
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_verification()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.next_attempt_at > timezone.now()
    assert notification.sent_at is None

    tasks.retry_due_notifications()  # not due yet: the sweep waits for the backoff
    notification.refresh_from_db()
    assert notification.attempts == 1

    smtp_server.start()
    with time_machine.travel(notification.next_attempt_at + dt.timedelta(seconds=1)):
        tasks.retry_due_notifications()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2
    assert len(smtp_server.messages) == 1

    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        tasks.retry_due_notifications()
        tasks.send_notification(notification.pk)
        queue_verification()  # the same event queued again

    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["Subject"].strip().startswith("Xác thực địa chỉ thư điện tử")


def test_an_e_mail_the_server_refuses_for_its_recipient_is_not_retried(smtp_server, django_capture_on_commit_callbacks):
    class RefusingHandler(type(smtp_server.handler)):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            return "550 5.1.1 No such user"

    smtp_server.handler = RefusingHandler()
    smtp_server.start()

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_verification()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert "SMTPRecipientsRefused" in notification.last_error
    assert smtp_server.envelopes == []
