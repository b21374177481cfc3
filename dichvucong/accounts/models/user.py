from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.constants import AccountKind, Sex


class User(AbstractUser):
    """Every person or body that logs in: citizens, organisations, enterprises and officers.

    One table for all of them (Django cannot swap the user model later). Identity fields that only
    some kinds have are nullable and unique when present, so "one CCCD, one account" is a database
    rule, not just a form check. Phones are stored normalised as +84…; e-mails lower-cased.
    """

    kind = models.CharField(_("loại tài khoản"), max_length=16, choices=AccountKind, default=AccountKind.CITIZEN)
    full_name = models.CharField(_("họ và tên / tên tổ chức"), max_length=255, blank=True)
    national_id = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True)  # noqa: DJ001 - NULL, not "", so uniqueness holds only where present
    tax_code = models.CharField(_("mã số thuế"), max_length=14, null=True, blank=True)  # noqa: DJ001 - NULL, not "", so uniqueness holds only where present
    phone = models.CharField(_("số điện thoại di động"), max_length=16, null=True, blank=True)  # noqa: DJ001 - NULL, not "", so uniqueness holds only where present
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    sex = models.CharField(_("giới tính"), max_length=8, choices=Sex, blank=True)
    representative_name = models.CharField(_("người đại diện"), max_length=255, blank=True)
    representative_national_id = models.CharField(_("số CCCD người đại diện"), max_length=12, blank=True)
    province_code = models.PositiveIntegerField(_("tỉnh/thành phố"), null=True, blank=True)
    ward_code = models.PositiveIntegerField(_("xã/phường"), null=True, blank=True)
    street_address = models.CharField(_("số nhà, đường, thôn/tổ"), max_length=255, blank=True)
    phone_verified_at = models.DateTimeField(_("xác thực điện thoại lúc"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("xác thực thư điện tử lúc"), null=True, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")

    class Meta(AbstractUser.Meta):
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        constraints = [
            models.UniqueConstraint(
                fields=("national_id",), condition=Q(national_id__isnull=False), name="user_national_id_unique"
            ),
            models.UniqueConstraint(
                fields=("tax_code",), condition=Q(tax_code__isnull=False), name="user_tax_code_unique"
            ),
            models.UniqueConstraint(fields=("phone",), condition=Q(phone__isnull=False), name="user_phone_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @property
    def is_officer(self) -> bool:
        return self.kind == AccountKind.OFFICER
