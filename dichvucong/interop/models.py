from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.interop.constants import SyncState


class NationalSyncEvent(models.Model):
    """The outbox: one dossier event to tell the national portal, inserted in the transition's transaction.

    The payload is built when sending (the hot path is one insert); the idempotency key is
    (dossier, event sequence), so a retry or a racing worker never makes the national side count twice.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="national_syncs"
    )
    sequence = models.PositiveIntegerField(_("số thứ tự sự kiện"))
    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=64, unique=True)
    state = models.CharField(_("trạng thái"), max_length=16, choices=SyncState, default=SyncState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lại lúc"), null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(_("giữ để gửi đến"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    answer_code = models.CharField(_("mã trả lời"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    sent_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("sự kiện đồng bộ quốc gia")
        verbose_name_plural = _("hàng đợi đồng bộ Cổng quốc gia")
        ordering = ("dossier_id", "sequence")
        constraints = [
            models.UniqueConstraint(fields=("dossier", "sequence"), name="national_sync_dossier_sequence_unique"),
        ]
        indexes = [models.Index(fields=("state", "next_attempt_at"), name="national_sync_due_idx")]

    def __str__(self) -> str:
        return self.idempotency_key


class SandboxPortalSwitch(models.Model):
    """The sandbox national portal's on/off switch (one row), in the database so every worker sees it."""

    is_down = models.BooleanField(_("đang ngừng hoạt động"), default=False)

    class Meta:
        verbose_name = _("trạng thái cổng quốc gia thử nghiệm")
        verbose_name_plural = _("trạng thái cổng quốc gia thử nghiệm")

    def __str__(self) -> str:
        return "down" if self.is_down else "up"


class SandboxReceipt(models.Model):
    """What the sandbox national portal received: one row per idempotency key (duplicates answered, not stored)."""

    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=64, unique=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, db_index=True)
    sequence = models.PositiveIntegerField(_("số thứ tự sự kiện"))
    status_code = models.CharField(_("mã trạng thái quốc gia"), max_length=8)
    payload = models.JSONField(_("nội dung nhận"), default=dict)
    received_at = models.DateTimeField(_("nhận lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("dữ liệu cổng quốc gia thử nghiệm đã nhận")
        verbose_name_plural = _("dữ liệu cổng quốc gia thử nghiệm đã nhận")
        ordering = ("dossier_code", "sequence")

    def __str__(self) -> str:
        return self.idempotency_key
