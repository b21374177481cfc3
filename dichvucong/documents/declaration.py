"""The declaration (tờ khai) as PDF: filled in by a citizen ("In biểu mẫu đơn"), or blank to fill by hand.

The layout follows the citizens' declaration forms (e.g. the birth registration form of Circular
04/2020/TT-BTP): the national motto alone at the top, the title, "Kính gửi", the declared facts,
the pledge and the signature. A submitted declaration carries its dossier code and QR code where
an agency's slip would carry the agency's name; a draft says on every page that it was not sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dichvucong.catalog.eforms import EFormDefinitionError, validate_definition
from dichvucong.documents.pdf import render_pdf

BLANK_TABLE_ROWS = 3  # empty rows printed for a repeating table, unless it asks for more
TEXTAREA_LINES = 3
DECLARATION_TEMPLATE = "documents/declaration.html"
BLANK_DECLARATION_TEMPLATE = "documents/blank_declaration.html"


def declaration_context(
    *,
    title: str,
    procedure_name: str,
    procedure_code: str,
    agency_name: str,
    parent_agency_name: str = "",
    rows: Sequence[tuple[str, Sequence[tuple[str, str]]]],
    owner: Sequence[tuple[str, str]],
    dossier_code: str | None,
    qr_url: str | None,
    submitted_at: dt.datetime | None,
    place: str,
    printed_at: dt.datetime,
    components: Sequence[tuple[str, Sequence[str]]] = (),
) -> dict[str, Any]:
    """What documents/declaration.html shows (see `declaration_pdf`); also for an HTML preview."""
    return {
        "title": title,
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "agency_name": agency_name,
        "parent_agency_name": parent_agency_name,
        "rows": rows,
        "owner": owner,
        "dossier_code": dossier_code or "",
        "qr_text": (qr_url or dossier_code or "") if dossier_code else "",
        "submitted_at": submitted_at,
        "place": place,
        # The date above the signature is the day the citizen declared, not the day of printing.
        "signed_on": submitted_at or printed_at,
        "printed_at": printed_at,
        "components": components,
    }


def declaration_pdf(**arguments: Any) -> bytes:
    """The filled declaration of a dossier as PDF ("In biểu mẫu đơn"); the keywords of `declaration_context`.

    `rows` is what `catalog.eforms.display_rows()` returns; `owner` the (label, value) lines of
    the dossier's owner (Họ và tên, Số CCCD, Điện thoại, Địa chỉ); `components` (name, [file
    names]). Without `dossier_code` the declaration is a draft and says so on every page; with
    it, the QR code leads to `qr_url` (the public look-up of the dossier), or holds the code
    itself when no address is given. `place` and the day it was sent (or printed, for a draft)
    make the date line above the signature."""
    return render_pdf(DECLARATION_TEMPLATE, declaration_context(**arguments))


# --- The blank declaration -----------------------------------------------------------------------


@dataclass(frozen=True)
class BlankField:
    """One entry of a declaration to fill by hand.

    kind: "line" (a dotted line after the label), "lines" (several full lines), "date",
    "choices" (boxes to tick), "yesno", "accept" (one box: a pledge), "address" (its parts on
    separate lines) or "table" (columns and empty rows)."""

    kind: str
    label: str
    required: bool = False
    help: str = ""
    unit: str = ""
    choices: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    lines: int = 1
    rows: int = 0
    multiple: bool = False

    @property
    def row_numbers(self) -> range:
        return range(1, self.rows + 1)

    @property
    def line_numbers(self) -> range:
        return range(1, self.lines + 1)


@dataclass(frozen=True)
class BlankSection:
    title: str
    help: str
    fields: tuple[BlankField, ...]


def blank_sections(definition: Mapping[str, Any]) -> list[BlankSection]:
    """The sections of an e-form definition as a paper form: labels, lines, boxes and empty tables.
    Raises EFormDefinitionError when the definition is not valid."""
    problems = validate_definition(definition)
    if problems:
        raise EFormDefinitionError(problems)
    # A condition points at a field outside any group, or at a sibling in the same group.
    top_level = {item["name"]: item for section in definition["sections"] for item in section["fields"]}
    return [
        BlankSection(
            title=section["title"],
            help=section.get("help") or "",
            fields=tuple(_blank_field(item, top_level) for item in section["fields"]),
        )
        for section in definition["sections"]
    ]


def _blank_field(item: Mapping[str, Any], fields: Mapping[str, Mapping[str, Any]]) -> BlankField:
    kind = item["type"]
    label = item["label"]
    required = bool(item.get("required", False))
    help_text = " ".join(part for part in (_condition_note(item, fields), item.get("help") or "") if part)
    common = {"label": label, "required": required, "help": help_text}
    if kind == "group":
        children = item.get("fields") or ()
        child_fields = {**fields, **{child["name"]: child for child in children}}
        rows = min(max(item.get("min_rows", 1 if required else 0), BLANK_TABLE_ROWS), item.get("max_rows", 20))
        columns = tuple(
            " ".join(part for part in (child["label"], _condition_note(child, child_fields)) if part)
            for child in children
        )
        return BlankField(kind="table", columns=columns, rows=rows, **common)
    if kind == "yesno" and item.get("accept"):
        return BlankField(kind="accept", **common)
    if kind == "yesno":
        return BlankField(kind="yesno", choices=(_("Có"), _("Không")), **common)
    if kind in ("select", "multiselect"):
        choices = tuple(choice_label for _value, choice_label in item.get("choices") or ())
        return BlankField(kind="choices", choices=choices, multiple=kind == "multiselect", **common)
    if kind == "date":
        return BlankField(kind="date", **common)
    if kind == "textarea":
        return BlankField(kind="lines", lines=TEXTAREA_LINES, **common)
    if kind == "address":
        parts = (
            item.get("street_label") or _("Số nhà, đường, thôn/tổ"),
            _("Xã/phường/đặc khu"),
            _("Tỉnh/thành phố"),
        )
        return BlankField(kind="address", parts=parts, **common)
    return BlankField(kind="line", unit=str(item.get("unit") or "") if kind == "number" else "", **common)


def _condition_note(item: Mapping[str, Any], fields: Mapping[str, Mapping[str, Any]]) -> str:
    """ "(chỉ điền khi “Giấy tờ tùy thân” là “Hộ chiếu”)": on paper nothing hides a field that does
    not apply, so the form says when to fill it (the same words as the online form)."""
    when = item.get("show_when")
    if not when:
        return ""
    controller = fields.get(when.get("field"))
    if controller is None:
        return ""
    values = [when["equals"]] if "equals" in when else list(when.get("in") or ())
    choices = dict(controller.get("choices") or ())

    def label_of(value: Any) -> str:
        if controller.get("type") == "yesno":
            return _("Có") if value else _("Không")
        return str(choices.get(value, value))

    joined = f" {_('hoặc')} ".join(f"“{label_of(value)}”" for value in values)
    if controller.get("type") == "multiselect":
        return _("(chỉ điền khi “%(field)s” có chọn %(values)s)") % {"field": controller["label"], "values": joined}
    return _("(chỉ điền khi “%(field)s” là %(values)s)") % {"field": controller["label"], "values": joined}


def blank_declaration_pdf(
    *,
    title: str,
    procedure_name: str,
    procedure_code: str,
    agency_name: str,
    sections: Sequence[BlankSection],
) -> bytes:
    """The declaration of a procedure, empty, to print and fill by hand (see `blank_sections`)."""
    context = {
        "title": title,
        "procedure_name": procedure_name,
        "procedure_code": procedure_code,
        "agency_name": agency_name,
        "sections": sections,
    }
    return render_pdf(BLANK_DECLARATION_TEMPLATE, context)
