"""The national sync outbox: enqueue in the transition's transaction, send in order per dossier, retry.

Same pattern as the notification outbox: the attempts, the backoff (1, 2, 4… minutes, capped) and
the last error live on the row; a row is claimed by a conditional UPDATE with a lease, so two
workers never send the same row, and a dossier's rows go strictly by event sequence.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.constants import (
    NATIONAL_STATUS_CODES,
    NATIONAL_STATUS_IN_PROGRESS,
    NATIONAL_STATUS_RECEIVED,
    DossierStatus,
)
from dichvucong.dossiers.models import Dossier, DossierEvent
from dichvucong.interop.constants import DATE_FORMAT, DELIVERED_ANSWERS, FIELD_MAP, HISTORY_FIELD_MAP, SyncState
from dichvucong.interop.models import NationalSyncEvent
from dichvucong.interop.providers import Provider, provider

logger = logging.getLogger(__name__)


def max_attempts() -> int:
    return int(settings.NATIONAL_SYNC_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> timedelta:
    base = int(settings.NATIONAL_SYNC_RETRY_BASE_SECONDS)
    cap = int(settings.NATIONAL_SYNC_RETRY_MAX_SECONDS)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def national_sync_enqueue(*, dossier: Dossier, sequence: int) -> NationalSyncEvent | None:
    """Called inside dossier_transition's transaction: one insert, the send starts after the commit."""
    if dossier.status == DossierStatus.DRAFT or not dossier.code or provider() is None:
        return None
    row = NationalSyncEvent.objects.create(
        dossier=dossier, sequence=sequence, idempotency_key=f"{dossier.code}-{sequence}", next_attempt_at=timezone.now()
    )
    dossier_pk = dossier.pk

    def start() -> None:
        from dichvucong.interop.tasks import send_national_sync

        send_national_sync(dossier_pk)

    transaction.on_commit(start, robust=True)
    return row


def _national_status(event: DossierEvent, seen_processing: bool) -> str:
    if event.to_status == DossierStatus.PROCESSING:
        return NATIONAL_STATUS_IN_PROGRESS if seen_processing else NATIONAL_STATUS_RECEIVED
    return NATIONAL_STATUS_CODES.get(event.to_status) or ""


def _date(value: Any) -> str:
    return timezone.localtime(value).strftime(DATE_FORMAT) if value else ""


def national_sync_payload(*, row: NationalSyncEvent, system_code: str) -> dict[str, Any]:
    """The body for one row: the dossier as of that event, with the history up to it."""
    dossier = row.dossier
    events = list(
        DossierEvent.objects.filter(dossier_id=dossier.pk, sequence__lte=row.sequence)
        .exclude(to_status=DossierStatus.DRAFT)
        .order_by("sequence")
    )
    history, seen_processing, status = [], False, ""
    for event in events:
        status = _national_status(event, seen_processing)
        seen_processing = seen_processing or event.to_status == DossierStatus.PROCESSING
        history.append(
            {
                HISTORY_FIELD_MAP["sequence"]: event.sequence,
                HISTORY_FIELD_MAP["status"]: status,
                HISTORY_FIELD_MAP["at"]: _date(event.created_at),
                HISTORY_FIELD_MAP["action"]: event.action,
                HISTORY_FIELD_MAP["actor"]: event.actor_label,
            }
        )
    values = {
        "system_code": system_code,
        "idempotency_key": row.idempotency_key,
        "sequence": row.sequence,
        "code": dossier.code,
        "procedure_code": dossier.procedure_version.procedure.code,
        "agency_code": dossier.agency.code,
        "received_at": _date(dossier.received_at),
        "due_at": _date(dossier.appointment_at),
        "returned_at": _date(dossier.returned_at),
        "status": status,
        "history": history,
    }
    return {FIELD_MAP[key]: value for key, value in values.items()}


def _claim_next(dossier_id: int) -> NationalSyncEvent | None:
    """Claim the dossier's oldest unsent row if it is due and nobody holds it; None otherwise.

    Only the oldest unsent row may go: a newer status never overtakes an older one still waiting.
    """
    now = timezone.now()
    head = (
        NationalSyncEvent.objects.filter(dossier_id=dossier_id, state__in=(SyncState.PENDING, SyncState.SENDING))
        .order_by("sequence")
        .first()
    )
    if head is None:
        return None
    if head.state == SyncState.SENDING and head.lease_until and head.lease_until > now:
        return None
    if head.state == SyncState.PENDING and head.next_attempt_at and head.next_attempt_at > now:
        return None
    lease = now + timedelta(seconds=int(settings.NATIONAL_SYNC_SENDING_TIMEOUT_SECONDS))
    claimed = (
        NationalSyncEvent.objects.filter(pk=head.pk, state=head.state, attempts=head.attempts)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now) | Q(state=SyncState.PENDING))
        .update(state=SyncState.SENDING, lease_until=lease, attempts=head.attempts + 1)
    )
    if not claimed:
        return None
    return NationalSyncEvent.objects.select_related("dossier__procedure_version__procedure", "dossier__agency").get(
        pk=head.pk
    )


def _send_one(row: NationalSyncEvent, target: Provider) -> bool:
    try:
        answer = target.post(national_sync_payload(row=row, system_code=target.system_code))
        error = "" if answer.delivered_code in DELIVERED_ANSWERS else f"{answer.delivered_code}: {answer.message}"
    except ApplicationError as exc:
        answer, error = None, f"{exc.code}: {exc.message}"
    if not error:
        NationalSyncEvent.objects.filter(pk=row.pk).update(
            state=SyncState.SENT,
            sent_at=timezone.now(),
            lease_until=None,
            answer_code=answer.delivered_code,
            last_error="",
        )
        return True
    give_up = row.attempts >= max_attempts()
    NationalSyncEvent.objects.filter(pk=row.pk).update(
        state=SyncState.FAILED if give_up else SyncState.PENDING,
        lease_until=None,
        last_error=error[:2000],
        answer_code=answer.delivered_code if answer else "",
        next_attempt_at=None if give_up else timezone.now() + retry_delay(row.attempts),
    )
    logger.warning("national sync %s failed (attempt %s): %s", row.idempotency_key, row.attempts, error)
    return False


def national_sync_send_dossier(*, dossier_id: int) -> int:
    """Send the dossier's due rows in sequence until one fails or none is due; returns how many went."""
    target = provider()
    if target is None:
        return 0
    sent = 0
    while (row := _claim_next(dossier_id)) is not None:
        if not _send_one(row, target):
            break
        sent += 1
    return sent


def national_sync_send_due(*, limit: int | None = None) -> int:
    """The periodic retry: every dossier with a due row, or a row whose sending lease ran out."""
    now = timezone.now()
    batch = limit if limit is not None else int(settings.NATIONAL_SYNC_RETRY_BATCH_SIZE)
    dossier_ids = (
        NationalSyncEvent.objects.filter(
            Q(state=SyncState.PENDING, next_attempt_at__lte=now) | Q(state=SyncState.SENDING, lease_until__lte=now)
        )
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
        .distinct()[:batch]
    )
    return sum(national_sync_send_dossier(dossier_id=dossier_id) for dossier_id in list(dossier_ids))


def national_sync_retry_now(*, row_ids: list[int]) -> int:
    """Admins' "retry now": back to pending, due at once, with a fresh count of attempts."""
    return (
        NationalSyncEvent.objects.filter(pk__in=row_ids)
        .exclude(state=SyncState.SENDING)
        .update(state=SyncState.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None)
    )


def national_sync_resend_dossier(*, code: str) -> int:
    """`manage.py interop_resend --code X`: every row of the dossier due again, then sent in order."""
    dossier = Dossier.objects.filter(code=code).first()
    if dossier is None:
        raise ApplicationError(_not_found(), code="not_found")
    ids = list(NationalSyncEvent.objects.filter(dossier=dossier).values_list("pk", flat=True))
    NationalSyncEvent.objects.filter(pk__in=ids).update(
        state=SyncState.PENDING, attempts=0, next_attempt_at=timezone.now(), lease_until=None
    )
    return national_sync_send_dossier(dossier_id=dossier.pk)


def _not_found() -> str:
    from django.utils.translation import gettext

    return gettext("Không tìm thấy hồ sơ.")
