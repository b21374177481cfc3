from __future__ import annotations

import hashlib
import smtplib
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from dichvucong.notifications.channels.base import DeliveryError

if TYPE_CHECKING:
    from dichvucong.notifications.models import Notification


class EmailChannel:
    """Django's configured EMAIL_BACKEND (SMTP in every real deployment), text plus HTML."""

    name = "email"

    def send(self, notification: Notification) -> str:
        message_id = _message_id(notification)
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"Message-ID": message_id},
            connection=get_connection(fail_silently=False),
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"SMTPRecipientsRefused: {exc.recipients}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # OSError covers a refused connection, a timeout and DNS failure: the server is down,
            # not the message wrong, so the outbox tries again later.
            raise DeliveryError(f"SMTP: {exc.__class__.__name__}: {exc}") from exc
        return message_id


def _message_id(notification: Notification) -> str:
    # The same Message-ID on every attempt: if a retry follows a send whose answer was lost, mail
    # clients that thread by Message-ID show one message, not two.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:16]
    return f"<{notification.pk}.{digest}.notification@{domain}>"
