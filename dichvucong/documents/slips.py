"""The standard one-stop slips as PDF: the forms of Circular 01/2018/TT-VPCP (mẫu số 01–06) and the
stop notice, in the layout of those forms.

Every function takes plain values (strings, dates, lists of the small records below, or tuples and
dicts of the same fields) and never looks at a dossier: the back office decides what goes on the
page, this module decides how it is printed. Each document has a context builder (`*_context`, for
an HTML preview with `slip_html`) and a function that returns the PDF bytes (`*_pdf`).

A document is a fixed frame (documents/slips/page.html: the national motto header, the agency, the
QR code of the dossier, the place-and-date line, the footer) around a body. The body comes from
documents/slips/<kind>.html, unless an administrator has an active SlipTemplate for the kind and the
current language: then that text is the body (see slip_templates.py for what it may contain). An
edited body that fails on real data is logged and the file template is printed instead: a slip
must never be withheld from a citizen because of a template.

The wording follows the forms of Circular 01/2018/TT-VPCP; Circular 03/2025/TT-VPCP (Decree
118/2025/NĐ-CP) replaces it: compare with its appendix before relying on the exact words, and
adjust them as data (SlipTemplate) rather than here.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dichvucong.documents.constants import SlipKind, Timeliness
from dichvucong.documents.pdf import date_text, html_to_pdf, place_date_text

logger = logging.getLogger(__name__)

PAGE_TEMPLATE = "documents/slips/page.html"
BODY_TEMPLATES: dict[str, str] = {kind.value: f"documents/slips/{kind.value}.html" for kind in SlipKind}
LANDSCAPE_KINDS = frozenset({SlipKind.CONTROL, SlipKind.TRACKING_BOOK})


# --- The records a caller passes ------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedComponent:
    """A component of the dossier as received: its name and how many originals and copies."""

    name: str
    originals: int = 0
    copies: int = 0


@dataclass(frozen=True)
class SupplementItem:
    """What to supplement: the component (or topic) and why."""

    component: str
    reason: str


@dataclass(frozen=True)
class HandOff:
    """One hand-off of the dossier along its process (one row of the control slip)."""

    step: str
    giver_name: str
    giver_unit: str
    receiver_name: str
    receiver_unit: str
    handed_at: dt.datetime
    due_at: dt.date | dt.datetime | None = None
    timeliness: Timeliness | str | None = None  # None: the step is still open
    note: str = ""

    def __post_init__(self) -> None:
        if self.timeliness:
            object.__setattr__(self, "timeliness", Timeliness(self.timeliness))

    @property
    def timeliness_label(self) -> str:
        return str(Timeliness(self.timeliness).label) if self.timeliness else ""


@dataclass(frozen=True)
class TrackingRow:
    """One dossier in the tracking book."""

    code: str
    procedure_name: str
    applicant_name: str
    received_at: dt.date | dt.datetime | None
    appointment_at: dt.date | dt.datetime | None
    returned_at: dt.date | dt.datetime | None = None
    status: str = ""
    note: str = ""


Record = TypeVar("Record")


def _records(cls: type[Record], items: Sequence[Any]) -> list[Record]:
    """The caller's items as `cls`: instances pass through, mappings by field name, sequences by
    position (a misspelt or missing field raises TypeError, as a call with it would)."""
    result = []
    for item in items:
        if isinstance(item, cls):
            result.append(item)
        elif isinstance(item, Mapping):
            result.append(cls(**item))
        else:
            result.append(cls(*item))
    return result


# --- The frame every document shares --------------------------------------------------------------


def _frame(
    kind: SlipKind,
    *,
    agency_name: str,
    parent_agency_name: str,
    place: str,
    issued_at: dt.date | dt.datetime | None,
    dossier_code: str = "",
    qr_url: str | None = None,
    printed_at: dt.datetime | None,
) -> dict[str, Any]:
    printed_at = printed_at or timezone.now()
    issued_at = issued_at or printed_at
    return {
        "kind": kind.value,
        "title": str(kind.label),
        "agency_name": agency_name,
        "parent_agency_name": parent_agency_name,
        "place": place,
        "issued_at": issued_at,
        "place_date": place_date_text(place, issued_at),
        "dossier_code": dossier_code,
        "qr_url": qr_url or "",
        # The QR code leads to the public look-up (or verification) address; without one it holds
        # the code itself, which the look-up page accepts typed in.
        "qr_text": (qr_url or dossier_code) if dossier_code else "",
        "printed_at": printed_at,
        "landscape": kind in LANDSCAPE_KINDS,
    }


def slip_html(kind: SlipKind | str, context: Mapping[str, Any], *, body_source: str | None = None) -> str:
    """The whole document as HTML: what the PDF prints, for an HTML preview.

    `context` is what the kind's `*_context` builder returned. `body_source` replaces the body
    (an administrator's template being previewed); without it the active SlipTemplate of the kind
    and the current language is used, else the file template."""
    kind = SlipKind(kind)
    body = _body_html(kind, context, body_source=body_source)
    # The body was rendered by the template engine with autoescaping (and an edited body may not
    # turn it off, see slip_templates.py): it is HTML we made, not text a citizen typed.
    return render_to_string(PAGE_TEMPLATE, {**context, "body": mark_safe(body)})  # noqa: S308


def slip_pdf(kind: SlipKind | str, context: Mapping[str, Any], *, body_source: str | None = None) -> bytes:
    """The document as PDF bytes (see `slip_html`)."""
    return html_to_pdf(slip_html(kind, context, body_source=body_source))


def _body_html(kind: SlipKind, context: Mapping[str, Any], *, body_source: str | None) -> str:
    # Imported here: slip_templates imports this module, and the selectors need the app registry.
    from dichvucong.documents.selectors import active_slip_template, document_language
    from dichvucong.documents.slip_templates import render_slip_template

    if body_source is not None:
        return render_slip_template(body_source, context)
    edited = active_slip_template(kind=kind, language=document_language())
    if edited is not None:
        try:
            return render_slip_template(edited.body_html, context)
        except Exception:
            logger.exception(
                "Slip template %s (%s, %s) failed: the file template is used", edited.pk, kind, edited.language
            )
    return render_to_string(BODY_TEMPLATES[kind], dict(context))


# --- 1. Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu số 01) ----------------------------------------


def receipt_slip_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    dossier_code: str,
    qr_url: str | None = None,
    procedure_name: str,
    procedure_code: str,
    applicant_name: str,
    owner_name: str = "",
    id_number: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    components: Sequence[ReceivedComponent | tuple[str, int, int] | Mapping[str, Any]],
    received_at: dt.datetime,
    appointment_at: dt.date | dt.datetime,
    delivery_method: str,
    officer_name: str,
    processing_time: str = "",
    dossier_sets: int = 1,
    note: str = "",
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the receipt and appointment slip shows; see `receipt_slip_pdf`."""
    return {
        **_frame(
            SlipKind.RECEIPT,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=received_at,
            dossier_code=dossier_code,
            qr_url=qr_url,
            printed_at=printed_at,
        ),
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "applicant_name": applicant_name,
        "owner_name": owner_name if owner_name != applicant_name else "",
        "id_number": id_number,
        "phone": phone,
        "email": email,
        "address": address,
        "components": _records(ReceivedComponent, components),
        "received_at": received_at,
        "appointment_at": appointment_at,
        "delivery_method": delivery_method,
        "officer_name": officer_name,
        "processing_time": processing_time,
        "dossier_sets": dossier_sets,
        "note": note,
    }


def receipt_slip_pdf(**arguments: Any) -> bytes:
    """ "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" as PDF; the keywords of `receipt_slip_context`.

    `components` lists what was received (name, originals, copies); `received_at` is the moment
    of reception (it also dates the slip), `appointment_at` the appointment (a date, or a date and
    time); `delivery_method` is the words of the chosen way to receive the result ("Tại Bộ phận
    Một cửa", "Qua dịch vụ bưu chính công ích", ...); `processing_time` the legal time limit as
    words ("05 ngày làm việc"); `qr_url` the public look-up address of the dossier."""
    return slip_pdf(SlipKind.RECEIPT, receipt_slip_context(**arguments))


# --- 2. Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu số 02) -------------------------------------------


def supplement_slip_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    dossier_code: str,
    qr_url: str | None = None,
    procedure_name: str,
    procedure_code: str,
    applicant_name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
    items: Sequence[SupplementItem | tuple[str, str] | Mapping[str, Any]],
    officer_note: str = "",
    deadline_note: str = "",
    officer_name: str,
    contact_phone: str = "",
    issued_at: dt.date | dt.datetime,
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the supplement request shows; see `supplement_slip_pdf`."""
    return {
        **_frame(
            SlipKind.SUPPLEMENT,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=issued_at,
            dossier_code=dossier_code,
            qr_url=qr_url,
            printed_at=printed_at,
        ),
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "applicant_name": applicant_name,
        "address": address,
        "phone": phone,
        "email": email,
        "items": _records(SupplementItem, items),
        "officer_note": officer_note,
        "deadline_note": deadline_note,
        "officer_name": officer_name,
        "contact_phone": contact_phone,
    }


def supplement_slip_pdf(**arguments: Any) -> bytes:
    """ "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" as PDF; the keywords of `supplement_slip_context`.

    `items` are (component, reason); `officer_note` the officer's free text; `deadline_note` how
    long the citizen has, as words ("Trước ngày 30/11/2026"), left out when empty; `contact_phone`
    the number to call for guidance."""
    return slip_pdf(SlipKind.SUPPLEMENT, supplement_slip_context(**arguments))


# --- 3. Phiếu từ chối tiếp nhận, giải quyết hồ sơ (mẫu số 03) ----------------------------------------


def refusal_slip_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    dossier_code: str,
    qr_url: str | None = None,
    procedure_name: str,
    procedure_code: str,
    applicant_name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
    submitted_at: dt.datetime | None = None,
    reason: str,
    officer_name: str,
    issued_at: dt.date | dt.datetime,
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the refusal slip shows; see `refusal_slip_pdf`."""
    return {
        **_frame(
            SlipKind.REFUSAL,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=issued_at,
            dossier_code=dossier_code,
            qr_url=qr_url,
            printed_at=printed_at,
        ),
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "applicant_name": applicant_name,
        "address": address,
        "phone": phone,
        "email": email,
        "submitted_at": submitted_at,
        "reason": reason,
        "officer_name": officer_name,
    }


def refusal_slip_pdf(**arguments: Any) -> bytes:
    """ "Phiếu từ chối tiếp nhận, giải quyết hồ sơ" as PDF; the keywords of `refusal_slip_context`.
    `reason` is printed as written (line breaks kept); `submitted_at` when the dossier was sent."""
    return slip_pdf(SlipKind.REFUSAL, refusal_slip_context(**arguments))


# --- 4. Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu số 04) ----------------------------------------


def apology_letter_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    dossier_code: str,
    qr_url: str | None = None,
    procedure_name: str,
    procedure_code: str,
    applicant_name: str,
    address: str = "",
    received_at: dt.date | dt.datetime,
    original_appointment_at: dt.date | dt.datetime,
    delay_reason: str,
    new_appointment_at: dt.date | dt.datetime,
    signer_name: str,
    signer_title: str,
    recipients: Sequence[str] = (),
    issued_at: dt.date | dt.datetime,
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the apology and new appointment letter shows; see `apology_letter_pdf`."""
    return {
        **_frame(
            SlipKind.APOLOGY,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=issued_at,
            dossier_code=dossier_code,
            qr_url=qr_url,
            printed_at=printed_at,
        ),
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "applicant_name": applicant_name,
        "address": address,
        "received_at": received_at,
        "original_appointment_at": original_appointment_at,
        "delay_reason": delay_reason,
        "new_appointment_at": new_appointment_at,
        "signer_name": signer_name,
        "signer_title": signer_title,
        "recipients": list(recipients) or [applicant_name, _("Lưu: VT, hồ sơ.")],
    }


def apology_letter_pdf(**arguments: Any) -> bytes:
    """ "Phiếu xin lỗi và hẹn lại ngày trả kết quả" as PDF; the keywords of `apology_letter_context`.

    Signed by the head of the agency: `signer_title` ("Chủ tịch", "KT. Giám đốc / Phó Giám đốc"
    as one line) and `signer_name`. `recipients` is the "Nơi nhận" list (by default the applicant
    and the archive)."""
    return slip_pdf(SlipKind.APOLOGY, apology_letter_context(**arguments))


# --- 5. Thông báo dừng giải quyết hồ sơ --------------------------------------------------------------


def stop_notice_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    dossier_code: str,
    qr_url: str | None = None,
    procedure_name: str,
    procedure_code: str,
    applicant_name: str,
    address: str = "",
    received_at: dt.date | dt.datetime | None = None,
    reason: str,
    signer_name: str,
    signer_title: str = "",
    recipients: Sequence[str] = (),
    issued_at: dt.date | dt.datetime,
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the stop notice shows; see `stop_notice_pdf`."""
    return {
        **_frame(
            SlipKind.STOP_NOTICE,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=issued_at,
            dossier_code=dossier_code,
            qr_url=qr_url,
            printed_at=printed_at,
        ),
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "applicant_name": applicant_name,
        "address": address,
        "received_at": received_at,
        "reason": reason,
        "signer_name": signer_name,
        "signer_title": signer_title or _("Thủ trưởng cơ quan"),
        "recipients": list(recipients) or [applicant_name, _("Lưu: VT, hồ sơ.")],
    }


def stop_notice_pdf(**arguments: Any) -> bytes:
    """ "Thông báo dừng giải quyết hồ sơ" as PDF; the keywords of `stop_notice_context`. Signed by
    the officer or leader named (`signer_title` defaults to "Thủ trưởng cơ quan")."""
    return slip_pdf(SlipKind.STOP_NOTICE, stop_notice_context(**arguments))


# --- 6. Phiếu kiểm soát quá trình giải quyết hồ sơ (mẫu số 05) ---------------------------------------


def control_slip_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    dossier_code: str,
    qr_url: str | None = None,
    procedure_name: str,
    procedure_code: str,
    applicant_name: str,
    received_at: dt.datetime,
    appointment_at: dt.date | dt.datetime,
    handling_unit: str = "",
    coordinating_units: str = "",
    hand_offs: Sequence[HandOff | tuple[Any, ...] | Mapping[str, Any]],
    issued_at: dt.date | dt.datetime | None = None,
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the processing control slip shows; see `control_slip_pdf`."""
    return {
        **_frame(
            SlipKind.CONTROL,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=issued_at,
            dossier_code=dossier_code,
            qr_url=qr_url,
            printed_at=printed_at,
        ),
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "applicant_name": applicant_name,
        "received_at": received_at,
        "appointment_at": appointment_at,
        "handling_unit": handling_unit,
        "coordinating_units": coordinating_units,
        "hand_offs": _records(HandOff, hand_offs),
        "timeliness_choices": [str(label) for label in Timeliness.labels],
    }


def control_slip_pdf(**arguments: Any) -> bytes:
    """ "Phiếu kiểm soát quá trình giải quyết hồ sơ" as PDF (A4 landscape); the keywords of
    `control_slip_context`. `hand_offs` has one HandOff per hand-off, in order: step name, giver
    and receiver (name, unit), when it was handed over, the step's due time, and its mark
    (`Timeliness.EARLY` / `ON_TIME` / `LATE`, or None while the step is open). Dated the day it
    is printed unless `issued_at` says otherwise."""
    return slip_pdf(SlipKind.CONTROL, control_slip_context(**arguments))


# --- 7. Sổ theo dõi hồ sơ (mẫu số 06) ---------------------------------------------------------------


def tracking_book_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    period_start: dt.date,
    period_end: dt.date,
    rows: Sequence[TrackingRow | tuple[Any, ...] | Mapping[str, Any]],
    book_name: str = "",
    issued_at: dt.date | dt.datetime | None = None,
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the tracking book shows; see `tracking_book_pdf`."""
    return {
        **_frame(
            SlipKind.TRACKING_BOOK,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=issued_at,
            printed_at=printed_at,
        ),
        "period_start": period_start,
        "period_end": period_end,
        "period_text": _period_text(period_start, period_end, book_name),
        "rows": _records(TrackingRow, rows),
        "book_name": book_name,
    }


def tracking_book_pdf(**arguments: Any) -> bytes:
    """ "Sổ theo dõi hồ sơ" of a period as PDF (A4 landscape); the keywords of `tracking_book_context`.
    `rows` are TrackingRow (code, procedure, applicant, received, appointment, returned, status
    as words, note) in the order to print them."""
    return slip_pdf(SlipKind.TRACKING_BOOK, tracking_book_context(**arguments))


TRACKING_BOOK_HEADER_ROW = 5  # rows 1–3: agency, title, period; row 4 empty; then the table


def tracking_book_xlsx(**arguments: Any) -> bytes:
    """The tracking book as an Excel workbook (.xlsx); the keywords of `tracking_book_context`.

    Row 5 is the header (bold, repeated on every printed page), one row a dossier below it; dates
    are Excel dates in the portal's time zone (dd/mm/yyyy, with hh:mm for a moment), so the book
    sorts and filters as dates. Text is always stored as text: a name that starts with "=" is a
    name, not a formula (CSV/formula injection)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    context = tracking_book_context(**arguments)
    columns = [
        (_("STT"), 6),
        (_("Mã hồ sơ"), 28),
        (_("Thủ tục"), 45),
        (_("Người nộp"), 26),
        (_("Ngày nhận"), 17),
        (_("Ngày hẹn trả"), 17),
        (_("Ngày trả"), 17),
        (_("Tình trạng"), 20),
        (_("Ghi chú"), 30),
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = _("Sổ theo dõi hồ sơ")[:31]
    book.properties.title = str(context["title"])
    book.properties.creator = str(getattr(settings, "PORTAL_NAME", "") or _("Cổng Dịch vụ công"))

    def text(row: int, column: int, value: str, **style: Any) -> None:
        cell = sheet.cell(row=row, column=column, value=value)
        cell.data_type = "s"  # never a formula, whatever the first character
        for name, setting in style.items():
            setattr(cell, name, setting)

    bold = Font(bold=True)
    heading = " – ".join(part for part in (context["parent_agency_name"], context["agency_name"]) if part)
    text(1, 1, heading.upper(), font=bold)
    text(2, 1, str(context["title"]).upper(), font=Font(bold=True, size=14))
    text(3, 1, context["period_text"])
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, (label, width) in enumerate(columns, start=1):
        text(TRACKING_BOOK_HEADER_ROW, column, label, font=bold, alignment=Alignment(wrap_text=True, vertical="center"))
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, record in enumerate(context["rows"], start=1):
        row = TRACKING_BOOK_HEADER_ROW + number
        sheet.cell(row=row, column=1, value=number).alignment = wrap
        for column, value in (
            (2, record.code),
            (3, record.procedure_name),
            (4, record.applicant_name),
            (8, record.status),
            (9, record.note),
        ):
            text(row, column, value or "", alignment=wrap)
        for column, value in ((5, record.received_at), (6, record.appointment_at), (7, record.returned_at)):
            cell = sheet.cell(row=row, column=column, value=_excel_date(value))
            cell.number_format = "dd/mm/yyyy hh:mm" if isinstance(value, dt.datetime) else "dd/mm/yyyy"
            cell.alignment = wrap
    last_row = TRACKING_BOOK_HEADER_ROW + max(len(context["rows"]), 1)
    sheet.freeze_panes = sheet.cell(row=TRACKING_BOOK_HEADER_ROW + 1, column=1)
    sheet.auto_filter.ref = f"A{TRACKING_BOOK_HEADER_ROW}:{get_column_letter(len(columns))}{last_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{TRACKING_BOOK_HEADER_ROW}:{TRACKING_BOOK_HEADER_ROW}"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _period_text(start: dt.date, end: dt.date, book_name: str) -> str:
    period = _("Từ ngày %(start)s đến ngày %(end)s") % {"start": date_text(start), "end": date_text(end)}
    return f"{period} · {book_name}" if book_name else period


def _excel_date(value: dt.date | dt.datetime | None) -> dt.date | dt.datetime | None:
    """Excel has no time zones: a moment is written as the wall-clock time in Vietnam."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


# --- Biên lai thanh toán (the payment receipt, DESIGN §7, §8) -----------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    """One paid line: what, how many, how much (integer đồng)."""

    name: str
    quantity: int
    amount: int


def payment_receipt_context(
    *,
    agency_name: str,
    parent_agency_name: str = "",
    place: str,
    dossier_code: str,
    qr_url: str | None = None,
    procedure_name: str,
    procedure_code: str,
    applicant_name: str,
    payer_name: str,
    receipt_number: str,
    lines: Sequence[ReceiptLine | tuple[str, int, int] | Mapping[str, Any]],
    total: int,
    method: str,
    transaction_no: str,
    order_id: str,
    paid_at: dt.datetime,
    printed_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """What the payment receipt shows; see `payment_receipt_pdf`."""
    return {
        **_frame(
            SlipKind.PAYMENT_RECEIPT,
            agency_name=agency_name,
            parent_agency_name=parent_agency_name,
            place=place,
            issued_at=paid_at,
            dossier_code=dossier_code,
            qr_url=qr_url,
            printed_at=printed_at,
        ),
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "applicant_name": applicant_name,
        "payer_name": payer_name,
        "receipt_number": receipt_number,
        "lines": _records(ReceiptLine, lines),
        "total": total,
        "total_words": amount_in_words(total),
        "method": method,
        "transaction_no": transaction_no,
        "order_id": order_id,
        "paid_at": paid_at,
    }


def payment_receipt_pdf(**arguments: Any) -> bytes:
    """ "Biên lai thanh toán" as PDF; the keywords of `payment_receipt_context`."""
    return slip_pdf(SlipKind.PAYMENT_RECEIPT, payment_receipt_context(**arguments))


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")


def _three_digits(number: int, *, full: bool) -> str:
    """0–999 in words; `full` when a higher group precedes (so 5 reads "không trăm linh năm")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens > 1:
            words.append("mốt")
        elif units == 5 and tens > 0:
            words.append("lăm")
        elif units == 4 and tens > 1:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """An amount of đồng in Vietnamese words, as a receipt writes it: "Một trăm năm mươi nghìn đồng"."""
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    rest = amount
    while rest:
        groups.append(rest % 1000)
        rest //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words.append(_three_digits(group, full=index < len(groups) - 1))
        if _GROUPS[index]:
            words.append(_GROUPS[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]
