from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal access token for /api/v1/: it acts as its owner, with the owner's rights only.

    Only the SHA-256 of the secret is stored (shown once, at creation), so a copy of the database
    does not give access to anyone's dossiers. A token has an end date and can be revoked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("tên gợi nhớ"), max_length=100)
    token_hash = models.CharField(_("mã băm"), max_length=64, unique=True, editable=False)
    hint = models.CharField(_("ký tự đầu"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    last_used_at = models.DateTimeField(_("dùng lần cuối lúc"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=("user", "revoked_at", "expires_at"), name="api_token_user_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
