"""Real servers on 127.0.0.1 for the channels: an SMTP server (aiosmtpd) and an SMS gateway."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from dichvucong.notifications.channels.base import DeliveryError
from dichvucong.notifications.channels.registry import SMS_PROVIDERS


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # These tests log users in with force_login; Argon2 on every UserFactory only costs time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- SMTP -----------------------------------------------------------------------------------------
class CollectingHandler:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@dataclass
class LocalSmtpServer:
    """An SMTP server that can be down (nothing listens on its port) and brought up later."""

    port: int
    handler: CollectingHandler = field(default_factory=CollectingHandler)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=default_policy) for e in self.handler.envelopes]

    @property
    def envelopes(self) -> list[Any]:
        return self.handler.envelopes


@pytest.fixture
def smtp_server(settings) -> Iterator[LocalSmtpServer]:
    """Configured as Django's SMTP server but not started: call start() (the outage test does not)."""
    server = LocalSmtpServer(port=free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    settings.DEFAULT_FROM_EMAIL = "Cổng Dịch vụ công <no-reply@dichvucong.example.gov.vn>"
    yield server
    server.stop()


# --- SMS gateway ----------------------------------------------------------------------------------
class GatewayServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/sms/send"


class GatewayHandler(BaseHTTPRequestHandler):
    server: GatewayServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append(
            {"path": self.path, "headers": dict(self.headers.items()), "json": json.loads(body.decode())}
        )
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        if 200 <= status < 300:
            answer = {"status": "accepted", "id": f"gw-{len(self.server.requests)}"}
        else:
            answer = {"status": "error", "message": "gateway unavailable"}
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def sms_gateway(settings) -> Iterator[GatewayServer]:
    server = GatewayServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = server.url
    settings.SMS_HTTP_TIMEOUT = 2
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- A scripted SMS provider for the outbox's own rules ---------------------------------------------
@dataclass
class RecordingSms:
    """Records what it sends; raises the queued errors first (a gateway that is down, then back)."""

    sent: list[int] = field(default_factory=list)
    calls: int = 0
    errors: list[Exception] = field(default_factory=list)
    always_fail: bool = False

    def send(self, notification: Any) -> str:
        self.calls += 1
        if self.always_fail:
            raise DeliveryError("gateway down")
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(notification.pk)
        return f"rec-{notification.pk}"


@pytest.fixture
def recording_sms(settings, monkeypatch) -> RecordingSms:
    provider = RecordingSms()
    monkeypatch.setitem(SMS_PROVIDERS, "recording", lambda: provider)
    settings.SMS_PROVIDER = "recording"
    return provider
