"""The citizen's dossier pages: "Hồ sơ của tôi", one dossier, its files, delete, withdraw, print.

Every view answers only the dossier's applicant: the selectors raise 404 for anyone else's dossier
or file, the same answer as for one that does not exist, so nobody learns which codes exist.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dichvucong.core.errors import ApplicationError
from dichvucong.core.selectors import dossier_reads
from dichvucong.documents.constants import IssuedKind
from dichvucong.documents.declaration import declaration_pdf
from dichvucong.documents.http import pdf_response
from dichvucong.documents.verification import issued_document_render
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.lookup import mask_name
from dichvucong.dossiers.selectors import (
    dossier_file_for_applicant,
    dossier_for_applicant,
    folder_counts,
    result_for_applicant,
    results_for_applicant,
)
from dichvucong.dossiers.selectors_pages import (
    WITHDRAW_NOW,
    WITHDRAW_REQUEST,
    declaration_arguments,
    dossier_page,
    folder_choose,
    folder_page,
    folder_tabs,
    withdraw_mode,
    withdraw_unavailable_reason,
)
from dichvucong.dossiers.services import dossier_delete_draft, dossier_transition, dossier_url

logger = logging.getLogger(__name__)

NO_STORE = "private, no-store"
REASON_MAX_LENGTH = 2000
_NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@login_required
@require_GET
def folders(request: HttpRequest) -> HttpResponse:
    """Hồ sơ của tôi: the folders with their counts, and one folder's dossiers, 20 a page."""
    counts = folder_counts(user=request.user)
    current = folder_choose(requested=request.GET.get("thu-muc"), counts=counts)
    page = folder_page(user=request.user, folder=current, count=counts[current], page_number=request.GET.get("trang"))
    tabs = folder_tabs(counts=counts, current=current)
    context = {
        "tabs": tabs,
        "current": next(tab for tab in tabs if tab.current),
        "page": page,
        "dossiers": list(page.object_list),
    }
    return render(request, "dossiers/folders.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, ref: str) -> HttpResponse:
    """One dossier: its data, files, declaration and "Xem quá trình xử lý hồ sơ"."""
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    if dossier.code and ref != dossier.code:
        # Reached by its number (a page drawn before it was sent): the address to bookmark is the code's.
        return redirect(dossier_url(dossier))
    from dichvucong.dossiers.slips import CITIZEN_SLIPS, available_slips

    overview = dossier_page(dossier=dossier, viewer=request.user)
    context = {
        "overview": overview,
        "results": results_for_applicant(dossier=dossier),
        "slips": available_slips(dossier=dossier, kinds=CITIZEN_SLIPS, events=overview.events) if dossier.code else [],
        "payments": list(dossier.payment_requests.prefetch_related("lines").order_by("created_at"))
        if dossier.code
        else [],
        # "Ai đã xem hồ sơ của tôi": only this dossier's audit rows, which only officers write.
        "reads": dossier_reads(dossier_id=dossier.pk) if dossier.code else None,
    }
    return render(request, "dossiers/detail.html", context)


@login_required
@require_GET
def file_download(request: HttpRequest, file_id: int) -> FileResponse:
    """An attachment, to the dossier's applicant only (404 for anyone else and for unknown ids).

    Officers of the handling agency get their own door with the back office, checked there
    through core.permissions.can_view_agency_records; this view stays the citizen's.
    The stored content type was detected from the bytes at upload, never taken from the browser.
    """
    return stored_file_response(dossier_file_for_applicant(user=request.user, file_id=file_id))


def stored_file_response(record: Any) -> FileResponse:
    """A stored file (attachment or issued document) as a download, with the type found at upload."""
    try:
        stream = record.file.open("rb")
    except FileNotFoundError:
        # The row outlived its blob (a restore without the media, a manual clean-up): say so, don't crash.
        logger.error("%s %s: stored blob %s is missing", type(record).__name__, record.pk, record.file.name)
        raise Http404(_("Không tìm thấy tệp.")) from None
    response = FileResponse(stream, content_type=record.content_type)
    response["Content-Disposition"] = _content_disposition("attachment", record.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_GET
def result_download(request: HttpRequest, document_id: int) -> FileResponse:
    """The result (signed PDF) of the user's own returned dossier: "nhận kết quả trực tuyến"."""
    return stored_file_response(result_for_applicant(user=request.user, document_id=document_id))


@login_required
@require_http_methods(["GET", "POST"])
def delete_draft(request: HttpRequest, ref: str) -> HttpResponse:
    """Xóa: a draft that was never sent, after a confirmation."""
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    if dossier.status != DossierStatus.DRAFT:
        messages.error(request, _("Chỉ xóa được hồ sơ chưa gửi."))
        return redirect(dossier_url(dossier))
    error = ""
    if request.method == "POST":
        try:
            dossier_delete_draft(dossier=dossier, actor=request.user)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã xóa hồ sơ."))
            return redirect("dossiers:folders")
    return render(request, "dossiers/delete.html", {"dossier": dossier, "error": error})


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do rút hồ sơ"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: object, mode: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        if mode == WITHDRAW_REQUEST:
            # The agency decides on a request, so it needs to know why.
            reason.required = True
            reason.error_messages["required"] = _("Vui lòng nhập lý do đề nghị rút hồ sơ.")
        else:
            reason.help_text = _("Không bắt buộc.")


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    """Rút hồ sơ: at once before reception; after it, "Đề nghị rút hồ sơ", which the agency answers."""
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    mode = withdraw_mode(dossier)
    if mode is None:
        messages.error(request, withdraw_unavailable_reason(dossier))
        return redirect(dossier_url(dossier))
    form = WithdrawForm(request.POST or None, mode=mode, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        action = DossierAction.WITHDRAW if mode == WITHDRAW_NOW else DossierAction.REQUEST_WITHDRAWAL
        try:
            dossier = dossier_transition(
                dossier_id=dossier.pk,
                action=action,
                actor=request.user,
                comment=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            # The page is drawn again from the dossier as it is now, so the next click answers it.
            dossier = dossier_for_applicant(user=request.user, ref=ref)
            mode = withdraw_mode(dossier)
            if mode is None:
                messages.error(request, exc.message)
                return redirect(dossier_url(dossier))
            form = _rebound(form, mode=mode, version=dossier.version, error=exc.message)
        else:
            if action == DossierAction.WITHDRAW:
                messages.success(request, _("Đã rút hồ sơ."))
            else:
                messages.success(request, _("Đã gửi đề nghị rút hồ sơ tới cơ quan giải quyết."))
            return redirect(dossier_url(dossier))
    return render(request, "dossiers/withdraw.html", {"dossier": dossier, "form": form, "mode": mode})


@login_required
@require_GET
def print_form(request: HttpRequest, ref: str) -> HttpResponse:
    """In biểu mẫu đơn: the filled declaration as a PDF, with the code and QR code once sent."""
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    arguments = declaration_arguments(dossier=dossier, printed_at=timezone.now())
    if dossier.code:
        # A sent dossier's declaration is an issued document: its QR code leads to its own
        # verification page. A draft's is a working copy, not registered.
        _record, pdf = issued_document_render(
            kind=IssuedKind.DECLARATION,
            agency_code=dossier.agency.code,
            agency_name=dossier.agency.name,
            reference=dossier.code,
            holder_masked=mask_name(dossier.owner_name or str(dossier.applicant)),
            source=f"dossier:{dossier.pk}",
            render=lambda qr_url: declaration_pdf(**{**arguments, "qr_url": qr_url}),
        )
    else:
        pdf = declaration_pdf(**arguments)
    name = f"to-khai-{dossier.code}.pdf" if dossier.code else f"to-khai-ban-nhap-{dossier.pk}.pdf"
    response = pdf_response(pdf, filename=name, inline=True)
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_GET
def slip(request: HttpRequest, ref: str, kind: str) -> HttpResponse:
    """A standard slip of the user's own dossier (receipt, supplement request, refusal…) as PDF."""
    from dichvucong.dossiers.slips import CITIZEN_SLIPS, dossier_slip_pdf, slip_filename

    dossier = dossier_for_applicant(user=request.user, ref=ref)
    pdf = dossier_slip_pdf(dossier=dossier, kind=kind) if kind in CITIZEN_SLIPS else None
    if pdf is None:
        raise Http404(_("Hồ sơ không có phiếu này."))
    response = pdf_response(pdf, filename=slip_filename(dossier=dossier, kind=kind), inline=True)
    response["Cache-Control"] = NO_STORE
    return response


# --- Helpers --------------------------------------------------------------------------------------
def _content_disposition(disposition: str, filename: str) -> str:
    """An ASCII name for old clients and the exact (Vietnamese) one as RFC 5987 `filename*`."""
    decomposed = unicodedata.normalize("NFD", filename.replace("đ", "d").replace("Đ", "D"))
    ascii_name = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    fallback = _NOT_ASCII_SAFE.sub("-", ascii_name).strip("-.") or "tep-dinh-kem"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _rebound(form: WithdrawForm, *, mode: str, version: int, error: str) -> WithdrawForm:
    """The same answers on a form for the dossier's current version, with the error to read."""
    data = form.data.copy()
    data["version"] = str(version)
    rebound = WithdrawForm(data, mode=mode)
    rebound.is_valid()
    rebound.add_error(None, error)
    return rebound
