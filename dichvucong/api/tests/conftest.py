from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from dichvucong.api.services import api_token_create


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits and look-up counts live in the cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()


def bearer(user: Any, *, days: int = 30) -> dict[str, str]:
    """Headers carrying a fresh real token of `user` (made by the service, as the account page does)."""
    issued = api_token_create(user=user, name="Kiểm thử", lifetime_days=days)
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
