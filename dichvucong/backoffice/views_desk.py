"""Tiếp nhận hồ sơ trực tiếp: the one-stop desk registers a dossier brought in person or by post.

Two pages: the first opens the dossier (procedure, owner, channel, delivery); the second fills the
procedure's e-form and takes the scanned papers, then receives it at once and offers the receipt
slip. Between the two the dossier is a desk draft, so papers already scanned survive any error.

A third page takes the supplementary papers of such a dossier at the desk, for an owner who cannot (or
does not) answer online: scanned like the first papers, sent through the citizen's own "Gửi bổ sung" move.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dichvucong.backoffice.forms import DeskOpenForm
from dichvucong.backoffice.views import officer_required
from dichvucong.catalog.eforms import build_form
from dichvucong.catalog.models import Procedure
from dichvucong.core.errors import ApplicationError
from dichvucong.core.permissions import ROLE_ONE_STOP, can_act_for_agency, officer_agency_id
from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.selectors import dossier_components
from dichvucong.dossiers.selectors_officer import desk_account_find, desk_procedures, dossier_for_officer
from dichvucong.dossiers.services import (
    DeskOwner,
    desk_receives_supplement,
    dossier_desk_open,
    dossier_desk_receive,
    dossier_edit_scope,
    dossier_file_add,
    dossier_file_remove,
    dossier_problems,
    dossier_transition,
    dossier_update_draft,
)


def _desk_agency(request: HttpRequest) -> int:
    agency_id = officer_agency_id(request.user)
    if agency_id is None or not can_act_for_agency(request.user, agency_id, ROLE_ONE_STOP):
        raise Http404(_("Trang này dành cho cán bộ Bộ phận Một cửa."))
    return agency_id


@officer_required
@require_http_methods(["GET", "POST"])
def desk_open(request: HttpRequest) -> HttpResponse:
    agency_id = _desk_agency(request)
    query = request.GET.get("tim", "")[:100]
    procedures = desk_procedures(agency_id=agency_id, query=query)
    form = DeskOpenForm(request.POST or None, procedures=procedures)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            applicant, owner = None, None
            if data["account"]:
                applicant = desk_account_find(identifier=data["account"])
                if applicant is None:
                    form.add_error("account", _("Không tìm thấy đúng một tài khoản với thông tin này."))
            else:
                owner = DeskOwner(
                    full_name=data["full_name"],
                    national_id=data["national_id"],
                    phone=data["phone"],
                    email=data["email"],
                    street_address=data["street_address"],
                )
            if not form.errors:
                try:
                    dossier = dossier_desk_open(
                        officer=request.user,
                        procedure=Procedure.objects.get(pk=data["procedure"]),
                        channel=data["channel"],
                        applicant=applicant,
                        owner=owner,
                        result_delivery=data["result_delivery"],
                    )
                except ApplicationError as exc:
                    form.add_error((exc.extra or {}).get("field"), exc.message)
                else:
                    return redirect("backoffice:desk_complete", dossier_id=dossier.pk)
    return render(request, "backoffice/desk_open.html", {"form": form, "query": query}, status=status)


def _desk_dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    agency_id = _desk_agency(request)
    dossier = (
        Dossier.objects.select_related("procedure_version", "agency", "applicant")
        .filter(pk=dossier_id, agency_id=agency_id)
        .exclude(channel=IntakeChannel.ONLINE)
        .first()
    )
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return dossier


@officer_required
@require_http_methods(["GET", "POST"])
def desk_complete(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _desk_dossier(request, dossier_id)
    if dossier.status != DossierStatus.DRAFT:
        return render(request, "backoffice/desk_done.html", {"dossier": dossier})
    definition = dossier.procedure_version.eform or {}
    has_eform = bool(definition.get("sections"))
    errors: list[str] = []
    eform = None
    if request.method == "POST":
        if has_eform:
            eform = build_form(definition, data=request.POST, initial=dossier.eform_data)
            if eform.action is not None:  # "Thêm dòng", a province chosen: redraw, nothing saved yet
                return render(request, "backoffice/desk_complete.html", _complete_context(dossier, eform, []))
            payload, rejected = eform.draft_payload()
            dossier = dossier_update_draft(dossier=dossier, actor=request.user, eform_data=payload)
            if rejected:
                errors.append(_("Tờ khai có mục chưa hợp lệ: %(labels)s.") % {"labels": "; ".join(rejected)})
        for component in dossier.procedure_version.components.all():
            for upload in request.FILES.getlist(f"tep-{component.pk}")[:10]:
                try:
                    dossier_file_add(dossier=dossier, component_id=component.pk, upload=upload, actor=request.user)
                except ApplicationError as exc:
                    errors.append(f"{upload.name[:80]}: {exc.message}")
        if request.POST.get("action") == "tiep-nhan" and not errors:
            try:
                received = dossier_desk_receive(dossier=dossier, officer=request.user)
            except ApplicationError as exc:
                errors.extend((exc.extra or {}).get("problems") or [exc.message])
            else:
                messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": received.code})
                return redirect("backoffice:desk_complete", dossier_id=received.pk)
        elif not errors:
            messages.success(request, _("Đã lưu tờ khai và giấy tờ đã số hóa."))
            return redirect("backoffice:desk_complete", dossier_id=dossier.pk)
    if has_eform and (eform is None or not errors):
        eform = build_form(definition, initial=dossier.eform_data)
    context = _complete_context(dossier, eform, errors)
    return render(request, "backoffice/desk_complete.html", context, status=400 if errors else 200)


def _complete_context(dossier: Dossier, eform: Any, errors: list[str]) -> dict[str, Any]:
    return {
        "dossier": dossier,
        "components": dossier_components(dossier=dossier),
        "eform": eform,
        "errors": errors,
        # What still stops the reception, so the officer sees it before pressing "Tiếp nhận".
        "problems": [] if errors else [p.message for p in dossier_problems(dossier)],
    }


# --- Bổ sung tại quầy ---------------------------------------------------------------------------------
ACTION_SEND = "gui"
UPLOADS_PER_COMPONENT = 10


@officer_required
@require_http_methods(["GET", "POST"])
def desk_supplement(request: HttpRequest, code: str) -> HttpResponse:
    """The owner brings the supplementary papers to the desk: scanned here, then sent for the owner."""
    dossier = dossier_for_officer(user=request.user, code=code)
    agency_id = _desk_agency(request)
    if dossier.agency_id != agency_id or dossier.channel == IntakeChannel.ONLINE:
        raise Http404(_("Không tìm thấy hồ sơ."))
    if not desk_receives_supplement(dossier, request.user):
        messages.info(request, _("Hồ sơ này hiện không có yêu cầu bổ sung."))
        return redirect("backoffice:dossier", code=dossier.code)
    scope = dossier_edit_scope(dossier)
    definition = dossier.procedure_version.eform or {}
    with_eform = bool(scope and scope.eform and definition.get("sections"))
    errors: list[str] = []
    eform = None
    if request.method == "POST":
        if with_eform:
            eform = build_form(definition, data=request.POST, initial=dossier.eform_data)
            if eform.action is not None:  # "Thêm dòng", a province chosen: redraw, nothing saved yet
                return render(request, "backoffice/desk_supplement.html", _supplement_context(dossier, eform, []))
            payload, rejected = eform.draft_payload()
            dossier = dossier_update_draft(dossier=dossier, actor=request.user, eform_data=payload)
            if rejected:
                errors.append(_("Tờ khai có mục chưa hợp lệ: %(labels)s.") % {"labels": "; ".join(rejected)})
        errors += _take_papers(request, dossier)
        if request.POST.get("action") == ACTION_SEND and not errors:
            try:
                # The citizen's own move: back where it was asked, the clock resumed, the history written.
                dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=request.user)
            except ApplicationError as exc:
                errors.extend((exc.extra or {}).get("problems") or [exc.message])
            else:
                messages.success(
                    request, _("Đã tiếp nhận hồ sơ bổ sung %(code)s tại Bộ phận Một cửa.") % {"code": dossier.code}
                )
                return redirect("backoffice:dossier", code=dossier.code)
        elif not errors:
            messages.success(request, _("Đã lưu giấy tờ bổ sung đã số hóa. Nhấn “Tiếp nhận bổ sung” khi đã đủ."))
            return redirect("backoffice:desk_supplement", code=dossier.code)
        dossier.refresh_from_db()
    if with_eform and (eform is None or not errors):
        eform = build_form(definition, initial=dossier.eform_data)
    context = _supplement_context(dossier, eform, errors)
    return render(request, "backoffice/desk_supplement.html", context, status=400 if errors else 200)


def _take_papers(request: HttpRequest, dossier: Dossier) -> list[str]:
    """The scans posted per requested component, and the files of this round the officer took out."""
    errors: list[str] = []
    for raw in request.POST.getlist("bo-tep")[:50]:
        try:
            dossier_file_remove(dossier=dossier, file_id=raw, actor=request.user)
        except ApplicationError as exc:
            errors.append(exc.message)
    scope = dossier_edit_scope(dossier)
    for component in dossier.procedure_version.components.all():
        if scope is None or not scope.allows(component.pk):
            continue
        for upload in request.FILES.getlist(f"tep-{component.pk}")[:UPLOADS_PER_COMPONENT]:
            try:
                dossier_file_add(dossier=dossier, component_id=component.pk, upload=upload, actor=request.user)
            except ApplicationError as exc:
                errors.append(f"{upload.name[:80]}: {exc.message}")
    return errors


def _supplement_context(dossier: Dossier, eform: Any, errors: list[str]) -> dict[str, Any]:
    scope = dossier_edit_scope(dossier)
    request_event = scope.request if scope else None
    components = [c for c in dossier_components(dossier=dossier) if scope is not None and scope.allows(c.pk)]
    for component in components:
        # Files of this round can still be taken out; earlier ones are what the agency already received.
        component.this_round = [f for f in component.current_files if f.round == dossier.supplement_round + 1]
    return {
        "dossier": dossier,
        "request_event": request_event,
        "items": (request_event.data.get("items") if request_event else None) or [],
        "components": components,
        "eform": eform,
        "errors": errors,
        "problems": [] if errors else [p.message for p in dossier_problems(dossier)],
    }
