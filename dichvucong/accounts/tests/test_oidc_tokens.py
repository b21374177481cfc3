"""The ID token checks of the OIDC client, against tokens really signed with RSA keys made here."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from dichvucong.accounts.oidc import (
    OidcError,
    OidcProvider,
    authorization_request_build,
    id_token_verify,
    pkce_challenge,
    state_check,
)

PROVIDER = OidcProvider(
    slug="vneid",
    label="VNeID",
    issuer="https://idp.example.vn",
    client_id="dvc-client",
    client_secret="secret",
    authorization_endpoint="https://idp.example.vn/authorize",
    token_endpoint="https://idp.example.vn/token",
    jwks_uri="https://idp.example.vn/jwks",
)


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)


@pytest.fixture(scope="module")
def jwks(key: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False)]}


def _token(key: RSAKey, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": PROVIDER.issuer,
        "aud": PROVIDER.client_id,
        "sub": "subject-1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "cccd": "001090000001",
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def test_valid_token_gives_its_claims(key: RSAKey, jwks: dict[str, Any]) -> None:
    claims = id_token_verify(provider=PROVIDER, id_token=_token(key), jwks=jwks, nonce="n-1")
    assert claims["sub"] == "subject-1"
    assert claims["cccd"] == "001090000001"


def test_signature_by_another_key_is_refused(jwks: dict[str, Any]) -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    with pytest.raises(OidcError) as caught:
        id_token_verify(provider=PROVIDER, id_token=_token(other), jwks=jwks, nonce="n-1")
    assert caught.value.code == "oidc_bad_token"


def test_tampered_payload_is_refused(key: RSAKey, jwks: dict[str, Any]) -> None:
    header, _payload, signature = _token(key).split(".")
    forged_payload = _token(key, sub="someone-else").split(".")[1]
    with pytest.raises(OidcError):
        id_token_verify(provider=PROVIDER, id_token=f"{header}.{forged_payload}x.{signature}", jwks=jwks, nonce="n-1")


def test_unsigned_token_is_refused(jwks: dict[str, Any]) -> None:
    _header, payload, _signature = _token(RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)).split(".")
    none_header = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    with pytest.raises(OidcError):
        id_token_verify(provider=PROVIDER, id_token=f"{none_header}.{payload}.", jwks=jwks, nonce="n-1")


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "https://evil.example"},
        {"aud": "another-client"},
        {"aud": ["another-client", "third"]},
        {"nonce": "n-2"},
        {"nonce": None},
        {"sub": None},
        {"iat": int(time.time()) + 3600},
    ],
    ids=["wrong-iss", "wrong-aud", "aud-list-without-us", "wrong-nonce", "no-nonce", "no-sub", "issued-in-future"],
)
def test_wrong_claims_are_refused(key: RSAKey, jwks: dict[str, Any], overrides: dict[str, Any]) -> None:
    with pytest.raises(OidcError) as caught:
        id_token_verify(provider=PROVIDER, id_token=_token(key, **overrides), jwks=jwks, nonce="n-1")
    assert caught.value.code == "oidc_bad_token"


def test_expired_token_is_refused_with_its_own_message(key: RSAKey, jwks: dict[str, Any]) -> None:
    past = int(time.time()) - 3600
    with pytest.raises(OidcError) as caught:
        id_token_verify(provider=PROVIDER, id_token=_token(key, iat=past - 300, exp=past), jwks=jwks, nonce="n-1")
    assert caught.value.code == "oidc_expired"
    assert "hết hạn" in caught.value.message


def test_authorization_request_carries_pkce_state_and_nonce() -> None:
    request = authorization_request_build(provider=PROVIDER, redirect_uri="https://dvc.example.vn/cb/")
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] == [pkce_challenge(request.code_verifier)]
    assert query["state"] == [request.state]
    assert query["nonce"] == [request.nonce]
    assert query["scope"] == ["openid profile"]


@pytest.mark.parametrize(("expected", "received"), [("a", "b"), (None, "a"), ("a", None), ("", "")])
def test_wrong_state_is_refused(expected: str | None, received: str | None) -> None:
    with pytest.raises(OidcError) as caught:
        state_check(expected=expected, received=received)
    assert caught.value.code == "oidc_bad_state"
