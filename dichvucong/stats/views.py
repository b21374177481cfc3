from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dichvucong.agencies.models import Agency
from dichvucong.backoffice.views import officer_required
from dichvucong.core.errors import ApplicationError
from dichvucong.core.permissions import is_system_admin, officer_agency_id
from dichvucong.dossiers.models import Dossier
from dichvucong.stats.decision766 import indicator_values
from dichvucong.stats.forms import StatsFilterForm
from dichvucong.stats.presentation import chart, page_tables, workbook
from dichvucong.stats.satisfaction import CRITERION_KEYS
from dichvucong.stats.selectors import agency_subtree_ids, local_today, stats_report
from dichvucong.stats.services import satisfaction_rate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(
    request: HttpRequest,
    *,
    agencies: Any,
    default_agency: Agency | None,
    template: str,
    subtrees: dict[int, set[int]] | None = None,
) -> HttpResponse:
    """`subtrees`: the sub-trees (agency pk → its pk and those under it) the caller has already read."""
    form = StatsFilterForm(request.GET or None, today=local_today(), agencies=agencies)
    if request.GET and not form.is_valid():
        return render(request, template, {"form": form, "agencies": agencies}, status=400)
    data = form.cleaned_data if request.GET else form.clean_defaults()
    agency = form.agency or default_agency
    procedure, field = form.procedure, form.field
    report = stats_report(
        period=data["period"],
        agency_id=agency.pk if agency else None,
        subtree=(subtrees or {}).get(agency.pk) if agency else None,
        procedure_id=procedure.pk if procedure else None,
        field_id=field.pk if field else None,
        group=data.get("theo") or "agency",
    )
    scope = agency.name if agency else _("Toàn tỉnh")
    if field is not None:
        scope = f"{scope} · {field.name}"
    if procedure is not None:
        scope = f"{scope} · {procedure.code} {procedure.name}"
    if request.GET.get("xuat") == "xlsx":
        response = HttpResponse(
            workbook(report, title=_("Thống kê giải quyết hồ sơ") + f" — {scope}"), content_type=XLSX
        )
        name = f"thong-ke-{report.period.first:%Y%m%d}-{report.period.last:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    query = request.GET.copy()
    query["xuat"] = "xlsx"
    context = {
        "form": form,
        "agencies": agencies,
        "report": report,
        "scope": scope,
        "chart": chart(report.total),
        "tables": page_tables(report),
        "export_query": query.urlencode(),
        "indicators": indicator_values(report),
    }
    return render(request, template, context)


@require_GET
def public_statistics(request: HttpRequest) -> HttpResponse:
    """/thong-ke/: the province, one agency (with its sub-tree) or one procedure, over a period."""
    agencies = Agency.objects.filter(valid_to__isnull=True).order_by("name")
    return _page(request, agencies=agencies, default_agency=None, template="stats/public.html")


@officer_required
@require_GET
def officer_statistics(request: HttpRequest) -> HttpResponse:
    """/mot-cua/thong-ke/: the officer's own agency and those under it; a system administrator sees all."""
    if is_system_admin(request.user):
        agencies = Agency.objects.order_by("name")
        default = None
    else:
        own = officer_agency_id(request.user)
        subtree = agency_subtree_ids(own)
        agencies = Agency.objects.filter(pk__in=subtree).order_by("name")
        # Evaluating the queryset here leaves its rows for the page's list of agencies: one read.
        default = next((agency for agency in agencies if agency.pk == own), None)
        return _page(
            request,
            agencies=agencies,
            default_agency=default,
            template="stats/officer.html",
            subtrees={own: subtree},
        )
    return _page(request, agencies=agencies, default_agency=default, template="stats/officer.html")


@login_required
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant's rating of their returned dossier; anyone else gets 404."""
    dossier = Dossier.objects.filter(code=code[:40], applicant=request.user).only("pk", "code").first()
    if dossier is None:
        raise Http404
    answers: dict[str, int] = {}
    for key in CRITERION_KEYS:
        raw = request.POST.get(key, "")
        answers[key] = int(raw) if raw.isdigit() and len(raw) == 1 else 0
    try:
        satisfaction_rate(
            dossier_id=dossier.pk, actor=request.user, answers=answers, comment=request.POST.get("gop_y", "")
        )
    except ApplicationError as error:
        if error.code == "not_found":
            raise Http404 from error
        messages.error(request, error.message)
    else:
        messages.success(request, _("Cảm ơn bạn đã đánh giá mức độ hài lòng."))
    return redirect(f"{reverse('dossiers:detail', args=[dossier.code])}#danh-gia")
