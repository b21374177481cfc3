"""Reads of the API app: which token a request carries, the owner's tokens."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from dichvucong.api.constants import TOKEN_PREFIX
from dichvucong.api.models import ApiToken
from dichvucong.api.services import token_digest

_MAX_TOKEN_LENGTH = 100


def api_token_find(*, raw: str) -> ApiToken | None:
    """The active token with this secret whose owner may still log in, or None (one query)."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > _MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def api_tokens_for_user(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
