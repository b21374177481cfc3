"""OpenID Connect client side of single sign-on (VNeID, Cổng Dịch vụ công quốc gia).

This module holds the protocol checks that must never be skipped: PKCE (S256), state and nonce, and
the ID token's RS256 signature against the provider's JWKS with iss/aud/exp/nonce. Signatures are
verified with joserfc (Authlib's JOSE library); no token is trusted because it came over TLS.

It also holds the back channel: the discovery document and the JWKS (fetched over HTTP, cached for
OIDC_METADATA_CACHE_SECONDS, the JWKS fetched again once when a token names a key it does not hold:
the provider rotated its keys), the code exchange at the token endpoint with the PKCE verifier, and
userinfo. Every network or protocol failure becomes an OidcError with a message for the login page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dichvucong.core.errors import ApplicationError

logger = logging.getLogger(__name__)

# Leeway for the clocks of the provider and of this server.
CLOCK_SKEW_SECONDS = 60
MAX_RESPONSE_BYTES = 512 * 1024


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
    discovery_url: str = ""
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    jwks_uri: str = ""
    userinfo_endpoint: str = ""
    token_auth_method: str = "client_secret_basic"  # noqa: S105 - a method name: or client_secret_post
    scopes: tuple[str, ...] = ("openid", "profile")
    national_id_claim: str = "cccd"
    level_claim: str = "acr"
    use_userinfo: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def discovery_document_url(self) -> str:
        return self.discovery_url or f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


def providers() -> dict[str, OidcProvider]:
    """The providers configured in settings.OIDC_PROVIDERS (a dict slug -> dict of OidcProvider fields)."""
    configured = getattr(settings, "OIDC_PROVIDERS", {}) or {}
    return {slug: OidcProvider(slug=slug, **conf) for slug, conf in configured.items() if conf.get("client_id")}


def provider_for_issuer(issuer: str) -> OidcProvider | None:
    return next((p for p in providers().values() if p.issuer == issuer), None)


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


def authorization_request_build(
    *, provider: OidcProvider, redirect_uri: str, authorization_endpoint: str | None = None
) -> AuthorizationRequest:
    """The redirect to the provider; state, nonce and the PKCE verifier are kept in the session by the caller."""
    endpoint = authorization_endpoint or provider.authorization_endpoint
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
    separator = "&" if "?" in endpoint else "?"
    return AuthorizationRequest(url=f"{endpoint}{separator}{query}", state=state, nonce=nonce, code_verifier=verifier)


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
    # OpenID Connect Core §2: sub is at most 255 ASCII characters, which is what OidcIdentity stores.
    if not isinstance(claims.get("sub"), str) or not 0 < len(claims["sub"]) <= 255:
        raise invalid
    return claims


# --- Back channel: discovery, JWKS, token, userinfo ----------------------------------------------


def _unavailable(provider: OidcProvider, what: str, detail: object) -> OidcError:
    logger.warning("OIDC %s: %s failed: %s", provider.slug, what, detail)
    return OidcError(
        _("Không kết nối được với %(provider)s. Vui lòng thử lại sau hoặc đăng nhập bằng mật khẩu.")
        % {"provider": provider.label},
        code="oidc_unavailable",
    )


def _http_json(
    provider: OidcProvider,
    what: str,
    url: str,
    *,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """(status, JSON object) of a GET, or of a form POST when `form` is given; HTTP errors with a JSON body
    come back with their status (the token endpoint explains itself that way), anything else raises."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise _unavailable(provider, what, f"not an http(s) URL: {url!r}")
    data = urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=data,
        headers={"Accept": "application/json", **(headers or {})},
        method="POST" if data is not None else "GET",
    )
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=settings.OIDC_HTTP_TIMEOUT) as response:  # noqa: S310
            status, raw = response.status, response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(MAX_RESPONSE_BYTES)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise _unavailable(provider, what, exc) from exc
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise _unavailable(provider, what, f"HTTP {status}, not JSON") from exc
    if not isinstance(body, dict):
        raise _unavailable(provider, what, f"HTTP {status}, not a JSON object")
    return status, body


@dataclass(frozen=True)
class ProviderMetadata:
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""


def _cache_key(kind: str, provider: OidcProvider) -> str:
    return f"oidc:{kind}:{hashlib.sha256(provider.issuer.encode()).hexdigest()[:32]}"


def provider_metadata(provider: OidcProvider) -> ProviderMetadata:
    """The endpoints: configured ones win, the rest from the discovery document (cached)."""
    configured = ProviderMetadata(
        authorization_endpoint=provider.authorization_endpoint,
        token_endpoint=provider.token_endpoint,
        jwks_uri=provider.jwks_uri,
        userinfo_endpoint=provider.userinfo_endpoint,
    )
    if configured.authorization_endpoint and configured.token_endpoint and configured.jwks_uri:
        return configured
    key = _cache_key("discovery", provider)
    document = cache.get(key)
    if document is None:
        status, document = _http_json(provider, "discovery", provider.discovery_document_url)
        if status != 200:
            raise _unavailable(provider, "discovery", f"HTTP {status}")
        # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for,
        # or an attacker's document could redirect the whole exchange.
        if document.get("issuer") != provider.issuer:
            raise _unavailable(provider, "discovery", f"issuer {document.get('issuer')!r} != {provider.issuer!r}")
        cache.set(key, document, settings.OIDC_METADATA_CACHE_SECONDS)
    found = ProviderMetadata(
        authorization_endpoint=configured.authorization_endpoint or str(document.get("authorization_endpoint", "")),
        token_endpoint=configured.token_endpoint or str(document.get("token_endpoint", "")),
        jwks_uri=configured.jwks_uri or str(document.get("jwks_uri", "")),
        userinfo_endpoint=configured.userinfo_endpoint or str(document.get("userinfo_endpoint", "")),
    )
    if not (found.authorization_endpoint and found.token_endpoint and found.jwks_uri):
        raise _unavailable(provider, "discovery", "endpoints missing from the discovery document")
    return found


def provider_jwks(provider: OidcProvider, metadata: ProviderMetadata, *, refresh: bool = False) -> dict[str, Any]:
    key = _cache_key("jwks", provider)
    jwks = None if refresh else cache.get(key)
    if jwks is None:
        status, jwks = _http_json(provider, "jwks", metadata.jwks_uri)
        if status != 200 or not isinstance(jwks.get("keys"), list):
            raise _unavailable(provider, "jwks", f"HTTP {status}")
        cache.set(key, jwks, settings.OIDC_METADATA_CACHE_SECONDS)
    return jwks


def provider_cache_clear(provider: OidcProvider) -> None:
    cache.delete_many([_cache_key("discovery", provider), _cache_key("jwks", provider)])


def _token_kid(id_token: str) -> str | None:
    try:
        kid = jws.extract_compact(id_token.encode("ascii")).protected.get("kid")
    except (JoseError, ValueError, UnicodeError):
        return None
    return kid if isinstance(kid, str) else None


def id_token_verify_with_jwks(
    *, provider: OidcProvider, metadata: ProviderMetadata, id_token: str, nonce: str
) -> dict[str, Any]:
    """id_token_verify against the cached JWKS; a kid it does not hold fetches the JWKS again, once."""
    jwks = provider_jwks(provider, metadata)
    kid = _token_kid(id_token)
    if kid is not None and kid not in {k.get("kid") for k in jwks["keys"] if isinstance(k, dict)}:
        logger.info("OIDC %s: unknown key id %r, fetching the JWKS again", provider.slug, kid)
        jwks = provider_jwks(provider, metadata, refresh=True)
    return id_token_verify(provider=provider, id_token=id_token, jwks=jwks, nonce=nonce)


def _client_auth(provider: OidcProvider, form: dict[str, str]) -> dict[str, str]:
    if provider.token_auth_method == "client_secret_post":  # noqa: S105 - a method name
        form.update(client_id=provider.client_id, client_secret=provider.client_secret)
        return {}
    # RFC 6749 §2.3.1: both halves are form-urlencoded before they are joined.
    pair = f"{quote(provider.client_id, safe='')}:{quote(provider.client_secret, safe='')}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}


def token_exchange(
    *, provider: OidcProvider, metadata: ProviderMetadata, code: str, redirect_uri: str, code_verifier: str
) -> dict[str, Any]:
    """The token response (id_token, access_token) for an authorization code and its PKCE verifier."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    form["code_verifier"] = code_verifier
    headers = _client_auth(provider, form)
    status, body = _http_json(provider, "token", metadata.token_endpoint, form=form, headers=headers)
    if status != 200 or not isinstance(body.get("id_token"), str):
        logger.warning(
            "OIDC %s: token endpoint refused the code: HTTP %s %s %s",
            provider.slug,
            status,
            body.get("error"),
            body.get("error_description", ""),
        )
        raise OidcError(
            _("%(provider)s không xác nhận phiên đăng nhập. Vui lòng thử đăng nhập lại.")
            % {"provider": provider.label},
            code="oidc_token_refused",
        )
    return body


def userinfo_fetch(
    *, provider: OidcProvider, metadata: ProviderMetadata, access_token: str, subject: str
) -> dict[str, Any]:
    """The userinfo claims; {} when the provider has no userinfo endpoint. Another subject is refused."""
    if not (metadata.userinfo_endpoint and provider.use_userinfo and access_token):
        return {}
    status, body = _http_json(
        provider, "userinfo", metadata.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"}
    )
    if status != 200:
        raise _unavailable(provider, "userinfo", f"HTTP {status} {body.get('error', '')}")
    # OpenID Connect Core §5.3.2: the userinfo sub must be the ID token's, or the answer is not used.
    if body.get("sub") != subject:
        logger.warning("OIDC %s: userinfo subject differs from the ID token's", provider.slug)
        raise OidcError(
            _("Không xác minh được thông tin đăng nhập từ nhà cung cấp định danh. Vui lòng thử lại."),
            code="oidc_bad_token",
        )
    return body


def callback_claims(
    *, provider: OidcProvider, code: str, redirect_uri: str, code_verifier: str, nonce: str
) -> dict[str, Any]:
    """The verified claims of a successful authorization: code exchange, ID token checks, userinfo.

    The ID token's claims win over userinfo's: only the ID token is signed.
    """
    metadata = provider_metadata(provider)
    tokens = token_exchange(
        provider=provider, metadata=metadata, code=code, redirect_uri=redirect_uri, code_verifier=code_verifier
    )
    claims = id_token_verify_with_jwks(provider=provider, metadata=metadata, id_token=tokens["id_token"], nonce=nonce)
    access_token = tokens.get("access_token")
    extra = userinfo_fetch(
        provider=provider,
        metadata=metadata,
        access_token=access_token if isinstance(access_token, str) else "",
        subject=claims["sub"],
    )
    return {**extra, **claims}


def check_providers(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Deploy checks: each configured provider has an https issuer and a secret; the sandbox is off."""
    from django.core import checks

    found: list[Any] = []
    for slug, provider in providers().items():
        prefix = f"OIDC_{slug.upper()}"
        if urlsplit(provider.issuer).scheme != "https":
            found.append(
                checks.Error(
                    f"{prefix}_ISSUER must be the provider's https issuer URL (got {provider.issuer!r}).",
                    id="accounts.E001",
                )
            )
        if not provider.client_secret:
            found.append(checks.Error(f"{prefix}_CLIENT_SECRET is empty.", id="accounts.E002"))
    if settings.OIDC_SANDBOX_ENABLED:
        found.append(
            checks.Warning(
                "OIDC_SANDBOX_ENABLED is on: the sandbox identity provider lets anyone sign in as any CCCD.",
                hint="Unset OIDC_SANDBOX_ENABLED outside development and tests.",
                id="accounts.W001",
            )
        )
    return found
