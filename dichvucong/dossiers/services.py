"""Writes on dossiers. `dossier_transition` is the one door for every status change (CONVENTIONS #1)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from dichvucong.agencies.calendar import calendar_for
from dichvucong.agencies.models import Agency
from dichvucong.catalog.eforms import payload_problems, prefill_values
from dichvucong.catalog.models import DossierComponent, Procedure
from dichvucong.core.constants import AuditAction
from dichvucong.core.errors import ApplicationError
from dichvucong.core.permissions import (
    ROLE_AGENCY_LEADER,
    ROLE_CLERK,
    ROLE_HEAD_OF_DEPARTMENT,
    ROLE_ONE_STOP,
    ROLE_SPECIALIST,
    can_act_for_agency,
    officer_agency_id,
)
from dichvucong.core.services import audit_record, vietnamese
from dichvucong.dossiers.codes import CODE_TIMEZONE, dossier_code_day, dossier_code_next
from dichvucong.dossiers.constants import (
    EVENT_DOSSIER_SUBMITTED,
    EVENT_DOSSIER_UPDATED,
    SUPPLEMENT_EFORM,
    DossierAction,
    DossierStatus,
    IntakeChannel,
    ResultDelivery,
    SupplementStage,
)
from dichvucong.dossiers.files import file_check, human_size, safe_filename
from dichvucong.dossiers.models import (
    Consultation,
    DocumentKind,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFile,
)
from dichvucong.dossiers.selectors import reusable_files
from dichvucong.interop.services import national_sync_enqueue
from dichvucong.notifications.constants import Channel
from dichvucong.workflow.constants import ACCEPTANCE_HOURS
from dichvucong.workflow.engine import DossierState, StepSpec, allowed_actions, current_step, holds_step
from dichvucong.workflow.engine import next_step as engine_next_step
from dichvucong.workflow.engine import previous_step as engine_previous_step
from dichvucong.workflow.selectors import officer_state, process_steps
from dichvucong.workflow.services import process_for

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
ACTOR_OFFICER = "officer"
# An officer of an agency the handling agency consulted (xin ý kiến), answering on that dossier only.
ACTOR_CONSULTED = "consulted"
# The system itself (a payment confirmed by the gateway): no person, `actor=None`.
ACTOR_SYSTEM = "system"

# Officer roles (accounts.constants.OfficerRole values) allowed to make the back-office moves.
# The per-procedure process of the back office narrows these further (which step, which person).
_DESK = (ROLE_ONE_STOP,)
_HANDLERS = (ROLE_ONE_STOP, ROLE_SPECIALIST, ROLE_HEAD_OF_DEPARTMENT, ROLE_AGENCY_LEADER)
# Anyone holding a step of a process (the engine narrows it to the step's role, unit or officer).
_STEP_HOLDERS = (ROLE_ONE_STOP, ROLE_SPECIALIST, ROLE_HEAD_OF_DEPARTMENT, ROLE_AGENCY_LEADER, ROLE_CLERK)
_LEADERS = (ROLE_ONE_STOP, ROLE_HEAD_OF_DEPARTMENT, ROLE_AGENCY_LEADER)
_ACTIVE = frozenset(
    {
        DossierStatus.SUBMITTED,
        DossierStatus.PAYMENT_REQUESTED,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.PROCESSING,
        DossierStatus.SUSPENDED,
        DossierStatus.RESULT_READY,
    }
)


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset[str]
    # None: decided by the move itself (a supplement goes back where it was asked; a withdrawal
    # request leaves the status as it is until the agency answers).
    to_status: str | None
    actor: str  # ACTOR_APPLICANT or ACTOR_OFFICER
    roles: tuple[str, ...] = ()
    comment_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    DossierAction.SUBMIT: Transition(frozenset({DossierStatus.DRAFT}), DossierStatus.SUBMITTED, ACTOR_APPLICANT),
    # Immediate before reception; once received, withdrawing is a request the agency answers.
    # Before reception (still with the desk, waiting for a supplement or the fee asked first) the
    # citizen withdraws at once; `withdraw_is_immediate` adds "not received yet" to the statuses.
    DossierAction.WITHDRAW: Transition(
        frozenset(
            {
                DossierStatus.DRAFT,
                DossierStatus.SUBMITTED,
                DossierStatus.SUPPLEMENT_REQUESTED,
                DossierStatus.PAYMENT_REQUESTED,
            }
        ),
        DossierStatus.WITHDRAWN,
        ACTOR_APPLICANT,
    ),
    DossierAction.REQUEST_WITHDRAWAL: Transition(
        _ACTIVE - {DossierStatus.SUBMITTED}, None, ACTOR_APPLICANT, comment_required=True
    ),
    DossierAction.SUBMIT_SUPPLEMENT: Transition(frozenset({DossierStatus.SUPPLEMENT_REQUESTED}), None, ACTOR_APPLICANT),
    DossierAction.RECEIVE: Transition(
        frozenset({DossierStatus.SUBMITTED}), DossierStatus.PROCESSING, ACTOR_OFFICER, _DESK
    ),
    DossierAction.REQUEST_SUPPLEMENT: Transition(
        frozenset({DossierStatus.SUBMITTED, DossierStatus.PROCESSING}),
        DossierStatus.SUPPLEMENT_REQUESTED,
        ACTOR_OFFICER,
        _HANDLERS,
    ),
    DossierAction.REFUSE: Transition(
        frozenset({DossierStatus.SUBMITTED, DossierStatus.PROCESSING}),
        DossierStatus.REFUSED,
        ACTOR_OFFICER,
        _LEADERS,
        comment_required=True,
    ),
    DossierAction.REQUEST_PAYMENT: Transition(
        frozenset({DossierStatus.SUBMITTED, DossierStatus.PROCESSING, DossierStatus.RESULT_READY}),
        DossierStatus.PAYMENT_REQUESTED,
        ACTOR_OFFICER,
        _HANDLERS,
    ),
    DossierAction.CONFIRM_PAYMENT: Transition(
        frozenset({DossierStatus.PAYMENT_REQUESTED}), None, ACTOR_OFFICER, _HANDLERS
    ),
    DossierAction.SUSPEND: Transition(
        frozenset({DossierStatus.PROCESSING}), DossierStatus.SUSPENDED, ACTOR_OFFICER, _LEADERS, comment_required=True
    ),
    DossierAction.RESUME: Transition(
        frozenset({DossierStatus.SUSPENDED}), DossierStatus.PROCESSING, ACTOR_OFFICER, _LEADERS
    ),
    DossierAction.APPROVE_WITHDRAWAL: Transition(_ACTIVE, DossierStatus.WITHDRAWN, ACTOR_OFFICER, _LEADERS),
    DossierAction.DECLINE_WITHDRAWAL: Transition(_ACTIVE, None, ACTOR_OFFICER, _LEADERS, comment_required=True),
    DossierAction.FINISH: Transition(
        frozenset({DossierStatus.PROCESSING}), DossierStatus.RESULT_READY, ACTOR_OFFICER, _STEP_HOLDERS
    ),
    DossierAction.SIGN: Transition(
        frozenset({DossierStatus.PROCESSING}), DossierStatus.RESULT_READY, ACTOR_OFFICER, _STEP_HOLDERS
    ),
    DossierAction.RETURN_RESULT: Transition(
        frozenset({DossierStatus.RESULT_READY}), DossierStatus.RETURNED, ACTOR_OFFICER, _STEP_HOLDERS
    ),
    DossierAction.FORWARD: Transition(
        frozenset({DossierStatus.PROCESSING}), DossierStatus.PROCESSING, ACTOR_OFFICER, _STEP_HOLDERS
    ),
    DossierAction.SEND_BACK: Transition(
        frozenset({DossierStatus.PROCESSING}),
        DossierStatus.PROCESSING,
        ACTOR_OFFICER,
        _STEP_HOLDERS,
        comment_required=True,
    ),
    DossierAction.PROPOSE_REFUSAL: Transition(
        frozenset({DossierStatus.PROCESSING}),
        DossierStatus.PROCESSING,
        ACTOR_OFFICER,
        _STEP_HOLDERS,
        comment_required=True,
    ),
    DossierAction.PAYMENT_RECEIVED: Transition(frozenset({DossierStatus.PAYMENT_REQUESTED}), None, ACTOR_SYSTEM),
    DossierAction.CONSULT: Transition(
        frozenset({DossierStatus.PROCESSING}), DossierStatus.PROCESSING, ACTOR_OFFICER, _STEP_HOLDERS
    ),
    DossierAction.ANSWER_CONSULTATION: Transition(_ACTIVE, None, ACTOR_CONSULTED),
    DossierAction.EXTEND: Transition(
        frozenset({DossierStatus.PROCESSING}), DossierStatus.PROCESSING, ACTOR_OFFICER, _LEADERS, comment_required=True
    ),
}


def _forbidden() -> ApplicationError:
    return ApplicationError(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."), code="forbidden")


def _stale() -> ApplicationError:
    return ApplicationError(_("Hồ sơ đã thay đổi, vui lòng tải lại trang."), code="stale")


def _is_desk_draft(dossier: Dossier) -> bool:
    return dossier.channel != IntakeChannel.ONLINE and dossier.status == DossierStatus.DRAFT


def _may_edit(dossier: Dossier, actor: AbstractBaseUser) -> bool:
    """Who completes a draft: its applicant online; the receiving desk for papers brought in person or by post.

    A desk draft is the one-stop officer's work in progress, not the citizen's: the owner neither
    sees nor edits it until it is received; after that, the owner acts on it like on any dossier.
    """
    if _is_desk_draft(dossier):
        return can_act_for_agency(actor, dossier.agency_id, ROLE_ONE_STOP)
    return actor.pk == dossier.applicant_id or desk_receives_supplement(dossier, actor)


def desk_receives_supplement(dossier: Dossier, actor: AbstractBaseUser) -> bool:
    """Whether this officer may take a desk dossier's supplementary papers at the desk, for its owner.

    A dossier brought in person or by post may belong to an account the desk created inactive (no
    password): its owner cannot answer a supplement request online, so they bring the papers back to the
    desk, which scans them and sends the supplement on their behalf, through the same move as the
    citizen's "Gửi bổ sung". Only a one-stop officer of the dossier's own agency (not a system
    administrator from elsewhere); an owner with an account keeps their own path as well.
    """
    return (
        dossier.channel != IntakeChannel.ONLINE
        and dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
        and actor.pk != dossier.applicant_id
        and officer_agency_id(actor) == dossier.agency_id
        and can_act_for_agency(actor, dossier.agency_id, ROLE_ONE_STOP)
    )


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
        status=DossierStatus.DRAFT,
        **owner_from_account(applicant),
    )


def owner_from_account(applicant: AbstractBaseUser) -> dict[str, Any]:
    """The owner fields of a new dossier, from the applicant's account (chủ hồ sơ is the applicant at first).

    SMS notifications are on when the account has a phone number to send them to.
    """
    phone = getattr(applicant, "phone", None) or ""
    return {
        "owner_name": getattr(applicant, "full_name", "") or applicant.get_full_name(),
        "owner_national_id": getattr(applicant, "national_id", None) or "",
        "owner_phone": phone,
        "owner_email": getattr(applicant, "email", "") or "",
        "owner_province_code": getattr(applicant, "province_code", None),
        "owner_ward_code": getattr(applicant, "ward_code", None),
        "owner_street_address": getattr(applicant, "street_address", "") or "",
        "notify_by_sms": bool(phone),
    }


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
        if not _may_edit(locked, actor):
            raise _forbidden()
        if expected_version is not None and locked.version != expected_version:
            raise _stale()
        if locked.status != DossierStatus.DRAFT:
            # In a supplement the declaration may change only when it was asked for.
            scope = dossier_edit_scope(locked)
            if scope is None or not scope.eform or set(fields) - {"eform_data"}:
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


def dossier_delete_draft(*, dossier: Dossier, actor: AbstractBaseUser) -> None:
    """Delete a draft that was never sent, with its files (a blob shared by a reused file stays)."""
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
        if locked is None or not _may_edit(locked, actor):
            raise _forbidden()
        if locked.status != DossierStatus.DRAFT or DossierEvent.objects.filter(dossier=locked).exists():
            raise ApplicationError(_("Chỉ xóa được hồ sơ chưa gửi."), code="not_draft")
        names = list(DossierFile.objects.filter(dossier=locked).values_list("file", flat=True))
        DossierFile.objects.filter(dossier=locked).delete()
        locked.delete()
        transaction.on_commit(lambda: _blobs_delete_unreferenced(names), robust=True)


def dossier_prefill(*, dossier: Dossier, actor: AbstractBaseUser) -> list[str]:
    """Fill the declaration's empty fields from the account and the latest earlier declaration.

    Only fields whose definition names a `prefill` source are touched, and only when still empty:
    the citizen asked for it ("Điền sẵn"), and nothing typed is overwritten. Returns the field
    names filled.
    """
    definition = dossier.procedure_version.eform or {}
    profile = {
        "full_name": getattr(actor, "full_name", ""),
        "national_id": getattr(actor, "national_id", None) or "",
        "phone": getattr(actor, "phone", None) or "",
        "email": getattr(actor, "email", "") or "",
        "date_of_birth": actor.date_of_birth.isoformat() if getattr(actor, "date_of_birth", None) else None,
        "address": {
            "province_code": actor.province_code,
            "ward_code": actor.ward_code,
            "street": actor.street_address or "",
        }
        if getattr(actor, "ward_code", None)
        else None,
    }
    previous = (
        Dossier.objects.filter(applicant=actor)
        .exclude(pk=dossier.pk)
        .exclude(status=DossierStatus.DRAFT)
        .exclude(eform_data={})
        .order_by("-submitted_at", "-pk")
        .values_list("eform_data", flat=True)
        .first()
    ) or {}
    offered = prefill_values(definition, profile=profile, previous=previous)
    current = dict(dossier.eform_data or {})
    filled = [name for name, value in offered.items() if current.get(name) in (None, "", [], {})]
    if not filled:
        return []
    current.update({name: offered[name] for name in filled})
    dossier_update_draft(dossier=dossier, actor=actor, eform_data=current)
    return filled


# --- Attachments ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class EditScope:
    """What the applicant may change now: everything on a draft, only what was asked in a supplement."""

    components: frozenset[int] | None  # None: every component of the version
    eform: bool
    request: DossierEvent | None = None

    def allows(self, component_id: int) -> bool:
        return self.components is None or component_id in self.components


def dossier_edit_scope(dossier: Dossier) -> EditScope | None:
    """None when the applicant may change nothing (sent and not asked for a supplement)."""
    if dossier.status == DossierStatus.DRAFT:
        return EditScope(components=None, eform=True)
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        request = _last_event(dossier, DossierAction.REQUEST_SUPPLEMENT)
        items = request.data.get("items", []) if request else []
        components = frozenset(int(i["component"]) for i in items if i.get("component") != SUPPLEMENT_EFORM)
        eform = any(i.get("component") == SUPPLEMENT_EFORM for i in items)
        return EditScope(components=components, eform=eform, request=request)
    return None


def _locked_for_files(dossier: Dossier, actor: AbstractBaseUser) -> tuple[Dossier, EditScope]:
    locked = Dossier.objects.select_for_update().select_related("procedure_version").filter(pk=dossier.pk).first()
    if locked is None or not _may_edit(locked, actor):
        raise _forbidden()
    scope = dossier_edit_scope(locked)
    if scope is None:
        raise ApplicationError(_("Hồ sơ đã gửi không thể sửa."), code="not_editable")
    return locked, scope


def _component_of(dossier: Dossier, component_id: Any, scope: EditScope) -> DossierComponent:
    try:
        component = DossierComponent.objects.get(pk=int(component_id), version_id=dossier.procedure_version_id)
    except (TypeError, ValueError, DossierComponent.DoesNotExist):
        raise ApplicationError(_("Thành phần hồ sơ không thuộc hồ sơ này."), code="invalid_component") from None
    if not scope.allows(component.pk):
        raise ApplicationError(
            _("Thành phần “%(name)s” không nằm trong nội dung yêu cầu bổ sung.") % {"name": component.name},
            code="not_requested",
        )
    return component


def _check_room(dossier: Dossier, component: DossierComponent, adding: int) -> None:
    """Count and size limits, over the files that are part of the dossier now."""

    current = DossierFile.objects.filter(dossier=dossier, replaced_at__isnull=True)
    max_component = settings.ATTACHMENT_MAX_FILES_PER_COMPONENT
    if current.filter(component=component).count() >= max_component:
        raise ApplicationError(
            _("Mỗi thành phần hồ sơ có tối đa %(n)s tệp; “%(name)s” đã đủ.")
            % {"n": max_component, "name": component.name},
            code="too_many_files",
        )
    max_files = settings.ATTACHMENT_MAX_FILES_PER_DOSSIER
    if current.count() >= max_files:
        raise ApplicationError(_("Một hồ sơ có tối đa %(n)s tệp đính kèm.") % {"n": max_files}, code="too_many_files")
    limit = settings.ATTACHMENT_MAX_DOSSIER_MB * 1024 * 1024
    total = sum(current.values_list("size", flat=True))
    if total + adding > limit:
        raise ApplicationError(
            _("Tổng dung lượng tệp của hồ sơ sẽ là %(total)s, vượt quá giới hạn %(limit)s MB.")
            % {"total": human_size(total + adding), "limit": settings.ATTACHMENT_MAX_DOSSIER_MB},
            code="dossier_too_large",
        )


def _file_round(dossier: Dossier) -> int:
    return dossier.supplement_round + 1 if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED else 0


def dossier_file_add(*, dossier: Dossier, component_id: Any, upload: Any, actor: AbstractBaseUser) -> DossierFile:
    """Attach an uploaded file to a component, after checking it by content (type, size, integrity)."""

    check = file_check(
        upload,
        allowed_kinds=settings.ATTACHMENT_ALLOWED_TYPES,
        max_bytes=settings.ATTACHMENT_MAX_FILE_MB * 1024 * 1024,
    )
    with transaction.atomic():
        locked, scope = _locked_for_files(dossier, actor)
        component = _component_of(locked, component_id, scope)
        _check_room(locked, component, check.size)
        record = DossierFile(
            dossier=locked,
            component=component,
            name=safe_filename(getattr(upload, "name", "") or "", extension=check.extension),
            extension=check.extension,
            size=check.size,
            sha256=check.sha256,
            content_type=check.content_type,
            kind=check.kind,
            is_signed_pdf=check.is_signed_pdf,
            signature_count=check.signature_count,
            round=_file_round(locked),
            uploaded_by=actor,
            # Paper brought to the desk and scanned there (số hóa): the officer vouches for the copy.
            digitised=_is_desk_draft(locked) or desk_receives_supplement(locked, actor),
        )
        upload.seek(0)
        record.file.save(record.name, upload, save=False)
        stored = record.file.name
        try:
            record.save(force_insert=True)
        except Exception:
            record.file.storage.delete(stored)
            raise
    return record


def dossier_file_reuse(
    *, dossier: Dossier, component_id: Any, source_file_id: Any, actor: AbstractBaseUser
) -> DossierFile:
    """Attach a document the applicant already gave in an accepted dossier ("không phải cung cấp lại")."""

    with transaction.atomic():
        locked, scope = _locked_for_files(dossier, actor)
        component = _component_of(locked, component_id, scope)
        try:
            source = reusable_files(user=actor, component=component).get(pk=int(source_file_id))
        except (TypeError, ValueError, DossierFile.DoesNotExist):
            raise ApplicationError(
                _("Không dùng lại được giấy tờ đã chọn cho thành phần này."), code="not_reusable"
            ) from None
        if DossierFile.objects.filter(
            dossier=locked, component=component, sha256=source.sha256, replaced_at__isnull=True
        ).exists():
            raise ApplicationError(_("Giấy tờ này đã có trong hồ sơ."), code="duplicate")
        _check_room(locked, component, source.size)
        return DossierFile.objects.create(
            dossier=locked,
            component=component,
            file=source.file.name,
            name=source.name,
            extension=source.extension,
            size=source.size,
            sha256=source.sha256,
            content_type=source.content_type,
            kind=source.kind,
            is_signed_pdf=source.is_signed_pdf,
            signature_count=source.signature_count,
            round=_file_round(locked),
            reused_from=source,
            uploaded_by=actor,
        )


def dossier_file_remove(*, dossier: Dossier, file_id: Any, actor: AbstractBaseUser) -> None:
    """Take a file out: deleted from a draft; in a supplement, a file already sent is kept as replaced."""
    with transaction.atomic():
        locked, scope = _locked_for_files(dossier, actor)
        try:
            record = DossierFile.objects.get(pk=int(file_id), dossier=locked, replaced_at__isnull=True)
        except (TypeError, ValueError, DossierFile.DoesNotExist):
            raise ApplicationError(_("Không tìm thấy tệp đính kèm."), code="not_found") from None
        if not scope.allows(record.component_id):
            raise ApplicationError(
                _("Tệp này không thuộc nội dung yêu cầu bổ sung nên không thể thay."), code="not_requested"
            )
        if record.round == _file_round(locked):
            name = record.file.name
            record.delete()
            transaction.on_commit(lambda: _blobs_delete_unreferenced([name]), robust=True)
        else:
            # Sent before: evidence of what the agency received, so it is kept and marked replaced.
            record.replaced_at = timezone.now()
            record.save(update_fields=["replaced_at"])


def _blobs_delete_unreferenced(names: Iterable[str]) -> None:
    from django.core.files.storage import default_storage

    for name in set(names):
        if name and not DossierFile.objects.filter(file=name).exists():
            default_storage.delete(name)


# --- The one door ---------------------------------------------------------------------------------
def _actor_allowed(*, rule: Transition, dossier: Dossier, actor: AbstractBaseUser | None) -> bool:
    if rule.actor == ACTOR_SYSTEM:
        return actor is None
    if actor is None:
        return False
    if rule.actor == ACTOR_APPLICANT:
        if desk_receives_supplement(dossier, actor):
            # The desk hands in the owner's supplementary papers; withdrawing stays the owner's decision.
            return rule is TRANSITIONS[DossierAction.SUBMIT_SUPPLEMENT]
        # On a desk draft the desk acts for the applicant (sends it, or drops it).
        return _may_edit(dossier, actor)
    if rule.actor == ACTOR_CONSULTED:
        agency_id = officer_agency_id(actor)
        return agency_id is not None and Consultation.objects.filter(dossier=dossier, agency_id=agency_id).exists()
    return can_act_for_agency(actor, dossier.agency_id, *rule.roles)


@dataclass(frozen=True)
class Problem:
    """One thing that stops a dossier from being sent, and the section of the form it belongs to."""

    section: str  # one of FORM_SECTIONS
    message: str
    anchor: str = ""


# The sections of the dossier form, in order (the anchors of the progress indicator).
SECTION_GENERAL = "thong-tin-chung"
SECTION_DELIVERY = "nhan-ket-qua"
SECTION_COMPONENTS = "thanh-phan-ho-so"
SECTION_EFORM = "to-khai"
FORM_SECTIONS = (SECTION_GENERAL, SECTION_DELIVERY, SECTION_COMPONENTS, SECTION_EFORM)


def dossier_problems(dossier: Dossier) -> list[Problem]:
    """Everything that stops a dossier from being sent, in the order of the form; empty when none.

    The review page shows the same list the transition refuses with, so what the citizen reads
    is exactly what the rule checks.
    """
    problems: list[Problem] = []
    if not dossier.owner_name.strip():
        problems.append(Problem(SECTION_GENERAL, _("Chưa nhập họ và tên chủ hồ sơ.")))
    if dossier.notify_by_sms and not dossier.owner_phone:
        problems.append(Problem(SECTION_GENERAL, _("Chưa nhập số điện thoại để nhận thông báo qua SMS.")))
    if dossier.result_delivery == ResultDelivery.BY_POST and not (
        dossier.post_recipient_name.strip() and dossier.post_street_address.strip() and dossier.post_ward_code
    ):
        problems.append(Problem(SECTION_DELIVERY, _("Chưa nhập đủ người nhận và địa chỉ nhận kết quả qua bưu điện.")))
    version = dossier.procedure_version
    with_files = set(
        DossierFile.objects.filter(dossier=dossier, replaced_at__isnull=True).values_list("component_id", flat=True)
    )
    definition = version.eform or {}
    has_eform = bool(definition.get("sections"))
    for component in version.components.all():
        if component.is_eform and has_eform:
            continue  # the declaration is filled online (section "Tờ khai"), not uploaded
        if component.required and component.pk not in with_files:
            problems.append(
                Problem(
                    SECTION_COMPONENTS,
                    _("Chưa đính kèm thành phần bắt buộc: %(name)s.") % {"name": component.name},
                    anchor=f"thanh-phan-{component.pk}",
                )
            )
    if has_eform:
        for problem in payload_problems(definition, dossier.eform_data or {}):
            label, message = problem["label"], problem["message"]
            text = _("Tờ khai — %(label)s: %(message)s") % {"label": label, "message": message} if label else message
            problems.append(Problem(SECTION_EFORM, text, anchor=problem["anchor"]))
    return problems


def _check_submittable(dossier: Dossier) -> None:
    problems = [problem.message for problem in dossier_problems(dossier)]
    if problems:
        raise ApplicationError(
            _("Hồ sơ chưa đủ để gửi: %(problems)s") % {"problems": " ".join(problems)},
            code="incomplete",
            extra={"problems": problems},
        )


def _supplement_items(dossier: Dossier, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The items of a supplement request, each a component of this dossier or the e-form, with a reason."""
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise ApplicationError(_("Vui lòng nêu ít nhất một nội dung cần bổ sung."), code="invalid")
    components = {c.pk: c for c in dossier.procedure_version.components.all()}
    items: list[dict[str, Any]] = []
    for raw in raw_items[:50]:
        if not isinstance(raw, dict):
            raise ApplicationError(_("Nội dung yêu cầu bổ sung không hợp lệ."), code="invalid")
        target = raw.get("component")
        reason = str(raw.get("reason") or "").strip()[:2000]
        if target == SUPPLEMENT_EFORM:
            items.append({"component": SUPPLEMENT_EFORM, "name": str(_("Tờ khai")), "reason": reason})
            continue
        try:
            component = components[int(target)]
        except (TypeError, ValueError, KeyError):
            raise ApplicationError(
                _("Thành phần hồ sơ yêu cầu bổ sung không thuộc hồ sơ này."), code="invalid"
            ) from None
        items.append({"component": component.pk, "name": component.name, "reason": reason})
    return items


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


def _last_event(dossier: Dossier, action: str) -> DossierEvent | None:
    return DossierEvent.objects.filter(dossier=dossier, action=action).order_by("-sequence").first()


def _shift_deadline(dossier: Dossier, *, paused_since: datetime | None, now: datetime, changed: list[str]) -> None:
    """Move the appointment and the step's due time by the working time the clock stood still (DESIGN §4)."""
    if paused_since is None:
        return
    calendar = calendar_for(dossier.agency)
    paused = calendar.working_time_between(paused_since, now)
    if not paused:
        return
    if dossier.appointment_at is not None:
        dossier.appointment_at = calendar.add_working_time(dossier.appointment_at, paused)
        changed.append("appointment_at")
    if dossier.step_due_at is not None:
        dossier.step_due_at = calendar.add_working_time(dossier.step_due_at, paused)
        changed.append("step_due_at")


def withdraw_is_immediate(dossier: Dossier) -> bool:
    """Whether the applicant may withdraw at once: a draft, or sent and not yet received."""
    return dossier.status in TRANSITIONS[DossierAction.WITHDRAW].from_statuses and dossier.received_at is None


def dossier_engine_state(dossier: Dossier) -> DossierState:
    """The dossier as the workflow engine sees it (its process's steps prefetched when possible)."""
    return DossierState(
        status=dossier.status,
        agency_id=dossier.agency_id,
        steps=process_steps(dossier.process) if dossier.process_id else (),
        step_order=dossier.step_order,
        assignee_id=dossier.assignee_id,
        withdrawal_requested=dossier.withdrawal_requested_at is not None,
        refusal_proposed=dossier.refusal_proposed,
    )


def _assignee_for(dossier: Dossier, step: StepSpec, data: dict[str, Any]) -> AbstractBaseUser | None:
    """Who the step goes to: its named officer, the officer the giver chose, or nobody (the unit's pool)."""
    from dichvucong.accounts.models import User

    if step.officer_id is not None:
        return User.objects.filter(pk=step.officer_id).first()
    chosen = data.pop("assignee", None)
    if chosen in (None, ""):
        return None
    try:
        user = User.objects.select_related("officer_profile").get(pk=int(chosen), is_active=True)
    except (TypeError, ValueError, User.DoesNotExist):
        raise ApplicationError(_("Cán bộ được chọn không hợp lệ."), code="invalid") from None
    officer = officer_state(user)
    if officer.agency_id != dossier.agency_id or not holds_step(officer, step):
        raise ApplicationError(
            _("Cán bộ được chọn không thực hiện được bước “%(step)s”.") % {"step": step.name}, code="invalid"
        )
    return user


def _enter_step(
    dossier: Dossier,
    step: StepSpec,
    *,
    now: datetime,
    event_data: dict[str, Any],
    changed: list[str],
    assignee: AbstractBaseUser | None = None,
) -> None:
    """Hand the dossier to `step`: who holds it, since when, until when (in the agency's working time)."""
    event_data["step"] = {
        "from": dossier.step_order,
        "to": step.order,
        "name": step.name,
        "assignee": assignee.pk if assignee is not None else None,
        "assignee_name": str(assignee) if assignee is not None else "",
    }
    dossier.step_order = step.order
    dossier.assignee = assignee
    dossier.step_started_at = now
    dossier.step_due_at = calendar_for(dossier.agency).add_working_time(
        now, timedelta(hours=float(step.allotted_hours))
    )
    event_data["step"]["due_at"] = dossier.step_due_at.isoformat()
    changed += ["step_order", "assignee", "step_started_at", "step_due_at"]


def _leave_steps(dossier: Dossier, changed: list[str]) -> None:
    dossier.assignee = None
    dossier.step_due_at = None
    changed += ["assignee", "step_due_at"]


def _last_holder(dossier: Dossier, order: int) -> AbstractBaseUser | None:
    """Who last worked the step `order` (the one who moved the dossier on from it), to send it back to."""
    for event in DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("-sequence"):
        if (event.data or {}).get("step", {}).get("from") == order and event.actor is not None:
            return event.actor
    return None


# Moves that hand the dossier from one holder to the next: each is a row of the control slip.
HANDOFF_ACTIONS: frozenset[str] = frozenset(
    {
        DossierAction.RECEIVE,
        DossierAction.FORWARD,
        DossierAction.SEND_BACK,
        DossierAction.PROPOSE_REFUSAL,
        DossierAction.SIGN,
        DossierAction.FINISH,
        DossierAction.RETURN_RESULT,
    }
)


def _record_handoff(dossier: Dossier, action: str, event_data: dict[str, Any]) -> None:
    """Note in the event which step the dossier leaves and the due time then in force (pauses included)."""
    if action not in HANDOFF_ACTIONS:
        return
    if action == DossierAction.RECEIVE:
        name, due = str(_("Tiếp nhận hồ sơ")), dossier.acceptance_due_at
    else:
        step = current_step(dossier_engine_state(dossier))
        name, due = (step.name if step else ""), dossier.step_due_at
    event_data["handoff"] = {"step": name, "due_at": due.isoformat() if due else None}


RESULT_MAX_MB = 20


def dossier_result_upload(*, dossier: Dossier, upload: Any, actor: AbstractBaseUser) -> DossierDocument:
    """Keep the result document (văn bản kết quả, PDF) an officer uploads to be signed at the SIGN move.

    Checked by content like citizens' files; only an officer of the dossier's agency may upload,
    only while the dossier is being processed.
    """
    if not can_act_for_agency(actor, dossier.agency_id, *_STEP_HOLDERS):
        raise _forbidden()
    if dossier.status != DossierStatus.PROCESSING:
        raise ApplicationError(_("Chỉ tải văn bản kết quả khi hồ sơ đang xử lý."), code="invalid_transition")
    check = file_check(upload, allowed_kinds=("pdf",), max_bytes=RESULT_MAX_MB * 1024 * 1024)
    record = DossierDocument(
        dossier=dossier,
        kind=DocumentKind.RESULT,
        name=safe_filename(getattr(upload, "name", "") or "ket-qua.pdf", extension=check.extension),
        extension=check.extension,
        size=check.size,
        sha256=check.sha256,
        content_type=check.content_type,
        created_by=actor,
    )
    upload.seek(0)
    record.file.save(record.name, upload, save=False)
    try:
        record.save(force_insert=True)
    except Exception:
        record.file.storage.delete(record.file.name)
        raise
    return record


def _sign_result(dossier: Dossier, *, actor: AbstractBaseUser, now: datetime, event_data: dict[str, Any]) -> None:
    """Sign the uploaded result with the agency's key (PAdES); the signed copy replaces the unsigned one."""
    import hashlib

    from django.core.files.base import ContentFile

    from dichvucong.documents.signing import sign_pdf

    source = (
        DossierDocument.objects.filter(
            dossier=dossier, kind=DocumentKind.RESULT, is_signed=False, replaced_at__isnull=True
        )
        .filter(pk=event_data.pop("document", None) or 0)
        .first()
    )
    if source is None:
        raise ApplicationError(_("Vui lòng tải lên văn bản kết quả (PDF) để ký số."), code="invalid")
    with source.file.open("rb") as handle:
        unsigned = handle.read()
    signed = sign_pdf(
        unsigned,
        agency_code=dossier.agency.code,
        agency_name=dossier.agency.name,
        signer_name=str(actor),
        reason=str(_("Ký số kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code}),
        location=dossier.agency.name,
    )
    record = DossierDocument(
        dossier=dossier,
        kind=DocumentKind.RESULT,
        name=source.name,
        extension=source.extension,
        size=len(signed),
        sha256=hashlib.sha256(signed).hexdigest(),
        content_type="application/pdf",
        is_signed=True,
        signed_at=now,
        signer_name=str(actor),
        created_by=actor,
    )
    record.file.save(record.name, ContentFile(signed), save=False)
    stored = record.file.name
    try:
        record.save(force_insert=True)
        source.replaced_at = now
        source.save(update_fields=["replaced_at"])
    except Exception:
        record.file.storage.delete(stored)
        raise
    # The file is kept if the transaction is rolled back later: an orphan blob, never a lost document.
    event_data["document"] = {"id": record.pk, "sha256": record.sha256, "name": record.name}
    _register_signed_result(dossier, record=record, pdf=signed)


def _register_signed_result(dossier: Dossier, *, record: DossierDocument, pdf: bytes) -> None:
    """The signed result joins the registry of issued documents under its own public id, so that
    /xac-thuc/<id>/ tells anyone holding it the signer, the time and whether the file is the one issued."""
    from dichvucong.documents.constants import IssuedKind
    from dichvucong.documents.verification import issued_document_register_signed
    from dichvucong.dossiers.lookup import mask_name

    issued_document_register_signed(
        public_id=record.public_id.hex,
        kind=IssuedKind.RESULT,
        agency_code=dossier.agency.code,
        agency_name=dossier.agency.name,
        reference=dossier.code,
        holder_masked=mask_name(dossier.owner_name or str(dossier.applicant)),
        source=f"dossier:{dossier.pk}",
        pdf=pdf,
    )


CONSULTATION_DEFAULT_HOURS = 16  # two working days for the consulted agency, unless the asker says otherwise


def _consult(dossier: Dossier, *, actor: Any, now: datetime, event_data: dict[str, Any]) -> None:
    """Ask another agency: the question, the files shared with it, its own working time to answer."""
    agency = Agency.objects.filter(pk=_int(event_data.pop("agency", None))).first()
    if agency is None or agency.pk == dossier.agency_id:
        raise ApplicationError(_("Vui lòng chọn cơ quan khác để xin ý kiến."), code="invalid")
    question = str(event_data.pop("question", "") or "").strip()
    if not question:
        raise ApplicationError(_("Vui lòng nhập nội dung xin ý kiến."), code="invalid")
    hours = _int(event_data.pop("hours", None)) or CONSULTATION_DEFAULT_HOURS
    if not 1 <= hours <= 400:
        raise ApplicationError(_("Thời hạn trả lời phải từ 1 đến 400 giờ làm việc."), code="invalid")
    wanted = {_int(pk) for pk in event_data.pop("files", None) or []} - {None}
    files = list(DossierFile.objects.filter(dossier=dossier, pk__in=wanted, replaced_at__isnull=True))
    if len(files) != len(wanted):
        raise ApplicationError(_("Tệp được chọn không thuộc hồ sơ này."), code="invalid")
    consultation = Consultation.objects.create(
        dossier=dossier,
        agency=agency,
        question=question,
        requested_by=actor,
        requested_at=now,
        due_at=calendar_for(agency).add_working_time(now, timedelta(hours=hours)),
    )
    consultation.shared_files.set(files)
    event_data["consultation"] = {
        "id": consultation.pk,
        "agency": agency.name,
        "question": question,
        "files": [file.name for file in files],
        "due_at": consultation.due_at.isoformat(),
    }


def _answer_consultation(dossier: Dossier, *, actor: Any, now: datetime, event_data: dict[str, Any]) -> None:
    consultation = (
        Consultation.objects.select_for_update()
        .filter(dossier=dossier, pk=_int(event_data.pop("consultation", None)), agency_id=officer_agency_id(actor))
        .first()
    )
    if consultation is None:
        raise ApplicationError(_("Không tìm thấy yêu cầu xin ý kiến."), code="not_found")
    if consultation.answered_at is not None:
        raise ApplicationError(_("Yêu cầu xin ý kiến này đã được trả lời."), code="duplicate")
    answer = str(event_data.pop("answer", "") or "").strip()
    if not answer:
        raise ApplicationError(_("Vui lòng nhập ý kiến trả lời."), code="invalid")
    consultation.answer, consultation.answered_by, consultation.answered_at = answer, actor, now
    consultation.save(update_fields=["answer", "answered_by", "answered_at"])
    event_data["consultation"] = {
        "id": consultation.pk,
        "agency": consultation.agency.name,
        "answer": answer,
        "on_time": now <= consultation.due_at,
    }


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _acceptance_due(dossier: Dossier, now: datetime) -> datetime:
    return calendar_for(dossier.agency).add_working_time(now, timedelta(hours=ACCEPTANCE_HOURS))


def _extend(dossier: Dossier, *, event_data: dict[str, Any], changed: list[str]) -> None:
    """A new appointment date (văn bản xin lỗi và hẹn lại): later than the current one, a working day."""
    raw = event_data.get("new_appointment_at")
    try:
        new = datetime.fromisoformat(str(raw))
    except (TypeError, ValueError):
        raise ApplicationError(_("Vui lòng nhập ngày hẹn trả mới hợp lệ."), code="invalid") from None
    if timezone.is_naive(new):
        new = timezone.make_aware(new, CODE_TIMEZONE)
    if dossier.appointment_at is not None and new <= dossier.appointment_at:
        raise ApplicationError(_("Ngày hẹn trả mới phải sau ngày hẹn hiện tại."), code="invalid")
    if not calendar_for(dossier.agency).is_working_day(new.astimezone(CODE_TIMEZONE).date()):
        raise ApplicationError(_("Ngày hẹn trả mới phải là ngày làm việc."), code="invalid")
    if dossier.original_appointment_at is None:
        dossier.original_appointment_at = dossier.appointment_at
        changed.append("original_appointment_at")
    event_data["previous_appointment_at"] = dossier.appointment_at.isoformat() if dossier.appointment_at else None
    event_data["new_appointment_at"] = new.isoformat()
    dossier.appointment_at = new
    changed.append("appointment_at")


def _apply_effects(
    *,
    dossier: Dossier,
    action: str,
    actor: AbstractBaseUser | None,
    rule: Transition,
    now: datetime,
    event_data: dict[str, Any],
    changed: list[str],
) -> str:
    """What a move does besides the status; returns the new status."""
    to_status = rule.to_status
    if action == DossierAction.SUBMIT:
        _check_submittable(dossier)
        dossier.code = dossier_code_next(agency=dossier.agency, day=dossier_code_day(now))
        dossier.submitted_at = now
        if dossier.channel != IntakeChannel.ONLINE:
            event_data["channel"] = dossier.channel
        dossier.acceptance_due_at = _acceptance_due(dossier, now)
        changed += ["code", "submitted_at", "acceptance_due_at"]
    elif action == DossierAction.RECEIVE:
        version = dossier.procedure_version
        dossier.received_at = now
        dossier.appointment_at = calendar_for(dossier.agency).add_duration(
            now, version.processing_time, version.processing_time_unit, cutoff=version.same_day_cutoff
        )
        event_data["appointment_at"] = dossier.appointment_at.isoformat()
        changed += ["received_at", "appointment_at"]
        dossier.process = process_for(procedure=version.procedure, agency=dossier.agency)
        changed.append("process")
        steps = process_steps(dossier.process)
        _enter_step(
            dossier,
            steps[0],
            now=now,
            event_data=event_data,
            changed=changed,
            assignee=_assignee_for(dossier, steps[0], event_data),
        )
    elif action in (DossierAction.FORWARD, DossierAction.PROPOSE_REFUSAL):
        state = dossier_engine_state(dossier)
        target = engine_next_step(state)
        if target is None:  # pragma: no cover - the engine does not offer it on the last step
            raise ApplicationError(_("Đây là bước cuối của quy trình."), code="invalid_transition")
        if action == DossierAction.PROPOSE_REFUSAL:
            dossier.refusal_proposed = True
            changed.append("refusal_proposed")
        _enter_step(
            dossier,
            target,
            now=now,
            event_data=event_data,
            changed=changed,
            assignee=_assignee_for(dossier, target, event_data),
        )
    elif action == DossierAction.SEND_BACK:
        state = dossier_engine_state(dossier)
        target = engine_previous_step(state)
        if target is None:  # pragma: no cover - the engine does not offer it on the first step
            raise ApplicationError(_("Đây là bước đầu của quy trình."), code="invalid_transition")
        # Back to whoever did that step, so the dossier lands in their "Việc của tôi" again.
        holder = _last_holder(dossier, target.order) if target.officer_id is None else None
        assignee = holder if holder is not None else _assignee_for(dossier, target, event_data)
        _enter_step(dossier, target, now=now, event_data=event_data, changed=changed, assignee=assignee)
    elif action in (DossierAction.SIGN, DossierAction.FINISH):
        if action == DossierAction.SIGN:
            _sign_result(dossier, actor=actor, now=now, event_data=event_data)
        steps = process_steps(dossier.process)
        _enter_step(dossier, steps[-1], now=now, event_data=event_data, changed=changed)
    elif action == DossierAction.EXTEND:
        _extend(dossier, event_data=event_data, changed=changed)
    elif action == DossierAction.CONSULT:
        _consult(dossier, actor=actor, now=now, event_data=event_data)
    elif action == DossierAction.ANSWER_CONSULTATION:
        _answer_consultation(dossier, actor=actor, now=now, event_data=event_data)
        to_status = dossier.status
    elif action == DossierAction.REQUEST_SUPPLEMENT:
        event_data["items"] = _supplement_items(dossier, event_data)
        event_data["stage"] = (
            SupplementStage.PROCESSING if dossier.status == DossierStatus.PROCESSING else SupplementStage.RECEPTION
        )
        if any(item["component"] == SUPPLEMENT_EFORM for item in event_data["items"]):
            # The declaration as it was, so the history can show it next to the corrected one.
            event_data["eform_before"] = dossier.eform_data
    elif action == DossierAction.SUBMIT_SUPPLEMENT:
        request = _last_event(dossier, DossierAction.REQUEST_SUPPLEMENT)
        stage = (request.data.get("stage") if request else None) or SupplementStage.RECEPTION
        _check_submittable(dossier)
        dossier.supplement_round += 1
        changed.append("supplement_round")
        event_data["round"] = dossier.supplement_round
        if actor is not None and actor.pk != dossier.applicant_id:
            # Only the desk answers for someone else (desk_receives_supplement): the history says so.
            event_data["at_desk"] = True
        if request and "eform_before" in request.data:
            event_data["eform_after"] = dossier.eform_data
        event_data["files"] = list(
            DossierFile.objects.filter(dossier=dossier, round=dossier.supplement_round).values_list("pk", flat=True)
        )
        if stage == SupplementStage.PROCESSING:
            to_status = DossierStatus.PROCESSING
            _shift_deadline(dossier, paused_since=request.created_at if request else None, now=now, changed=changed)
        else:
            to_status = DossierStatus.SUBMITTED
            # The desk has 8 working hours again, from the moment the supplement arrives.
            dossier.acceptance_due_at = _acceptance_due(dossier, now)
            changed.append("acceptance_due_at")
    elif action in (DossierAction.CONFIRM_PAYMENT, DossierAction.PAYMENT_RECEIVED):
        request = _last_event(dossier, DossierAction.REQUEST_PAYMENT)
        to_status = request.from_status if request else DossierStatus.SUBMITTED
        # Waiting for the citizen's payment stops the clock (DESIGN §4), like a supplement does.
        _shift_deadline(dossier, paused_since=request.created_at if request else None, now=now, changed=changed)
    elif action == DossierAction.RESUME:
        suspended = _last_event(dossier, DossierAction.SUSPEND)
        _shift_deadline(dossier, paused_since=suspended.created_at if suspended else None, now=now, changed=changed)
    elif action == DossierAction.WITHDRAW and dossier.received_at is not None:
        raise ApplicationError(
            _("Hồ sơ đã được tiếp nhận: vui lòng gửi đề nghị rút hồ sơ để cơ quan xem xét."),
            code="invalid_transition",
        )
    elif action == DossierAction.REQUEST_WITHDRAWAL:
        if dossier.withdrawal_requested_at is not None:
            raise ApplicationError(_("Bạn đã đề nghị rút hồ sơ này; vui lòng chờ cơ quan trả lời."), code="duplicate")
        dossier.withdrawal_requested_at = now
        changed.append("withdrawal_requested_at")
        to_status = dossier.status
    elif action in (DossierAction.APPROVE_WITHDRAWAL, DossierAction.DECLINE_WITHDRAWAL):
        dossier.withdrawal_requested_at = None
        changed.append("withdrawal_requested_at")
        if action == DossierAction.APPROVE_WITHDRAWAL and dossier.step_order is not None:
            _leave_steps(dossier, changed)
        if action == DossierAction.DECLINE_WITHDRAWAL:
            to_status = dossier.status
    elif action == DossierAction.RETURN_RESULT:
        dossier.returned_at = now
        changed.append("returned_at")
        _leave_steps(dossier, changed)
    elif action == DossierAction.REFUSE and dossier.step_order is not None:
        _leave_steps(dossier, changed)
    if to_status is None:  # pragma: no cover - every dynamic move sets it above
        raise AssertionError(f"{action} did not decide a status")
    return to_status


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
    with code "not_found", "forbidden", "stale", "invalid_transition", "incomplete",
    "comment_required", "duplicate" or "invalid".
    """
    try:
        action = DossierAction(action)
    except ValueError as exc:
        raise ApplicationError(_("Thao tác không hợp lệ."), code="invalid_action") from exc
    rule = TRANSITIONS[action]
    with transaction.atomic():
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure_version", "agency")
            .filter(pk=dossier_id)
            .first()
        )
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
        if action in (DossierAction.APPROVE_WITHDRAWAL, DossierAction.DECLINE_WITHDRAWAL) and (
            dossier.withdrawal_requested_at is None
        ):
            raise ApplicationError(_("Công dân chưa đề nghị rút hồ sơ này."), code="invalid_transition")
        # The workflow engine has the last word on officers' moves: the step, its role, unit or officer.
        if rule.actor == ACTOR_OFFICER and action not in allowed_actions(
            dossier_engine_state(dossier), officer_state(actor)
        ):
            raise _forbidden()
        if rule.comment_required and not comment.strip():
            raise ApplicationError(_("Vui lòng nhập lý do."), code="comment_required")
        from_status = dossier.status
        changed = ["status", "version", "updated_at"]
        now = timezone.now()
        event_data = dict(data or {})
        _record_handoff(dossier, action, event_data)
        to_status = _apply_effects(
            dossier=dossier, action=action, actor=actor, rule=rule, now=now, event_data=event_data, changed=changed
        )
        dossier.status = to_status
        dossier.version += 1
        if dossier.code:
            event_data.setdefault("code", dossier.code)
        event = _event_append(
            dossier=dossier,
            action=action,
            from_status=from_status,
            to_status=dossier.status,
            actor=actor,
            comment=comment.strip(),
            data=event_data,
        )
        dossier.save(update_fields=sorted(set(changed)))
        # Same transaction as the move: an officer's action is never recorded without its audit row.
        audit_record(
            actor=actor,
            action=AuditAction.DOSSIER_ACTION,
            dossier=dossier,
            object_type="dossier_event",
            object_id=event.pk,
            object_label=vietnamese(action.label),
            data={"action": action.value, "from": from_status, "to": dossier.status, "sequence": event.sequence},
        )
        dossier_pk, sequence = dossier.pk, event.sequence
        # The national sync's outbox row, in this transaction so no committed move is ever missed.
        national_sync_enqueue(dossier=dossier, sequence=sequence)
        # robust: a missing template or a bad address must not undo a committed move; the
        # failure is logged and the dossier keeps its new status.
        if action == DossierAction.SUBMIT:
            transaction.on_commit(lambda: dossier_notify_submitted(dossier_id=dossier_pk), robust=True)
        elif action in NOTIFIED_ACTIONS:
            transaction.on_commit(lambda: dossier_notify_event(dossier_id=dossier_pk, sequence=sequence), robust=True)
        if action == DossierAction.CONSULT:
            consultation_id = event_data["consultation"]["id"]
            transaction.on_commit(lambda: dossier_notify_consultation(consultation_id=consultation_id), robust=True)
    return dossier


def dossier_notify_consultation(*, consultation_id: int) -> int:
    """Tell the consulted agency's officers (desk, specialists, leaders) that another agency asks its opinion."""
    consultation = Consultation.objects.select_related("dossier__procedure_version", "dossier__agency").get(
        pk=consultation_id
    )
    roles = (ROLE_ONE_STOP, ROLE_SPECIALIST, ROLE_HEAD_OF_DEPARTMENT, ROLE_AGENCY_LEADER)
    people = _agency_officers(consultation.agency_id, roles)
    return _alert(
        consultation.dossier,
        people,
        kind=f"consultation-{consultation.pk}",
        stamp=consultation.due_at,
        headline=gettext_noop("xin ý kiến"),
        message=gettext_noop("một cơ quan khác xin ý kiến của cơ quan bạn; vui lòng trả lời trước hạn."),
        path=reverse("backoffice:consultation", args=[consultation.pk]),
    )


# --- Side effects ---------------------------------------------------------------------------------
def dossier_notify_submitted(*, dossier_id: int) -> list[Any]:
    """Queue "Hồ sơ đã được gửi" on each channel the owner can be reached by; safe to run twice.

    The idempotency keys (dossier:{id}:submitted:{channel}) make a second run return the
    messages already queued (CONVENTIONS #5).
    """
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
    return _queue_for_owner(
        dossier=dossier, event=EVENT_DOSSIER_SUBMITTED, context=context, key=f"dossier:{dossier.pk}:submitted"
    )


NOTIFIED_ACTIONS: frozenset[str] = frozenset(
    {
        DossierAction.RECEIVE,
        DossierAction.REQUEST_SUPPLEMENT,
        DossierAction.REFUSE,
        DossierAction.REQUEST_PAYMENT,
        DossierAction.CONFIRM_PAYMENT,
        DossierAction.PAYMENT_RECEIVED,
        DossierAction.SUSPEND,
        DossierAction.RESUME,
        DossierAction.EXTEND,
        DossierAction.APPROVE_WITHDRAWAL,
        DossierAction.DECLINE_WITHDRAWAL,
        DossierAction.FINISH,
        DossierAction.SIGN,
        DossierAction.RETURN_RESULT,
    }
)


def _local_text(moment: datetime | None) -> str:
    return moment.astimezone(CODE_TIMEZONE).strftime("%H:%M %d/%m/%Y") if moment else ""


def _event_message(event: DossierEvent, dossier: Dossier) -> str:
    """One sentence, in the active language, saying what happened to the dossier."""
    action = event.action
    if action == DossierAction.RECEIVE:
        return _("đã được tiếp nhận. Ngày hẹn trả kết quả: %(date)s.") % {"date": _local_text(dossier.appointment_at)}
    if action == DossierAction.REQUEST_SUPPLEMENT:
        return _("cần bổ sung. Vui lòng xem nội dung yêu cầu bổ sung và gửi bổ sung.")
    if action == DossierAction.REFUSE:
        return _("không được tiếp nhận. Lý do: %(reason)s") % {"reason": event.comment}
    if action == DossierAction.REQUEST_PAYMENT:
        amount = (event.data or {}).get("amount")
        if amount:
            return _("đang chờ thanh toán phí, lệ phí: %(amount)s. Vui lòng thanh toán tại mục Thanh toán.") % {
                "amount": f"{int(amount):,}".replace(",", ".") + " đ"
            }
        return _("đang chờ thanh toán phí, lệ phí.")
    if action == DossierAction.SUSPEND:
        return _("tạm dừng xử lý. Lý do: %(reason)s") % {"reason": event.comment}
    if action == DossierAction.RESUME:
        return _("được tiếp tục xử lý.")
    if action in (DossierAction.PAYMENT_RECEIVED, DossierAction.CONFIRM_PAYMENT):
        receipt = (event.data or {}).get("receipt")
        if receipt:
            return _("đã được thanh toán phí, lệ phí (biên lai số %(receipt)s, tải tại trang hồ sơ).") % {
                "receipt": receipt
            }
        return _("đã được thanh toán phí, lệ phí. Cảm ơn bạn.")
    if action == DossierAction.APPROVE_WITHDRAWAL:
        return _("đã được rút theo đề nghị của bạn.")
    if action == DossierAction.DECLINE_WITHDRAWAL:
        return _("không được rút. Lý do: %(reason)s") % {"reason": event.comment}
    if action in (DossierAction.FINISH, DossierAction.SIGN):
        return _("đã có kết quả giải quyết.")
    if action == DossierAction.EXTEND:
        return _("được hẹn lại ngày trả kết quả: %(date)s. Lý do: %(reason)s") % {
            "date": _local_text(dossier.appointment_at),
            "reason": event.comment,
        }
    if action == DossierAction.RETURN_RESULT:
        return _("đã được trả kết quả.")
    return _("đã chuyển sang trạng thái: %(status)s.") % {"status": DossierStatus(event.to_status).label}


def _owner_channels(dossier: Dossier) -> list[tuple[str, str]]:
    recipients: list[tuple[str, str]] = []
    if dossier.notify_by_sms and dossier.owner_phone:
        recipients.append((Channel.SMS, dossier.owner_phone))
    if dossier.owner_email:
        recipients.append((Channel.EMAIL, dossier.owner_email))
    recipients.append((Channel.IN_APP, str(dossier.applicant_id)))
    return recipients


def _queue_for_owner(*, dossier: Dossier, event: str, context: dict[str, Any], key: str) -> list[Any]:
    from dichvucong.notifications.services import notification_queue

    language = getattr(dossier.applicant, "language", "vi") or "vi"
    queued = []
    for channel, recipient in _owner_channels(dossier):
        try:
            queued.append(
                notification_queue(
                    event=event,
                    channel=channel,
                    recipient=recipient,
                    context=context,
                    idempotency_key=f"{key}:{channel}",
                    user=dossier.applicant,
                    language=language,
                )
            )
        except ApplicationError:
            # One channel's problem (a malformed phone typed by the owner) must not stop the others.
            logger.exception("Dossier %s: could not queue the %s notification", dossier.pk, channel)
    return queued


def dossier_notify_event(*, dossier_id: int, sequence: int) -> list[Any]:
    """Tell the owner what an officer did (received, supplement asked, refused…); safe to run twice."""
    dossier = Dossier.objects.select_related("procedure_version", "agency", "applicant").get(pk=dossier_id)
    event = DossierEvent.objects.get(dossier=dossier, sequence=sequence)
    language = getattr(dossier.applicant, "language", "vi") or "vi"
    with override(language):
        message = _event_message(event, dossier)
    context = {
        "code": dossier.code,
        "procedure_name": dossier.procedure_version.name,
        "agency_name": dossier.agency.name,
        "message": message,
        "comment": event.comment,
        "dossier_url": f"{getattr(settings, 'PORTAL_BASE_URL', '')}{dossier_url(dossier)}",
        "full_name": dossier.owner_name,
    }
    return _queue_for_owner(
        dossier=dossier, event=EVENT_DOSSIER_UPDATED, context=context, key=f"dossier:{dossier.pk}:event:{sequence}"
    )


def dossier_url(dossier: Dossier) -> str:
    """The dossier's page: by its code once sent, by its number while a draft."""
    return reverse("dossiers:detail", kwargs={"ref": dossier.code or str(dossier.pk)})


# --- Integrity ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainBreak:
    """Where a dossier's history stops holding: the first event that does not, and why."""

    sequence: int  # the first bad event (for "status": the last event, where the history ends)
    reason: str  # "sequence" (an event missing or out of order), "previous_hash", "hash", "status"


def events_chain_break(events: Iterable[DossierEvent], *, current_status: str | None) -> ChainBreak | None:
    """The first break in one dossier's events (given in sequence order), or None if the chain holds.

    `current_status` is the dossier's status field: it must be where the history ends, or it was
    written around the one door. Takes the events as an iterable so that a batch verifier can stream
    many dossiers' events in one query.
    """
    previous_hash = ""
    last: DossierEvent | None = None
    for expected_sequence, event in enumerate(events, 1):
        if event.sequence != expected_sequence:
            return ChainBreak(sequence=event.sequence, reason="sequence")
        if event.previous_hash != previous_hash:
            return ChainBreak(sequence=event.sequence, reason="previous_hash")
        if event.compute_hash() != event.hash:
            return ChainBreak(sequence=event.sequence, reason="hash")
        previous_hash = event.hash
        last = event
    if last is not None and current_status != last.to_status:
        return ChainBreak(sequence=last.sequence, reason="status")
    return None


def dossier_events_first_break(*, dossier: Dossier) -> ChainBreak | None:
    """Recompute the hash chain of the dossier's history; the first break, or None if it holds."""
    events = DossierEvent.objects.filter(dossier=dossier).order_by("sequence")
    current = Dossier.objects.filter(pk=dossier.pk).values_list("status", flat=True).first()
    return events_chain_break(events, current_status=current)


def dossier_events_verify(*, dossier: Dossier) -> bool:
    """Recompute the hash chain of the dossier's history; False if any event was altered or removed."""
    return dossier_events_first_break(dossier=dossier) is None


# --- Deadlines: the officers are told (a periodic job, dossiers.tasks) --------------------------------
STEP_DUE_SOON = timedelta(hours=2)  # working time left on a step when its holder is reminded
ALERT_BATCH = 500  # dossiers per kind of alert per run; the next run takes the rest
OFFICER_EVENT = "officer_deadline"


def _agency_officers(agency_id: int, roles: Iterable[str]) -> list[Any]:
    from dichvucong.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            officer_profile__agency=agency_id,
            officer_profile__is_active=True,
            officer_profile__role_assignments__role__in=list(roles),
        ).distinct()
    )


def _step_holders(dossier: Dossier) -> list[Any]:
    """Who must act at the dossier's current step: its assignee, else every officer who holds the step."""
    if dossier.assignee_id is not None:
        return [dossier.assignee]
    step = current_step(dossier_engine_state(dossier))
    if step is None:
        return []
    people = _agency_officers(dossier.agency_id, [step.role])
    officers = [(person, officer_state(person)) for person in people]
    return [person for person, officer in officers if holds_step(officer, step)]


def _alert(
    dossier: Dossier,
    people: Iterable[Any],
    *,
    kind: str,
    stamp: datetime,
    headline: str,
    message: str,
    path: str = "",
) -> int:
    """Queue one alert per person and channel; the key makes each alert happen once per deadline."""
    from dichvucong.notifications.services import notification_alert_people

    path = path or reverse("backoffice:dossier", args=[dossier.code])
    url = f"{getattr(settings, 'PORTAL_BASE_URL', '')}{path}"
    return notification_alert_people(
        event=OFFICER_EVENT,
        people=people,
        context_for=lambda person: {
            "code": dossier.code,
            "procedure_name": dossier.procedure_version.name,
            "headline": str(_(headline)),
            "message": str(_(message)),
            "dossier_url": url,
            "full_name": str(person),
        },
        key_prefix=f"dossier:{dossier.pk}:{kind}:{stamp.isoformat()}",
    )


def dossier_deadline_alerts(*, now: datetime | None = None) -> int:
    """Tell officers about deadlines: acceptance overdue (the desk and the leaders), a step due soon
    or overdue (whoever holds it), an appointment passed (the leaders). Safe to run often: each alert
    is queued once per deadline (idempotency keys carry the deadline, so a moved deadline alerts again).
    Returns how many messages were queued.
    """
    now = now or timezone.now()
    queued = 0
    base = Dossier.objects.select_related("procedure_version", "agency", "assignee", "process").prefetch_related(
        "process__steps"
    )
    desk_and_leaders = (ROLE_ONE_STOP, ROLE_AGENCY_LEADER)
    late_reception = base.filter(status=DossierStatus.SUBMITTED, acceptance_due_at__lt=now).order_by(
        "acceptance_due_at"
    )
    for dossier in late_reception[:ALERT_BATCH]:
        queued += _alert(
            dossier,
            _agency_officers(dossier.agency_id, desk_and_leaders),
            kind="acceptance-overdue",
            stamp=dossier.acceptance_due_at,
            headline=gettext_noop("quá hạn tiếp nhận"),
            message=gettext_noop(
                "đã quá 8 giờ làm việc kể từ khi gửi mà chưa được tiếp nhận, yêu cầu bổ sung hoặc từ chối."
            ),
        )
    processing = base.filter(status=DossierStatus.PROCESSING, step_due_at__isnull=False)
    for dossier in processing.filter(step_due_at__lt=now).order_by("step_due_at")[:ALERT_BATCH]:
        queued += _alert(
            dossier,
            _step_holders(dossier),
            kind="step-overdue",
            stamp=dossier.step_due_at,
            headline=gettext_noop("quá hạn xử lý bước"),
            message=gettext_noop("bước xử lý bạn đang giữ đã quá hạn."),
        )
    horizon = now + STEP_DUE_SOON * 3  # a cheap upper bound; the working-time check below decides
    for dossier in processing.filter(step_due_at__gte=now, step_due_at__lte=horizon).order_by("step_due_at")[
        :ALERT_BATCH
    ]:
        if calendar_for(dossier.agency).working_time_between(now, dossier.step_due_at) > STEP_DUE_SOON:
            continue
        queued += _alert(
            dossier,
            _step_holders(dossier),
            kind="step-due-soon",
            stamp=dossier.step_due_at,
            headline=gettext_noop("sắp đến hạn"),
            message=gettext_noop("bước xử lý bạn đang giữ sắp đến hạn (còn dưới 2 giờ làm việc)."),
        )
    late = base.filter(
        status__in=(DossierStatus.PROCESSING, DossierStatus.RESULT_READY), appointment_at__lt=now
    ).order_by("appointment_at")
    for dossier in late[:ALERT_BATCH]:
        queued += _alert(
            dossier,
            _agency_officers(dossier.agency_id, (ROLE_AGENCY_LEADER, ROLE_HEAD_OF_DEPARTMENT)),
            kind="appointment-overdue",
            stamp=dossier.appointment_at,
            headline=gettext_noop("quá hạn trả kết quả"),
            message=gettext_noop("đã quá ngày hẹn trả kết quả: cân nhắc gửi văn bản xin lỗi và hẹn lại ngày trả."),
        )
    return queued


# --- Desk reception (tiếp nhận trực tiếp, qua bưu chính) -------------------------------------------
DESK_CHANNELS = (IntakeChannel.IN_PERSON, IntakeChannel.POST)


@dataclass(frozen=True)
class DeskOwner:
    """The owner as the desk officer types it from the papers, when the person has no account."""

    full_name: str
    national_id: str
    phone: str = ""
    email: str = ""
    province_code: int | None = None
    ward_code: int | None = None
    street_address: str = ""


def desk_applicant_for(*, owner: DeskOwner) -> AbstractBaseUser:
    """The account a desk dossier of a person without one belongs to: created unverified, tied to the CCCD.

    The dossier needs an applicant; an inactive account with no password holds it until the real
    person registers with this CCCD and the phone given at the desk, which takes this account over
    (accounts.services.account_register) with its dossiers. Someone who already has an active
    account must be found and chosen by the officer instead: two people are never merged here.
    """
    from dichvucong.accounts.constants import AccountKind
    from dichvucong.accounts.models import User

    national_id = "".join(owner.national_id.split())
    if not (len(national_id) == 12 and national_id.isdigit()):
        raise ApplicationError(_("Số CCCD phải gồm đúng 12 chữ số."), code="invalid", extra={"field": "national_id"})
    if not owner.full_name.strip():
        raise ApplicationError(_("Vui lòng nhập họ và tên chủ hồ sơ."), code="invalid", extra={"field": "full_name"})
    existing = User.objects.filter(national_id=national_id).first()
    if existing is not None:
        if existing.is_active or existing.kind != AccountKind.CITIZEN or existing.last_login is not None:
            raise ApplicationError(
                _("Số CCCD %(cccd)s đã có tài khoản trên Cổng; vui lòng tìm và chọn tài khoản đó.")
                % {"cccd": national_id},
                code="account_exists",
                extra={"field": "national_id"},
            )
        return existing  # the same CCCD brought in again before its owner registered
    user = User(
        username=national_id,
        kind=AccountKind.CITIZEN,
        full_name=owner.full_name.strip(),
        national_id=national_id,
        email=owner.email.strip().lower(),
        province_code=owner.province_code,
        ward_code=owner.ward_code,
        street_address=owner.street_address.strip(),
        is_active=False,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except Exception as exc:  # IntegrityError: a username taken, or the same CCCD typed at another desk meanwhile
        raise ApplicationError(
            _("Không tạo được tài khoản cho chủ hồ sơ; vui lòng tìm tài khoản đã có."), code="account_exists"
        ) from exc
    return user


def _desk_phone(raw: str) -> str:
    """The +84 form accounts store, so the owner's registration later matches it (account_register)."""
    from dichvucong.accounts.validators import normalize_phone

    if not raw.strip():
        return ""
    try:
        return normalize_phone(raw)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="invalid", extra={"field": "phone"}) from exc


def dossier_desk_open(
    *,
    officer: AbstractBaseUser,
    procedure: Procedure,
    channel: str,
    applicant: AbstractBaseUser | None = None,
    owner: DeskOwner | None = None,
    result_delivery: str = ResultDelivery.AT_DESK,
    post: dict[str, Any] | None = None,
) -> Dossier:
    """Start a dossier brought to the desk (in person) or received by post, at the officer's own agency.

    `applicant` is the owner's account when found; otherwise `owner` is typed from the papers and an
    unverified account is tied to the CCCD (desk_applicant_for). The draft is the desk's until it is
    received (dossier_desk_receive); the officer completes the declaration and scans the papers.
    """
    if channel not in DESK_CHANNELS:
        raise ApplicationError(_("Vui lòng chọn kênh tiếp nhận: trực tiếp hoặc qua bưu chính."), code="invalid")
    if result_delivery not in ResultDelivery.values:
        raise ApplicationError(_("Hình thức nhận kết quả không hợp lệ."), code="invalid")
    agency_id = officer_agency_id(officer)
    if agency_id is None or not can_act_for_agency(officer, agency_id, ROLE_ONE_STOP):
        raise _forbidden()
    if (applicant is None) == (owner is None):
        raise ApplicationError(
            _("Vui lòng chọn tài khoản của chủ hồ sơ hoặc nhập thông tin chủ hồ sơ."), code="invalid"
        )
    with transaction.atomic():
        if applicant is None:
            applicant = desk_applicant_for(owner=owner)
        elif not applicant.is_active or getattr(applicant, "is_officer", False):
            raise ApplicationError(_("Tài khoản đã chọn không nhận hồ sơ."), code="invalid")
        dossier = dossier_create_draft(
            procedure=procedure, applicant=applicant, agency=Agency.objects.get(pk=agency_id)
        )
        dossier.channel = channel
        fields = {"result_delivery": result_delivery, **(post or {})}
        if owner is not None:
            phone = _desk_phone(owner.phone)
            fields |= {
                "owner_name": owner.full_name.strip(),
                "owner_phone": phone,
                "owner_email": owner.email.strip().lower(),
                "owner_province_code": owner.province_code,
                "owner_ward_code": owner.ward_code,
                "owner_street_address": owner.street_address.strip(),
                "notify_by_sms": bool(phone),
            }
        dossier.save(update_fields=["channel"])
        return dossier_update_draft(dossier=dossier, actor=officer, **fields)


def dossier_desk_receive(
    *, dossier: Dossier, officer: AbstractBaseUser, expected_version: int | None = None
) -> Dossier:
    """Send and receive the desk dossier at once, through the one door like an online one.

    The code, the acceptance and appointment dates from the agency's working calendar, the history,
    the procedure's process and the owner's notifications are those of `dossier_transition`.
    """
    if dossier.channel not in DESK_CHANNELS:
        raise _forbidden()
    with transaction.atomic():
        sent = dossier_transition(
            dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=officer, expected_version=expected_version
        )
        return dossier_transition(dossier_id=sent.pk, action=DossierAction.RECEIVE, actor=officer)


def dossier_register_at_desk(
    *,
    officer: AbstractBaseUser,
    procedure: Procedure,
    channel: str,
    applicant: AbstractBaseUser | None = None,
    owner: DeskOwner | None = None,
    result_delivery: str = ResultDelivery.AT_DESK,
    post: dict[str, Any] | None = None,
    eform_data: dict[str, Any] | None = None,
    files: Iterable[tuple[int, Any]] = (),
) -> Dossier:
    """The whole desk reception in one step: open, declaration, scanned papers (component id, upload), receive.

    All or nothing: a missing paper or a wrong declaration leaves no dossier and no account behind.
    """
    with transaction.atomic():
        dossier = dossier_desk_open(
            officer=officer,
            procedure=procedure,
            channel=channel,
            applicant=applicant,
            owner=owner,
            result_delivery=result_delivery,
            post=post,
        )
        if eform_data:
            dossier = dossier_update_draft(dossier=dossier, actor=officer, eform_data=eform_data)
        for component_id, upload in files:
            dossier_file_add(dossier=dossier, component_id=component_id, upload=upload, actor=officer)
        return dossier_desk_receive(dossier=dossier, officer=officer)
