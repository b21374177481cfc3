"""The dossier form (seed: "Tạo và gửi hồ sơ trực tuyến"): Nộp hồ sơ → Lưu lại (draft) → Gửi đi (review,
captcha, pledge) → Nộp hồ sơ thành công; and Bổ sung hồ sơ → Gửi bổ sung.

Views only bind forms and call services; every rule (what a draft may hold, what sending needs,
what a file may be) lives in services.py. Saving never loses what was valid: a value in the wrong
form is not saved and is shown again with its error, everything else is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from dichvucong.catalog.eforms import EFormForm, build_form, display_rows
from dichvucong.catalog.selectors import procedure_detail
from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers import services
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.forms import AgencyChoiceForm, DeliveryForm, OwnerForm, SubmitForm
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.selectors import (
    dossier_components,
    dossier_for_applicant,
    reusable_by_component,
)

ACTION_SAVE = "luu"
ACTION_SEND = "gui"
ACTION_PREFILL = "dien-san"


@dataclass
class FormState:
    """What one POST of the dossier form produced: per-component file errors and general notes."""

    file_errors: dict[int, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rejected_eform: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.file_errors or self.errors or self.rejected_eform)


def _receiving_agencies(version: Any) -> list[Any]:
    today = timezone.localdate()
    return [a for a in version.receiving_agencies.all() if a.valid_to is None or a.valid_to >= today]


def _eform(version: Any, *, data: Any = None, initial: Any = None) -> EFormForm | None:
    definition = version.eform or {}
    if not definition.get("sections"):
        return None
    return build_form(definition, data=data, initial=initial)


def _valid_fields(form: OwnerForm | DeliveryForm, mapping: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The dossier fields of a sub-form whose inputs are valid: an invalid value keeps the saved one."""
    form.is_valid()
    values = form.dossier_fields()
    bad = set(form.errors)
    return {name: value for name, value in values.items() if not bad.intersection(mapping.get(name, (name,)))}


_OWNER_INPUTS = {
    "owner_province_code": ("province_code", "ward_code"),
    "owner_ward_code": ("province_code", "ward_code"),
    "owner_street_address": ("street_address",),
}
_DELIVERY_INPUTS = {
    "result_delivery": ("result_delivery",),
    "post_recipient_name": ("post_recipient_name",),
    "post_recipient_phone": ("post_recipient_phone",),
    "post_province_code": ("province_code", "ward_code"),
    "post_ward_code": ("province_code", "ward_code"),
    "post_street_address": ("street_address",),
}


def _apply_files(request: HttpRequest, dossier: Dossier, state: FormState, *, components: list[Any]) -> None:
    """Uploads, reuses and removals sent with the form, each checked by the file services."""
    for raw in request.POST.getlist("xoa-tep"):
        try:
            services.dossier_file_remove(dossier=dossier, file_id=raw, actor=request.user)
        except ApplicationError as exc:
            state.errors.append(exc.message)
    for component in components:
        for source in request.POST.getlist(f"dung-lai-{component.pk}"):
            try:
                services.dossier_file_reuse(
                    dossier=dossier, component_id=component.pk, source_file_id=source, actor=request.user
                )
            except ApplicationError as exc:
                state.file_errors.setdefault(component.pk, []).append(exc.message)
    for key in request.FILES:
        if not key.startswith("tep-"):
            continue
        component_id = key.removeprefix("tep-")
        for upload in request.FILES.getlist(key):
            try:
                services.dossier_file_add(dossier=dossier, component_id=component_id, upload=upload, actor=request.user)
            except ApplicationError as exc:
                target = int(component_id) if component_id.isascii() and component_id.isdigit() else 0
                state.file_errors.setdefault(target, []).append(exc.message)


def _context(
    request: HttpRequest,
    *,
    dossier: Dossier,
    version: Any,
    owner_form: OwnerForm | None,
    delivery_form: DeliveryForm | None,
    eform: EFormForm | None,
    state: FormState | None = None,
    agency_form: AgencyChoiceForm | None = None,
    scope: services.EditScope | None = None,
) -> dict[str, Any]:
    state = state or FormState()
    components = dossier_components(dossier=dossier) if dossier.pk else list(version.components.all())
    if not dossier.pk:
        for component in components:
            component.current_files, component.replaced_files = [], []
    reusable = reusable_by_component(user=request.user, components=components)
    for component in components:
        component.reusable = reusable.get(component.pk, [])
        component.errors = state.file_errors.get(component.pk, [])
        component.editable = scope is None or scope.allows(component.pk)
    problems = services.dossier_problems(dossier) if dossier.pk else []
    missing = {problem.section for problem in problems}
    steps = [
        (services.SECTION_GENERAL, _("Thông tin chung")),
        (services.SECTION_DELIVERY, _("Hình thức nhận kết quả")),
        (services.SECTION_COMPONENTS, _("Thành phần hồ sơ")),
    ]
    if eform is not None:
        steps.append((services.SECTION_EFORM, _("Tờ khai")))
    return {
        "dossier": dossier,
        "ref": dossier.code or dossier.pk,
        "version": version,
        "procedure": version.procedure,
        "owner_form": owner_form,
        "delivery_form": delivery_form,
        "agency_form": agency_form,
        "eform": eform,
        "components": components,
        "state": state,
        "general_errors": _general_errors(state, components),
        "steps": [
            {"anchor": anchor, "title": title, "complete": bool(dossier.pk) and anchor not in missing}
            for anchor, title in steps
        ],
        "scope": scope,
        "has_eform": eform is not None,
        "has_prefill": any(
            item.get("prefill") for s in (version.eform or {}).get("sections") or () for item in s.get("fields") or ()
        ),
    }


def _general_errors(state: FormState, shown: list[Any]) -> list[str]:
    """Errors for the top of the page: general ones, and file errors of components not on the page
    (a tampered field, or a component that was not asked for in a supplement)."""
    shown_ids = {component.pk for component in shown}
    errors = list(state.errors)
    for component_id, messages_ in state.file_errors.items():
        if component_id not in shown_ids:
            errors.extend(messages_)
    return errors


# --- Nộp hồ sơ: a new draft ------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, code: str) -> HttpResponse:
    procedure = procedure_detail(code=code[:32])
    if procedure is None or procedure.current_version is None:
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    version = procedure.current_version
    agencies = _receiving_agencies(version)
    if not agencies:
        messages.error(request, _("Thủ tục này hiện chưa nhận hồ sơ trực tuyến."))
        return redirect("catalog:detail", code=procedure.code)
    # An unsaved dossier, prefilled from the account, gives the form its initial values.
    preview = Dossier(
        procedure_version=version,
        applicant=request.user,
        agency=agencies[0],
        **services.owner_from_account(request.user),
    )
    data = request.POST if request.method == "POST" else None
    agency_form = AgencyChoiceForm(data, agencies=agencies) if len(agencies) > 1 else None
    owner_form = OwnerForm(data, dossier=preview)
    delivery_form = DeliveryForm(data, dossier=preview)
    eform = _eform(version, data=data)

    def page(status: int = 200) -> HttpResponse:
        context = _context(
            request,
            dossier=preview,
            version=version,
            owner_form=owner_form,
            delivery_form=delivery_form,
            eform=eform,
            agency_form=agency_form,
        )
        return render(request, "dossiers/form.html", context, status=status)

    if request.method == "POST":
        agency = agencies[0]
        if agency_form is not None:
            if not agency_form.is_valid():
                return page(status=400)
            agency = next(a for a in agencies if a.pk == agency_form.cleaned_data["agency"])
        try:
            dossier = services.dossier_create_draft(procedure=procedure, applicant=request.user, agency=agency)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:detail", code=procedure.code)
        return _save_and_answer(request, dossier, owner_form, delivery_form, eform)
    return page()


# --- Sửa hồ sơ: the draft ------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        return redirect("dossiers:supplement", ref=ref)
    if dossier.status != DossierStatus.DRAFT:
        messages.info(request, _("Hồ sơ đã gửi không thể sửa."))
        return redirect(services.dossier_url(dossier))
    version = dossier.procedure_version
    data = request.POST if request.method == "POST" else None
    owner_form = OwnerForm(data, dossier=dossier)
    delivery_form = DeliveryForm(data, dossier=dossier)
    eform = _eform(version, data=data, initial=dossier.eform_data)
    if request.method == "POST":
        return _save_and_answer(request, dossier, owner_form, delivery_form, eform)
    context = _context(
        request, dossier=dossier, version=version, owner_form=owner_form, delivery_form=delivery_form, eform=eform
    )
    return render(request, "dossiers/form.html", context)


def _posted_version(request: HttpRequest) -> int | None:
    raw = request.POST.get("phien-ban", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _save_and_answer(
    request: HttpRequest,
    dossier: Dossier,
    owner_form: OwnerForm,
    delivery_form: DeliveryForm,
    eform: EFormForm | None,
) -> HttpResponse:
    state = FormState()
    action = request.POST.get("action", ACTION_SAVE)
    fields = {**_valid_fields(owner_form, _OWNER_INPUTS), **_valid_fields(delivery_form, _DELIVERY_INPUTS)}
    if eform is not None and eform.action is None:
        payload, state.rejected_eform = eform.draft_payload()
        fields["eform_data"] = payload
    elif eform is not None:
        # "Thêm dòng" / "Cập nhật danh sách xã/phường": the table or ward list changes on screen;
        # the declaration itself is saved with the next Lưu lại.
        pass
    expected = _posted_version(request)
    try:
        dossier = services.dossier_update_draft(
            dossier=dossier, actor=request.user, expected_version=expected, **fields
        )
    except ApplicationError as exc:
        state.errors.append(exc.message)
    components = list(dossier.procedure_version.components.all())
    _apply_files(request, dossier, state, components=components)
    if action == ACTION_PREFILL and not state.errors:
        dossier.refresh_from_db()
        filled = services.dossier_prefill(dossier=dossier, actor=request.user)
        if filled:
            messages.success(
                request,
                ngettext(
                    "Đã điền sẵn %(n)s mục của tờ khai từ thông tin tài khoản và hồ sơ trước; vui lòng kiểm tra lại.",
                    "Đã điền sẵn %(n)s mục của tờ khai từ thông tin tài khoản và hồ sơ trước; vui lòng kiểm tra lại.",
                    len(filled),
                )
                % {"n": len(filled)},
            )
        else:
            messages.info(
                request, _("Không có thông tin nào để điền sẵn: các mục đã có giá trị hoặc tài khoản chưa có.")
            )
        return redirect(reverse("dossiers:edit", kwargs={"ref": dossier.pk}) + "#to-khai")
    form_invalid = (owner_form.errors or delivery_form.errors) or (eform is not None and eform.action is not None)
    if state.ok and not form_invalid:
        if action == ACTION_SEND:
            return redirect("dossiers:review", ref=dossier.pk)
        messages.success(request, _("Đã lưu hồ sơ. Hồ sơ nằm trong mục Hồ sơ chưa gửi cho đến khi bạn gửi đi."))
        return redirect("dossiers:edit", ref=dossier.pk)
    dossier.refresh_from_db()
    if eform is not None and eform.action is None and state.rejected_eform:
        state.errors.append(
            _("Các mục sau của tờ khai chưa đúng nên chưa được lưu: %(labels)s.")
            % {"labels": "; ".join(state.rejected_eform)}
        )
    if eform is not None and eform.action is None and not state.rejected_eform:
        # Required-but-empty errors are for sending, not for a draft: show the form without them.
        eform = _eform(dossier.procedure_version, initial=dossier.eform_data)
    context = _context(
        request,
        dossier=dossier,
        version=dossier.procedure_version,
        owner_form=owner_form,
        delivery_form=delivery_form,
        eform=eform,
        state=state,
    )
    if state.errors or state.file_errors or owner_form.errors or delivery_form.errors:
        messages.warning(request, _("Đã lưu những thông tin hợp lệ. Vui lòng sửa các mục còn lỗi bên dưới."))
    return render(request, "dossiers/form.html", context, status=200 if eform and eform.action else 400)


# --- Tệp đính kèm, one at a time (the upload with a progress bar) ---------------------------------
@login_required
@require_POST
def file_add(request: HttpRequest, ref: str) -> HttpResponse:
    """One file for one component, posted by the page's script; answers with the component's block."""
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    component_id = request.POST.get("component", "")
    upload = request.FILES.get("file")
    errors: list[str] = []
    if upload is None:
        errors.append(_("Vui lòng chọn tệp để tải lên."))
    else:
        try:
            services.dossier_file_add(dossier=dossier, component_id=component_id, upload=upload, actor=request.user)
        except ApplicationError as exc:
            errors.append(exc.message)
    scope = services.dossier_edit_scope(dossier)
    components = [c for c in dossier_components(dossier=dossier) if str(c.pk) == component_id]
    if not components:
        return HttpResponseBadRequest(errors[0] if errors else _("Thành phần hồ sơ không thuộc hồ sơ này."))
    component = components[0]
    component.reusable = reusable_by_component(user=request.user, components=[component]).get(component.pk, [])
    component.errors = errors
    component.editable = scope is not None and scope.allows(component.pk)
    return render(
        request,
        "dossiers/includes/component.html",
        {
            "component": component,
            "dossier": dossier,
            "ref": ref,
            "has_eform": bool((dossier.procedure_version.eform or {}).get("sections")),
        },
        status=400 if errors else 200,
    )


# --- Gửi đi: review, captcha, pledge --------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    if dossier.status != DossierStatus.DRAFT:
        # A second click on "Gửi hồ sơ", or the back button after sending: show where it went.
        if dossier.code and dossier.status != DossierStatus.WITHDRAWN:
            return redirect("dossiers:success", ref=dossier.code)
        return redirect(services.dossier_url(dossier))
    form = SubmitForm(request.POST or None, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.dossier_transition(
                dossier_id=dossier.pk,
                action=DossierAction.SUBMIT,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            current = Dossier.objects.filter(pk=dossier.pk).values_list("status", "code").first()
            if current and current[0] == DossierStatus.SUBMITTED and current[1]:
                return redirect("dossiers:success", ref=current[1])
            form.add_error(None, exc.message)
            dossier.refresh_from_db()
            form = _fresh_submit_form(form, dossier)
        else:
            return redirect("dossiers:success", ref=sent.code)
    problems = services.dossier_problems(dossier)
    eform = None
    definition = dossier.procedure_version.eform or {}
    rows = []
    if definition.get("sections"):
        rows = display_rows(definition, dossier.eform_data or {})
        eform = True
    context = {
        "dossier": dossier,
        "ref": dossier.pk,
        "procedure": dossier.procedure_version.procedure,
        "version": dossier.procedure_version,
        "components": dossier_components(dossier=dossier),
        "problems": problems,
        "rows": rows,
        "has_eform": eform,
        "form": form,
    }
    return render(request, "dossiers/review.html", context, status=400 if form.errors else 200)


def _fresh_submit_form(old: SubmitForm, dossier: Dossier) -> SubmitForm:
    """The same errors on a form that carries the dossier's current version and a new captcha."""
    fresh = SubmitForm(initial={"version": dossier.version, "pledge": old.data.get("pledge")})
    fresh._errors = old.errors
    return fresh


@login_required
def success(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    if not dossier.code:
        return redirect("dossiers:edit", ref=dossier.pk)
    return render(request, "dossiers/success.html", {"dossier": dossier})


# --- Bổ sung hồ sơ ------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def supplement(request: HttpRequest, ref: str) -> HttpResponse:
    dossier = dossier_for_applicant(user=request.user, ref=ref)
    scope = services.dossier_edit_scope(dossier)
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or scope is None:
        messages.info(request, _("Hồ sơ này hiện không có yêu cầu bổ sung."))
        return redirect(services.dossier_url(dossier))
    version = dossier.procedure_version
    data = request.POST if request.method == "POST" else None
    eform = _eform(version, data=data, initial=dossier.eform_data) if scope.eform else None
    state = FormState()
    if request.method == "POST":
        action = request.POST.get("action", ACTION_SAVE)
        if eform is not None and eform.action is None:
            payload, state.rejected_eform = eform.draft_payload()
            try:
                dossier = services.dossier_update_draft(dossier=dossier, actor=request.user, eform_data=payload)
            except ApplicationError as exc:
                state.errors.append(exc.message)
        _apply_files(request, dossier, state, components=list(version.components.all()))
        if state.ok and (eform is None or eform.action is None):
            if action == ACTION_SEND:
                try:
                    services.dossier_transition(
                        dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=request.user
                    )
                except ApplicationError as exc:
                    state.errors.extend(exc.extra.get("problems") or [exc.message])
                else:
                    messages.success(
                        request,
                        _("Đã gửi bổ sung hồ sơ %(code)s. Cơ quan sẽ tiếp tục xem xét.") % {"code": dossier.code},
                    )
                    return redirect(services.dossier_url(dossier))
            else:
                messages.success(request, _("Đã lưu nội dung bổ sung. Nhấn “Gửi bổ sung” khi đã đủ."))
                return redirect("dossiers:supplement", ref=ref)
        dossier.refresh_from_db()
        if state.rejected_eform:
            state.errors.append(
                _("Các mục sau của tờ khai chưa đúng nên chưa được lưu: %(labels)s.")
                % {"labels": "; ".join(state.rejected_eform)}
            )
    components = dossier_components(dossier=dossier)
    reusable = reusable_by_component(user=request.user, components=components)
    for component in components:
        component.reusable = reusable.get(component.pk, [])
        component.errors = state.file_errors.get(component.pk, [])
        component.editable = scope.allows(component.pk)
    request_event = scope.request
    context = {
        "dossier": dossier,
        "ref": dossier.code,
        "version": version,
        "procedure": version.procedure,
        "request_event": request_event,
        "items": (request_event.data.get("items") if request_event else None) or [],
        "components": [c for c in components if c.editable],
        "eform": eform,
        "has_eform": bool((version.eform or {}).get("sections")),
        "state": state,
        "general_errors": _general_errors(state, [c for c in components if c.editable]),
    }
    return render(request, "dossiers/supplement.html", context, status=400 if not state.ok else 200)
