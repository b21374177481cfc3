"""A provider that misbehaves: the callback ends on the login page with a message, never a 500.

The sandbox identity provider only issues correct tokens, so these tests run a small provider of
their own over real HTTP (discovery, JWKS, token, userinfo) whose answers each test bends: wrong
audience, expired token, another nonce, a foreign key, a missing CCCD, errors and a slow answer.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

from dichvucong.accounts.models import OidcIdentity, User

pytestmark = pytest.mark.django_db

CLIENT_ID = "portal-test"
CCCD = "046185000456"


class Provider(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
        self.published = [self.key]
        self.claims: dict[str, Any] = {}
        self.token_status = 200
        self.token_body: bytes | None = None
        self.delay = 0.0
        self.nonce = ""
        self.hits: dict[str, int] = {}
        self.userinfo: dict[str, Any] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Provider

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        server = self.server
        server.hits[path] = server.hits.get(path, 0) + 1
        if path == "/.well-known/openid-configuration":
            doc = {
                "issuer": server.issuer,
                "authorization_endpoint": f"{server.issuer}/authorize",
                "token_endpoint": f"{server.issuer}/token",
                "jwks_uri": f"{server.issuer}/jwks",
                "userinfo_endpoint": f"{server.issuer}/userinfo",
            }
            self._send(200, json.dumps(doc).encode())
        elif path == "/jwks":
            self._send(200, json.dumps({"keys": [k.as_dict(private=False) for k in server.published]}).encode())
        elif path == "/userinfo":
            info = server.userinfo if server.userinfo is not None else {"sub": "sub-1"}
            self._send(200, json.dumps(info).encode())
        else:
            self._send(404, b"{}")

    def do_POST(self) -> None:
        server = self.server
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        server.hits["/token"] = server.hits.get("/token", 0) + 1
        server.last_form = form  # type: ignore[attr-defined]
        server.last_auth = self.headers.get("Authorization", "")  # type: ignore[attr-defined]
        if server.delay:
            time.sleep(server.delay)
        if server.token_body is not None:
            self._send(server.token_status, server.token_body, "text/html")
            return
        now = int(time.time())
        claims = {
            "iss": server.issuer,
            "aud": CLIENT_ID,
            "sub": "sub-1",
            "iat": now,
            "exp": now + 300,
            "nonce": server.nonce,
            "cccd": CCCD,
            "name": "Trần Thị Bình",
        }
        claims.update(server.claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        token = jwt.encode({"alg": "RS256", "kid": server.key.kid}, claims, server.key)
        body = {"access_token": "at-1", "token_type": "Bearer", "id_token": token}
        self._send(server.token_status, json.dumps(body).encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def provider(settings) -> Iterator[Provider]:
    server = Provider()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.OIDC_HTTP_TIMEOUT = 2
    settings.OIDC_PROVIDERS = {
        "vneid": {
            "label": "VNeID",
            "issuer": server.issuer,
            "client_id": CLIENT_ID,
            "client_secret": "s3cret/with:odd chars",
        }
    }
    cache.clear()
    yield server
    server.shutdown()
    server.server_close()


def _callback(client: Client, provider: Provider) -> tuple[Any, str]:
    """Press the button, read state and nonce off the redirect, come back with a code; the response
    and the message shown on the page it leads to."""
    start = client.get(reverse("accounts:oidc_start", args=["vneid"]))
    query = parse_qs(urlsplit(start["Location"]).query)
    provider.nonce = provider.nonce or query["nonce"][0]
    response = client.get(
        reverse("accounts:oidc_callback", args=["vneid"]), {"code": "c-1", "state": query["state"][0]}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    return response, " ".join(str(m) for m in page.context["messages"]) if page.context else ""


def test_a_well_behaved_provider_logs_in_with_basic_client_authentication(client, provider):
    response, _message = _callback(client, provider)

    assert response["Location"] == reverse("accounts:profile")
    assert User.objects.get(national_id=CCCD).full_name == "Trần Thị Bình"
    # RFC 6749 §2.3.1: the secret is form-urlencoded inside the Basic credentials.
    assert base64.b64decode(provider.last_auth[6:]).decode() == "portal-test:s3cret%2Fwith%3Aodd%20chars"
    assert provider.last_form["code_verifier"]
    assert provider.last_form["grant_type"] == "authorization_code"


def test_client_secret_post(client, provider, settings):
    settings.OIDC_PROVIDERS["vneid"]["token_auth_method"] = "client_secret_post"
    _callback(client, provider)
    assert provider.last_auth == ""
    assert provider.last_form["client_secret"] == "s3cret/with:odd chars"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": "another-client"}, "Không xác minh được thông tin đăng nhập"),
        ({"aud": [CLIENT_ID, "another-client"]}, "Không xác minh được thông tin đăng nhập"),
        ({"iss": "https://someone-else.example"}, "Không xác minh được thông tin đăng nhập"),
        ({"exp": int(time.time()) - 3600}, "đã hết hạn"),
        ({"nonce": "another-nonce"}, "Không xác minh được thông tin đăng nhập"),
        ({"sub": None}, "Không xác minh được thông tin đăng nhập"),
        ({"sub": "s" * 256}, "Không xác minh được thông tin đăng nhập"),
        ({"cccd": None}, "không gửi số CCCD hợp lệ"),
        ({"cccd": "12345"}, "không gửi số CCCD hợp lệ"),
    ],
)
def test_a_token_that_fails_a_check_is_refused(client, provider, claims, message):
    provider.claims = claims
    response, shown = _callback(client, provider)

    assert response["Location"] == reverse("accounts:login")
    assert message in shown
    assert SESSION_KEY not in client.session
    assert not User.objects.exists()


def test_a_token_signed_by_a_key_not_in_the_jwks_is_refused_after_one_refetch(client, provider):
    provider.key = RSAKey.generate_key(2048, parameters={"kid": "forged"}, private=True)
    response, shown = _callback(client, provider)

    assert response["Location"] == reverse("accounts:login")
    assert "Không xác minh được" in shown
    assert provider.hits["/jwks"] == 2  # the cached one, then once again for the unknown kid


def test_a_forged_signature_under_a_known_kid_is_refused(client, provider):
    provider.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    _response, shown = _callback(client, provider)
    assert "Không xác minh được" in shown
    assert provider.hits["/jwks"] == 1  # the kid is known: no refetch, the signature just fails


def test_key_rotation_at_the_provider_is_followed(client, provider):
    _callback(client, provider)
    client.post(reverse("accounts:logout"))
    provider.key = RSAKey.generate_key(2048, parameters={"kid": "k2"}, private=True)
    provider.published = [provider.key, *provider.published]
    provider.nonce = ""

    response, _shown = _callback(client, provider)
    assert response["Location"] == reverse("accounts:profile")
    assert provider.hits["/jwks"] == 2
    assert provider.hits["/.well-known/openid-configuration"] == 1  # cached between the two logins


def test_the_token_endpoint_refusing_the_code(client, provider):
    provider.token_status = 400
    provider.token_body = json.dumps({"error": "invalid_grant"}).encode()
    response, shown = _callback(client, provider)
    assert response["Location"] == reverse("accounts:login")
    assert "VNeID không xác nhận phiên đăng nhập" in shown


def test_the_token_endpoint_answering_an_html_error_page(client, provider):
    provider.token_status = 502
    provider.token_body = b"<html>Bad gateway</html>"
    _response, shown = _callback(client, provider)
    assert "Không kết nối được với VNeID" in shown


def test_a_provider_slower_than_the_timeout(client, provider, settings):
    settings.OIDC_HTTP_TIMEOUT = 0.3
    provider.delay = 1.0
    started = time.monotonic()
    _response, shown = _callback(client, provider)
    assert time.monotonic() - started < 5
    assert "Không kết nối được với VNeID" in shown


def test_userinfo_about_another_subject_is_refused(client, provider):
    provider.userinfo = {"sub": "somebody-else", "cccd": "046090001234"}
    _response, shown = _callback(client, provider)
    assert "Không xác minh được" in shown
    assert not OidcIdentity.objects.exists()


def test_userinfo_fills_claims_but_never_overrides_the_id_token(client, provider):
    provider.userinfo = {"sub": "sub-1", "cccd": "046090001234", "birthdate": "1985-11-03"}
    _callback(client, provider)
    user = User.objects.get()
    assert user.national_id == CCCD
    assert user.date_of_birth.isoformat() == "1985-11-03"


def test_a_discovery_document_for_another_issuer_is_refused(client, provider, settings):
    settings.OIDC_PROVIDERS["vneid"]["issuer"] = provider.issuer + "/"
    settings.OIDC_PROVIDERS["vneid"]["discovery_url"] = provider.issuer + "/.well-known/openid-configuration"
    response = client.get(reverse("accounts:oidc_start", args=["vneid"]))
    assert response["Location"] == reverse("accounts:login")
    assert not provider.hits.get("/token")


def test_an_error_from_the_provider_is_shown_with_its_code(client, provider):
    start = client.get(reverse("accounts:oidc_start", args=["vneid"]))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(
        reverse("accounts:oidc_callback", args=["vneid"]), {"error": "temporarily_unavailable", "state": state}
    )
    page = client.get(response["Location"])
    assert "mã lỗi: temporarily_unavailable" in " ".join(str(m) for m in page.context["messages"])
    assert not provider.hits.get("/token")
