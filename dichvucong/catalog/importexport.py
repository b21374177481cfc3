"""Import and export of the catalogue in the exchange format (docs/catalog-format.md).

One document shape for both file kinds::

    {"format": "dichvucong-catalog", "format_version": 1,
     "fields": [{"code", "name"}, ...],
     "procedures": [<one procedure as services.normalize_procedure reads it, plus "popularity", "is_demo">, ...]}

`read_json` and `read_excel` turn a file into that dict; `import_catalog` saves it; `export_catalog`
builds it from the database and `write_json` / `write_excel` write it out, so an exported file
imports back to exactly the same content.

Each procedure is saved in its own savepoint: a bad row is reported with its row number and
reason and leaves nothing behind, while the good rows go in. Re-importing the same content
changes nothing (procedure_upsert compares content hashes). Files come from outside, so every
reader bounds what it accepts (size, rows, cell length, unpacked size) and turns anything it
cannot read into an ApplicationError with a Vietnamese message, never an unhandled exception.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from dichvucong.agencies.constants import TimeUnit
from dichvucong.catalog.constants import FeeKind, FeeType, ImplementingLevel, OnlineLevel
from dichvucong.catalog.models import DossierComponent, FeeLine, Procedure, ProcedureField, ProcedureVersion
from dichvucong.catalog.search import fold
from dichvucong.catalog.services import (
    COMPONENT_KEYS,
    FEE_KEYS,
    TEXT_FIELDS,
    content_hash,
    normalize_procedure,
    procedure_field_upsert,
    procedure_upsert,
)
from dichvucong.core.errors import ApplicationError

logger = logging.getLogger(__name__)

FORMAT_NAME = "dichvucong-catalog"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PROCEDURES = 10_000
MAX_CHILD_ROWS = 100_000  # per child sheet (fees, components, e-form parts)
MAX_FIELDS = 1_000
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: bound what it unpacks to
MAX_ZIP_ENTRIES = 1_000
EFORM_CHUNK_CHARS = 15_000  # one e-form JSON spans several "To khai" rows when longer than a cell allows

# Keys of one procedure in the order files list them. "popularity" and "is_demo" are properties of
# the procedure, not of a version: they are imported, but never make a new version.
PROCEDURE_SCALARS = (
    "code",
    "name",
    "field",
    "level",
    "receiving_agencies",
    "online_level",
    "legacy_level",
    "processing_time",
    "processing_time_unit",
    "same_day_cutoff",
    *TEXT_FIELDS,
)
PROCEDURE_EXTRAS = ("popularity", "is_demo")

# Sheet names are ASCII so that every spreadsheet program and locale keeps them intact; the reader
# also accepts them with diacritics ("Thủ tục") because it compares folded names.
SHEET_FIELDS = "Linh vuc"
SHEET_PROCEDURES = "Thu tuc"
SHEET_FEES = "Phi"
SHEET_COMPONENTS = "Thanh phan"
SHEET_EFORMS = "To khai"
SHEET_GUIDE = "Huong dan"

# (key, Vietnamese header) of each sheet, in column order. Row 1 holds the headers, row 2 the keys;
# the reader maps columns by the key row (or by the headers when the key row was deleted), so an
# officer may reorder or drop optional columns.
FIELD_COLUMNS = (("code", "Mã lĩnh vực"), ("name", "Tên lĩnh vực"))
PROCEDURE_COLUMNS = (
    ("code", "Mã thủ tục"),
    ("name", "Tên thủ tục"),
    ("field", "Mã lĩnh vực"),
    ("level", "Cấp thực hiện"),
    ("receiving_agencies", "Cơ quan tiếp nhận (mã định danh, cách nhau bởi dấu ;)"),
    ("online_level", "Mức độ dịch vụ công trực tuyến"),
    ("legacy_level", "Mức độ cũ (1–4)"),
    ("processing_time", "Thời hạn giải quyết"),
    ("processing_time_unit", "Đơn vị thời hạn"),
    ("same_day_cutoff", "Giờ tiếp nhận cuối trong ngày (HH:MM)"),
    ("competent_agency", "Cơ quan có thẩm quyền"),
    ("processing_time_note", "Ghi chú thời hạn"),
    ("applicants", "Đối tượng thực hiện"),
    ("steps", "Trình tự thực hiện"),
    ("requirements", "Yêu cầu, điều kiện"),
    ("legal_basis", "Căn cứ pháp lý"),
    ("result", "Kết quả thực hiện"),
    ("fee_note", "Ghi chú phí, lệ phí"),
    ("popularity", "Mức độ sử dụng"),
    ("is_demo", "Dữ liệu mẫu (có/không)"),
)
FEE_COLUMNS = (
    ("procedure_code", "Mã thủ tục"),
    ("fee_type", "Loại (phi / le_phi)"),
    ("name", "Nội dung"),
    ("kind", "Cách tính (fixed / per_unit)"),
    ("amount", "Mức thu cố định (đồng)"),
    ("first_unit_amount", "Đơn vị đầu tiên (đồng)"),
    ("first_units", "Số đơn vị tính giá đầu"),
    ("next_unit_amount", "Mỗi đơn vị tiếp theo (đồng)"),
    ("cap_amount", "Mức thu tối đa (đồng)"),
    ("unit_label", "Đơn vị tính"),
    ("quantity_field", "Trường số lượng trên tờ khai"),
    ("exemption", "Miễn, giảm"),
)
COMPONENT_COLUMNS = (
    ("procedure_code", "Mã thủ tục"),
    ("name", "Tên giấy tờ"),
    ("required", "Bắt buộc (có/không)"),
    ("originals", "Số bản chính"),
    ("copies", "Số bản sao"),
    ("template_name", "Tên mẫu đơn, tờ khai"),
    ("signature_required", "Yêu cầu ký số (có/không)"),
    ("is_eform", "Là tờ khai điện tử (có/không)"),
    ("document_type", "Loại giấy tờ (để dùng lại)"),
    ("note", "Ghi chú"),
)
EFORM_COLUMNS = (("procedure_code", "Mã thủ tục"), ("eform", "Tờ khai điện tử (JSON)"))

CHOICES_BY_KEY: dict[str, Any] = {
    "level": ImplementingLevel,
    "online_level": OnlineLevel,
    "processing_time_unit": TimeUnit,
    "fee_type": FeeType,
    "kind": FeeKind,
}
BOOLEAN_KEYS = frozenset({"is_demo", "required", "signature_required", "is_eform"})
CODE_KEYS = frozenset({"code", "procedure_code", "field"})
# A cell's XML cannot carry control characters, and XML parsing turns "\r\n" into "\n". OOXML writes
# such a character as _xHHHH_ (and a literal "_xHHHH_" as _x005F_xHHHH_); Excel and LibreOffice show
# them as the character. Escaping on export and unescaping on import keeps every text byte for byte,
# so a text edited in the admin (browsers send "\r\n") does not come back as a "new version".
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f]")
_TRUE_WORDS = frozenset({"co", "x", "1", "true", "yes", "c"})
_FALSE_WORDS = frozenset({"khong", "0", "false", "no", "k"})


@dataclass(frozen=True)
class RowError:
    """One rejected row: where it is, which procedure it names, and why."""

    row: int
    code: str
    reason: str
    sheet: str = ""

    def __str__(self) -> str:
        where = (
            _("%(sheet)s, dòng %(row)s") % {"sheet": self.sheet, "row": self.row}
            if self.sheet
            else _("Dòng %(row)s") % {"row": self.row}
        )
        return f"{where} ({self.code or '—'}): {self.reason}"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    new_version: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fields_created: int = 0
    fields_updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> int:
        return len(self.created) + len(self.new_version) + len(self.unchanged)

    def summary(self) -> str:
        return _(
            "%(created)s thủ tục mới, %(versioned)s thủ tục có phiên bản mới, %(unchanged)s không thay đổi, "
            "%(errors)s dòng lỗi; lĩnh vực: %(fields_created)s mới, %(fields_updated)s cập nhật."
        ) % {
            "created": len(self.created),
            "versioned": len(self.new_version),
            "unchanged": len(self.unchanged),
            "errors": len(self.errors),
            "fields_created": self.fields_created,
            "fields_updated": self.fields_updated,
        }

    def lines(self) -> list[str]:
        """The whole report as text lines (for the management command and logs)."""
        lines = [self.summary()]
        lines += [_("Cảnh báo: %(text)s") % {"text": text} for text in self.warnings]
        lines += [_("Lỗi — %(error)s") % {"error": error} for error in self.errors]
        return lines


# --------------------------------------------------------------------------------------- import


def check_document(data: Any) -> dict[str, Any]:
    """The envelope of an exchange document: marker, version, lists, bounds. Raises ApplicationError."""
    if not isinstance(data, dict):
        raise ApplicationError(
            _("Tệp không đúng định dạng danh mục thủ tục: phải là một đối tượng JSON."), code="format"
        )
    if data.get("format") != FORMAT_NAME:
        raise ApplicationError(
            _("Tệp không phải danh mục thủ tục (thiếu hoặc sai khóa “format”: cần “%(name)s”).")
            % {"name": FORMAT_NAME},
            code="format",
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise ApplicationError(
            _("Phiên bản định dạng “%(version)s” không được hỗ trợ (cần %(expected)s).")
            % {"version": data.get("format_version"), "expected": FORMAT_VERSION},
            code="format_version",
        )
    fields, procedures = data.get("fields", []), data.get("procedures", [])
    if not isinstance(fields, list) or not isinstance(procedures, list):
        raise ApplicationError(_("“fields” và “procedures” phải là danh sách."), code="format")
    if len(procedures) > MAX_PROCEDURES:
        raise ApplicationError(
            _("Tệp có %(count)s thủ tục, vượt giới hạn %(limit)s thủ tục mỗi lần nhập.")
            % {"count": len(procedures), "limit": MAX_PROCEDURES},
            code="too_many_rows",
        )
    if len(fields) > MAX_FIELDS:
        raise ApplicationError(_("Tệp có quá %(limit)s lĩnh vực.") % {"limit": MAX_FIELDS}, code="too_many_rows")
    return data


def import_catalog(data: dict[str, Any]) -> ImportReport:
    """Save an exchange document: fields first, then each procedure in its own savepoint.

    Row numbers in the report are those a reader attached (`_row`, the spreadsheet row) or, for a
    JSON document, the procedure's position in "procedures" counted from 1.
    """
    check_document(data)
    # One transaction for the whole file (one commit, not one per row) and a savepoint per
    # procedure inside it, so a bad row rolls back alone.
    with transaction.atomic():
        return _import_document(data)


def _import_document(data: dict[str, Any]) -> ImportReport:
    report = ImportReport(warnings=[w for w in data.get("_warnings", []) if isinstance(w, str)])
    report.errors += [error for error in data.get("_errors", []) if isinstance(error, RowError)]
    _import_fields(data.get("fields", []), report)

    procedures = data.get("procedures", [])
    codes = [str(p.get("code") or "").strip() for p in procedures if isinstance(p, dict)]
    current = {
        code: (digest, popularity, is_demo)
        for code, digest, popularity, is_demo in Procedure.objects.filter(
            code__in=codes, current_version__isnull=False
        ).values_list("code", "current_version__content_hash", "popularity", "is_demo")
    }
    existing = set(current)
    seen: dict[str, int] = {}
    for index, item in enumerate(procedures, start=1):
        row = item.get("_row", index) if isinstance(item, dict) else index
        code = str(item.get("code") or "").strip() if isinstance(item, dict) else ""
        if code and code in seen:
            report.errors.append(
                RowError(row, code, _("Mã thủ tục trùng với dòng %(row)s.") % {"row": seen[code]}, _sheet(item))
            )
            continue
        if code:
            seen[code] = row
        try:
            popularity, is_demo = _extras(item)
            if _already_current(item, current.get(code), popularity, is_demo):
                report.unchanged.append(code)
                continue
            with transaction.atomic():
                _procedure, changed = procedure_upsert(data=item, popularity=popularity, is_demo=is_demo)
        except ApplicationError as exc:
            report.errors.append(_row_error(item, row, code, exc))
            continue
        except DatabaseError:
            # The savepoint rolled back; the row is reported rather than aborting the whole import.
            logger.warning("catalog import: database error on row %s (%s)", row, code, exc_info=True)
            report.errors.append(RowError(row, code, _("Không lưu được do lỗi cơ sở dữ liệu."), _sheet(item)))
            continue
        except (ValueError, TypeError, OverflowError, RecursionError):
            # Values normalize_procedure does not foresee (1e400 days, an e-form nested 1,000 deep …).
            logger.warning("catalog import: unreadable row %s (%s)", row, code, exc_info=True)
            report.errors.append(RowError(row, code, _("Dữ liệu của dòng không hợp lệ."), _sheet(item)))
            continue
        if not changed:
            report.unchanged.append(code)
        elif code in existing:
            report.new_version.append(code)
        else:
            report.created.append(code)
            existing.add(code)
    return report


def _already_current(
    item: Any, state: tuple[str, int, bool] | None, popularity: int | None, is_demo: bool | None
) -> bool:
    """True when the row says exactly what the database holds, so procedure_upsert would write nothing.

    Re-importing a whole catalogue is the common case; answering it from one query instead of a
    dozen per row keeps a 6,000-row re-import fast. Writes still go through procedure_upsert only.
    """
    if state is None:
        return False
    digest, current_popularity, current_is_demo = state
    if popularity is not None and popularity != current_popularity:
        return False
    if is_demo is not None and is_demo != current_is_demo:
        return False
    return content_hash(normalize_procedure(item)) == digest


def _import_fields(fields: list[Any], report: ImportReport) -> None:
    current = dict(ProcedureField.objects.values_list("code", "name"))
    for index, item in enumerate(fields, start=1):
        row = item.get("_row", index) if isinstance(item, dict) else index
        sheet = (item.get("_sheet") or "") if isinstance(item, dict) else ""
        code = str(item.get("code") or "").strip() if isinstance(item, dict) else ""
        name = str(item.get("name") or "").strip() if isinstance(item, dict) else ""
        if not code or not name:
            report.errors.append(RowError(row, code, _("Lĩnh vực phải có mã và tên."), sheet or "fields"))
            continue
        if len(code) > 32 or len(name) > 255:
            report.errors.append(
                RowError(row, code, _("Mã (32) hoặc tên (255 ký tự) lĩnh vực quá dài."), sheet or "fields")
            )
            continue
        if current.get(code) == name:
            continue
        procedure_field_upsert(code=code, name=name)
        if code in current:
            report.fields_updated += 1
        else:
            report.fields_created += 1
        current[code] = name


def _extras(item: Any) -> tuple[int | None, bool | None]:
    if not isinstance(item, dict):
        return None, None
    popularity = item.get("popularity")
    if popularity in (None, ""):
        popularity = None
    else:
        if isinstance(popularity, bool) or (isinstance(popularity, float) and not popularity.is_integer()):
            raise ApplicationError(_("“popularity” phải là số nguyên không âm."), code="int")
        try:
            popularity = int(popularity)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ApplicationError(_("“popularity” phải là số nguyên không âm."), code="int") from exc
        if not 0 <= popularity <= 2_000_000_000:
            raise ApplicationError(_("“popularity” phải là số nguyên không âm."), code="int")
    is_demo = item.get("is_demo")
    if is_demo is not None and not isinstance(is_demo, bool):
        raise ApplicationError(_("“is_demo” phải là true hoặc false."), code="bool")
    return popularity, is_demo


def _sheet(item: Any) -> str:
    return (item.get("_sheet") or "") if isinstance(item, dict) else ""


def _row_error(item: Any, row: int, code: str, exc: ApplicationError) -> RowError:
    """Name the child row (a fee or component line of the spreadsheet) that made a procedure fail."""
    reason = exc.message
    if isinstance(item, dict):
        for key, sheet in (("fees", SHEET_FEES), ("components", SHEET_COMPONENTS)):
            lines = item.get(key)
            if not isinstance(lines, list):
                continue
            for line in lines:
                if not isinstance(line, dict) or "_row" not in line:
                    continue
                probe = {"code": "x", "name": "x", "field": "x", "level": ImplementingLevel.COMMUNE, key: [line]}
                try:
                    normalize_procedure(probe)
                except ApplicationError as line_exc:
                    reason = _("trang “%(sheet)s”, dòng %(row)s: %(reason)s") % {
                        "sheet": sheet,
                        "row": line["_row"],
                        "reason": line_exc.message,
                    }
                    return RowError(row, code, reason, _sheet(item))
    return RowError(row, code, reason, _sheet(item))


# ---------------------------------------------------------------------------------------- files


def _read_bytes(file: Any) -> bytes:
    """At most MAX_FILE_BYTES of a path, bytes or binary file object (an UploadedFile included)."""
    too_big = ApplicationError(_("Tệp lớn hơn %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}, code="too_big")
    if isinstance(file, (bytes, bytearray)):
        if len(file) > MAX_FILE_BYTES:
            raise too_big
        return bytes(file)
    if isinstance(file, (str, Path)):
        path = Path(file)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise too_big
            with path.open("rb") as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ApplicationError(_("Không đọc được tệp “%(path)s”.") % {"path": path}, code="io") from exc
    else:
        size = getattr(file, "size", None)
        if isinstance(size, int) and size > MAX_FILE_BYTES:
            raise too_big
        if hasattr(file, "seek"):
            file.seek(0)
        content = file.read(MAX_FILE_BYTES + 1)
    if not isinstance(content, (bytes, bytearray)):
        raise ApplicationError(_("Tệp phải được mở ở chế độ nhị phân."), code="io")
    if len(content) > MAX_FILE_BYTES:
        raise too_big
    return bytes(content)


def read_json(file: Any) -> dict[str, Any]:
    """Parse a JSON exchange file (path, bytes or binary file object) into the document dict."""
    raw = _read_bytes(file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(_("Tệp không phải văn bản UTF-8."), code="encoding") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApplicationError(
            _("Tệp không phải JSON hợp lệ (dòng %(line)s, cột %(column)s).")
            % {"line": exc.lineno, "column": exc.colno},
            code="json",
        ) from exc
    except RecursionError as exc:
        raise ApplicationError(_("Tệp JSON lồng quá sâu."), code="json") from exc
    return check_document(_public(check_document(data)))


def read_excel(file: Any) -> dict[str, Any]:
    """Read an .xlsx workbook in the documented layout into the same document dict as read_json.

    Child rows (fees, components, e-form parts) attach to their procedure by code; a child row
    naming a code that is not in "Thu tuc" is reported as an error of that row. Reader findings
    travel in the document under "_errors" / "_warnings" for import_catalog to report.
    """
    raw = _read_bytes(file)
    _check_zip(raw)
    from openpyxl import load_workbook  # imported here: only importing from Excel needs it

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # hostile or broken workbooks raise a zoo of exception types
        raise ApplicationError(
            _("Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không đúng định dạng."), code="xlsx"
        ) from exc
    try:
        return _read_workbook(workbook)
    except ApplicationError:
        raise
    except Exception as exc:  # a malformed sheet part surfaces only while rows are read
        raise ApplicationError(
            _("Không đọc được nội dung tệp Excel: tệp hỏng hoặc không đúng định dạng."), code="xlsx"
        ) from exc
    finally:
        workbook.close()


def _check_zip(raw: bytes) -> None:
    buffer = io.BytesIO(raw)
    if not zipfile.is_zipfile(buffer):
        raise ApplicationError(_("Tệp không phải tệp Excel (.xlsx)."), code="xlsx")
    try:
        with zipfile.ZipFile(buffer) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ApplicationError(_("Tệp không phải tệp Excel (.xlsx)."), code="xlsx") from exc
    if len(entries) > MAX_ZIP_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise ApplicationError(_("Tệp Excel giải nén quá lớn."), code="too_big")
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise ApplicationError(_("Tệp không phải tệp Excel (.xlsx)."), code="xlsx")


def _read_workbook(workbook: Any) -> dict[str, Any]:
    sheets = {fold(name): workbook[name] for name in workbook.sheetnames}
    procedure_sheet = sheets.get(fold(SHEET_PROCEDURES))
    if procedure_sheet is None:
        raise ApplicationError(_("Tệp Excel không có trang “%(sheet)s”.") % {"sheet": SHEET_PROCEDURES}, code="xlsx")
    errors: list[RowError] = []
    warnings: list[str] = []

    fields: list[dict[str, Any]] = []
    if (sheet := sheets.get(fold(SHEET_FIELDS))) is not None:
        for row, values in _sheet_rows(sheet, SHEET_FIELDS, FIELD_COLUMNS, MAX_FIELDS, warnings):
            if isinstance(values, RowError):
                errors.append(values)
            else:
                fields.append({**values, "_row": row, "_sheet": SHEET_FIELDS})

    procedures: list[dict[str, Any]] = []
    by_code: dict[str, dict[str, Any]] = {}
    rejected: set[str] = set()  # codes whose main row was unreadable: their child rows go with them
    for row, values in _sheet_rows(procedure_sheet, SHEET_PROCEDURES, PROCEDURE_COLUMNS, MAX_PROCEDURES, warnings):
        if isinstance(values, RowError):
            errors.append(values)
            if values.code:
                rejected.add(values.code)
            continue
        procedure = {**values, "fees": [], "components": [], "_row": row, "_sheet": SHEET_PROCEDURES}
        procedures.append(procedure)
        code = values.get("code") or ""
        if code and code not in by_code:
            by_code[code] = procedure

    eform_parts: dict[str, list[str]] = {}
    for sheet_name, columns, key in (
        (SHEET_FEES, FEE_COLUMNS, "fees"),
        (SHEET_COMPONENTS, COMPONENT_COLUMNS, "components"),
        (SHEET_EFORMS, EFORM_COLUMNS, "eform"),
    ):
        sheet = sheets.get(fold(sheet_name))
        if sheet is None:
            continue
        for row, values in _sheet_rows(sheet, sheet_name, columns, MAX_CHILD_ROWS, warnings):
            if isinstance(values, RowError):
                owner = by_code.get(values.code)
                if owner is None or values.code in rejected:
                    errors.append(values)
                    continue
                # An unreadable line of a procedure rejects the whole procedure: nothing partial is saved.
                rejected.add(values.code)
                reason = _("trang “%(sheet)s”, dòng %(row)s: %(reason)s") % {
                    "sheet": sheet_name,
                    "row": row,
                    "reason": values.reason,
                }
                errors.append(RowError(owner["_row"], values.code, reason, SHEET_PROCEDURES))
                continue
            code = values.pop("procedure_code", "") or ""
            if code in rejected:
                continue
            owner = by_code.get(code)
            if owner is None:
                errors.append(
                    RowError(
                        row,
                        code,
                        _("Không có thủ tục mã này trong trang “%(sheet)s”.") % {"sheet": SHEET_PROCEDURES}
                        if code
                        else _("Thiếu mã thủ tục."),
                        sheet_name,
                    )
                )
                continue
            if key == "eform":
                eform_parts.setdefault(code, []).append(str(values.get("eform") or ""))
            else:
                owner[key].append({**values, "_row": row})
    for code, parts in eform_parts.items():
        by_code[code]["eform"] = "".join(parts)
    procedures = [p for p in procedures if p.get("code") not in rejected]

    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "fields": fields,
        "procedures": procedures,
        "_errors": errors,
        "_warnings": warnings,
    }


def _sheet_rows(
    sheet: Any, sheet_name: str, columns: tuple[tuple[str, str], ...], limit: int, warnings: list[str]
) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """(row number, values by key) for each non-empty data row, or a RowError for an unreadable row."""
    keys = {key for key, _header in columns}
    by_header = {fold(header): key for key, header in columns} | {fold(key): key for key in keys}
    width = len(columns) + 10  # bound the width a hostile sheet could declare
    head = list(sheet.iter_rows(min_row=1, max_row=2, max_col=width, values_only=True))
    first = list(head[0]) if head else []
    second = list(head[1]) if len(head) > 1 else []
    if all(value is None for value in first + second):
        return  # an empty sheet: nothing to read
    second_keys = [str(v).strip() if v is not None else "" for v in second]
    if sum(1 for v in second_keys if v in keys) >= max(1, sum(1 for v in second_keys if v) // 2):
        mapping, start, header_row = {i: v for i, v in enumerate(second_keys) if v in keys}, 3, second_keys
    else:
        mapping = {}
        for i, value in enumerate(first):
            key = by_header.get(fold(str(value))) if value is not None else None
            if key:
                mapping[i] = key
        start, header_row = 2, [str(v) if v is not None else "" for v in first]
    required_key = "procedure_code" if "procedure_code" in keys else "code"
    if required_key not in mapping.values():
        raise ApplicationError(
            _("Trang “%(sheet)s” thiếu cột mã (%(key)s).") % {"sheet": sheet_name, "key": required_key}, code="xlsx"
        )
    unknown = [v for i, v in enumerate(header_row) if v and i not in mapping]
    if unknown:
        warnings.append(
            _("Trang “%(sheet)s”: bỏ qua các cột không nhận ra: %(columns)s.")
            % {"sheet": sheet_name, "columns": ", ".join(unknown[:10])}
        )
    count = 0
    for row_number, values in enumerate(sheet.iter_rows(min_row=start, max_col=width, values_only=True), start=start):
        cells = {key: values[i] for i, key in mapping.items() if i < len(values)}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        count += 1
        if count > limit:
            raise ApplicationError(
                _("Trang “%(sheet)s” có quá %(limit)s dòng.") % {"sheet": sheet_name, "limit": limit},
                code="too_many_rows",
            )
        yield row_number, _convert_row(cells, row_number, sheet_name, required_key)


def _convert_row(cells: dict[str, Any], row: int, sheet: str, code_key: str) -> dict[str, Any] | RowError:
    code = _code_text(cells.get(code_key))
    out: dict[str, Any] = {}
    for key, value in cells.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            return RowError(
                row, code, _("Ô “%(key)s” dài quá %(limit)s ký tự.") % {"key": key, "limit": MAX_CELL_CHARS}, sheet
            )
        if isinstance(value, str):
            value = _excel_unescape(value)
        if key in CODE_KEYS:
            out[key] = _code_text(value)
        elif key in BOOLEAN_KEYS:
            parsed = _excel_bool(value)
            if parsed is None:
                return RowError(row, code, _("“%(key)s” phải là “có” hoặc “không”.") % {"key": key}, sheet)
            out[key] = parsed
        elif key in CHOICES_BY_KEY:
            out[key] = _excel_choice(value, CHOICES_BY_KEY[key])
        elif key == "same_day_cutoff":
            out[key] = _excel_time(value)
        elif isinstance(value, float) and value.is_integer():
            out[key] = int(value)
        elif isinstance(value, (dt.datetime, dt.date, dt.time)):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def _excel_escape(text: str) -> str:
    text = _OOXML_ESCAPE.sub(lambda match: "_x005F" + match.group(0), text)
    return _XML_UNSAFE.sub(lambda match: f"_x{ord(match.group(0)):04X}_", text)


def _excel_unescape(text: str) -> str:
    return _OOXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


def _code_text(value: Any) -> str:
    """A code cell. Excel turns an unformatted 1.001193 into a number; national codes have six decimals."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}" if not value.is_integer() else str(int(value))
    return str(value).strip()


def _excel_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value) if value in (0, 1) else None
    word = fold(str(value))
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def _excel_choice(value: Any, choices: Any) -> Any:
    """Accept the code ("xa") or its label ("Cấp xã"); anything else passes on for normalize to reject."""
    text = fold(str(value))
    for code, label in choices.choices:
        if text in (fold(code), fold(str(label))):
            return code
    return value


def _excel_time(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%H:%M")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and 0 <= value < 1:  # a time typed into a cell Excel did not format
        minutes = round(value * 24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return value


# --------------------------------------------------------------------------------------- export


def export_catalog(queryset: QuerySet[Procedure] | None = None) -> dict[str, Any]:
    """The current published version of each procedure (all, or those of `queryset`) as a document."""
    procedures = (queryset if queryset is not None else Procedure.objects.all()).filter(current_version__isnull=False)
    procedures = (
        procedures.select_related("current_version__field")
        .prefetch_related(
            Prefetch("current_version__receiving_agencies"),
            Prefetch("current_version__fee_lines", queryset=FeeLine.objects.order_by("order", "pk")),
            Prefetch("current_version__components", queryset=DossierComponent.objects.order_by("order", "pk")),
        )
        .order_by("code")
    )
    items = [_procedure_dict(p) for p in procedures.iterator(chunk_size=500)]
    if queryset is None:
        fields = ProcedureField.objects.order_by("code")
    else:
        fields = ProcedureField.objects.filter(code__in={item["field"] for item in items}).order_by("code")
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "fields": [{"code": f.code, "name": f.name} for f in fields],
        "procedures": items,
    }


def _procedure_dict(procedure: Procedure) -> dict[str, Any]:
    version: ProcedureVersion = procedure.current_version  # type: ignore[assignment]
    return {
        "code": procedure.code,
        "name": version.name,
        "field": version.field.code,
        "level": version.level,
        "receiving_agencies": sorted(a.code for a in version.receiving_agencies.all()),
        "online_level": version.online_level,
        "legacy_level": version.legacy_level,
        "processing_time": version.processing_time,
        "processing_time_unit": version.processing_time_unit,
        "same_day_cutoff": version.same_day_cutoff.strftime("%H:%M") if version.same_day_cutoff else None,
        **{key: getattr(version, key) for key in TEXT_FIELDS},
        "fees": [{key: getattr(line, key) for key in FEE_KEYS} for line in version.fee_lines.all()],
        "components": [{key: getattr(c, key) for key in COMPONENT_KEYS} for c in version.components.all()],
        "eform": version.eform or {},
        "popularity": procedure.popularity,
        "is_demo": procedure.is_demo,
    }


def _public(document: dict[str, Any]) -> dict[str, Any]:
    """The document without reader annotations ("_row", "_sheet", "_errors" …) at the levels readers set them.

    E-form content is left alone: its own keys may start with "_".
    """

    def strip(item: Any) -> Any:
        return {k: v for k, v in item.items() if not str(k).startswith("_")} if isinstance(item, dict) else item

    out = strip(document)
    if isinstance(out.get("fields"), list):
        out["fields"] = [strip(item) for item in out["fields"]]
    if isinstance(out.get("procedures"), list):
        procedures = []
        for item in out["procedures"]:
            item = strip(item)
            if isinstance(item, dict):
                for key in ("fees", "components"):
                    if isinstance(item.get(key), list):
                        item[key] = [strip(line) for line in item[key]]
            procedures.append(item)
        out["procedures"] = procedures
    return out


def write_json(document: dict[str, Any], target: str | Path | IO[bytes]) -> None:
    content = json.dumps(_public(document), ensure_ascii=False, indent=2).encode() + b"\n"
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(content)
    else:
        target.write(content)


def write_excel(document: dict[str, Any], target: str | Path | IO[bytes]) -> None:
    """Write the documented workbook: one sheet per list, headers in row 1, keys in row 2."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    procedures = [p for p in document.get("procedures", []) if isinstance(p, dict)]

    def rows_fields() -> Iterable[list[Any]]:
        for item in document.get("fields", []):
            yield [item.get("code"), item.get("name")]

    def rows_procedures() -> Iterable[list[Any]]:
        for p in procedures:
            yield [_excel_value(key, p.get(key)) for key, _header in PROCEDURE_COLUMNS]

    def rows_children(key: str, columns: tuple[tuple[str, str], ...]) -> Iterable[list[Any]]:
        for p in procedures:
            for line in p.get(key) or []:
                yield [p.get("code")] + [_excel_value(k, line.get(k)) for k, _header in columns[1:]]

    def rows_eforms() -> Iterable[list[Any]]:
        for p in procedures:
            eform = p.get("eform") or {}
            if not eform:
                continue
            text = eform if isinstance(eform, str) else json.dumps(eform, ensure_ascii=False, separators=(",", ":"))
            for start in range(0, len(text), EFORM_CHUNK_CHARS):
                yield [p.get("code"), text[start : start + EFORM_CHUNK_CHARS]]

    _write_sheet(workbook, SHEET_FIELDS, FIELD_COLUMNS, rows_fields())
    _write_sheet(workbook, SHEET_PROCEDURES, PROCEDURE_COLUMNS, rows_procedures(), validations=True)
    _write_sheet(workbook, SHEET_FEES, FEE_COLUMNS, rows_children("fees", FEE_COLUMNS), validations=True)
    _write_sheet(workbook, SHEET_COMPONENTS, COMPONENT_COLUMNS, rows_children("components", COMPONENT_COLUMNS))
    _write_sheet(workbook, SHEET_EFORMS, EFORM_COLUMNS, rows_eforms())
    _write_guide(workbook)
    if isinstance(target, (str, Path)):
        workbook.save(str(target))
    else:
        workbook.save(target)


def _excel_value(key: str, value: Any) -> Any:
    if key in BOOLEAN_KEYS and isinstance(value, bool):
        return "có" if value else "không"
    if key == "receiving_agencies" and isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


def _write_sheet(
    workbook: Any,
    title: str,
    columns: tuple[tuple[str, str], ...],
    rows: Iterable[list[Any]],
    *,
    validations: bool = False,
) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A3"
    for index, (key, _header) in enumerate(columns, start=1):
        wide = key in ("name", "steps", "requirements", "legal_basis", "eform", "exemption", "note")
        sheet.column_dimensions[get_column_letter(index)].width = 60 if wide else 20
    if validations:
        for index, (key, _header) in enumerate(columns, start=1):
            choices = CHOICES_BY_KEY.get(key)
            if choices is None:
                continue
            letter = get_column_letter(index)
            # A drop-down, not a lock: labels typed by hand ("Cấp xã") are accepted by the reader too.
            rule = DataValidation(
                type="list", formula1='"' + ",".join(choices.values) + '"', allow_blank=True, showErrorMessage=False
            )
            rule.add(f"{letter}3:{letter}{MAX_PROCEDURES + 2}")
            sheet.data_validations.append(rule)
    bold = Font(bold=True)
    header = []
    for _key, text in columns:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    key_row = []
    for key, _text in columns:
        cell = WriteOnlyCell(sheet, value=key)
        cell.font = Font(italic=True, color="808080")
        key_row.append(cell)
    sheet.append(key_row)
    code_columns = {index for index, (key, _header) in enumerate(columns) if key in CODE_KEYS}
    for values in rows:
        out: list[Any] = []
        for index, value in enumerate(values):
            if isinstance(value, str):
                value = _excel_escape(value)
            if index in code_columns or (isinstance(value, str) and value.startswith("=")):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # a text starting with "=" stays text, never becomes a formula
                if index in code_columns:
                    cell.number_format = "@"  # so that a code the officer retypes stays text
                out.append(cell)
            else:
                out.append(value)  # plain values: openpyxl's fast path
        sheet.append(out)


def _write_guide(workbook: Any) -> None:
    sheet = workbook.create_sheet(SHEET_GUIDE)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 110
    lines = [
        (_("Định dạng"), f"{FORMAT_NAME}, phiên bản {FORMAT_VERSION} — docs/catalog-format.md"),
        (_("Cách điền"), _("Dòng 1 là tên cột, dòng 2 là khóa kỹ thuật (không sửa, không xóa); dữ liệu từ dòng 3.")),
        (SHEET_PROCEDURES, _("Mỗi dòng một thủ tục. Mã thủ tục nhập dạng văn bản, ví dụ 1.001193.")),
        (SHEET_FEES, _("Mỗi dòng một mức phí, lệ phí; cột đầu là mã thủ tục. Số tiền là số nguyên đồng.")),
        (SHEET_COMPONENTS, _("Mỗi dòng một thành phần hồ sơ; cột đầu là mã thủ tục.")),
        (
            SHEET_EFORMS,
            _("Tờ khai điện tử dạng JSON; tờ khai dài được chia thành nhiều dòng cùng mã, ghép theo thứ tự."),
        ),
    ]
    for key, choices in CHOICES_BY_KEY.items():
        values = "; ".join(f"{code} = {label}" for code, label in choices.choices)
        lines.append((key, values))
    lines.append(("có / không", _("Các cột có/không nhận: có, x, 1 hoặc không, 0 (để trống là không).")))
    for key, text in lines:
        sheet.append([str(key), str(text)])


def import_file(path: str | Path, *, file_format: str | None = None) -> ImportReport:
    """Read a .json or .xlsx file (by `file_format` or the extension) and import it."""
    return import_catalog(read_file(path, file_format=file_format))


def read_file(file: Any, *, file_format: str | None = None, name: str = "") -> dict[str, Any]:
    kind = (file_format or Path(str(name or file)).suffix.lstrip(".")).lower()
    if kind == "json":
        return read_json(file)
    if kind == "xlsx":
        return read_excel(file)
    raise ApplicationError(_("Chỉ nhận tệp .json hoặc .xlsx."), code="extension")
