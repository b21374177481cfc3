from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.constants import AccountKind


class User(AbstractUser):
    """Every person or body that logs in: citizens, organisations, enterprises and officers.

    One table for all of them (Django cannot swap the user model later); what differs by kind
    lives in fields that are empty for the other kinds and, as the accounts grow, in profiles.
    """

    kind = models.CharField(_("loại tài khoản"), max_length=16, choices=AccountKind, default=AccountKind.CITIZEN)
    full_name = models.CharField(_("họ và tên / tên tổ chức"), max_length=255, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()
