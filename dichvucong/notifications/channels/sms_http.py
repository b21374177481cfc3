from __future__ import annotations

import base64
import json
import unicodedata
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dichvucong.notifications.channels.base import DeliveryError

if TYPE_CHECKING:
    from dichvucong.notifications.models import Notification

# A gateway that calls the request itself malformed will say the same on every retry.
_PERMANENT_STATUSES = frozenset({400, 413, 422})


def fold_diacritics(text: str) -> str:
    """Vietnamese without accents ("Mã OTP của bạn" → "Ma OTP cua ban").

    Many brandname SMS gateways accept only unaccented text (and an accented SMS costs two to
    three times as many segments). Case is kept: this is a message, not a search key.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


class HttpSmsChannel:
    """An SMS gateway reached by an HTTP POST of JSON {to, text, sender}.

    Every Vietnamese brandname provider has its own dialect; this adapter speaks the common shape
    and is the one place to change when a contract names a specific one.
    """

    name = "http"

    def __init__(
        self,
        *,
        url: str,
        username: str = "",
        password: str = "",
        token: str = "",
        sender: str = "",
        timeout: float = 10,
        ascii_only: bool = False,
    ) -> None:
        self.url = url
        self.username = username
        self.password = password
        self.token = token
        self.sender = sender
        self.timeout = timeout
        self.ascii_only = ascii_only

    def send(self, notification: Notification) -> str:
        if urlsplit(self.url).scheme not in {"http", "https"}:
            raise DeliveryError(f"SMS_HTTP_URL is not an http(s) URL: {self.url!r}")
        text = fold_diacritics(notification.body_text) if self.ascii_only else notification.body_text
        payload = {"to": notification.recipient, "text": text, "sender": self.sender}
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers=self._headers(notification),
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
                body = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode(errors="replace")
            raise DeliveryError(f"HTTP {exc.code}: {detail}", permanent=exc.code in _PERMANENT_STATUSES) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(f"{exc.__class__.__name__}: {reason}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}: {body[:500].decode(errors='replace')}")
        return _message_id(body)

    def _headers(self, notification: Notification) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            # Gateways that honour it drop a retry of a message they already took.
            "Idempotency-Key": notification.idempotency_key,
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.username:
            credentials = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {credentials}"
        return headers


def _message_id(body: bytes) -> str:
    try:
        answer: Any = json.loads(body or b"null")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    for key in ("id", "message_id", "messageId", "msg_id"):
        if answer.get(key) not in (None, ""):
            return str(answer[key])[:255]
    return ""
