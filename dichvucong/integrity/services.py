"""Integrity checking (DESIGN §10): every dossier's event chain and every stored file's SHA-256.

The chain logic is the dossiers' own (`events_chain_break`); this module walks the data in bounded
batches by primary key (a million dossiers are never loaded at once: one batch is one query for the
dossiers and one streamed query for their events), records what broke as IntegrityFinding rows and
alerts the system administrators once per finding through the notification outbox.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.core.permissions import ROLE_SYSTEM_ADMIN
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierFile
from dichvucong.dossiers.services import ChainBreak, events_chain_break
from dichvucong.integrity.constants import ALERT_EVENT, FindingKind, Scope
from dichvucong.integrity.models import IntegrityCursor, IntegrityFinding

logger = logging.getLogger(__name__)

HASH_CHUNK = 1024 * 1024  # files are hashed as a stream, a megabyte at a time
_FILE_MODELS: dict[str, type[models.Model]] = {Scope.FILES: DossierFile, Scope.DOCUMENTS: DossierDocument}
_TARGET_PREFIX = {Scope.FILES: "file", Scope.DOCUMENTS: "document"}


@dataclass
class BatchResult:
    last_pk: int  # the last primary key looked at (the cursor's next position); 0 when none was left
    checked: int = 0
    broken: list[IntegrityFinding] = field(default_factory=list)


# --- Event chains ---------------------------------------------------------------------------------
def integrity_verify_events(*, after_pk: int = 0, limit: int) -> BatchResult:
    """Verify the event chains of up to `limit` dossiers with a primary key above `after_pk`."""
    dossiers = list(Dossier.objects.filter(pk__gt=after_pk).order_by("pk").values_list("pk", "status")[:limit])
    if not dossiers:
        return BatchResult(last_pk=0)
    first, last = dossiers[0][0], dossiers[-1][0]
    statuses = dict(dossiers)
    # A range, not IN (...): one streamed query whatever the batch size, on every database.
    events = (
        DossierEvent.objects.filter(dossier_id__gte=first, dossier_id__lte=last)
        .order_by("dossier_id", "sequence")
        .iterator(chunk_size=2000)
    )
    result = BatchResult(last_pk=last, checked=len(dossiers))
    sound: list[int] = []
    breaks: dict[int, ChainBreak] = {}
    for dossier_id, dossier_events in itertools.groupby(events, key=lambda event: event.dossier_id):
        chain_break = events_chain_break(dossier_events, current_status=statuses.get(dossier_id))
        if chain_break is None:
            sound.append(dossier_id)
        else:
            breaks[dossier_id] = chain_break
    seen = set(sound) | set(breaks)
    for dossier_id, status in dossiers:
        if dossier_id in seen:
            continue
        # Only a draft has no history yet; a sent dossier without a single event lost all of it.
        if status == DossierStatus.DRAFT:
            sound.append(dossier_id)
        else:
            breaks[dossier_id] = ChainBreak(sequence=1, reason="sequence")
    for dossier_id, chain_break in sorted(breaks.items()):
        result.broken.append(
            _finding_record(
                kind=FindingKind.EVENT_CHAIN,
                target=f"event-chain:{dossier_id}",
                dossier_id=dossier_id,
                event_sequence=chain_break.sequence,
                reason=chain_break.reason,
            )
        )
    _resolve(kind=FindingKind.EVENT_CHAIN, targets=[f"event-chain:{pk}" for pk in sound])
    return result


# --- Stored files ---------------------------------------------------------------------------------
def file_sha256(storage: Any, name: str) -> str | None:
    """The SHA-256 of a stored file read as a stream through the storage API; None if it is gone."""
    digest = hashlib.sha256()
    try:
        with storage.open(name, "rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                digest.update(chunk)
    except (FileNotFoundError, OSError):
        return None
    return digest.hexdigest()


def integrity_verify_files(*, scope: str, after_pk: int = 0, limit: int) -> BatchResult:
    """Re-hash up to `limit` stored files of `scope` (attachments or the agency's documents)."""
    model = _FILE_MODELS[scope]
    rows = list(
        model.objects.filter(pk__gt=after_pk).order_by("pk").values_list("pk", "dossier_id", "file", "sha256")[:limit]
    )
    if not rows:
        return BatchResult(last_pk=0)
    storage = model._meta.get_field("file").storage
    result = BatchResult(last_pk=rows[-1][0], checked=len(rows))
    sound: list[str] = []
    for pk, dossier_id, name, expected in rows:
        target = f"{_TARGET_PREFIX[scope]}:{pk}"
        found = file_sha256(storage, name) if name else None
        if found == expected:
            sound.append(target)
            continue
        result.broken.append(
            _finding_record(
                kind=FindingKind.FILE_MISSING if found is None else FindingKind.FILE_CHANGED,
                target=target,
                dossier_id=dossier_id,
                expected_sha256=expected,
                found_sha256=found or "",
            )
        )
    _resolve(kind=None, targets=sound)
    return result


# --- Findings -------------------------------------------------------------------------------------
def _finding_record(*, kind: str, target: str, dossier_id: int, **details: Any) -> IntegrityFinding:
    """The open finding for `target`, created (and its alert queued) the first time it is seen."""
    now = timezone.now()
    existing = IntegrityFinding.objects.filter(target=target, resolved_at__isnull=True).first()
    if existing is not None:
        existing.last_seen_at = now
        changed = ["last_seen_at"]
        for name, value in {"kind": kind, **details}.items():
            if getattr(existing, name) != value:
                setattr(existing, name, value)
                changed.append(name)
        existing.save(update_fields=changed)
        return existing
    try:
        with transaction.atomic():
            finding = IntegrityFinding.objects.create(
                kind=kind, target=target, dossier_id=dossier_id, found_at=now, last_seen_at=now, **details
            )
    except IntegrityError:  # a concurrent run recorded it first (the one-open-finding constraint)
        return IntegrityFinding.objects.get(target=target, resolved_at__isnull=True)
    logger.error("Integrity: %s on %s (dossier %s) %s", kind, target, dossier_id, details)
    transaction.on_commit(lambda: integrity_alert(finding_id=finding.pk))
    return finding


def _resolve(*, kind: str | None, targets: list[str]) -> None:
    """Close the open findings of objects a check has just found sound (one query)."""
    if not targets:
        return
    open_findings = IntegrityFinding.objects.filter(target__in=targets, resolved_at__isnull=True)
    if kind is not None:
        open_findings = open_findings.filter(kind=kind)
    open_findings.update(resolved_at=timezone.now())


# --- Alerts ---------------------------------------------------------------------------------------
def system_administrators() -> list[Any]:
    from dichvucong.accounts.models import User

    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(officer_profile__is_active=True, officer_profile__role_assignments__role=ROLE_SYSTEM_ADMIN)
        )
        .distinct()
        .order_by("pk")
    )


def integrity_alert(*, finding_id: int) -> int:
    """Tell every system administrator (in the portal, and by email when they have one) about a finding.

    Idempotent: the outbox's key is per finding, person and channel, so a second run queues nothing.
    Returns how many messages were queued.
    """
    from dichvucong.notifications.services import notification_alert_people

    finding = IntegrityFinding.objects.select_related("dossier").filter(pk=finding_id).first()
    if finding is None:
        return 0
    dossier = finding.dossier
    url = f"{settings.PORTAL_BASE_URL}{reverse('backoffice:dossier', args=[dossier.code])}" if dossier.code else ""
    queued = notification_alert_people(
        event=ALERT_EVENT,
        people=system_administrators(),
        context_for=lambda person: {
            "code": dossier.code or str(dossier.pk),
            "headline": str(finding.get_kind_display()),
            "detail": finding_detail(finding),
            "dossier_url": url,
            "full_name": str(person),
        },
        key_prefix=f"integrity:{finding.pk}",
    )
    IntegrityFinding.objects.filter(pk=finding.pk, alerted_at__isnull=True).update(alerted_at=timezone.now())
    return queued


def finding_detail(finding: IntegrityFinding) -> str:
    """One sentence on what broke, in the active language."""
    if finding.kind == FindingKind.EVENT_CHAIN:
        return _("Sự kiện sai đầu tiên: #%(sequence)s (%(reason)s).") % {
            "sequence": finding.event_sequence,
            "reason": finding.reason_label,
        }
    if finding.kind == FindingKind.FILE_MISSING:
        return _("Không đọc được tệp %(target)s trong kho lưu trữ.") % {"target": finding.target}
    return _("Tệp %(target)s có SHA-256 %(found)s, khác với %(expected)s đã ghi nhận.") % {
        "target": finding.target,
        "found": finding.found_sha256,
        "expected": finding.expected_sha256,
    }


# --- Runs -----------------------------------------------------------------------------------------
def _batches(scope: str, *, limit: int, after_pk: int = 0) -> Iterator[BatchResult]:
    while True:
        if scope == Scope.EVENTS:
            result = integrity_verify_events(after_pk=after_pk, limit=limit)
        else:
            result = integrity_verify_files(scope=scope, after_pk=after_pk, limit=limit)
        if not result.last_pk:
            return
        yield result
        after_pk = result.last_pk


def integrity_verify_all(*, limit: int = 1000) -> tuple[int, list[IntegrityFinding]]:
    """Everything, batch after batch (the management command): (objects checked, open findings)."""
    checked, broken = 0, []
    for scope in Scope.values:
        for result in _batches(scope, limit=limit):
            checked += result.checked
            broken.extend(result.broken)
    return checked, broken


def integrity_verify_step(*, limit: int | None = None) -> dict[str, int]:
    """One bounded step of the periodic job: the next `limit` objects of each scope from its cursor;
    past the end, the cursor starts again from the beginning. Returns the objects checked per scope."""
    limit = limit or settings.INTEGRITY_BATCH
    done: dict[str, int] = {}
    for scope in Scope.values:
        cursor, _created = IntegrityCursor.objects.get_or_create(scope=scope)
        if scope == Scope.EVENTS:
            result = integrity_verify_events(after_pk=cursor.last_pk, limit=limit)
        else:
            result = integrity_verify_files(scope=scope, after_pk=cursor.last_pk, limit=limit)
        if result.last_pk:
            cursor.last_pk = result.last_pk
            cursor.save(update_fields=["last_pk", "updated_at"])
        else:
            cursor.last_pk = 0
            cursor.rounds += 1
            cursor.save(update_fields=["last_pk", "rounds", "updated_at"])
        done[scope] = result.checked
    return done
