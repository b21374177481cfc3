from __future__ import annotations

import pytest
from django.urls import reverse

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.testing.personas import force_login_verified
from dichvucong.notifications.constants import Channel, NotificationStatus
from dichvucong.notifications.models import NotificationTemplate
from dichvucong.notifications.services import notification_queue
from dichvucong.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

SMS_OUTBOX = "admin:notifications_smsoutboxmessage_changelist"


@pytest.fixture
def admin_client(client):
    force_login_verified(client, UserFactory(sysadmin=True))
    return client


def test_a_tester_reads_the_otp_on_the_sms_outbox_page(admin_client, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_NAME = "Cổng Dịch vụ công"
    with django_capture_on_commit_callbacks(execute=True):
        older = notification_queue(
            event="otp_phone_change",
            channel=Channel.SMS,
            recipient="+84987654321",
            context={"code": "111111", "minutes": 5},
            idempotency_key="otp:1",
        )
        notification_queue(
            event="otp_registration",
            channel=Channel.SMS,
            recipient="+84912345678",
            context={"code": "482913", "minutes": 5},
            idempotency_key="otp:2",
        )
        notification_queue(
            event="otp_registration",
            channel=Channel.EMAIL,
            recipient="an.nguyen@example.invalid",
            context={"code": "777777", "minutes": 5},
            idempotency_key="otp:3",
        )
    older.refresh_from_db()
    assert older.status == NotificationStatus.SENT
    assert older.provider_message_id == f"outbox-{older.pk}"

    response = admin_client.get(reverse(SMS_OUTBOX))

    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "Mã OTP đăng ký tài khoản Cổng Dịch vụ công của bạn là 482913, có hiệu lực 5 phút. "
        "Không cung cấp mã này cho bất kỳ ai."
    ) in body
    assert "+84912345678" in body
    assert "Đã gửi" in body
    assert body.index("482913") < body.index("111111")  # newest first
    assert "777777" not in body  # e-mail is not an SMS
    assert "tin nhắn SMS không được gửi tới điện thoại thật" in body


def test_the_sms_outbox_is_for_administrators_only(client):
    client.force_login(UserFactory())

    response = client.get(reverse(SMS_OUTBOX))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_failed_messages_are_counted_on_the_admin_home_page_and_filtered(admin_client):
    NotificationFactory.create_batch(2, failed=True)
    NotificationFactory(sent=True, recipient="+84900000001")

    home = admin_client.get(reverse("admin:index")).content.decode()
    changelist = admin_client.get(
        reverse("admin:notifications_notification_changelist"), {"status__exact": "failed"}
    ).content.decode()

    assert "Có 2 thông báo gửi thất bại" in home
    assert "?status__exact=failed" in home
    assert "Gửi thất bại" in changelist
    assert "+84900000001" not in changelist


def test_resend_puts_failed_messages_back_in_the_outbox(admin_client, django_capture_on_commit_callbacks):
    failed = NotificationFactory(failed=True)
    sent = NotificationFactory(sent=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert "Đã xếp 1 thông báo gửi thất bại vào hàng đợi để gửi lại." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.SENT
    assert failed.attempts == 1


def test_a_notification_is_a_record_nobody_edits_or_deletes(admin_client):
    notification = NotificationFactory(sent=True)

    page = admin_client.get(reverse("admin:notifications_notification_change", args=[notification.pk]))
    delete = admin_client.get(reverse("admin:notifications_notification_delete", args=[notification.pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert delete.status_code == 403


def test_an_administrator_edits_a_template_and_a_broken_one_is_refused(admin_client):
    template = NotificationTemplate.objects.get(event="otp_registration", channel="sms", language="vi")
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    form = {"event": template.event, "channel": template.channel, "language": template.language, "subject": ""}

    broken = admin_client.post(url, {**form, "body_text": "Mã {% if code %}{{ code }}", "body_html": ""})
    saved = admin_client.post(url, {**form, "body_text": "Mã OTP Huế: {{ code }}", "body_html": ""})

    assert broken.status_code == 200
    assert "Cú pháp mẫu không hợp lệ" in broken.content.decode()
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.body_text == "Mã OTP Huế: {{ code }}"
    assert template.is_edited
    preview = admin_client.get(url).content.decode()
    assert "Mã OTP Huế: 123456" in preview
