"""Register this portal's two OIDC clients with the sandbox identity provider (`manage.py demo`)."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.urls import reverse

from dichvucong.idp_sandbox.services import client_register, signing_key_current


def load(out: TextIO) -> None:
    if not settings.OIDC_SANDBOX_ENABLED:
        return
    base = settings.PORTAL_BASE_URL
    sandbox_prefix = base + "/idp-thu-nghiem/"
    registered = []
    for slug, conf in settings.OIDC_PROVIDERS.items():
        issuer = str(conf.get("issuer") or "")
        if not (conf.get("client_id") and issuer.startswith(sandbox_prefix)):
            continue  # this provider points at a real service
        callback = reverse("accounts:oidc_callback", args=[slug])
        # The browser may reach the development server by either name; each is registered exactly.
        uris = [base + callback, base.replace("127.0.0.1", "localhost") + callback]
        client_register(
            tenant=issuer.removeprefix(sandbox_prefix).strip("/"),
            client_id=str(conf["client_id"]),
            client_secret=str(conf["client_secret"]),
            redirect_uris=uris,
            name=settings.PORTAL_NAME,
        )
        registered.append(f"{conf['label']} ({conf['client_id']})")
    signing_key_current()
    if registered:
        out.write(f"Nhà cung cấp định danh thử nghiệm: {base}/idp-thu-nghiem/ — ứng dụng: {', '.join(registered)}\n")
