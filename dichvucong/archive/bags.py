"""BagIt packages (RFC 8493) of finished dossiers, and their verification.

A bag holds the citizen's files, the agency's documents (the signed result among them), the
declaration, the slips, the history with each event's hash and the chain check at export time,
and the metadata of Circular 02/2019/TT-BNV (metadata.json and metadata.xml). bagit writes
SHA-256 manifests for payload and tag files; verification is bagit's validation plus a
re-computation of the history's hash chain from the JSON alone, so a bag can be checked without
the database it came from.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bagit
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.archive.metadata import SOURCES
from dichvucong.archive.models import MetadataField, RetentionPeriod
from dichvucong.archive.selectors import finished_at, retention_for
from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers.constants import FINAL_STATUSES
from dichvucong.dossiers.models import Dossier, DossierEvent

HISTORY = "lich-su.json"
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("._")[:120] or "tep"


@dataclass
class _Context:
    dossier: Dossier
    retention: RetentionPeriod
    finished_at: datetime | None
    file_count: int


def _event_json(event: DossierEvent) -> dict[str, Any]:
    return {
        "dossier": event.dossier_id,
        "sequence": event.sequence,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_label": event.actor_label,
        "comment": event.comment,
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "data": event.data,
        "previous_hash": event.previous_hash,
        "hash": event.hash,
    }


def metadata_values(context: _Context) -> list[dict[str, Any]]:
    rows = MetadataField.objects.order_by("order")
    return [
        {"key": row.key, "label": row.label, "value": SOURCES[row.source](context), "verified": row.verified}
        for row in rows
        if row.source in SOURCES
    ]


def _metadata_xml(values: list[dict[str, Any]]) -> bytes:
    root = ET.Element("HoSo", {"chuan": "TT-02-2019-BNV"})
    for item in values:
        element = ET.SubElement(root, "TruongThongTin", {"khoa": item["key"], "ten": item["label"]})
        element.text = "" if item["value"] is None else str(item["value"])
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _copy_stored(field_file: Any, path: Path) -> None:
    # Through the storage API, so the same code reads local disk or S3.
    path.parent.mkdir(parents=True, exist_ok=True)
    with field_file.open("rb") as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)


def bag_build(*, dossier: Dossier, out_dir: Path) -> Path:
    """Write the dossier's bag at out_dir/<code>; raises ApplicationError if the dossier is not finished."""
    from dichvucong.documents.declaration import declaration_pdf
    from dichvucong.dossiers.selectors_pages import declaration_arguments
    from dichvucong.dossiers.services import dossier_events_verify
    from dichvucong.dossiers.slips import OFFICER_SLIPS, available_slips, dossier_slip_pdf

    if dossier.status not in FINAL_STATUSES or not dossier.code:
        raise ApplicationError(
            _("Chỉ lập gói lưu trữ cho hồ sơ đã kết thúc (đã trả kết quả, bị trả lại hoặc đã rút)."),
            code="not_finished",
        )
    target = Path(out_dir) / _safe(dossier.code)
    if target.exists():
        raise ApplicationError(_("Thư mục %(path)s đã có, không ghi đè.") % {"path": target}, code="exists")
    target.mkdir(parents=True)
    files = list(dossier.files.select_related("component").order_by("pk"))
    for record in files:
        _copy_stored(record.file, target / "ho-so" / f"{record.pk}-{_safe(record.name)}")
    documents = list(dossier.documents.order_by("pk"))
    for document in documents:
        _copy_stored(document.file, target / "tai-lieu" / f"{document.pk}-{_safe(document.name)}")
    _write(target / "to-khai.pdf", declaration_pdf(**declaration_arguments(dossier=dossier, printed_at=timezone.now())))
    for kind, _label_text in available_slips(dossier=dossier, kinds=OFFICER_SLIPS):
        pdf = dossier_slip_pdf(dossier=dossier, kind=kind)
        if pdf:
            _write(target / "phieu" / f"{kind}.pdf", pdf)
    events = [_event_json(e) for e in dossier.events.order_by("sequence")]
    history = {"dossier_code": dossier.code, "chain_intact": dossier_events_verify(dossier=dossier), "events": events}
    _write(target / HISTORY, json.dumps(history, ensure_ascii=False, indent=2, sort_keys=True).encode())
    retention = retention_for(procedure_id=dossier.procedure_version.procedure_id)
    context = _Context(dossier, retention, finished_at(dossier), len(files) + len(documents))
    values = metadata_values(context)
    _write(target / "metadata.json", json.dumps(values, ensure_ascii=False, indent=2, default=str).encode())
    _write(target / "metadata.xml", _metadata_xml(values))
    bagit.make_bag(
        str(target),
        {
            "Source-Organization": dossier.agency.name,
            "Organization-Address": dossier.agency.code,
            "External-Identifier": dossier.code,
            "External-Description": dossier.procedure_version.name,
            "Bag-Group-Identifier": dossier.procedure_version.procedure.code,
            "Retention-Period": retention.label,
        },
        checksums=["sha256"],
    )
    return target


@dataclass
class BagReport:
    ok: bool
    errors: list[str] = field(default_factory=list)


def _history_errors(history: dict[str, Any]) -> list[str]:
    errors, previous_hash = [], ""
    for expected, item in enumerate(history.get("events", []), 1):
        event = DossierEvent(
            dossier_id=item["dossier"],
            sequence=item["sequence"],
            action=item["action"],
            from_status=item["from_status"],
            to_status=item["to_status"],
            actor_label=item["actor_label"],
            comment=item["comment"],
            created_at=datetime.fromisoformat(item["created_at"]),
            data=item["data"],
            previous_hash=item["previous_hash"],
        )
        if item["sequence"] != expected or item["previous_hash"] != previous_hash:
            errors.append(f"history: event {expected} is missing or out of order")
            break
        if event.compute_hash() != item["hash"]:
            errors.append(f"history: event {expected} does not match its hash")
            break
        previous_hash = item["hash"]
    if not history.get("chain_intact", False):
        errors.append("history: the chain was already broken in the database at export time")
    return errors


def bag_verify(path: Path) -> BagReport:
    """bagit's full validation (manifests, Payload-Oxum, no extra or missing files), then the history chain."""
    try:
        bag = bagit.Bag(str(path))
        bag.validate()
    except bagit.BagValidationError as exc:
        details = [str(d) for d in getattr(exc, "details", [])] or [str(exc)]
        return BagReport(ok=False, errors=details)
    except bagit.BagError as exc:
        return BagReport(ok=False, errors=[str(exc)])
    try:
        history = json.loads((Path(path) / "data" / HISTORY).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        return BagReport(ok=False, errors=[f"history: {exc}"])
    errors = _history_errors(history)
    return BagReport(ok=not errors, errors=errors)
