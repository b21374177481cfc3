from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.constants import OfficerRole
from dichvucong.core.models import TimeStampedModel


class OfficerProfile(TimeStampedModel):
    """What makes an account an officer: the agency and unit they work for, their position."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer_profile")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="officers"
    )
    unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("đơn vị (phòng)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang công tác"), default=True)

    class Meta:
        verbose_name = _("hồ sơ cán bộ")
        verbose_name_plural = _("hồ sơ cán bộ")

    def __str__(self) -> str:
        return f"{self.user} — {self.agency}"


class OfficerRoleAssignment(models.Model):
    """One role of one officer; an officer may hold several (a head of department who also signs)."""

    profile = models.ForeignKey(OfficerProfile, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=32, choices=OfficerRole)

    class Meta:
        verbose_name = _("vai trò")
        verbose_name_plural = _("vai trò")
        constraints = [models.UniqueConstraint(fields=("profile", "role"), name="officer_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()
