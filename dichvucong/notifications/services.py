"""The notification outbox: queue a message once, deliver it from the worker, retry until it goes.

Callers (accounts, dossiers, payments…) use `notification_queue` with an idempotency key built from
the event and the object it is about, e.g. f"otp_registration:{otp.pk}:sms": calling twice with the
same key (a retried request, a task run twice) returns the first message and sends nothing more.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dichvucong.core.errors import ApplicationError
from dichvucong.notifications.channels.base import DeliveryError
from dichvucong.notifications.channels.registry import channel_for, sms_provider_name
from dichvucong.notifications.constants import Channel, Language, NotificationStatus
from dichvucong.notifications.defaults import DEFAULT_TEMPLATES, InstallReport, TemplateKey, templates_install
from dichvucong.notifications.models import Notification, NotificationTemplate
from dichvucong.notifications.selectors import (
    notification_due_ids,
    notification_template_get,
    notification_unread_forget,
)

logger = logging.getLogger(__name__)

_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


# --- Settings -------------------------------------------------------------------------------------
def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 8))


def retry_delay(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8… minutes, never more than an hour (defaults)."""
    base = int(getattr(settings, "NOTIFICATION_RETRY_BASE_SECONDS", 60))
    cap = int(getattr(settings, "NOTIFICATION_RETRY_MAX_SECONDS", 3600))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _sending_lease() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "NOTIFICATION_SENDING_TIMEOUT_SECONDS", 600)))


# --- Rendering ------------------------------------------------------------------------------------
def _render(source: str, context: dict[str, Any], *, autoescape: bool, template: NotificationTemplate) -> str:
    try:
        return Template(source).render(Context(context, autoescape=autoescape))
    except TemplateSyntaxError as exc:
        raise ApplicationError(
            _("Mẫu thông báo “%(template)s” bị lỗi: %(error)s") % {"template": template, "error": exc},
            code="notification_template_invalid",
        ) from exc


def notification_render(*, template: NotificationTemplate, context: dict[str, Any]) -> dict[str, str]:
    """Subject, text and HTML of a template with this context, in the template's language."""
    full_context = {
        "portal_name": getattr(settings, "PORTAL_NAME", ""),
        "portal_hotline": getattr(settings, "PORTAL_HOTLINE", ""),
        **context,
    }
    with translation.override(template.language):
        # Text goes to SMS and text/plain mail, where "&amp;" would be shown as such.
        subject = _render(template.subject, full_context, autoescape=False, template=template)
        body_text = _render(template.body_text, full_context, autoescape=False, template=template)
        body_html = ""
        if template.channel == Channel.EMAIL and template.body_html.strip():
            content = _render(template.body_html, full_context, autoescape=True, template=template)
            body_html = render_to_string(
                "notifications/email/layout.html",
                {
                    "content": content,
                    "subject": subject,
                    "language": template.language,
                    "portal_name": full_context["portal_name"],
                    "portal_hotline": full_context["portal_hotline"],
                    "portal_email": getattr(settings, "PORTAL_EMAIL", ""),
                    "portal_operator": getattr(settings, "PORTAL_OPERATOR", ""),
                },
            )
    return {
        # A newline in a mail header is an error (and an injection vector); a subject is one line.
        "subject": " ".join(subject.split())[:255],
        "body_text": body_text.strip(),
        "body_html": body_html,
    }


# --- Queueing -------------------------------------------------------------------------------------
def _check_recipient(*, channel: str, recipient: str, user: AbstractBaseUser | None) -> AbstractBaseUser | None:
    if channel == Channel.EMAIL:
        try:
            validate_email(recipient)
        except ValidationError as exc:
            raise ApplicationError(
                _("Địa chỉ thư điện tử “%(recipient)s” không hợp lệ.") % {"recipient": recipient},
                code="notification_recipient_invalid",
            ) from exc
    elif channel == Channel.SMS:
        if not _PHONE.match(recipient):
            raise ApplicationError(
                _("Số điện thoại “%(recipient)s” không hợp lệ.") % {"recipient": recipient},
                code="notification_recipient_invalid",
            )
    elif channel == Channel.IN_APP and user is None:
        user = get_user_model().objects.filter(pk=recipient).first() if recipient.isdigit() else None
        if user is None:
            raise ApplicationError(
                _("Thông báo trên cổng cần một tài khoản người nhận."), code="notification_recipient_invalid"
            )
    return user


def _enqueue(notification_id: int) -> None:
    # Imported here because the task module imports this one.
    from dichvucong.notifications.tasks import send_notification

    send_notification(notification_id)


def _enqueue_on_commit(notification: Notification) -> None:
    # robust: if the queue is unreachable the request that queued the message must still succeed;
    # the every-minute sweep picks the row up, because the row (not the queue) is the outbox.
    # A closure, not functools.partial: Django logs a robust callback's failure by its __qualname__.
    notification_id = notification.pk
    transaction.on_commit(lambda: _enqueue(notification_id), robust=True)


def notification_queue(
    *,
    event: str,
    channel: str,
    recipient: str,
    context: dict[str, Any],
    idempotency_key: str,
    user: AbstractBaseUser | None = None,
    language: str = Language.VI,
    sensitive: bool = False,
) -> Notification:
    """Render the message now and put it in the outbox; the worker sends it after the commit.

    A second call with the same `idempotency_key` returns the existing row and queues nothing.
    Raises ApplicationError for an unknown channel, a malformed recipient or a missing template.
    """
    existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if channel not in Channel.values:
        raise ApplicationError(_("Kênh thông báo “%(channel)s” không tồn tại.") % {"channel": channel})
    recipient = recipient.strip()
    user = _check_recipient(channel=channel, recipient=recipient, user=user)
    if language not in Language.values:
        language = Language.VI
    template = notification_template_get(event=event, channel=channel, language=language)
    rendered = notification_render(template=template, context=context)
    notification, created = Notification.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "event": event,
            "channel": channel,
            "recipient": recipient,
            "user": user,
            "language": template.language,
            "status": NotificationStatus.PENDING,
            "next_attempt_at": timezone.now(),
            "sensitive": sensitive,
            **rendered,
        },
    )
    if created:
        _enqueue_on_commit(notification)
    return notification


def notification_alert_people(
    *,
    event: str,
    people: Iterable[Any],
    context_for: Callable[[Any], dict[str, Any]],
    key_prefix: str,
) -> int:
    """Alert each person in the app and, when they have an address, by e-mail; returns how many were new.

    `context_for(person)` runs in the person's language, so translated parts of the context read
    as they will. The key `{key_prefix}:{person}:{channel}` makes each alert happen once; one
    person's bad address is logged and does not stop the others.
    """
    queued = 0
    for person in people:
        language = getattr(person, "language", "vi") or "vi"
        with translation.override(language):
            context = context_for(person)
        channels = [(Channel.IN_APP, str(person.pk))]
        if person.email:
            channels.append((Channel.EMAIL, person.email))
        for channel, recipient in channels:
            key = f"{key_prefix}:{person.pk}:{channel}"
            if Notification.objects.filter(idempotency_key=key).exists():
                continue
            try:
                notification_queue(
                    event=event,
                    channel=channel,
                    recipient=recipient,
                    context=context,
                    idempotency_key=key,
                    user=person,
                    language=language,
                )
                queued += 1
            except ApplicationError:
                logger.exception("Alert %s: could not queue it to %s by %s", key_prefix, person.pk, channel)
    return queued


# --- Delivery -------------------------------------------------------------------------------------
def _claim(notification_id: int, now: datetime) -> Notification | None:
    """Lock the row and mark it "sending" if it is due; None if there is nothing to do.

    The lock is held only for this short transaction, never across the network call: on SQLite a
    transaction holds the database's single write lock, and on PostgreSQL an SMTP timeout would
    pin a connection. The lease (next_attempt_at while sending) brings back a row whose worker
    died mid-send.
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status not in (NotificationStatus.PENDING, NotificationStatus.SENDING):
            return None
        if notification.next_attempt_at is not None and notification.next_attempt_at > now:
            return None
        if notification.status == NotificationStatus.SENDING:
            # The lease ran out: the worker that claimed it is gone. The attempt was counted
            # when it started; say why it is being made again.
            notification.last_error = "Interrupted: no result within the sending lease."
            if notification.attempts >= max_attempts():
                notification.status = NotificationStatus.FAILED
                notification.next_attempt_at = None
                notification.save(update_fields=["status", "next_attempt_at", "last_error"])
                return None
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.next_attempt_at = now + _sending_lease()
        notification.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    return notification


def _finish(notification: Notification, **fields: Any) -> Notification:
    # Compare-and-set on (sending, this attempt): if the lease expired and another worker took the
    # row meanwhile, the late answer of this attempt must not overwrite that worker's.
    updated = Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.SENDING, attempts=notification.attempts
    ).update(**fields)
    if updated:
        for name, value in fields.items():
            setattr(notification, name, value)
    else:
        notification.refresh_from_db()
    return notification


def notification_send(*, notification_id: int) -> Notification | None:
    """Deliver one message if it is due (the task's body; safe to run twice).

    Success: "sent" with sent_at and the provider's id. Failure: the attempt and the error are
    recorded and the row waits for the next try (1, 2, 4… minutes), or is marked "failed" after
    NOTIFICATION_MAX_ATTEMPTS attempts or an error that no retry can fix. The row is never lost.
    """
    now = timezone.now()
    notification = _claim(notification_id, now)
    if notification is None:
        return Notification.objects.filter(pk=notification_id).first()
    try:
        provider_message_id = channel_for(notification.channel).send(notification)
    except Exception as exc:
        if isinstance(exc, DeliveryError):
            logger.warning(
                "Notification %s not delivered (attempt %s): %s", notification.pk, notification.attempts, exc
            )
        else:
            # A bug or a misconfiguration, not an outage: still recorded on the row for the
            # administrators, and retried, because the fix usually comes before the last attempt.
            logger.exception(
                "Notification %s: unexpected error from the %s channel", notification.pk, notification.channel
            )
        permanent = isinstance(exc, DeliveryError) and exc.permanent
        give_up = permanent or notification.attempts >= max_attempts()
        return _finish(
            notification,
            status=NotificationStatus.FAILED if give_up else NotificationStatus.PENDING,
            next_attempt_at=None if give_up else timezone.now() + retry_delay(notification.attempts),
            last_error=f"{exc.__class__.__name__}: {exc}"[:4000],
        )
    delivered: dict[str, Any] = {}
    if notification.sensitive and not _is_development_outbox(notification.channel):
        delivered = {"subject": "", "body_text": REDACTED_TEXT, "body_html": ""}
    return _finish(
        notification,
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        provider_message_id=(provider_message_id or "")[:255],
        **delivered,
    )


REDACTED_TEXT = "[Nội dung chứa mã bảo mật đã được xóa sau khi gửi]"


def _is_development_outbox(channel: str) -> bool:
    # The development SMS outbox is the delivery: a tester reads the code there.
    return channel == Channel.SMS and sms_provider_name() == "outbox"


def notifications_send_due(*, limit: int | None = None) -> int:
    """Try every message that is due now; returns how many were delivered.

    Run every minute by the worker, so retries survive a worker restart and a message whose
    enqueue was lost (queue down at commit time) still goes out.
    """
    batch = limit if limit is not None else int(getattr(settings, "NOTIFICATION_RETRY_BATCH_SIZE", 100))
    delivered = 0
    for notification_id in notification_due_ids(now=timezone.now(), limit=batch):
        notification = notification_send(notification_id=notification_id)
        if notification is not None and notification.status == NotificationStatus.SENT:
            delivered += 1
    return delivered


def notification_requeue(*, notification: Notification) -> bool:
    """Give a failed message a fresh round of attempts (the admin's "Gửi lại")."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status != NotificationStatus.FAILED:
            return False
        locked.status = NotificationStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        _enqueue_on_commit(locked)
    return True


def notification_cancel(*, notification: Notification) -> bool:
    """Stop a message that has not gone yet."""
    with transaction.atomic():
        locked = Notification.objects.select_for_update().get(pk=notification.pk)
        if locked.status != NotificationStatus.PENDING:
            return False
        locked.status = NotificationStatus.CANCELLED
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "next_attempt_at"])
    return True


# --- In-app ---------------------------------------------------------------------------------------
def notification_mark_read(*, notification: Notification, user: AbstractBaseUser) -> Notification:
    if notification.user_id != user.pk:
        raise ApplicationError(_("Bạn không có quyền với thông báo này."), code="forbidden")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        notification_unread_forget(user)
    return notification


def notifications_mark_read(*, user: AbstractBaseUser, notification_ids: list[int]) -> int:
    """Mark several of the user's own in-app messages read; others' ids are ignored."""
    marked = Notification.objects.filter(
        user=user, channel=Channel.IN_APP, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=timezone.now())
    if marked:
        notification_unread_forget(user)
    return marked


# --- Templates ------------------------------------------------------------------------------------
def notification_templates_reset(*, force: bool = False, keys: list[TemplateKey] | None = None) -> InstallReport:
    """Restore the default templates; rows an administrator edited are kept unless `force`.

    `keys` limits the reset to some (event, channel, language) triples, e.g. the admin's selection.
    """
    defaults = None if keys is None else {key: DEFAULT_TEMPLATES[key] for key in keys if key in DEFAULT_TEMPLATES}
    with transaction.atomic():
        return templates_install(NotificationTemplate, force=force, defaults=defaults)
