"""Process definitions as data (CONVENTIONS #2): the ordered steps a procedure's dossiers go through.

A definition belongs to a procedure, for every receiving agency or for one agency (whose units the
steps can name); it is versioned like procedures: a published definition is frozen, a change is a new
version, and a dossier keeps the definition it was received under (Dossier.process).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.accounts.constants import OfficerRole
from dichvucong.catalog.constants import VersionStatus
from dichvucong.core.models import TimeStampedModel


class ProcessDefinition(TimeStampedModel):
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="processes"
    )
    # Empty: the process of every agency receiving the procedure; set: that agency's own process.
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan áp dụng"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="processes",
        help_text=_("Để trống: áp dụng cho mọi cơ quan tiếp nhận thủ tục."),
    )
    number = models.PositiveIntegerField(_("phiên bản"))
    name = models.CharField(_("tên quy trình"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=16, choices=VersionStatus, default=VersionStatus.DRAFT)
    published_at = models.DateTimeField(_("áp dụng từ"), null=True, blank=True)
    # Made from DEFAULT_STEPS because the procedure had no process when a dossier was received.
    is_default = models.BooleanField(_("quy trình mặc định"), default=False)

    class Meta:
        verbose_name = _("quy trình xử lý")
        verbose_name_plural = _("quy trình xử lý")
        ordering = ("procedure__code", "agency_id", "-number")
        constraints = [
            models.UniqueConstraint(fields=("procedure", "agency", "number"), name="process_number_unique"),
            # One process in force per procedure and agency (NULLs are distinct, hence two constraints).
            models.UniqueConstraint(
                fields=("procedure", "agency"),
                condition=models.Q(status="published", agency__isnull=False),
                name="process_one_published_per_agency",
            ),
            models.UniqueConstraint(
                fields=("procedure",),
                condition=models.Q(status="published", agency__isnull=True),
                name="process_one_published_for_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"


class ProcessStep(models.Model):
    process = models.ForeignKey(
        ProcessDefinition, verbose_name=_("quy trình"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    role = models.CharField(_("vai trò thực hiện"), max_length=32, choices=OfficerRole)
    unit = models.ForeignKey(
        "agencies.Unit",
        verbose_name=_("đơn vị thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Để trống: mọi cán bộ có vai trò trên trong cơ quan."),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ được chỉ định"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    allotted_hours = models.DecimalField(_("thời gian thực hiện (giờ làm việc)"), max_digits=6, decimal_places=2)
    actions = models.JSONField(_("thao tác được phép"), default=list)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("các bước xử lý")
        ordering = ("process", "order")
        constraints = [models.UniqueConstraint(fields=("process", "order"), name="process_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
