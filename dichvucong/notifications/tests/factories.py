from __future__ import annotations

import factory
from django.utils import timezone

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.notifications.constants import Channel, Language, NotificationStatus
from dichvucong.notifications.models import Notification, NotificationTemplate


class NotificationTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationTemplate
        django_get_or_create = ("event", "channel", "language")

    event = factory.Sequence(lambda n: f"su_kien_thu_{n}")
    channel = Channel.SMS
    language = Language.VI
    subject = ""
    body_text = "Mã thử nghiệm của {{ full_name }} là {{ code }}."
    body_html = ""


class NotificationFactory(factory.django.DjangoModelFactory):
    """An outbox row; one trait per lifecycle state (pending is the default)."""

    class Meta:
        model = Notification

    event = "otp_registration"
    channel = Channel.SMS
    recipient = "+84912345678"
    language = Language.VI
    body_text = "Mã OTP đăng ký tài khoản Cổng Dịch vụ công của bạn là 123456, có hiệu lực 5 phút."
    idempotency_key = factory.Sequence(lambda n: f"thu-nghiem:{n}")
    status = NotificationStatus.PENDING
    next_attempt_at = factory.LazyFunction(timezone.now)

    class Params:
        sending = factory.Trait(status=NotificationStatus.SENDING, attempts=1)
        sent = factory.Trait(
            status=NotificationStatus.SENT, attempts=1, sent_at=factory.LazyFunction(timezone.now), next_attempt_at=None
        )
        failed = factory.Trait(
            status=NotificationStatus.FAILED,
            attempts=8,
            next_attempt_at=None,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        )
        cancelled = factory.Trait(status=NotificationStatus.CANCELLED, next_attempt_at=None)
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
        email = factory.Trait(
            channel=Channel.EMAIL,
            recipient="an.nguyen@example.invalid",
            subject="Mã xác thực",
            event="otp_registration",
        )
        in_app = factory.Trait(
            channel=Channel.IN_APP,
            event="account_created",
            user=factory.SubFactory(UserFactory),
            recipient=factory.LazyAttribute(lambda o: str(o.user.pk)),
            subject="Chào mừng bạn đến với Cổng Dịch vụ công",
            body_text="Tài khoản của bạn đã được tạo thành công.",
        )
