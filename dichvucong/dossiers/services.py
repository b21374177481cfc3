"""Writes on dossiers. `dossier_transition` is the one door for every status change (CONVENTIONS #1)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dichvucong.agencies.models import Agency
from dichvucong.catalog.models import Procedure
from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.codes import CODE_TIMEZONE, dossier_code_day, dossier_code_next
from dichvucong.dossiers.constants import EVENT_DOSSIER_SUBMITTED, DossierAction, DossierStatus, ResultDelivery
from dichvucong.dossiers.models import Dossier, DossierEvent
from dichvucong.notifications.constants import Channel

logger = logging.getLogger(__name__)

# What the applicant may change on a draft; status, code, dates and the pinned version never.
DRAFT_EDITABLE_FIELDS: frozenset[str] = frozenset(
    {
        "owner_name",
        "owner_national_id",
        "owner_phone",
        "owner_email",
        "owner_province_code",
        "owner_ward_code",
        "owner_street_address",
        "result_delivery",
        "post_recipient_name",
        "post_recipient_phone",
        "post_province_code",
        "post_ward_code",
        "post_street_address",
        "notify_by_sms",
        "eform_data",
    }
)

ACTOR_APPLICANT = "applicant"


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset[str]
    to_status: str
    actor: str  # who may make the move; only the applicant for now, the back office adds its roles


TRANSITIONS: dict[str, Transition] = {
    DossierAction.SUBMIT: Transition(frozenset({DossierStatus.DRAFT}), DossierStatus.SUBMITTED, ACTOR_APPLICANT),
    # "Before reception": once an officer has received the dossier (processing…), withdrawing is a
    # request the agency decides on, which the back office will add as its own action.
    DossierAction.WITHDRAW: Transition(
        frozenset({DossierStatus.DRAFT, DossierStatus.SUBMITTED}), DossierStatus.WITHDRAWN, ACTOR_APPLICANT
    ),
}


def _forbidden() -> ApplicationError:
    return ApplicationError(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."), code="forbidden")


def _stale() -> ApplicationError:
    return ApplicationError(_("Hồ sơ đã thay đổi, vui lòng tải lại trang."), code="stale")


# --- Drafts ---------------------------------------------------------------------------------------
def dossier_create_draft(*, procedure: Procedure, applicant: AbstractBaseUser, agency: Agency | None = None) -> Dossier:
    """A new draft on the procedure's current version, with the owner prefilled from the account."""
    version = procedure.current_version
    if version is None or not version.is_published:
        raise ApplicationError(_("Thủ tục này hiện chưa nhận hồ sơ."), code="procedure_unavailable")
    receiving = list(version.receiving_agencies.all())
    if agency is None:
        if len(receiving) != 1:
            raise ApplicationError(_("Vui lòng chọn cơ quan tiếp nhận hồ sơ."), code="agency_required")
        agency = receiving[0]
    elif agency.pk not in {a.pk for a in receiving}:
        raise ApplicationError(_("Cơ quan này không tiếp nhận hồ sơ của thủ tục đã chọn."), code="agency_invalid")
    today = timezone.now().astimezone(CODE_TIMEZONE).date()
    if agency.valid_to is not None and agency.valid_to < today:
        raise ApplicationError(_("Cơ quan này không còn tiếp nhận hồ sơ."), code="agency_invalid")
    return Dossier.objects.create(
        procedure_version=version,
        agency=agency,
        applicant=applicant,
        owner_name=getattr(applicant, "full_name", "") or applicant.get_full_name(),
        owner_national_id=getattr(applicant, "national_id", None) or "",
        owner_phone=getattr(applicant, "phone", None) or "",
        owner_email=getattr(applicant, "email", "") or "",
        owner_province_code=getattr(applicant, "province_code", None),
        owner_ward_code=getattr(applicant, "ward_code", None),
        owner_street_address=getattr(applicant, "street_address", "") or "",
        status=DossierStatus.DRAFT,
    )


def dossier_update_draft(
    *, dossier: Dossier, actor: AbstractBaseUser, expected_version: int | None = None, **fields: Any
) -> Dossier:
    """Change whitelisted fields of a draft; only its applicant may, and only while it is a draft."""
    unknown = set(fields) - DRAFT_EDITABLE_FIELDS
    if unknown:
        # A programming error (a form passing a field it should not), not a user's mistake.
        raise TypeError(f"Fields not editable on a draft: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.applicant_id != actor.pk:
            raise _forbidden()
        if expected_version is not None and locked.version != expected_version:
            raise _stale()
        if locked.status != DossierStatus.DRAFT:
            raise ApplicationError(_("Hồ sơ đã gửi không thể sửa."), code="not_draft")
        for name, value in fields.items():
            setattr(locked, name, value)
        try:
            locked.clean_fields(exclude=[f.name for f in Dossier._meta.fields if f.name not in fields])
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), code="invalid", extra={"errors": exc.message_dict}) from exc
        locked.version += 1
        locked.save(update_fields=[*fields, "version", "updated_at"])
    return locked


# --- The one door ---------------------------------------------------------------------------------
def _actor_allowed(*, rule: Transition, dossier: Dossier, actor: AbstractBaseUser | None) -> bool:
    if rule.actor == ACTOR_APPLICANT:
        return actor is not None and actor.pk == dossier.applicant_id
    return False


def _check_submittable(dossier: Dossier) -> None:
    missing = []
    if not dossier.owner_name.strip():
        missing.append(_("họ và tên chủ hồ sơ"))
    if dossier.result_delivery == ResultDelivery.BY_POST and not (
        dossier.post_recipient_name.strip() and dossier.post_street_address.strip()
    ):
        missing.append(_("người nhận và địa chỉ nhận kết quả qua bưu điện"))
    if missing:
        raise ApplicationError(
            _("Hồ sơ còn thiếu: %(missing)s.") % {"missing": ", ".join(str(m) for m in missing)}, code="incomplete"
        )


def _event_append(
    *,
    dossier: Dossier,
    action: str,
    from_status: str,
    to_status: str,
    actor: AbstractBaseUser | None,
    comment: str,
    data: dict[str, Any],
) -> DossierEvent:
    # The dossier row is locked by the caller, so no other event of this dossier can be appended
    # between reading the last one and writing the next.
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-sequence").values("sequence", "hash").first()
    event = DossierEvent(
        dossier=dossier,
        sequence=(last["sequence"] + 1) if last else 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        comment=comment,
        created_at=timezone.now(),
        data=data,
        previous_hash=last["hash"] if last else "",
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    return event


def dossier_transition(
    *,
    dossier_id: int,
    action: str,
    actor: AbstractBaseUser | None,
    comment: str = "",
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Move a dossier to its next status: the only code that changes `Dossier.status`.

    Locks the row, checks who may do what from where, appends the chained event, saves the
    changed fields and queues the notifications for after the commit. Raises ApplicationError
    with code "not_found", "forbidden", "stale", "invalid_transition" or "incomplete".
    """
    try:
        action = DossierAction(action)
    except ValueError as exc:
        raise ApplicationError(_("Thao tác không hợp lệ."), code="invalid_action") from exc
    rule = TRANSITIONS[action]
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
        if dossier is None:
            raise ApplicationError(_("Không tìm thấy hồ sơ."), code="not_found")
        # Permission before anything else, so another citizen learns nothing about the dossier.
        if not _actor_allowed(rule=rule, dossier=dossier, actor=actor):
            raise _forbidden()
        if expected_version is not None and dossier.version != expected_version:
            raise _stale()
        if dossier.status not in rule.from_statuses:
            raise ApplicationError(
                _("Hồ sơ đang ở trạng thái “%(status)s”, không thể thực hiện “%(action)s”.")
                % {"status": dossier.get_status_display(), "action": action.label},
                code="invalid_transition",
            )
        from_status = dossier.status
        changed = ["status", "version", "updated_at"]
        now = timezone.now()
        if action == DossierAction.SUBMIT:
            _check_submittable(dossier)
            dossier.code = dossier_code_next(agency=dossier.agency, day=dossier_code_day(now))
            dossier.submitted_at = now
            changed += ["code", "submitted_at"]
        dossier.status = rule.to_status
        dossier.version += 1
        event_data = dict(data or {})
        if dossier.code:
            event_data.setdefault("code", dossier.code)
        _event_append(
            dossier=dossier,
            action=action,
            from_status=from_status,
            to_status=dossier.status,
            actor=actor,
            comment=comment,
            data=event_data,
        )
        dossier.save(update_fields=changed)
        if action == DossierAction.SUBMIT:
            dossier_pk = dossier.pk
            # robust: a missing template or a bad address must not undo a committed submission;
            # the failure is logged and the dossier stays sent.
            transaction.on_commit(lambda: dossier_notify_submitted(dossier_id=dossier_pk), robust=True)
    return dossier


# --- Side effects ---------------------------------------------------------------------------------
def dossier_notify_submitted(*, dossier_id: int) -> list[Any]:
    """Queue "Hồ sơ đã được gửi" on each channel the owner can be reached by; safe to run twice.

    The idempotency keys (dossier:{id}:submitted:{channel}) make a second run return the
    messages already queued (CONVENTIONS #5).
    """
    from dichvucong.notifications.services import notification_queue

    dossier = Dossier.objects.select_related("procedure_version", "agency", "applicant").get(pk=dossier_id)
    context = {
        "code": dossier.code,
        "procedure_name": dossier.procedure_version.name,
        "agency_name": dossier.agency.name,
        "submitted_at": dossier.submitted_at.astimezone(CODE_TIMEZONE).strftime("%H:%M %d/%m/%Y")
        if dossier.submitted_at
        else "",
        "lookup_url": f"{getattr(settings, 'PORTAL_BASE_URL', '')}/tra-cuu/?{urlencode({'ma': dossier.code})}",
        "full_name": dossier.owner_name,
    }
    recipients: list[tuple[str, str]] = []
    if dossier.notify_by_sms and dossier.owner_phone:
        recipients.append((Channel.SMS, dossier.owner_phone))
    if dossier.owner_email:
        recipients.append((Channel.EMAIL, dossier.owner_email))
    recipients.append((Channel.IN_APP, str(dossier.applicant_id)))
    language = getattr(dossier.applicant, "language", "vi") or "vi"
    queued = []
    for channel, recipient in recipients:
        try:
            queued.append(
                notification_queue(
                    event=EVENT_DOSSIER_SUBMITTED,
                    channel=channel,
                    recipient=recipient,
                    context=context,
                    idempotency_key=f"dossier:{dossier.pk}:submitted:{channel}",
                    user=dossier.applicant,
                    language=language,
                )
            )
        except ApplicationError:
            # One channel's problem (a malformed phone typed by the owner) must not stop the others.
            logger.exception("Dossier %s: could not queue the %s notification", dossier.pk, channel)
    return queued


# --- Integrity ------------------------------------------------------------------------------------
def dossier_events_verify(*, dossier: Dossier) -> bool:
    """Recompute the hash chain of the dossier's history; False if any event was altered or removed."""
    previous_hash = ""
    last_status: str | None = None
    for expected_sequence, event in enumerate(DossierEvent.objects.filter(dossier=dossier).order_by("sequence"), 1):
        if event.sequence != expected_sequence or event.previous_hash != previous_hash:
            return False
        if event.compute_hash() != event.hash:
            return False
        previous_hash = event.hash
        last_status = event.to_status
    if last_status is None:
        return True
    # The current status must be where the history ends, or it was written around the one door.
    current = Dossier.objects.filter(pk=dossier.pk).values_list("status", flat=True).first()
    return current == last_status
