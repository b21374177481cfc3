"""Demo catalogue: real procedures of the national database, loaded through the importer.

`demo_data/catalog.json` holds the procedures (real codes, names, fields, levels, time limits and
fees as published; receiving agencies are the demo agencies of dichvucong.agencies.demo). The
full e-forms live in `demo_data/eforms/` and are attached here at load time, so the catalogue file
and the e-form files can each be edited on their own. Every procedure is marked `is_demo`.
Loading twice changes nothing: the importer only makes a version when the content differs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from django.utils.translation import gettext as _

from dichvucong.catalog.importexport import ImportReport, check_document, import_catalog
from dichvucong.core.errors import ApplicationError

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
CATALOG_FILE = DEMO_DATA / "catalog.json"
EFORM_DIR = DEMO_DATA / "eforms"

# Procedure code → the e-form file (in EFORM_DIR) that is its `eform`; a missing file means no e-form.
EFORM_FILES = {
    "1.001193": "dang_ky_khai_sinh.json",
    "1.000894": "dang_ky_ket_hon.json",
    "2.000488": "cap_phieu_ly_lich_tu_phap.json",
    "1.001612": "dang_ky_ho_kinh_doanh.json",
    "2.000815": "chung_thuc_ban_sao.json",
}


def demo_document() -> dict[str, Any]:
    """The demo catalogue as an exchange document, with the e-forms that exist attached."""
    document = check_document(json.loads(CATALOG_FILE.read_text(encoding="utf-8")))
    for procedure in document["procedures"]:
        procedure["is_demo"] = True
        filename = EFORM_FILES.get(procedure["code"])
        if filename:
            procedure["eform"] = _eform(EFORM_DIR / filename)
    return document


def _eform(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ApplicationError(_("Tờ khai mẫu “%(name)s” không phải JSON hợp lệ.") % {"name": path.name}) from exc
    if not isinstance(content, dict):
        raise ApplicationError(_("Tờ khai mẫu “%(name)s” phải là một đối tượng JSON.") % {"name": path.name})
    return content


def load(out: TextIO) -> ImportReport:
    report = import_catalog(demo_document())
    if not report.ok:
        # Demo data is ours: a row it cannot import is a bug to fix, not a warning to scroll past.
        raise ApplicationError("; ".join(str(error) for error in report.errors))
    out.write(
        _("Thủ tục mẫu: %(total)s thủ tục (%(created)s mới, %(versioned)s phiên bản mới, %(unchanged)s không đổi).")
        % {
            "total": report.saved,
            "created": len(report.created),
            "versioned": len(report.new_version),
            "unchanged": len(report.unchanged),
        }
        + "\n"
    )
    return report
