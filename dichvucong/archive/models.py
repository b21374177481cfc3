"""Retention periods and the electronic-records metadata mapping, both data an administrator edits (DESIGN §10)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class RetentionPeriod(models.Model):
    """How long a finished dossier of a procedure is kept; the row without a procedure is the default.

    `years` empty means permanent (vĩnh viễn). The figures must be checked against the agency's
    retention schedule (bảng thời hạn bảo quản) before production: `verified` says who did.
    """

    procedure = models.OneToOneField(
        "catalog.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_period",
    )
    years = models.PositiveSmallIntegerField(_("thời hạn bảo quản (năm)"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    verified = models.BooleanField(_("đã đối chiếu văn bản"), default=False)

    class Meta:
        verbose_name = _("thời hạn bảo quản")
        verbose_name_plural = _("thời hạn bảo quản")
        constraints = [
            # One default row: NULL procedures would otherwise never collide.
            models.UniqueConstraint(Coalesce("procedure", models.Value(0)), name="retention_one_per_procedure"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure or '*'}: {self.label}"

    @property
    def label(self) -> str:
        return str(_("Vĩnh viễn")) if self.years is None else str(_("%(n)s năm") % {"n": self.years})


class MetadataField(models.Model):
    """One metadata element of an electronic record (Circular 02/2019/TT-BNV) and where its value comes from.

    `source` names one of the values the bag builder knows (archive.metadata.SOURCES); `verified`
    stays off until someone has checked the element's name and number against the Circular's text.
    """

    order = models.PositiveSmallIntegerField(_("thứ tự"))
    key = models.SlugField(_("khóa"), max_length=64, unique=True)
    label = models.CharField(_("tên trường theo thông tư"), max_length=255)
    source = models.CharField(_("nguồn dữ liệu"), max_length=64)
    verified = models.BooleanField(_("đã đối chiếu văn bản"), default=False)

    class Meta:
        verbose_name = _("trường siêu dữ liệu lưu trữ")
        verbose_name_plural = _("trường siêu dữ liệu lưu trữ")
        ordering = ("order",)

    def __str__(self) -> str:
        return self.label


class ArchivePackage(models.Model):
    """A bag exported for a dossier: when, by whom, and the Payload-Oxum to recognise it again."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="archive_packages"
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), on_delete=models.SET_NULL, null=True, blank=True
    )
    payload_oxum = models.CharField(_("Payload-Oxum"), max_length=64)
    manifest_sha256 = models.CharField(_("mã băm tệp kê khai"), max_length=64)

    class Meta:
        verbose_name = _("gói lưu trữ")
        verbose_name_plural = _("gói lưu trữ")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.created_at:%Y-%m-%d %H:%M}"
