"""The sandbox identity provider's state: its signing keys, registered clients, codes and tokens.

Codes and access tokens are stored as SHA-256 hashes: whoever reads the table cannot replay them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """An RSA key of the sandbox: generated once, kept here so restarts do not invalidate tokens."""

    kid = models.CharField(_("mã khóa (kid)"), max_length=64, unique=True)
    private_pem = models.TextField(_("khóa bí mật (PEM)"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("khóa ký thử nghiệm")
        verbose_name_plural = _("khóa ký thử nghiệm")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return self.kid


class Client(models.Model):
    """A relying party registered with one tenant (issuer) of the sandbox."""

    tenant = models.CharField(_("nhà cung cấp"), max_length=16)
    client_id = models.CharField(_("client_id"), max_length=128, unique=True)
    client_secret = models.CharField(_("client_secret"), max_length=255)
    redirect_uris = models.TextField(_("địa chỉ chuyển hướng được phép"), help_text=_("Mỗi dòng một địa chỉ."))
    name = models.CharField(_("tên ứng dụng"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ứng dụng đăng ký (thử nghiệm)")
        verbose_name_plural = _("ứng dụng đăng ký (thử nghiệm)")

    def __str__(self) -> str:
        return f"{self.tenant} / {self.client_id}"

    def allows_redirect(self, uri: str) -> bool:
        # Exact string comparison, as OAuth 2.0 Security BCP requires: no prefix or pattern matching.
        return uri in {line.strip() for line in self.redirect_uris.splitlines() if line.strip()}


class AuthorizationCode(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    redirect_uri = models.CharField(max_length=1000)
    code_challenge = models.CharField(max_length=128)
    nonce = models.CharField(max_length=255, blank=True)
    scope = models.CharField(max_length=255)
    claims = models.JSONField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mã cấp quyền (thử nghiệm)")
        verbose_name_plural = _("mã cấp quyền (thử nghiệm)")

    def __str__(self) -> str:
        return f"{self.client.client_id} {self.created_at:%Y-%m-%d %H:%M:%S}"


class AccessToken(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="access_tokens")
    code = models.ForeignKey(AuthorizationCode, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    claims = models.JSONField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập (thử nghiệm)")
        verbose_name_plural = _("mã truy cập (thử nghiệm)")

    def __str__(self) -> str:
        return f"{self.client.client_id} → {self.expires_at:%Y-%m-%d %H:%M:%S}"
