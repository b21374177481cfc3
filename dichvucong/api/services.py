"""Writes of the API app: personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.api.constants import MAX_ACTIVE_TOKENS, NAME_MAX_LENGTH, TOKEN_HINT_LENGTH, TOKEN_PREFIX, TokenLifetime
from dichvucong.api.models import ApiToken
from dichvucong.core.errors import ApplicationError


def token_digest(raw: str) -> str:
    """The stored form of a token. A plain SHA-256 suffices: the secret has 256 random bits, so there is
    nothing to brute-force that a slow hash would protect (unlike a password)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once to the owner, never stored


def api_token_create(*, user: AbstractBaseUser, name: str, lifetime_days: int) -> IssuedToken:
    name = " ".join((name or "").split())[:NAME_MAX_LENGTH]
    if not name:
        raise ApplicationError(_("Vui lòng đặt tên gợi nhớ cho mã truy cập."), code="invalid")
    if lifetime_days not in TokenLifetime.values:
        raise ApplicationError(_("Thời hạn của mã truy cập không hợp lệ."), code="invalid")
    now = timezone.now()
    with transaction.atomic():
        # Locks the owner's row so that two simultaneous requests cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise ApplicationError(
                _("Mỗi tài khoản có tối đa %(n)s mã truy cập còn hiệu lực; vui lòng thu hồi mã không dùng.")
                % {"n": MAX_ACTIVE_TOKENS},
                code="too_many_tokens",
            )
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=token_digest(secret),
            hint=secret[: len(TOKEN_PREFIX) + TOKEN_HINT_LENGTH],
            created_at=now,
            expires_at=now + timedelta(days=lifetime_days),
        )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; anyone else's answers "not found"."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise ApplicationError(_("Không tìm thấy mã truy cập."), code="not_found")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


# Writing last_used_at on every call would turn each read into a write; once a minute is enough to
# tell the owner whether a token is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_token_touch(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
