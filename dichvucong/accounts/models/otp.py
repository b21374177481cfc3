from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.constants import OtpPurpose


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS (or a link token by e-mail), stored only as a keyed hash.

    One row per code sent. `attempts` counts wrong entries; the code dies at the fifth, at expiry,
    or when used. The resend limits (60 s, 5 an hour per destination) are counted on these rows.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_codes", null=True, blank=True
    )
    purpose = models.CharField(_("mục đích"), max_length=32, choices=OtpPurpose)
    destination = models.CharField(_("gửi tới"), max_length=255, help_text=_("Số điện thoại (+84…) hoặc thư điện tử."))
    code_hash = models.CharField(_("mã băm"), max_length=128)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    used_at = models.DateTimeField(_("đã dùng lúc"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("bị hủy lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã OTP")
        verbose_name_plural = _("mã OTP")
        indexes = [models.Index(fields=("destination", "created_at"), name="otp_destination_created")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.destination}"
