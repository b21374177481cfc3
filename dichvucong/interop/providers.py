"""Who the sync talks to: a registry of providers built from settings, like the payment gateways.

Both speak one protocol: an HTTP JSON POST signed with HMAC-SHA256 over "<timestamp>.<body>" with a
shared secret, plus a bearer token when the national side issued one; the answer is JSON with an
"error_code" (constants.ANSWER_*). "national" is the real portal (NATIONAL_SYNC_* settings), "sandbox"
is this app's own receiver at /cong-quoc-gia-thu-nghiem/ (NATIONAL_SANDBOX_* settings).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from dichvucong.core.errors import ApplicationError
from dichvucong.interop.constants import HEADER_SIGNATURE, HEADER_SYSTEM, HEADER_TIMESTAMP


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_valid(*, secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return bool(secret) and hmac.compare_digest(sign(secret=secret, timestamp=timestamp, body=body), signature)


@dataclass(frozen=True)
class Answer:
    delivered_code: str  # the national "error_code", "" when the call itself failed
    message: str


@dataclass(frozen=True)
class Provider:
    code: str
    url: str
    secret: str
    system_code: str
    token: str = ""
    timeout: float = 15

    def post(self, payload: dict[str, Any]) -> Answer:
        """POST the payload; raises ApplicationError("unavailable") when the other side cannot be reached."""
        if urlsplit(self.url).scheme not in ("http", "https") or not self.secret:
            raise ApplicationError(
                _("Chưa cấu hình địa chỉ hoặc khóa bí mật của Cổng quốc gia."), code="not_configured"
            )
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            HEADER_SYSTEM: self.system_code,
            HEADER_TIMESTAMP: timestamp,
            HEADER_SIGNATURE: sign(secret=self.secret, timestamp=timestamp, body=body),
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (scheme checked)
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            raw = exc.read(65536)
            try:
                answer = json.loads(raw)
                return Answer(str(answer.get("error_code", "")), f"HTTP {exc.code}: {answer.get('message', '')}")
            except ValueError:
                raise ApplicationError(f"HTTP {exc.code}", code="unavailable") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ApplicationError(str(exc), code="unavailable") from exc
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise ApplicationError(_("Cổng quốc gia trả lời không đúng định dạng."), code="unavailable") from exc
        return Answer(str(answer.get("error_code", "")), str(answer.get("message", "")))


def provider(code: str | None = None) -> Provider | None:
    """The provider NATIONAL_SYNC_PROVIDER names ("national", "sandbox"), None when the sync is off."""
    code = settings.NATIONAL_SYNC_PROVIDER if code is None else code
    timeout = float(settings.NATIONAL_SYNC_TIMEOUT)
    if code == "national":
        return Provider(
            code="national",
            url=settings.NATIONAL_SYNC_URL,
            secret=settings.NATIONAL_SYNC_SECRET,
            system_code=settings.NATIONAL_SYNC_SYSTEM_CODE,
            token=settings.NATIONAL_SYNC_TOKEN,
            timeout=timeout,
        )
    if code == "sandbox" and settings.NATIONAL_SANDBOX_ENABLED:
        return Provider(
            code="sandbox",
            url=settings.NATIONAL_SANDBOX_URL,
            secret=settings.NATIONAL_SANDBOX_SECRET,
            system_code=settings.NATIONAL_SYNC_SYSTEM_CODE,
            timeout=timeout,
        )
    return None


def check_provider(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A system check: the chosen provider exists and has what it needs to sign and send."""
    code = settings.NATIONAL_SYNC_PROVIDER
    if not code:
        return []
    if code not in ("national", "sandbox"):
        return [
            checks.Error(
                f"NATIONAL_SYNC_PROVIDER={code!r}: expected 'national', 'sandbox' or empty.", id="interop.E001"
            )
        ]
    target = provider(code)
    if target is None:
        return [
            checks.Warning(
                "NATIONAL_SYNC_PROVIDER is 'sandbox' but NATIONAL_SANDBOX_ENABLED is off; nothing is synced.",
                id="interop.W001",
            )
        ]
    missing = [
        name
        for name, value in (("URL", target.url), ("SECRET", target.secret), ("SYSTEM_CODE", target.system_code))
        if not value
    ]
    if missing:
        prefix = "NATIONAL_SYNC_" if code == "national" else "NATIONAL_SANDBOX_/NATIONAL_SYNC_"
        return [checks.Error(f"The national sync needs {prefix}{', '.join(missing)}.", id="interop.E002")]
    return []
