"""Point this portal's OIDC providers at the sandbox identity provider of a live server (tests only)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from dichvucong.idp_sandbox.services import client_register

CLIENTS = {
    "vneid": ("dichvucong-vneid-test", "test-only-vneid-client-secret-0123456789"),
    "dvcqg": ("dichvucong-dvcqg-test", "test-only-dvcqg-client-secret-0123456789"),
}
LABELS = {"vneid": "VNeID", "dvcqg": "Cổng Dịch vụ công quốc gia"}


def provider_settings(base_url: str, slug: str, **overrides: Any) -> dict[str, Any]:
    client_id, secret = CLIENTS[slug]
    conf: dict[str, Any] = {
        "label": LABELS[slug],
        "issuer": f"{base_url}/idp-thu-nghiem/{slug}",
        "client_id": client_id,
        "client_secret": secret,
        "scopes": ("openid", "profile"),
        "national_id_claim": "cccd",
        "level_claim": "acr",
    }
    conf.update(overrides)
    return conf


def sandbox_configure(settings: Any, base_url: str, *, browser_urls: tuple[str, ...] = ()) -> None:
    """Enable the sandbox on `base_url` and register both clients for the callback on every given origin
    (the live server itself, plus the Django test client's http://testserver)."""
    settings.OIDC_SANDBOX_ENABLED = True
    settings.OIDC_HTTP_TIMEOUT = 5
    settings.OIDC_PROVIDERS = {slug: provider_settings(base_url, slug) for slug in CLIENTS}
    for slug, (client_id, secret) in CLIENTS.items():
        client_register(
            tenant=slug,
            client_id=client_id,
            client_secret=secret,
            redirect_uris=[f"{origin}/tai-khoan/dang-nhap/{slug}/xong/" for origin in (base_url, *browser_urls)],
            name="Cổng Dịch vụ công (kiểm thử)",
        )
    cache.clear()
