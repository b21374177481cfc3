"""Writes of the catalogue: versions are created, published and retired here and nowhere else.

`procedure_upsert` takes one procedure in the exchange format (docs/catalog-format.md; the same
dict the JSON and Excel importers produce) and makes it the current published version, unless the
current version already says exactly that, in which case nothing changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.agencies.constants import TimeUnit
from dichvucong.agencies.models import Agency
from dichvucong.catalog.constants import FeeKind, FeeType, ImplementingLevel, OnlineLevel, VersionStatus
from dichvucong.catalog.models import DossierComponent, FeeLine, Procedure, ProcedureField, ProcedureVersion
from dichvucong.catalog.search import fold
from dichvucong.core.errors import ApplicationError

TEXT_FIELDS = (
    "competent_agency",
    "processing_time_note",
    "applicants",
    "steps",
    "requirements",
    "legal_basis",
    "result",
    "fee_note",
)
FEE_KEYS = (
    "fee_type",
    "name",
    "kind",
    "amount",
    "first_unit_amount",
    "first_units",
    "next_unit_amount",
    "cap_amount",
    "unit_label",
    "quantity_field",
    "exemption",
)
COMPONENT_KEYS = (
    "name",
    "required",
    "originals",
    "copies",
    "template_name",
    "signature_required",
    "is_eform",
    "document_type",
    "note",
)


def _text(data: dict[str, Any], key: str, *, required: bool = False, limit: int = 20000) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise ApplicationError(_("Thiếu “%(key)s”.") % {"key": key}, code="missing")
    if len(value) > limit:
        raise ApplicationError(_("“%(key)s” dài quá %(limit)s ký tự.") % {"key": key, "limit": limit}, code="long")
    return value


def _amount(value: Any, key: str, *, allow_none: bool = False) -> int | None:
    """Integer đồng: 5000, "5.000", "5,000" are accepted; 5000.5 or a negative amount is not."""
    if value in (None, ""):
        if allow_none:
            return None
        return 0
    if isinstance(value, bool):
        raise ApplicationError(_("“%(key)s” phải là số tiền (đồng).") % {"key": key}, code="amount")
    if isinstance(value, float):
        if not value.is_integer():
            raise ApplicationError(_("“%(key)s” phải là số nguyên đồng.") % {"key": key}, code="amount")
        value = int(value)
    if isinstance(value, str):
        cleaned = value.replace(".", "").replace(",", "").replace(" ", "").removesuffix("đ")
        if not cleaned.isdigit():
            raise ApplicationError(_("“%(key)s” phải là số tiền (đồng).") % {"key": key}, code="amount")
        value = int(cleaned)
    if not isinstance(value, int) or value < 0 or value > 10**12:
        raise ApplicationError(_("“%(key)s” phải là số tiền (đồng) không âm.") % {"key": key}, code="amount")
    return value


def _small_int(value: Any, key: str, *, default: int = 0, maximum: int = 10_000) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ApplicationError(_("“%(key)s” phải là số nguyên.") % {"key": key}, code="int") from exc
    if number < 0 or number > maximum or (isinstance(value, float) and not value.is_integer()):
        raise ApplicationError(_("“%(key)s” không hợp lệ.") % {"key": key}, code="int")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "co", "có", "x"}
    return bool(value)


def _choice(value: Any, key: str, choices: type, default: str | None = None) -> str:
    value = default if value in (None, "") else str(value).strip()
    if value not in choices.values:
        raise ApplicationError(
            _("“%(key)s” phải là một trong: %(choices)s.") % {"key": key, "choices": ", ".join(choices.values)},
            code="choice",
        )
    return value


def normalize_procedure(data: dict[str, Any]) -> dict[str, Any]:
    """Check one procedure of the exchange format and return it in canonical form.

    Raises ApplicationError naming the first problem, so an importer can report "row 12: …".
    """
    if not isinstance(data, dict):
        raise ApplicationError(_("Mỗi thủ tục phải là một đối tượng."), code="type")
    code = _text(data, "code", required=True, limit=32)
    cutoff = data.get("same_day_cutoff") or None
    if cutoff is not None:
        try:
            cutoff = dt.time.fromisoformat(str(cutoff)).strftime("%H:%M")
        except ValueError as exc:
            raise ApplicationError(_("“same_day_cutoff” phải có dạng HH:MM."), code="time") from exc
    legacy = data.get("legacy_level")
    legacy = None if legacy in (None, "") else _small_int(legacy, "legacy_level", maximum=4)
    agencies = data.get("receiving_agencies") or []
    if isinstance(agencies, str):
        agencies = [a.strip() for a in agencies.replace(";", ",").split(",") if a.strip()]
    eform = data.get("eform") or {}
    if isinstance(eform, str):
        try:
            eform = json.loads(eform)
        except ValueError as exc:
            raise ApplicationError(_("“eform” không phải JSON hợp lệ."), code="eform") from exc
    if not isinstance(eform, dict):
        raise ApplicationError(_("“eform” phải là một đối tượng JSON."), code="eform")
    fees = []
    for index, fee in enumerate(data.get("fees") or [], start=1):
        if not isinstance(fee, dict):
            raise ApplicationError(_("Dòng phí %(n)s không hợp lệ.") % {"n": index}, code="fee")
        kind = _choice(fee.get("kind"), "kind", FeeKind, FeeKind.FIXED)
        fees.append(
            {
                "fee_type": _choice(fee.get("fee_type"), "fee_type", FeeType, FeeType.CHARGE),
                "name": _text(fee, "name", required=True, limit=500),
                "kind": kind,
                "amount": _amount(fee.get("amount"), "amount"),
                "first_unit_amount": _amount(fee.get("first_unit_amount"), "first_unit_amount"),
                "first_units": max(1, _small_int(fee.get("first_units"), "first_units", default=1, maximum=1000)),
                "next_unit_amount": _amount(fee.get("next_unit_amount"), "next_unit_amount"),
                "cap_amount": _amount(fee.get("cap_amount"), "cap_amount", allow_none=True),
                "unit_label": _text(fee, "unit_label", limit=50),
                "quantity_field": _text(fee, "quantity_field", limit=64),
                "exemption": _text(fee, "exemption"),
            }
        )
    components = []
    for index, component in enumerate(data.get("components") or [], start=1):
        if not isinstance(component, dict):
            raise ApplicationError(_("Thành phần hồ sơ %(n)s không hợp lệ.") % {"n": index}, code="component")
        components.append(
            {
                "name": _text(component, "name", required=True, limit=4000),
                "required": _bool(component.get("required", True)),
                "originals": _small_int(component.get("originals"), "originals", maximum=100),
                "copies": _small_int(component.get("copies"), "copies", maximum=100),
                "template_name": _text(component, "template_name", limit=255),
                "signature_required": _bool(component.get("signature_required", False)),
                "is_eform": _bool(component.get("is_eform", False)),
                "document_type": _text(component, "document_type", limit=64),
                "note": _text(component, "note"),
            }
        )
    return {
        "code": code,
        "name": _text(data, "name", required=True, limit=1000),
        "field": _text(data, "field", required=True, limit=32),
        "level": _choice(data.get("level"), "level", ImplementingLevel),
        "receiving_agencies": sorted({str(a).strip() for a in agencies}),
        "online_level": _choice(data.get("online_level"), "online_level", OnlineLevel, OnlineLevel.PARTIAL),
        "legacy_level": legacy,
        "processing_time": _small_int(data.get("processing_time"), "processing_time", maximum=3650),
        "processing_time_unit": _choice(
            data.get("processing_time_unit"), "processing_time_unit", TimeUnit, TimeUnit.WORKING_DAYS
        ),
        "same_day_cutoff": cutoff,
        **{key: _text(data, key) for key in TEXT_FIELDS},
        "fees": fees,
        "components": components,
        "eform": eform,
    }


def content_hash(canonical: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def procedure_field_upsert(*, code: str, name: str) -> ProcedureField:
    field, _created = ProcedureField.objects.update_or_create(code=code.strip(), defaults={"name": name.strip()})
    return field


@transaction.atomic
def procedure_upsert(
    *, data: dict[str, Any], popularity: int | None = None, is_demo: bool | None = None
) -> tuple[Procedure, bool]:
    """Make `data` the current published version of its procedure. Returns (procedure, changed)."""
    canonical = normalize_procedure(data)
    digest = content_hash(canonical)
    field = ProcedureField.objects.filter(code=canonical["field"]).first()
    if field is None:
        raise ApplicationError(_("Lĩnh vực “%(code)s” chưa có.") % {"code": canonical["field"]}, code="field")
    agencies = list(Agency.objects.filter(code__in=canonical["receiving_agencies"]))
    missing = set(canonical["receiving_agencies"]) - {a.code for a in agencies}
    if missing:
        raise ApplicationError(
            _("Không có cơ quan mã %(codes)s.") % {"codes": ", ".join(sorted(missing))}, code="agency"
        )
    procedure, _created = Procedure.objects.select_for_update().get_or_create(code=canonical["code"])
    extra_fields = []
    if popularity is not None and procedure.popularity != popularity:
        procedure.popularity = popularity
        extra_fields.append("popularity")
    if is_demo is not None and procedure.is_demo != is_demo:
        procedure.is_demo = is_demo
        extra_fields.append("is_demo")
    if extra_fields:
        procedure.save(update_fields=extra_fields)
    current = procedure.current_version
    if current is not None and current.content_hash == digest:
        return procedure, False
    number = (procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        name=canonical["name"],
        field=field,
        level=canonical["level"],
        online_level=canonical["online_level"],
        legacy_level=canonical["legacy_level"],
        processing_time=canonical["processing_time"],
        processing_time_unit=canonical["processing_time_unit"],
        same_day_cutoff=dt.time.fromisoformat(canonical["same_day_cutoff"]) if canonical["same_day_cutoff"] else None,
        eform=canonical["eform"],
        content_hash=digest,
        **{key: canonical[key] for key in TEXT_FIELDS},
    )
    version.receiving_agencies.set(agencies)
    FeeLine.objects.bulk_create(FeeLine(version=version, order=i, **fee) for i, fee in enumerate(canonical["fees"]))
    DossierComponent.objects.bulk_create(
        DossierComponent(version=version, order=i, **c) for i, c in enumerate(canonical["components"])
    )
    procedure_version_publish(version=version)
    procedure.refresh_from_db()
    return procedure, True


def procedure_version_publish(*, version: ProcedureVersion) -> ProcedureVersion:
    """Publish a draft: the previous published version retires; published content is frozen."""
    if version.status != VersionStatus.DRAFT:
        raise ApplicationError(_("Chỉ phiên bản nháp mới được công bố."), code="not_draft")
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
        ProcedureVersion.objects.filter(procedure=procedure, status=VersionStatus.PUBLISHED).update(
            status=VersionStatus.RETIRED
        )
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
        procedure.current_version = version
        procedure.save(update_fields=["current_version"])
        procedure_index_refresh(procedure=procedure)
    return version


def procedure_version_create_draft(*, procedure: Procedure) -> ProcedureVersion:
    """A new draft copying the current version: the only way to change a published procedure."""
    source = procedure.current_version
    if source is None:
        raise ApplicationError(_("Thủ tục chưa có phiên bản nào."), code="no_version")
    with transaction.atomic():
        number = (procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        fees, components = list(source.fee_lines.all()), list(source.components.all())
        agencies = list(source.receiving_agencies.all())
        source.pk = None
        source._state.adding = True
        source.number, source.status, source.published_at, source.content_hash = number, VersionStatus.DRAFT, None, ""
        source.save()
        source.receiving_agencies.set(agencies)
        for fee in fees:
            fee.pk, fee.version = None, source
        FeeLine.objects.bulk_create(fees)
        for component in components:
            component.pk, component.version = None, source
        DossierComponent.objects.bulk_create(components)
    return source


def procedure_index_refresh(*, procedure: Procedure) -> None:
    """Copy the current version's searchable text, folded, onto the procedure row."""
    version = procedure.current_version
    if version is None:
        procedure.name_folded, procedure.search_folded = "", ""
    else:
        agencies = " ".join(version.receiving_agencies.values_list("name", flat=True))
        procedure.name_folded = fold(version.name)[:1000]
        procedure.search_folded = fold(
            " ".join([procedure.code, version.name, version.field.name, agencies, version.competent_agency])
        )
    procedure.save(update_fields=["name_folded", "search_folded"])
