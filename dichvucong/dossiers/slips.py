"""The standard slips of a dossier (DESIGN §7), drawn from its history and handed to documents.slips.

Each slip belongs to a move: the receipt to the reception, the supplement slip to the last supplement
request, and so on. A slip whose move has not happened does not exist (None), so a page offers only
the slips the dossier has. The documents app takes plain values; this module is the only place that
knows how a dossier maps to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.core.addresses import format_address
from dichvucong.documents import slips
from dichvucong.documents.constants import SlipKind
from dichvucong.documents.verification import issued_document_render
from dichvucong.dossiers.constants import DossierAction, ResultDelivery
from dichvucong.dossiers.lookup import mask_name
from dichvucong.dossiers.models import Dossier, DossierEvent
from dichvucong.dossiers.selectors import dossier_components, dossier_handoffs

# The slips a citizen may download from their dossier page (the control slip is internal).
CITIZEN_SLIPS = (SlipKind.RECEIPT, SlipKind.SUPPLEMENT, SlipKind.REFUSAL, SlipKind.APOLOGY, SlipKind.STOP_NOTICE)
OFFICER_SLIPS = (*CITIZEN_SLIPS, SlipKind.CONTROL)

_SLIP_MOVES = {
    SlipKind.RECEIPT: DossierAction.RECEIVE,
    SlipKind.SUPPLEMENT: DossierAction.REQUEST_SUPPLEMENT,
    SlipKind.REFUSAL: DossierAction.REFUSE,
    SlipKind.APOLOGY: DossierAction.EXTEND,
    SlipKind.STOP_NOTICE: DossierAction.SUSPEND,
    SlipKind.CONTROL: DossierAction.RECEIVE,
}


def _last(dossier: Dossier, action: str) -> DossierEvent | None:
    return (
        DossierEvent.objects.filter(dossier=dossier, action=action)
        .select_related("actor__officer_profile")
        .order_by("-sequence")
        .first()
    )


def available_slips(
    *, dossier: Dossier, kinds: tuple[str, ...], events: list[DossierEvent] | None = None
) -> list[tuple[str, str]]:
    """(kind, label) of the slips this dossier has: from `events` when the page has read them, else one query."""
    if events is not None:
        done = {event.action for event in events}
    else:
        done = set(DossierEvent.objects.filter(dossier=dossier).values_list("action", flat=True).distinct())
    return [(kind, str(SlipKind(kind).label)) for kind in kinds if _SLIP_MOVES[kind] in done]


def _common(dossier: Dossier, qr_url: str) -> dict[str, Any]:
    agency = dossier.agency
    parent = agency.parent.name if agency.parent_id else ""
    return {
        "agency_name": agency.name,
        "parent_agency_name": parent,
        "place": settings.PORTAL_PROVINCE,
        "dossier_code": dossier.code,
        "qr_url": qr_url,
        "procedure_name": dossier.procedure_version.name,
        "procedure_code": dossier.procedure_version.procedure.code,
        "applicant_name": dossier.owner_name or str(dossier.applicant),
    }


def _owner_address(dossier: Dossier) -> str:
    return format_address(dossier.owner_street_address, dossier.owner_ward_code, dossier.owner_province_code)


def _position(event: DossierEvent) -> str:
    profile = getattr(event.actor, "officer_profile", None) if event.actor_id else None
    return getattr(profile, "position", "") or ""


def _processing_time(dossier: Dossier) -> str:
    version = dossier.procedure_version
    if not version.processing_time:
        return _("Trong ngày")
    return f"{version.processing_time:02d} {version.get_processing_time_unit_display()}"


def _receipt(dossier: Dossier, event: DossierEvent, qr_url: str) -> bytes:
    components = dossier_components(dossier=dossier)
    received = [
        slips.ReceivedComponent(name=c.name, originals=c.originals, copies=c.copies)
        for c in components
        if c.current_files or c.is_eform
    ]
    delivery = dossier.get_result_delivery_display()
    if dossier.result_delivery == ResultDelivery.BY_POST:
        post = format_address(dossier.post_street_address, dossier.post_ward_code, dossier.post_province_code)
        delivery = f"{delivery}: {dossier.post_recipient_name}, {post}"
    return slips.receipt_slip_pdf(
        **_common(dossier, qr_url),
        owner_name=dossier.owner_name,
        id_number=dossier.owner_national_id,
        phone=dossier.owner_phone,
        email=dossier.owner_email,
        address=_owner_address(dossier),
        components=received,
        received_at=event.created_at,
        appointment_at=dossier.original_appointment_at or dossier.appointment_at,
        delivery_method=delivery,
        officer_name=event.actor_label,
        processing_time=_processing_time(dossier),
    )


def _supplement(dossier: Dossier, event: DossierEvent, qr_url: str) -> bytes:
    return slips.supplement_slip_pdf(
        **_common(dossier, qr_url),
        address=_owner_address(dossier),
        phone=dossier.owner_phone,
        email=dossier.owner_email,
        items=[slips.SupplementItem(item.get("name", ""), item.get("reason", "")) for item in event.data["items"]],
        officer_note=event.comment,
        officer_name=event.actor_label,
        issued_at=event.created_at,
    )


def _refusal(dossier: Dossier, event: DossierEvent, qr_url: str) -> bytes:
    return slips.refusal_slip_pdf(
        **_common(dossier, qr_url),
        address=_owner_address(dossier),
        phone=dossier.owner_phone,
        email=dossier.owner_email,
        submitted_at=dossier.submitted_at,
        reason=event.comment,
        officer_name=event.actor_label,
        issued_at=event.created_at,
    )


def _apology(dossier: Dossier, event: DossierEvent, qr_url: str) -> bytes:
    from datetime import datetime

    previous = event.data.get("previous_appointment_at")
    return slips.apology_letter_pdf(
        **_common(dossier, qr_url),
        address=_owner_address(dossier),
        received_at=dossier.received_at,
        original_appointment_at=datetime.fromisoformat(previous) if previous else dossier.original_appointment_at,
        delay_reason=event.comment,
        new_appointment_at=datetime.fromisoformat(event.data["new_appointment_at"]),
        signer_name=event.actor_label,
        signer_title=_position(event) or _("Thủ trưởng cơ quan"),
        issued_at=event.created_at,
    )


def _stop_notice(dossier: Dossier, event: DossierEvent, qr_url: str) -> bytes:
    return slips.stop_notice_pdf(
        **_common(dossier, qr_url),
        address=_owner_address(dossier),
        received_at=dossier.received_at,
        reason=event.comment,
        signer_name=event.actor_label,
        signer_title=_position(event),
        issued_at=event.created_at,
    )


def _control(dossier: Dossier, event: DossierEvent, qr_url: str) -> bytes:
    rows = [
        slips.HandOff(
            step=row.step,
            giver_name=row.giver,
            giver_unit=row.giver_unit,
            receiver_name=row.receiver,
            receiver_unit=row.receiver_unit,
            handed_at=row.at,
            due_at=row.due_at,
            timeliness=row.timeliness,
        )
        for row in dossier_handoffs(dossier=dossier)
    ]
    return slips.control_slip_pdf(
        **_common(dossier, qr_url),
        received_at=dossier.received_at or event.created_at,
        appointment_at=dossier.appointment_at,
        hand_offs=rows,
        issued_at=timezone.now(),
    )


_BUILDERS: dict[str, Callable[[Dossier, DossierEvent, str], bytes]] = {
    SlipKind.RECEIPT: _receipt,
    SlipKind.SUPPLEMENT: _supplement,
    SlipKind.REFUSAL: _refusal,
    SlipKind.APOLOGY: _apology,
    SlipKind.STOP_NOTICE: _stop_notice,
    SlipKind.CONTROL: _control,
}


def dossier_slip_pdf(*, dossier: Dossier, kind: str) -> bytes | None:
    """The slip as PDF, or None when the dossier has none of that kind (its move never happened)."""
    if kind not in _BUILDERS:
        return None
    event = _last(dossier, _SLIP_MOVES[kind])
    if event is None:
        return None
    # Each download is registered as issued: its QR code leads to its own verification page
    # (/xac-thuc/<id>/), which also links to the dossier's public look-up.
    _record, pdf = issued_document_render(
        kind=kind,
        agency_code=dossier.agency.code,
        agency_name=dossier.agency.name,
        reference=dossier.code,
        holder_masked=mask_name(dossier.owner_name or str(dossier.applicant)),
        source=f"dossier:{dossier.pk}",
        render=lambda qr_url: _BUILDERS[kind](dossier, event, qr_url),
    )
    return pdf


def slip_filename(*, dossier: Dossier, kind: str) -> str:
    names = {
        SlipKind.RECEIPT: "giay-tiep-nhan",
        SlipKind.SUPPLEMENT: "phieu-yeu-cau-bo-sung",
        SlipKind.REFUSAL: "phieu-tu-choi",
        SlipKind.APOLOGY: "phieu-xin-loi-hen-lai",
        SlipKind.STOP_NOTICE: "thong-bao-dung-giai-quyet",
        SlipKind.CONTROL: "phieu-kiem-soat",
    }
    return f"{names[kind]}-{dossier.code}.pdf"
