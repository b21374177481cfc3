from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginSession(models.Model):
    """One row per logged-in session, so a user can see where they are logged in and end it.

    Django's session store cannot be searched by user; this row points at the session key, and
    ending a session deletes both.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(_("khóa phiên"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("đăng nhập lúc"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("hoạt động gần nhất"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("phiên đăng nhập")
        verbose_name_plural = _("phiên đăng nhập")
        ordering = ("-last_seen_at",)

    def __str__(self) -> str:
        return f"{self.user} @ {self.ip_address or '?'}"
