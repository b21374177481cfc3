"""One-time codes do not stay readable once a real provider has delivered them (DESIGN §12)."""

from __future__ import annotations

import pytest

from dichvucong.notifications.services import REDACTED_TEXT, notification_queue, notification_send

pytestmark = pytest.mark.django_db


def _queue(channel: str, recipient: str, key: str):
    return notification_queue(
        event="otp_registration",
        channel=channel,
        recipient=recipient,
        context={"code": "493817", "minutes": 5},
        idempotency_key=key,
        sensitive=True,
    )


def test_the_code_is_wiped_after_a_real_delivery(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = _queue("email", "an@example.invalid", "sensitive-email")
    assert "493817" in notification.body_text

    sent = notification_send(notification_id=notification.pk)

    assert sent.status == "sent"
    assert "493817" in mailoutbox[0].body
    sent.refresh_from_db()
    assert sent.body_text == REDACTED_TEXT
    assert "493817" not in sent.subject + sent.body_html


def test_the_development_sms_outbox_keeps_the_code_for_testers(settings):
    settings.SMS_PROVIDER = "outbox"
    notification = _queue("sms", "+84905123456", "sensitive-sms")

    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert "493817" in notification.body_text
