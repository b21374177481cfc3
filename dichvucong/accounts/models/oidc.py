from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OidcIdentity(models.Model):
    """An electronic identity (issuer, subject) linked to one account.

    The link is keyed by the provider's subject, not by the CCCD claim: the CCCD decides which account
    a first login may link to, the subject is what the provider guarantees stays the same person.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities", verbose_name=_("tài khoản")
    )
    issuer = models.CharField(_("nhà cung cấp định danh"), max_length=255)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255)
    # As the provider asserts it (VNeID: mức 1 / mức 2), from the claim OIDC_<P>_LEVEL_CLAIM names.
    assurance_level = models.CharField(_("mức độ định danh"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("liên kết lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("đăng nhập gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("định danh điện tử liên kết")
        verbose_name_plural = _("định danh điện tử liên kết")
        constraints = [
            models.UniqueConstraint(fields=("issuer", "subject"), name="oidc_identity_issuer_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} / {self.subject}"
