"""OpenID Connect client side of single sign-on (VNeID, Cổng Dịch vụ công quốc gia).

This module holds the protocol checks that must never be skipped: PKCE (S256), state and nonce, and
the ID token's RS256 signature against the provider's JWKS with iss/aud/exp/nonce. Signatures are
verified with joserfc (Authlib's JOSE library); no token is trusted because it came over TLS.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dichvucong.core.errors import ApplicationError

# Leeway for the clocks of the provider and of this server.
CLOCK_SKEW_SECONDS = 60


class OidcError(ApplicationError):
    pass


@dataclass(frozen=True)
class OidcProvider:
    """One configured issuer. The CCCD claim name must be verified against the provider's integration spec."""

    slug: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    scopes: tuple[str, ...] = ("openid", "profile")
    national_id_claim: str = "cccd"
    extra: dict[str, Any] = field(default_factory=dict)


def providers() -> dict[str, OidcProvider]:
    """The providers configured in settings.OIDC_PROVIDERS (a dict slug -> dict of OidcProvider fields)."""
    configured = getattr(settings, "OIDC_PROVIDERS", {}) or {}
    return {slug: OidcProvider(slug=slug, **conf) for slug, conf in configured.items() if conf.get("client_id")}


def provider_get(*, slug: str) -> OidcProvider:
    found = providers().get(slug)
    if found is None:
        raise OidcError(_("Nhà cung cấp định danh không được cấu hình."), code="oidc_unknown_provider")
    return found


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def authorization_request_build(*, provider: OidcProvider, redirect_uri: str) -> AuthorizationRequest:
    """The redirect to the provider; state, nonce and the PKCE verifier are kept in the session by the caller."""
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(provider.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return AuthorizationRequest(
        url=f"{provider.authorization_endpoint}{separator}{query}", state=state, nonce=nonce, code_verifier=verifier
    )


def state_check(*, expected: str | None, received: str | None) -> None:
    if not expected or not received or not secrets.compare_digest(expected, received):
        raise OidcError(
            _("Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng thử đăng nhập lại."), code="oidc_bad_state"
        )


def id_token_verify(
    *, provider: OidcProvider, id_token: str, jwks: dict[str, Any], nonce: str, now: float | None = None
) -> dict[str, Any]:
    """The ID token's claims once its RS256 signature, iss, aud, exp and nonce all hold; OidcError otherwise."""
    invalid = OidcError(
        _("Không xác minh được thông tin đăng nhập từ nhà cung cấp định danh. Vui lòng thử lại."),
        code="oidc_bad_token",
    )
    try:
        key_set = KeySet.import_key_set(jwks)
        token = jwt.decode(id_token, key_set, algorithms=["RS256"])
    except (JoseError, ValueError, TypeError) as exc:
        raise invalid from exc
    claims = dict(token.claims)
    now = time.time() if now is None else now
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if claims.get("iss") != provider.issuer or provider.client_id not in audiences:
        raise invalid
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise invalid
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + CLOCK_SKEW_SECONDS < now:
        raise OidcError(
            _("Thông tin đăng nhập từ nhà cung cấp định danh đã hết hạn. Vui lòng thử lại."), code="oidc_expired"
        )
    iat = claims.get("iat")
    if isinstance(iat, int | float) and iat - CLOCK_SKEW_SECONDS > now:
        raise invalid
    received_nonce = claims.get("nonce")
    if not isinstance(received_nonce, str) or not secrets.compare_digest(received_nonce, nonce):
        raise invalid
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise invalid
    return claims
