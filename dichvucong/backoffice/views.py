"""The officers' site at /mot-cua/: queues, one dossier with the moves the engine allows, files.

Views only read through the dossiers' selectors and write through `dossier_transition`; whether a
move is allowed is the workflow engine's answer, asked once for the page and again by the service.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dichvucong.backoffice.forms import ActionForm, ConsultationAnswerForm
from dichvucong.core.constants import AuditAction
from dichvucong.core.errors import ApplicationError
from dichvucong.core.permissions import is_system_admin, officer_agency_id, officer_roles
from dichvucong.core.services import audit_record, audit_record_many
from dichvucong.documents.http import pdf_response
from dichvucong.dossiers.codes import CODE_TIMEZONE
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.selectors import dossier_handoffs
from dichvucong.dossiers.selectors_officer import (
    QUEUE_SLUGS,
    QUEUES,
    QueueFilters,
    agency_deadline,
    consultation_for_officer,
    consultations_for_agency,
    countdown,
    document_for_officer,
    dossier_for_officer,
    file_for_officer,
    first_step,
    now,
    officers_for_step,
    queue_counts,
    queue_filters,
    queue_page,
    queue_rows,
)
from dichvucong.dossiers.selectors_pages import dossier_page
from dichvucong.dossiers.services import (
    desk_receives_supplement,
    dossier_engine_state,
    dossier_result_upload,
    dossier_transition,
)
from dichvucong.dossiers.slips import OFFICER_SLIPS, available_slips, dossier_slip_pdf, slip_filename
from dichvucong.dossiers.views_pages import stored_file_response
from dichvucong.integrity.selectors import dossier_open_findings
from dichvucong.workflow.engine import allowed_actions, current_step, next_step, timeliness
from dichvucong.workflow.selectors import officer_state

logger = logging.getLogger(__name__)

NO_STORE = "private, no-store"


def officer_required(view: Any) -> Any:
    """Logged in (login page otherwise) as an active officer or a system administrator (403 otherwise)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if officer_agency_id(request.user) is None and not is_system_admin(request.user):
            raise PermissionDenied(_("Trang này dành cho cán bộ của cơ quan tiếp nhận, giải quyết hồ sơ."))
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response

    return wrapper


def _default_queue(user: Any) -> str:
    return "cho-tiep-nhan" if "mot_cua" in officer_roles(user) else "viec-cua-toi"


@officer_required
@require_GET
def queues(request: HttpRequest) -> HttpResponse:
    """The queues (Chờ tiếp nhận, Việc của tôi, …) with their counts, and one queue's dossiers."""
    moment = now()
    slug = request.GET.get("hang-doi") or _default_queue(request.user)
    if slug not in QUEUE_SLUGS:
        slug = _default_queue(request.user)
    calendars: dict[int, Any] = {}
    conditions = queue_filters(request.user, now=moment, calendars=calendars)
    counts = queue_counts(request.user, filters=conditions)
    filters = QueueFilters.from_query(request.GET) if slug == "tat-ca" else None
    page = queue_page(
        request.user,
        slug=slug,
        conditions=conditions,
        count=counts[slug],
        page_number=request.GET.get("trang"),
        filters=filters,
    )
    rows = []
    for dossier in page.object_list:
        due = agency_deadline(dossier)
        rows.append({"dossier": dossier, "countdown": countdown(dossier, due, now=moment, calendars=calendars)})
    query = {k: v for k, v in request.GET.items() if k != "trang"}
    context = {
        "tabs": [{"queue": q, "count": counts[q.slug], "current": q.slug == slug} for q in QUEUES],
        "consultations_open": consultations_for_agency(request.user).count(),
        "queue": QUEUE_SLUGS[slug],
        "page": page,
        "rows": rows,
        "filters": filters,
        "statuses": [(value, label) for value, label in DossierStatus.choices if value != DossierStatus.DRAFT],
        "page_query": urlencode(query),
        "at_desk": "mot_cua" in officer_roles(request.user),
    }
    return render(request, "backoffice/queues.html", context)


def _holders(dossier: Any, action: str, state: Any, known: dict[Any, list[Any]] | None = None) -> list[Any] | None:
    """Who a hand-off may go to: the holders of the step the move leads to (None: the move chooses nobody).

    `known` keeps the answer per step for the page: forwarding and proposing a refusal both lead
    to the next step, and its holders are read once.
    """
    if action == DossierAction.RECEIVE:
        step = first_step(dossier=dossier)
    elif action in (DossierAction.FORWARD, DossierAction.PROPOSE_REFUSAL):
        step = next_step(state)
    else:
        return None
    known = {} if known is None else known
    if step not in known:
        known[step] = officers_for_step(agency_id=dossier.agency_id, step=step)
    return known[step]


def _action_forms(
    request: HttpRequest, dossier: Any, actions: tuple[str, ...], bound: ActionForm | None, files: list[Any]
) -> list:
    state = dossier_engine_state(dossier)
    forms = []
    known: dict[Any, list[Any]] = {}
    for action in actions:
        if bound is not None and bound.action == action:
            forms.append(bound)
            continue
        holders = _holders(dossier, action, state, known)
        forms.append(
            ActionForm(
                action=action, dossier=dossier, holders=holders, files=files, initial={"version": dossier.version}
            )
        )
    return forms


def _dossier_context(request: HttpRequest, dossier: Any, bound: ActionForm | None = None) -> dict[str, Any]:
    moment = now()
    state = dossier_engine_state(dossier)
    actions = allowed_actions(state, officer_state(request.user))
    overview = dossier_page(dossier=dossier, viewer=request.user)
    _verify_signed_files(overview.components)
    return {
        "overview": overview,
        "dossier": dossier,
        "step": current_step(state),
        "steps": state.steps,
        "action_forms": _action_forms(request, dossier, actions, bound, overview.files),
        # Papers brought back to the desk for a desk dossier's supplement request (views_desk.desk_supplement).
        "desk_supplement": desk_receives_supplement(dossier, request.user),
        "handoffs": dossier_handoffs(dossier=dossier, events=overview.events) if dossier.received_at else [],
        "acceptance": countdown(dossier, dossier.acceptance_due_at, now=moment)
        if dossier.status == DossierStatus.SUBMITTED
        else None,
        "appointment": countdown(dossier, dossier.appointment_at, now=moment)
        if dossier.status in (DossierStatus.PROCESSING, DossierStatus.RESULT_READY)
        else None,
        "documents": list(dossier.documents.order_by("created_at")) if _present(dossier, "has_documents") else [],
        "consultations": list(dossier.consultations.select_related("agency", "requested_by", "answered_by"))
        if _present(dossier, "has_consultations")
        else [],
        "payments": _payments_of(dossier) if _present(dossier, "has_payments") else [],
        "slips": available_slips(dossier=dossier, kinds=OFFICER_SLIPS, events=overview.events),
        "integrity_findings": dossier_open_findings(dossier_id=dossier.pk)
        if _present(dossier, "has_open_findings")
        else [],
        # Against the first appointment: an extension does not make a late dossier on time (DESIGN §4).
        "outcome": timeliness(
            dossier.returned_at, dossier.original_appointment_at or dossier.appointment_at, zone=CODE_TIMEZONE
        )
        if dossier.returned_at
        else None,
    }


def _page_presence() -> dict[str, Any]:
    """Whether the dossier has documents, consultations, payment requests and open findings.

    Asked as EXISTS in the dossier's own query: most dossiers have none of them, and each list
    is then not read at all (four queries fewer on the officer's page).
    """
    from dichvucong.dossiers.models import Consultation, DossierDocument
    from dichvucong.integrity.models import IntegrityFinding
    from dichvucong.payments.models import PaymentRequest

    return {
        "has_documents": Exists(DossierDocument.objects.filter(dossier=OuterRef("pk"))),
        "has_consultations": Exists(Consultation.objects.filter(dossier=OuterRef("pk"))),
        "has_payments": Exists(PaymentRequest.objects.filter(dossier=OuterRef("pk"))),
        "has_open_findings": Exists(
            IntegrityFinding.objects.filter(dossier_id=OuterRef("pk"), resolved_at__isnull=True)
        ),
    }


def _present(dossier: Any, name: str) -> bool:
    """What `_page_presence` found; True (read the list) when the dossier was loaded without it."""
    return bool(getattr(dossier, name, True))


def _payments_of(dossier: Any) -> list[Any]:
    from dichvucong.payments.models import PaymentRequest

    return list(
        PaymentRequest.objects.filter(dossier=dossier)
        .prefetch_related("lines", "transactions", "refunds")
        .order_by("created_at")
    )


SIGNED_FILES_CHECKED = 20  # per page: each check reads the file (~20 ms for a few MB)


def _verify_signed_files(components: list[Any]) -> None:
    """Attach pyHanko's verdict to each signed PDF: signer, signing time, intact or not (DESIGN §10)."""
    from dichvucong.documents.signing import verify_pdf

    checked = 0
    for component in components:
        for file in [*component.current_files, *component.replaced_files]:
            file.signature_reports = []
            if not file.is_signed_pdf or checked >= SIGNED_FILES_CHECKED:
                continue
            checked += 1
            try:
                with file.file.open("rb") as handle:
                    file.signature_reports = verify_pdf(handle.read())
            except FileNotFoundError:
                logger.error("Dossier file %s: stored blob %s is missing", file.pk, file.file.name)


@officer_required
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_for_officer(user=request.user, code=code, annotations=_page_presence())
    audit_record(actor=request.user, action=AuditAction.DOSSIER_VIEW, dossier=dossier)
    return render(request, "backoffice/dossier.html", _dossier_context(request, dossier))


@officer_required
@require_POST
def dossier_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """One move on the dossier; a refused or stale move shows the page again with the reason."""
    dossier = dossier_for_officer(user=request.user, code=code)
    if action not in DossierAction.values:
        raise Http404
    state = dossier_engine_state(dossier)
    holders = _holders(dossier, action, state)
    form = ActionForm(request.POST, request.FILES, action=action, dossier=dossier, holders=holders)
    if form.is_valid():
        document = None
        try:
            data = form.service_data()
            if action == DossierAction.SIGN:
                document = dossier_result_upload(
                    dossier=dossier, upload=form.cleaned_data["result"], actor=request.user
                )
                data = {"document": document.pk}
            if action in (DossierAction.REQUEST_PAYMENT, DossierAction.CONFIRM_PAYMENT):
                # Fees belong to the payments app, which moves the dossier through the same door.
                _payment_move(request, dossier, action, form)
                messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": DossierAction(action).label})
                return redirect("backoffice:dossier", code=dossier.code)
            dossier = dossier_transition(
                dossier_id=dossier.pk,
                action=action,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            if document is not None:  # the move failed: the unsigned upload must not linger
                document.file.delete(save=False)
                document.delete()
            messages.error(request, exc.message)
            if exc.code == "stale":
                return redirect("backoffice:dossier", code=dossier.code)
        else:
            messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": DossierAction(action).label})
            return redirect("backoffice:dossier", code=dossier.code)
    dossier = dossier_for_officer(user=request.user, code=code, annotations=_page_presence())
    return render(request, "backoffice/dossier.html", _dossier_context(request, dossier, bound=form), status=400)


def _payment_move(request: HttpRequest, dossier: Any, action: str, form: ActionForm) -> None:
    from dichvucong.payments.services import payment_record_at_desk, payment_request_create, request_for_payment

    version = form.cleaned_data["version"]
    if action == DossierAction.REQUEST_PAYMENT:
        payment_request_create(
            dossier=dossier, actor=request.user, note=form.cleaned_data["comment"], expected_version=version
        )
        return
    pending = request_for_payment(dossier=dossier)
    if pending is None:
        raise ApplicationError(_("Hồ sơ không có khoản phí nào chờ thanh toán."), code="invalid_transition")
    payment_record_at_desk(request=pending, actor=request.user, expected_version=version)


@officer_required
@require_GET
def file_download(request: HttpRequest, file_id: int) -> HttpResponse:
    """A citizen's attachment, to officers of the dossier's agency (404 for anyone else)."""
    record = file_for_officer(user=request.user, file_id=file_id)
    audit_record(
        actor=request.user,
        action=AuditAction.FILE_DOWNLOAD,
        dossier=record.dossier,
        object_type="dossier_file",
        object_id=record.pk,
        object_label=record.name,
    )
    return stored_file_response(record)


@officer_required
@require_GET
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    record = document_for_officer(user=request.user, document_id=document_id)
    audit_record(
        actor=request.user,
        action=AuditAction.DOCUMENT_DOWNLOAD,
        dossier=record.dossier,
        object_type="dossier_document",
        object_id=record.pk,
        object_label=record.name,
    )
    return stored_file_response(record)


@officer_required
@require_GET
def slip(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """A standard slip of the dossier, for printing at the desk or sending."""
    dossier = dossier_for_officer(user=request.user, code=code)
    pdf = dossier_slip_pdf(dossier=dossier, kind=kind) if kind in OFFICER_SLIPS else None
    if pdf is None:
        raise Http404(_("Hồ sơ không có phiếu này."))
    audit_record(actor=request.user, action=AuditAction.SLIP_PRINT, dossier=dossier, object_type="slip", object_id=kind)
    return pdf_response(pdf, filename=slip_filename(dossier=dossier, kind=kind), inline=True)


EXPORT_MAX_ROWS = {"xlsx": 10_000, "pdf": 500}  # a PDF book renders at ~12 ms a row: keep it to seconds


@officer_required
@require_GET
def tracking_book(request: HttpRequest) -> HttpResponse:
    """Sổ theo dõi hồ sơ: the agency's dossiers under the "Tất cả hồ sơ" filters, as Excel or PDF."""
    from dichvucong.documents.slips import TrackingRow, tracking_book_pdf, tracking_book_xlsx

    output = request.GET.get("dinh-dang", "xlsx")
    if output not in EXPORT_MAX_ROWS:
        output = "xlsx"
    moment = now()
    filters = QueueFilters.from_query(request.GET)
    rows = list(
        queue_rows(request.user, slug="tat-ca", conditions=queue_filters(request.user, now=moment), filters=filters)[
            : EXPORT_MAX_ROWS[output] + 1
        ]
    )
    if len(rows) > EXPORT_MAX_ROWS[output]:
        messages.error(
            request,
            _("Có hơn %(n)s hồ sơ: vui lòng lọc theo thời gian hoặc thủ tục rồi xuất lại.")
            % {"n": EXPORT_MAX_ROWS[output]},
        )
        return redirect(f"{reverse('backoffice:queues')}?{urlencode({**request.GET.dict(), 'hang-doi': 'tat-ca'})}")
    local_day = moment.astimezone(CODE_TIMEZONE).date()
    start = filters.date_from or min((r.submitted_at.astimezone(CODE_TIMEZONE).date() for r in rows), default=local_day)
    end = filters.date_to or local_day
    agency = rows[0].agency if rows else None
    arguments = {
        "agency_name": agency.name if agency else _("Tất cả cơ quan"),
        "parent_agency_name": agency.parent.name if agency and agency.parent_id else "",
        "place": settings.PORTAL_PROVINCE,
        "period_start": start,
        "period_end": end,
        "rows": [
            TrackingRow(
                code=dossier.code,
                procedure_name=dossier.procedure_version.name,
                applicant_name=dossier.owner_name,
                received_at=dossier.received_at or dossier.submitted_at,
                appointment_at=dossier.appointment_at,
                returned_at=dossier.returned_at,
                status=dossier.get_status_display(),
            )
            for dossier in reversed(rows)
        ],
    }
    name = f"so-theo-doi-ho-so-{start:%Y%m%d}-{end:%Y%m%d}"
    # One row per dossier in the book, so each citizen sees the export on their own dossier page.
    audit_record_many(
        actor=request.user, action=AuditAction.TRACKING_BOOK_EXPORT, dossiers=rows, data={"format": output}
    )
    if output == "pdf":
        return pdf_response(tracking_book_pdf(**arguments), filename=f"{name}.pdf", inline=True)
    response = HttpResponse(
        tracking_book_xlsx(**arguments),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@officer_required
@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    """Xin ý kiến: what other agencies asked this agency, with the working time left to answer."""
    moment = now()
    rows = list(consultations_for_agency(request.user)[:200])
    # The deadline was set on this (the consulted) agency's calendar: one calendar for the page.
    calendars: dict[int, Any] = {}
    items = [
        {
            "consultation": c,
            "countdown": countdown(c.dossier, c.due_at, now=moment, calendars=calendars, agency=c.agency),
        }
        for c in rows
    ]
    return render(request, "backoffice/consultations.html", {"items": items})


@officer_required
@require_http_methods(["GET", "POST"])
def consultation(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """One consultation: the question, the shared files only, and the answer form."""
    item = consultation_for_officer(user=request.user, consultation_id=consultation_id)
    form = ConsultationAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dossier_transition(
                    dossier_id=item.dossier_id,
                    action=DossierAction.ANSWER_CONSULTATION,
                    actor=request.user,
                    data={"consultation": item.pk, "answer": form.cleaned_data["answer"]},
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã gửi ý kiến trả lời."))
                return redirect("backoffice:consultations")
        status = 400
    context = {"item": item, "form": form, "shared": list(item.shared_files.all())}
    if request.method == "GET":  # the consulted agency reads the dossier's summary here
        audit_record(
            actor=request.user,
            action=AuditAction.DOSSIER_VIEW,
            dossier=item.dossier,
            object_type="consultation",
            object_id=item.pk,
        )
    return render(request, "backoffice/consultation.html", context, status=status)


@officer_required
@require_POST
def payment_exempt(request: HttpRequest, code: str, request_id: int) -> HttpResponse:
    """Miễn phí, lệ phí with a reason: the dossier goes back to where it was."""
    from dichvucong.payments.models import PaymentRequest
    from dichvucong.payments.services import payment_exempt as exempt

    dossier = dossier_for_officer(user=request.user, code=code)
    payment = PaymentRequest.objects.filter(pk=request_id, dossier=dossier).first()
    if payment is None:
        raise Http404
    try:
        exempt(request=payment, actor=request.user, reason=request.POST.get("ly-do", "")[:2000])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã miễn phí, lệ phí cho hồ sơ."))
    return redirect("backoffice:dossier", code=dossier.code)


@officer_required
@require_POST
def payment_refund(request: HttpRequest, code: str, request_id: int) -> HttpResponse:
    """Ghi nhận hoàn tiền: a refund made by transfer or at the desk, recorded against the payment."""
    from dichvucong.payments.models import PaymentRequest
    from dichvucong.payments.services import payment_refund as refund

    dossier = dossier_for_officer(user=request.user, code=code)
    payment = PaymentRequest.objects.filter(pk=request_id, dossier=dossier).first()
    if payment is None:
        raise Http404
    raw = (request.POST.get("so-tien") or "").replace(".", "").replace(",", "").strip()
    amount = int(raw) if raw.isdigit() and len(raw) < 15 else 0
    try:
        refund(
            request=payment,
            actor=request.user,
            amount=amount,
            reason=request.POST.get("ly-do", "")[:2000],
            reference=request.POST.get("chung-tu", "")[:100],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi nhận hoàn tiền."))
    return redirect("backoffice:dossier", code=dossier.code)


@officer_required
@require_GET
def payment_report(request: HttpRequest) -> HttpResponse:
    """Đối soát thanh toán: a day's transactions of the agency against the gateway's answers."""
    import datetime as dt

    from dichvucong.core.permissions import restrict_to_agency
    from dichvucong.payments.models import PaymentTransaction
    from dichvucong.payments.services import payment_daily_report

    moment = now()
    try:
        day = dt.date.fromisoformat((request.GET.get("ngay") or "")[:10])
    except ValueError:
        day = moment.astimezone(CODE_TIMEZONE).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=CODE_TIMEZONE)
    transactions = restrict_to_agency(
        PaymentTransaction.objects.filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=1)),
        request.user,
        field="request__dossier__agency",
    ).select_related("request__dossier")[:300]
    rows = payment_daily_report(transactions=transactions, now=moment)
    context = {"day": day, "rows": rows, "mismatches": [row for row in rows if row.problem]}
    return render(request, "backoffice/payment_report.html", context)
