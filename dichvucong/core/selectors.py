from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Window
from django.utils import timezone
from django.utils.translation import gettext

from dichvucong.core.models import AuditEntry, AuditSeal, WorkerHeartbeat


def database_status() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"up": False, "engine": connection.vendor, "error": exc.__class__.__name__}
    return {"up": True, "engine": connection.vendor}


def queue_status() -> dict[str, Any]:
    """Whether the task queue's storage answers, how many tasks wait, and when the worker last beat."""
    from huey.contrib.djhuey import HUEY

    status: dict[str, Any] = {"backend": HUEY.storage.__class__.__name__}
    try:
        status["pending"] = HUEY.pending_count()
        status["up"] = True
    except Exception as exc:
        status["up"] = False
        status["error"] = exc.__class__.__name__
    status["worker"] = worker_status()
    return status


def worker_status(*, name: str = "huey") -> dict[str, Any]:
    beat = WorkerHeartbeat.objects.filter(name=name).only("beat_at").first()
    if beat is None:
        return {"alive": False, "last_heartbeat": None}
    stale_after = timedelta(minutes=3 * settings.HEARTBEAT_INTERVAL_MINUTES)
    return {"alive": timezone.now() - beat.beat_at <= stale_after, "last_heartbeat": beat.beat_at.isoformat()}


@dataclass(frozen=True)
class AuditChainReport:
    ok: bool
    checked: int
    unsealed: int
    broken_position: int | None = None
    reason: str = ""


def audit_chain_verify(*, chunk_size: int = 2000) -> AuditChainReport:
    """Re-walk the sealed audit chain by position: edits, deletions and a removed tail all show."""
    head = AuditSeal.objects.filter(pk=1).first()
    unsealed = AuditEntry.objects.filter(position__isnull=True).count()
    expected_position, previous_hash, checked = 1, "", 0
    rows = AuditEntry.objects.filter(position__isnull=False).order_by("position")
    for row in rows.iterator(chunk_size=chunk_size):
        if row.position != expected_position:
            return AuditChainReport(
                ok=False,
                checked=checked,
                unsealed=unsealed,
                broken_position=expected_position,
                reason=gettext("Thiếu dòng nhật ký ở vị trí %(position)s.") % {"position": expected_position},
            )
        if row.previous_hash != previous_hash or row.compute_hash() != row.hash:
            return AuditChainReport(
                ok=False,
                checked=checked,
                unsealed=unsealed,
                broken_position=row.position,
                reason=gettext("Dòng nhật ký ở vị trí %(position)s đã bị sửa.") % {"position": row.position},
            )
        previous_hash, expected_position, checked = row.hash, expected_position + 1, checked + 1
    head_position, head_hash = (head.position, head.hash) if head else (0, "")
    if checked != head_position or previous_hash != head_hash:
        return AuditChainReport(
            ok=False,
            checked=checked,
            unsealed=unsealed,
            broken_position=checked + 1,
            reason=gettext("Chuỗi nhật ký dừng ở vị trí %(found)s, đầu chuỗi ghi %(head)s.")
            % {"found": checked, "head": head_position},
        )
    return AuditChainReport(ok=True, checked=checked, unsealed=unsealed)


DOSSIER_READS_SHOWN = 50


@dataclass(frozen=True)
class DossierReads:
    entries: list[AuditEntry]
    total: int


def dossier_reads(*, dossier_id: int, limit: int = DOSSIER_READS_SHOWN) -> DossierReads:
    """Who at which agency opened or acted on one dossier, newest first: one query, the count included."""
    rows = list(
        AuditEntry.objects.filter(dossier_id=dossier_id)
        .annotate(total=Window(Count("id")))
        .only("id", "created_at", "actor_label", "agency_name", "action", "object_label")
        .order_by("-id")[:limit]
    )
    return DossierReads(entries=rows, total=rows[0].total if rows else 0)
