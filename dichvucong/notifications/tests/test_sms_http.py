"""The HTTP SMS gateway adapter against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine

from dichvucong.notifications import tasks
from dichvucong.notifications.channels.sms_http import fold_diacritics
from dichvucong.notifications.constants import Channel, NotificationStatus
from dichvucong.notifications.services import notification_queue
from dichvucong.notifications.tests.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal_name(settings):
    settings.PORTAL_NAME = "Cổng Dịch vụ công"


def queue_otp(key: str = "otp_password_reset:3:sms"):
    return notification_queue(
        event="otp_password_reset",
        channel=Channel.SMS,
        recipient="+84912345678",
        context={"code": "705193", "minutes": 5},
        idempotency_key=key,
    )


def test_fold_diacritics_keeps_case_and_drops_every_vietnamese_mark():
    assert fold_diacritics("Mã OTP của bạn, Đà Nẵng, Thừa Thiên Huế, ĐƯỜNG") == (
        "Ma OTP cua ban, Da Nang, Thua Thien Hue, DUONG"
    )


def test_the_gateway_receives_json_with_basic_auth_and_unaccented_text(
    settings, sms_gateway, django_capture_on_commit_callbacks
):
    settings.SMS_HTTP_USERNAME = "dvc-hue"
    settings.SMS_HTTP_PASSWORD = "mat-khau-cong"
    settings.SMS_SENDER = "UBND HUE"
    settings.SMS_ASCII = True

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_otp()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT, notification.last_error
    assert notification.provider_message_id == "gw-1"
    [request] = sms_gateway.requests
    assert request["path"] == "/api/sms/send"
    assert request["json"] == {
        "to": "+84912345678",
        "text": "Ma OTP lay lai mat khau Cong Dich vu cong cua ban la 705193, co hieu luc 5 phut. "
        "Khong cung cap ma nay cho bat ky ai.",
        "sender": "UBND HUE",
    }
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"dvc-hue:mat-khau-cong").decode()
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["headers"]["Idempotency-Key"] == "otp_password_reset:3:sms"
    # The outbox keeps the Vietnamese text; only what leaves for the gateway is folded.
    assert notification.body_text.startswith("Mã OTP lấy lại mật khẩu")


def test_a_bearer_token_and_accented_text(settings, sms_gateway, django_capture_on_commit_callbacks):
    settings.SMS_HTTP_TOKEN = "token-bi-mat"
    settings.SMS_HTTP_USERNAME = "ignored-when-a-token-is-set"

    with django_capture_on_commit_callbacks(execute=True):
        queue_otp()

    [request] = sms_gateway.requests
    assert request["headers"]["Authorization"] == "Bearer token-bi-mat"
    assert request["json"]["text"].startswith("Mã OTP lấy lại mật khẩu Cổng Dịch vụ công của bạn là 705193")


def test_a_500_from_the_gateway_is_retried_and_sent_once(sms_gateway, django_capture_on_commit_callbacks):
    sms_gateway.statuses = [500]

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_otp()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert notification.last_error.startswith("DeliveryError: HTTP 500")
    assert "gateway unavailable" in notification.last_error

    with time_machine.travel(notification.next_attempt_at + dt.timedelta(seconds=1)):
        tasks.retry_due_notifications()
        tasks.retry_due_notifications()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 2
    assert notification.provider_message_id == "gw-2"
    assert len(sms_gateway.requests) == 2
    assert {r["headers"]["Idempotency-Key"] for r in sms_gateway.requests} == {"otp_password_reset:3:sms"}


def test_a_request_the_gateway_calls_malformed_is_not_retried(sms_gateway, django_capture_on_commit_callbacks):
    sms_gateway.statuses = [400]

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_otp()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.last_error.startswith("DeliveryError: HTTP 400")


def test_an_unreachable_gateway_leaves_the_message_pending(settings, django_capture_on_commit_callbacks):
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{free_port()}/send"
    settings.SMS_HTTP_TIMEOUT = 2

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_otp()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert "Connection refused" in notification.last_error


def test_a_gateway_url_that_is_not_http_is_refused(settings, django_capture_on_commit_callbacks):
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = "file:///etc/passwd"

    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_otp()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert "not an http(s) URL" in notification.last_error
