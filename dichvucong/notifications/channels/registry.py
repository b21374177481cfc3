"""Which provider delivers each channel, chosen by settings (CONVENTIONS #6).

Settings read by the notifications app, all with `getattr(settings, NAME, default)`:

SMS
  SMS_PROVIDER            "outbox"  "outbox": the development outbox (nothing leaves the machine; the
                                    admin page Hộp thư SMS shows every text) | "http": the HTTP gateway
  SMS_HTTP_URL            ""        the gateway's endpoint, receives POST JSON {to, text, sender}
  SMS_HTTP_USERNAME       ""        HTTP basic auth user (with SMS_HTTP_PASSWORD)
  SMS_HTTP_PASSWORD       ""
  SMS_HTTP_TOKEN          ""        bearer token; wins over basic auth when both are set
  SMS_HTTP_TIMEOUT        10        seconds
  SMS_SENDER              ""        the registered brandname, sent as `sender`
  SMS_ASCII               False     fold Vietnamese diacritics (đ→d, no accents) before sending
E-mail
  EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS,
  EMAIL_USE_SSL, EMAIL_TIMEOUT, DEFAULT_FROM_EMAIL      Django's own, already in config/settings.py
Outbox (dichvucong.notifications.services)
  NOTIFICATION_MAX_ATTEMPTS               8     attempts before a message is marked "Gửi thất bại"
  NOTIFICATION_RETRY_BASE_SECONDS         60    first retry delay, doubled at each failure …
  NOTIFICATION_RETRY_MAX_SECONDS          3600  … up to this
  NOTIFICATION_SENDING_TIMEOUT_SECONDS    600   a message "Đang gửi" for longer (worker killed
                                                mid-send) is put back in the queue
  NOTIFICATION_RETRY_BATCH_SIZE           100   messages the every-minute sweep sends per run
Templates
  PORTAL_NAME, PORTAL_HOTLINE             given to every template as portal_name, portal_hotline
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dichvucong.notifications.channels.base import Channel
from dichvucong.notifications.channels.email import EmailChannel
from dichvucong.notifications.channels.in_app import InAppChannel
from dichvucong.notifications.channels.sms_http import HttpSmsChannel
from dichvucong.notifications.channels.sms_outbox import OutboxSmsChannel


def setting_bool(name: str, default: bool = False) -> bool:
    # Settings here come from environment variables; accept "1"/"true" too in case one is passed
    # through without the env_bool of config/settings.py.
    value: Any = getattr(settings, name, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _http_sms() -> HttpSmsChannel:
    return HttpSmsChannel(
        url=getattr(settings, "SMS_HTTP_URL", ""),
        username=getattr(settings, "SMS_HTTP_USERNAME", ""),
        password=getattr(settings, "SMS_HTTP_PASSWORD", ""),
        token=getattr(settings, "SMS_HTTP_TOKEN", ""),
        sender=getattr(settings, "SMS_SENDER", ""),
        timeout=float(getattr(settings, "SMS_HTTP_TIMEOUT", 10)),
        ascii_only=setting_bool("SMS_ASCII"),
    )


SMS_PROVIDERS: dict[str, Callable[[], Channel]] = {
    "outbox": OutboxSmsChannel,
    "http": _http_sms,
}


def sms_provider_name() -> str:
    return str(getattr(settings, "SMS_PROVIDER", "outbox") or "outbox")


def channel_for(channel: str) -> Channel:
    """The provider for a channel, built from the settings as they are now (tests change them)."""
    if channel == "sms":
        name = sms_provider_name()
        try:
            return SMS_PROVIDERS[name]()
        except KeyError:
            raise ImproperlyConfigured(
                f"SMS_PROVIDER={name!r} is not one of {', '.join(sorted(SMS_PROVIDERS))}."
            ) from None
    if channel == "email":
        return EmailChannel()
    if channel == "in_app":
        return InAppChannel()
    raise ImproperlyConfigured(f"No notification channel {channel!r}.")
