"""Admin preview of a procedure version's e-form: the form as citizens will see it, validated on
POST, showing the errors or the payload that a dossier would store. Nothing is saved.

The lead registers it in ProcedureVersionAdmin.get_urls, wrapped in `admin_site.admin_view`
(staff only); the view checks the model's view permission itself as well, since a staff member
without rights on the catalogue must not read unpublished drafts.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dichvucong.catalog.eforms import build_form, validate_definition
from dichvucong.catalog.models import ProcedureVersion


@require_http_methods(["GET", "POST"])
def eform_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("catalog.view_procedureversion")):
        raise PermissionDenied
    version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=version_id)
    definition = version.eform or {}
    problems = validate_definition(definition) if definition else [_("Phiên bản này chưa có tờ khai điện tử.")]
    form = payload = None
    display: list = []
    if not problems:
        form = build_form(definition, data=request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            payload = form.cleaned_payload()
            display = form.display_rows()
    context = {
        **admin.site.each_context(request),
        "title": _("Xem trước tờ khai điện tử"),
        "opts": ProcedureVersion._meta,
        "version": version,
        "problems": problems,
        "definition_title": definition.get("title", "") if isinstance(definition, dict) else "",
        "description": definition.get("description", "") if isinstance(definition, dict) else "",
        "form": form,
        "payload": payload,
        "payload_json": json.dumps(payload, ensure_ascii=False, indent=2) if payload is not None else "",
        "display": display,
    }
    return TemplateResponse(request, "catalog/eform/preview.html", context)
