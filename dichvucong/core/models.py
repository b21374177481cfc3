from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dichvucong.core.constants import AuditAction


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """The last time each background worker proved it is alive.

    A row in the application database rather than a cache key: the web process and the worker
    share the database on every deployment, but not always a cache.
    """

    name = models.CharField(_("tên"), max_length=64, unique=True)
    beat_at = models.DateTimeField(_("nhịp gần nhất"))
    hostname = models.CharField(_("máy chủ"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("tiến trình"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhịp tim tiến trình nền")
        verbose_name_plural = _("nhịp tim tiến trình nền")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("AuditEntry rows are append-only; only the sealing step writes their chain fields.")


class AuditEntry(models.Model):
    """One officer action or one read of a dossier's personal data (DESIGN §12): who, when, what, from where.

    Why rows are inserted unchained and sealed later (services.audit_seal) instead of each request
    reading the last hash and chaining its own row: a single global chain computed at insert time
    needs the previous row's hash, so every officer request in the province would queue behind one
    row lock. Here a request does one plain INSERT; a periodic job (every minute) takes the
    unsealed rows in id order under one lock on AuditSeal and gives each its chain position,
    previous_hash and hash. A row committed late with a lower id is simply sealed in the next
    batch at a later position, so the chain never needs rewriting. selectors.audit_chain_verify
    walks the chain by position: an edited row no longer matches its hash, a deleted row leaves a
    gap, a removed tail no longer matches the head kept in AuditSeal. The window of trust is the
    minute between the insert and the seal.

    Names (actor_label, agency_name, dossier_code) are copied at the time of the read, so the
    citizen's "Ai đã xem hồ sơ của tôi" is one query without joins and reads the same after an
    account or agency is renamed. `actor_id` is not hashed, as in DossierEvent: deleting an
    account sets it to NULL, which must not look like tampering.
    """

    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện (tên)"), max_length=255, blank=True)
    agency_id = models.PositiveBigIntegerField(_("mã số cơ quan"), null=True, blank=True, db_index=True)
    agency_name = models.CharField(_("cơ quan"), max_length=255, blank=True)
    action = models.CharField(_("hành động"), max_length=32, choices=AuditAction)
    object_type = models.CharField(_("loại đối tượng"), max_length=32, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_label = models.CharField(_("đối tượng"), max_length=255, blank=True)
    dossier_id = models.PositiveBigIntegerField(_("mã số hồ sơ"), null=True, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=255, blank=True)
    data = models.JSONField(_("dữ liệu kèm theo"), default=dict, blank=True)
    position = models.PositiveBigIntegerField(_("vị trí trong chuỗi"), null=True, blank=True, unique=True)
    previous_hash = models.CharField(_("mã băm dòng trước"), max_length=64, blank=True)
    hash = models.CharField(_("mã băm"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("niêm phong lúc"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ("-id",)
        indexes = [
            models.Index(fields=("dossier_id", "-id"), name="audit_entry_dossier_idx"),
            models.Index(fields=("actor", "-id"), name="audit_entry_actor_idx"),
            # The sealing job's "next unsealed rows" and nothing else.
            models.Index(fields=("id",), name="audit_entry_unsealed_idx", condition=models.Q(position__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.dossier_code}"

    def canonical_payload(self) -> bytes:
        """The bytes the hash covers: sorted-key JSON, UTC timestamps to the microsecond."""
        payload = {
            "id": self.pk,
            "position": self.position,
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_label": self.actor_label,
            "agency_id": self.agency_id,
            "agency_name": self.agency_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "dossier_id": self.dossier_id,
            "dossier_code": self.dossier_code,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "data": self.data,
            "previous_hash": self.previous_hash,
        }
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_payload()).hexdigest()


class AuditSeal(models.Model):
    """The head of the audit chain: the last sealed position and its hash, one row (pk=1).

    Locking this row serialises the sealing job, not the requests; keeping the head here makes the
    removal of the last sealed rows detectable.
    """

    position = models.PositiveBigIntegerField(_("vị trí cuối"), default=0)
    hash = models.CharField(_("mã băm cuối"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("niêm phong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"{self.position} {self.hash[:12]}"
