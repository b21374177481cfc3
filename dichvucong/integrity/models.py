from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dichvucong.integrity.constants import CHAIN_REASONS, FindingKind, Scope


class IntegrityFinding(models.Model):
    """A break found by the integrity checks: a dossier's history edited, a stored file changed or lost.

    One open row per broken object (`target`, e.g. "event-chain:12" or "file:34"): checking again
    only moves `last_seen_at`, so the system administrators are alerted once per finding. A finding
    is closed (`resolved_at`) when a later check finds the object sound again (restored from a backup).
    """

    kind = models.CharField(_("loại sai lệch"), max_length=16, choices=FindingKind)
    target = models.CharField(_("đối tượng"), max_length=64)
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    event_sequence = models.PositiveIntegerField(_("sự kiện sai đầu tiên"), null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=32, blank=True)
    expected_sha256 = models.CharField(_("SHA-256 đã ghi nhận"), max_length=64, blank=True)
    found_sha256 = models.CharField(_("SHA-256 hiện tại"), max_length=64, blank=True)
    found_at = models.DateTimeField(_("phát hiện lúc"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("kiểm tra gần nhất"), default=timezone.now)
    alerted_at = models.DateTimeField(_("đã báo lúc"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("đã khắc phục lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("sai lệch dữ liệu")
        verbose_name_plural = _("sai lệch dữ liệu")
        ordering = ("-found_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("target",), condition=models.Q(resolved_at__isnull=True), name="integrity_one_open_finding"
            ),
        ]
        # The officers' dossier page asks "any open finding for this dossier?" on every view.
        indexes = [models.Index(fields=("dossier", "resolved_at"), name="integrity_finding_dossier")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target}"

    @property
    def reason_label(self) -> str:
        return str(CHAIN_REASONS.get(self.reason, self.reason))


class IntegrityCursor(models.Model):
    """How far the periodic job has gone through one scope (the last primary key verified)."""

    scope = models.CharField(_("phạm vi"), max_length=16, choices=Scope, unique=True)
    last_pk = models.PositiveBigIntegerField(_("khóa cuối đã kiểm tra"), default=0)
    rounds = models.PositiveIntegerField(_("số vòng đã hoàn tất"), default=0)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("tiến độ kiểm tra toàn vẹn")
        verbose_name_plural = _("tiến độ kiểm tra toàn vẹn")

    def __str__(self) -> str:
        return f"{self.scope}: {self.last_pk}"
