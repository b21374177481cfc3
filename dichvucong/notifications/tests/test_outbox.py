from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from huey.contrib import djhuey

from dichvucong.core.errors import ApplicationError
from dichvucong.notifications import tasks
from dichvucong.notifications.channels.base import DeliveryError
from dichvucong.notifications.constants import Channel, NotificationStatus
from dichvucong.notifications.models import Notification
from dichvucong.notifications.services import (
    notification_cancel,
    notification_queue,
    notification_requeue,
    notification_send,
    retry_delay,
)
from dichvucong.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def queue_otp(key: str = "otp_registration:1:sms") -> Notification:
    return notification_queue(
        event="otp_registration",
        channel=Channel.SMS,
        recipient="+84912345678",
        context={"code": "123456", "minutes": 5},
        idempotency_key=key,
    )


def test_queueing_sends_after_the_commit(recording_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = queue_otp()
    assert notification.status == NotificationStatus.PENDING
    assert recording_sms.sent == []

    for callback in callbacks:
        callback()

    notification.refresh_from_db()
    assert recording_sms.sent == [notification.pk]
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.provider_message_id == f"rec-{notification.pk}"
    assert notification.next_attempt_at is None


def test_the_same_idempotency_key_twice_is_one_row_and_one_send(recording_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_otp("otp:42")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = queue_otp("otp:42")

    assert second.pk == first.pk
    assert callbacks == []
    assert Notification.objects.count() == 1
    assert recording_sms.calls == 1


def test_running_the_task_again_after_delivery_sends_nothing(recording_sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_otp()

    tasks.send_notification(notification.pk)
    notification_send(notification_id=notification.pk)
    tasks.retry_due_notifications()

    assert recording_sms.calls == 1


def test_the_retry_schedule_doubles_from_one_minute_up_to_an_hour(recording_sms, django_capture_on_commit_callbacks):
    recording_sms.always_fail = True
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        notification = queue_otp()

    waits = []
    now = START
    for attempt in range(1, 8):
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.PENDING
        assert notification.attempts == attempt
        assert notification.last_error == "DeliveryError: gateway down"
        waits.append(notification.next_attempt_at - now)
        # Not due a second early: the sweep leaves it alone.
        with time_machine.travel(notification.next_attempt_at - dt.timedelta(seconds=1), tick=False):
            tasks.retry_due_notifications()
        assert recording_sms.calls == attempt
        now = notification.next_attempt_at
        with time_machine.travel(now, tick=False):
            tasks.retry_due_notifications()

    minutes = [wait.total_seconds() / 60 for wait in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 60]
    notification.refresh_from_db()
    assert notification.attempts == 8
    assert notification.status == NotificationStatus.FAILED
    assert notification.next_attempt_at is None


def test_gives_up_after_the_maximum_attempts_and_keeps_the_row(settings, recording_sms):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    recording_sms.always_fail = True
    notification = NotificationFactory()

    for _ in range(10):
        notification_send(notification_id=notification.pk)
        Notification.objects.filter(pk=notification.pk, status=NotificationStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )

    notification.refresh_from_db()
    assert recording_sms.calls == 3
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 3
    assert notification.last_error == "DeliveryError: gateway down"


def test_the_backoff_is_configurable(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 30

    assert [retry_delay(n).total_seconds() for n in range(1, 5)] == [10, 20, 30, 30]


def test_an_error_no_retry_can_fix_fails_at_once(recording_sms):
    recording_sms.errors = [DeliveryError("HTTP 400: invalid number", permanent=True)]
    notification = NotificationFactory()

    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED
    assert notification.attempts == 1
    assert "invalid number" in notification.last_error


def test_an_unexpected_error_is_recorded_and_retried(recording_sms):
    recording_sms.errors = [RuntimeError("bug in a provider")]
    notification = NotificationFactory()

    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error == "RuntimeError: bug in a provider"
    assert notification.next_attempt_at > timezone.now()


def test_an_unknown_sms_provider_is_visible_on_the_row(settings):
    settings.SMS_PROVIDER = "khong-co"
    notification = NotificationFactory()

    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert "SMS_PROVIDER='khong-co'" in notification.last_error


def test_the_sweep_sends_a_message_whose_enqueue_was_lost(recording_sms):
    notification = queue_otp()  # no commit callbacks run: as if the queue was down at commit time
    assert recording_sms.calls == 0

    tasks.retry_due_notifications()

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert recording_sms.sent == [notification.pk]


def test_a_message_stuck_in_sending_after_a_worker_died_is_sent_again(recording_sms):
    with time_machine.travel(START, tick=False):
        stuck = NotificationFactory(sending=True, next_attempt_at=START + dt.timedelta(minutes=10))
        tasks.retry_due_notifications()
        assert recording_sms.calls == 0  # the lease has not run out: its worker may still be on it

    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        tasks.retry_due_notifications()

    stuck.refresh_from_db()
    assert stuck.status == NotificationStatus.SENT
    assert stuck.attempts == 2
    assert stuck.last_error.startswith("Interrupted")


def test_resend_gives_a_failed_message_a_new_round(recording_sms, django_capture_on_commit_callbacks):
    failed = NotificationFactory(failed=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert notification_requeue(notification=failed) is True

    failed.refresh_from_db()
    assert failed.status == NotificationStatus.SENT
    assert failed.attempts == 1
    assert notification_requeue(notification=failed) is False


def test_a_cancelled_message_is_never_sent(recording_sms):
    notification = NotificationFactory()

    assert notification_cancel(notification=notification) is True
    tasks.retry_due_notifications()
    notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.CANCELLED
    assert recording_sms.calls == 0


@pytest.mark.parametrize(
    ("channel", "recipient"),
    [(Channel.SMS, "không phải số"), (Channel.EMAIL, "khong-phai-thu"), (Channel.IN_APP, "999999"), ("fax", "1")],
)
def test_a_malformed_recipient_or_channel_is_refused_before_anything_is_stored(channel, recipient):
    with pytest.raises(ApplicationError):
        notification_queue(
            event="account_created", channel=channel, recipient=recipient, context={}, idempotency_key="x"
        )
    assert not Notification.objects.exists()


def test_the_sweep_runs_every_minute_on_the_worker():
    periodic = {task.name: task for task in djhuey.HUEY._registry.periodic_tasks}
    name = next(name for name in periodic if name.endswith("retry_due_notifications"))
    assert periodic[name].validate_datetime(dt.datetime(2026, 3, 2, 9, 17))
    assert periodic[name].validate_datetime(dt.datetime(2026, 3, 2, 9, 18))
