"""The sandbox identity provider's protocol: keys, clients, authorization codes, tokens (RFC 6749, 7636,
OpenID Connect Core). Errors carry the OAuth error codes the token endpoint answers with.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.db import transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey

from dichvucong.idp_sandbox.constants import (
    ACCESS_TOKEN_TTL_SECONDS,
    CODE_TTL_SECONDS,
    ID_TOKEN_TTL_SECONDS,
    PUBLISHED_KEYS,
    TENANTS,
    TestPerson,
)
from dichvucong.idp_sandbox.models import AccessToken, AuthorizationCode, Client, SigningKey


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# --- Keys -----------------------------------------------------------------------------------------


def signing_key_rotate() -> SigningKey:
    """A new signing key; the previous one stays published (PUBLISHED_KEYS) for tokens already out."""
    kid = f"sandbox-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    key = RSAKey.generate_key(2048, parameters={"kid": kid}, private=True)
    return SigningKey.objects.create(kid=kid, private_pem=key.as_pem(private=True).decode("ascii"))


def signing_key_current() -> SigningKey:
    with transaction.atomic():
        current = SigningKey.objects.select_for_update().first()
        return current or signing_key_rotate()


def _rsa(row: SigningKey) -> RSAKey:
    return RSAKey.import_key(row.private_pem, parameters={"kid": row.kid, "use": "sig", "alg": "RS256"})


def jwks() -> dict[str, Any]:
    signing_key_current()
    rows = SigningKey.objects.all()[:PUBLISHED_KEYS]
    return {"keys": [_rsa(row).as_dict(private=False) for row in rows]}


# --- Clients --------------------------------------------------------------------------------------


def client_register(
    *, tenant: str, client_id: str, client_secret: str, redirect_uris: list[str], name: str = ""
) -> Client:
    """Create or update a client (idempotent: the demo command runs it every time)."""
    if tenant not in TENANTS:
        raise ValueError(f"unknown sandbox tenant {tenant!r}")
    client, _created = Client.objects.update_or_create(
        client_id=client_id,
        defaults={
            "tenant": tenant,
            "client_secret": client_secret,
            "redirect_uris": "\n".join(dict.fromkeys(redirect_uris)),
            "name": name,
        },
    )
    return client


def client_for_authorization(*, tenant: str, client_id: str, redirect_uri: str) -> Client:
    """The client of an authorization request; an unknown client or redirect URI is never redirected to."""
    client = Client.objects.filter(tenant=tenant, client_id=client_id).first()
    if client is None:
        raise OAuthError("invalid_client", "unknown client_id")
    if not client.allows_redirect(redirect_uri):
        raise OAuthError("invalid_request", "redirect_uri is not registered for this client")
    return client


def client_authenticate(*, tenant: str, authorization: str, form: dict[str, str]) -> Client:
    """client_secret_basic (Authorization: Basic) or client_secret_post (form fields), RFC 6749 §2.3.1."""
    client_id = client_secret = ""
    if authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            raw_id, _sep, raw_secret = decoded.partition(":")
        except (ValueError, UnicodeDecodeError) as exc:
            raise OAuthError("invalid_client", "malformed Basic credentials", status=401) from exc
        client_id, client_secret = unquote(raw_id), unquote(raw_secret)
    elif form.get("client_id") and form.get("client_secret"):
        client_id, client_secret = form["client_id"], form["client_secret"]
    client = Client.objects.filter(tenant=tenant, client_id=client_id).first() if client_id else None
    if client is None or not secrets.compare_digest(client.client_secret, client_secret):
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    return client


# --- Authorization codes and tokens ---------------------------------------------------------------


def subject_for(*, tenant: str, national_id: str) -> str:
    # Stable per issuer and person, and not the CCCD itself, like a real provider's pairwise subject.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"idp-thu-nghiem:{tenant}:{national_id}"))


def person_claims(*, tenant: str, person: TestPerson) -> dict[str, Any]:
    config = TENANTS[tenant]
    return {
        "sub": subject_for(tenant=tenant, national_id=person.national_id),
        "name": person.full_name,
        "birthdate": person.birthdate,
        config.national_id_claim: person.national_id,
        config.level_claim: person.level,
    }


def code_issue(
    *, client: Client, redirect_uri: str, code_challenge: str, nonce: str, scope: str, claims: dict[str, Any]
) -> str:
    code = secrets.token_urlsafe(32)
    AuthorizationCode.objects.create(
        client=client,
        code_hash=_hash(code),
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        nonce=nonce,
        scope=scope,
        claims=claims,
        expires_at=timezone.now() + dt.timedelta(seconds=CODE_TTL_SECONDS),
    )
    return code


@dataclass(frozen=True)
class TokenResponse:
    access_token: str
    id_token: str
    scope: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_TTL_SECONDS,
            "id_token": self.id_token,
            "scope": self.scope,
        }


def code_redeem(*, client: Client, issuer: str, code: str, redirect_uri: str, code_verifier: str) -> TokenResponse:
    """Exchange a code once. A second use revokes what the first one got (RFC 6749 §4.1.2)."""
    now = timezone.now()
    with transaction.atomic():
        row = AuthorizationCode.objects.select_for_update().filter(code_hash=_hash(code), client=client).first()
        if row is None:
            raise OAuthError("invalid_grant", "unknown authorization code")
        reused = row.used_at is not None
        if reused:
            AccessToken.objects.filter(code=row, revoked_at__isnull=True).update(revoked_at=now)
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
    # Raised after the block, so that the revocation (or the code's use) is committed either way.
    if reused:
        raise OAuthError("invalid_grant", "authorization code already used")
    if row.expires_at < now:
        raise OAuthError("invalid_grant", "authorization code expired")
    if row.redirect_uri != redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
    # RFC 7636 §4.6: S256 only; a missing or wrong verifier refuses the code.
    if not code_verifier or not secrets.compare_digest(
        _b64url(hashlib.sha256(code_verifier.encode("ascii", "replace")).digest()), row.code_challenge
    ):
        raise OAuthError("invalid_grant", "PKCE verification failed")
    access_token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        client=client,
        code=row,
        token_hash=_hash(access_token),
        claims=row.claims,
        expires_at=now + dt.timedelta(seconds=ACCESS_TOKEN_TTL_SECONDS),
    )
    issued_at = int(time.time())
    id_claims = {
        **row.claims,
        "iss": issuer,
        "aud": client.client_id,
        "iat": issued_at,
        "exp": issued_at + ID_TOKEN_TTL_SECONDS,
        "auth_time": int(row.created_at.timestamp()),
    }
    if row.nonce:
        id_claims["nonce"] = row.nonce
    return TokenResponse(access_token=access_token, id_token=id_token_sign(id_claims), scope=row.scope)


def id_token_sign(claims: dict[str, Any]) -> str:
    row = signing_key_current()
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": row.kid}, claims, _rsa(row))


def userinfo_claims(*, access_token: str) -> dict[str, Any]:
    row = AccessToken.objects.filter(token_hash=_hash(access_token)).first()
    if row is None or row.revoked_at is not None or row.expires_at < timezone.now():
        raise OAuthError("invalid_token", "the access token is unknown, revoked or expired", status=401)
    return dict(row.claims)
