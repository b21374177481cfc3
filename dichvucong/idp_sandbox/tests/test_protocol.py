"""The sandbox identity provider speaks OpenID Connect: discovery, authorization code + PKCE (S256),
client authentication, single-use codes, RS256 ID tokens with a persisted key, JWKS, userinfo."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dichvucong.accounts.oidc import OidcProvider, id_token_verify
from dichvucong.idp_sandbox.models import AccessToken, AuthorizationCode, SigningKey
from dichvucong.idp_sandbox.services import client_register, signing_key_rotate, subject_for

pytestmark = pytest.mark.django_db

ISSUER = "http://testserver/idp-thu-nghiem/vneid"
CLIENT_ID = "portal-test"
SECRET = "test-only-secret-of-the-portal-client"
REDIRECT = "https://portal.example.vn/tai-khoan/dang-nhap/vneid/xong/"
PERSON = "046185000456"


@pytest.fixture(autouse=True)
def sandbox(settings):
    settings.OIDC_SANDBOX_ENABLED = True
    client_register(tenant="vneid", client_id=CLIENT_ID, client_secret=SECRET, redirect_uris=[REDIRECT])


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize_url(**overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "st-1",
        "nonce": "no-1",
        "code_challenge": _challenge("v" * 50),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return reverse("idp_sandbox:authorize", args=["vneid"]) + "?" + urlencode(params)


def _code(client: Client, verifier: str = "v" * 50, person: str = PERSON) -> str:
    answer = client.post(_authorize_url(code_challenge=_challenge(verifier)), {"action": "allow", "person": person})
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def _basic(client_id: str = CLIENT_ID, secret: str = SECRET) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _token(client: Client, code: str, *, verifier: str = "v" * 50, redirect_uri: str = REDIRECT, **headers: str):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        data["code_verifier"] = verifier
    return client.post(
        reverse("idp_sandbox:token", args=["vneid"]), data, HTTP_AUTHORIZATION=headers.get("auth", _basic())
    )


def _provider() -> OidcProvider:
    return OidcProvider(slug="vneid", label="VNeID", issuer=ISSUER, client_id=CLIENT_ID, client_secret=SECRET)


def test_the_discovery_document_names_the_issuer_and_its_endpoints(client):
    document = client.get(reverse("idp_sandbox:discovery", args=["vneid"])).json()

    assert document["issuer"] == ISSUER
    assert document["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert document["token_endpoint"] == f"{ISSUER}/token"
    assert document["jwks_uri"] == f"{ISSUER}/jwks"
    assert document["userinfo_endpoint"] == f"{ISSUER}/userinfo"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}


def test_the_jwks_publishes_the_persisted_public_key_and_the_previous_one(client):
    first = client.get(reverse("idp_sandbox:jwks", args=["vneid"])).json()["keys"]
    again = client.get(reverse("idp_sandbox:jwks", args=["vneid"])).json()["keys"]
    assert [k["kid"] for k in first] == [k["kid"] for k in again]
    assert SigningKey.objects.count() == 1
    assert all("d" not in k and k["kty"] == "RSA" and k["alg"] == "RS256" for k in first)

    second, third = signing_key_rotate(), signing_key_rotate()
    published = [k["kid"] for k in client.get(reverse("idp_sandbox:jwks", args=["vneid"])).json()["keys"]]
    assert published == [third.kid, second.kid]


def test_a_full_exchange_gives_an_id_token_the_client_verifies(client):
    response = _token(client, _code(client))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    jwks = client.get(reverse("idp_sandbox:jwks", args=["vneid"])).json()
    claims = id_token_verify(provider=_provider(), id_token=body["id_token"], jwks=jwks, nonce="no-1")
    assert claims["sub"] == subject_for(tenant="vneid", national_id=PERSON)
    assert claims["cccd"] == PERSON
    assert claims["name"] == "Trần Thị Bình"
    assert claims["acr"] == "2"
    assert claims["exp"] - claims["iat"] == 300

    info = client.get(
        reverse("idp_sandbox:userinfo", args=["vneid"]), HTTP_AUTHORIZATION=f"Bearer {body['access_token']}"
    )
    assert info.status_code == 200
    assert info.json()["sub"] == claims["sub"]


def test_client_secret_post_is_accepted_too(client):
    code = _code(client)
    response = client.post(
        reverse("idp_sandbox:token", args=["vneid"]),
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": "v" * 50,
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
        },
    )
    assert response.status_code == 200


@pytest.mark.parametrize("auth", [_basic(secret="wrong"), _basic(client_id="someone-else"), "", "Basic !!!not-base64"])
def test_a_client_that_does_not_authenticate_is_refused(client, auth):
    response = _token(client, _code(client), auth=auth)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_client_of_another_tenant_is_refused(client):
    client_register(tenant="dvcqg", client_id="other-portal", client_secret=SECRET, redirect_uris=[REDIRECT])
    response = _token(client, _code(client), auth=_basic(client_id="other-portal"))
    assert response.status_code == 401


def test_a_code_works_once_and_its_reuse_revokes_what_it_gave(client):
    code = _code(client)
    first = _token(client, code)
    assert first.status_code == 200

    second = _token(client, code)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    revoked = client.get(
        reverse("idp_sandbox:userinfo", args=["vneid"]), HTTP_AUTHORIZATION=f"Bearer {first.json()['access_token']}"
    )
    assert revoked.status_code == 401
    assert AccessToken.objects.get().revoked_at is not None


@pytest.mark.parametrize("verifier", ["w" * 50, ""])
def test_a_wrong_or_missing_pkce_verifier_is_refused_and_burns_the_code(client, verifier):
    code = _code(client)
    response = _token(client, code, verifier=verifier)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "PKCE verification failed"}
    assert _token(client, code).status_code == 400  # the right verifier comes too late


def test_the_redirect_uri_must_be_the_one_of_the_authorization_request(client):
    response = _token(client, _code(client), redirect_uri="https://portal.example.vn/elsewhere/")
    assert response.json()["error"] == "invalid_grant"


def test_a_code_expires_after_a_minute(client):
    code = _code(client)
    AuthorizationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = _token(client, code)
    assert response.json() == {"error": "invalid_grant", "error_description": "authorization code expired"}


def test_only_the_authorization_code_grant(client):
    response = client.post(
        reverse("idp_sandbox:token", args=["vneid"]), {"grant_type": "password"}, HTTP_AUTHORIZATION=_basic()
    )
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "x" * 200}, "invalid_request"),
        ({"nonce": "n" * 300}, "invalid_request"),
    ],
)
def test_a_bad_authorization_request_goes_back_with_its_error_and_state(client, overrides, error):
    response = client.get(_authorize_url(**overrides))
    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT)
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query == {"error": [error], "state": ["st-1"]}


@pytest.mark.parametrize(
    "overrides",
    [{"client_id": "unknown"}, {"redirect_uri": "https://evil.example/cb"}, {"redirect_uri": REDIRECT + "x"}],
)
def test_an_unknown_client_or_redirect_uri_is_never_redirected_to(client, overrides):
    response = client.get(_authorize_url(**overrides))
    assert response.status_code == 400
    assert "Yêu cầu đăng nhập không hợp lệ" in response.content.decode()


def test_the_consent_page_allows_the_clients_origin_as_form_action(client):
    response = client.get(_authorize_url())
    assert "form-action 'self' https://portal.example.vn" in response["Content-Security-Policy"]


def test_refusing_sends_access_denied(client):
    response = client.post(_authorize_url(), {"action": "deny"})
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["st-1"]
    assert not AuthorizationCode.objects.exists()


def test_a_typed_person_is_checked(client):
    data = {
        "action": "allow",
        "person": "",
        "national_id": "046185000456",
        "full_name": "Ai Đó",
        "birthdate": "1990-01-01",
    }
    response = client.post(_authorize_url(), data)
    assert response.status_code == 200
    assert "không khớp với năm sinh" in response.content.decode()
    assert not AuthorizationCode.objects.exists()


def test_userinfo_needs_a_valid_bearer_token(client):
    url = reverse("idp_sandbox:userinfo", args=["vneid"])
    missing = client.get(url)
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secrets.token_urlsafe(32)}").status_code == 401

    token = _token(client, _code(client)).json()["access_token"]
    AccessToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_every_endpoint_is_a_404_when_the_sandbox_is_off(client, settings):
    settings.OIDC_SANDBOX_ENABLED = False
    for name in ("discovery", "jwks", "authorize", "token", "userinfo"):
        assert client.get(reverse(f"idp_sandbox:{name}", args=["vneid"])).status_code in (404, 405)
    assert client.get(reverse("idp_sandbox:discovery", args=["vneid"])).status_code == 404
    assert client.post(reverse("idp_sandbox:token", args=["vneid"])).status_code == 404


def test_an_unknown_tenant_is_a_404(client):
    assert client.get(reverse("idp_sandbox:discovery", args=["zalo"])).status_code == 404
