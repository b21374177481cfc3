"""The e-form engine: one definition (data) → one server-rendered Django form, its validation,
its JSON payload and its human-readable rows.

A procedure version keeps its e-form definition in `ProcedureVersion.eform`; the dossier form, the
review page, the printed form and the admin preview all go through this module, so a rule is
written once. The definition is part of the catalogue's import/export format.

Definition format, version 1
============================
::

    {
      "version": 1,
      "title": "Tờ khai đăng ký khai sinh",
      "description": "Mẫu ban hành kèm theo …",           # optional
      "sections": [
        {"title": "Người yêu cầu", "help": "…",             # help optional
         "fields": [ <field>, … ]},
        …
      ]
    }

A field is an object with:

- ``name``: ``^[a-z][a-z0-9_]{0,63}$``, unique in the whole definition (group sub-fields included);
  it is the key of the value in the payload, and fee lines point at number fields by it.
- ``type``: ``text`` | ``textarea`` | ``number`` | ``date`` | ``select`` | ``multiselect`` |
  ``yesno`` | ``cccd`` | ``phone`` | ``email`` | ``address`` | ``group``.
- ``label`` (required), ``required`` (bool, default false), ``help`` (text under the label).
- ``show_when``: ``{"field": "<name>", "equals": <value>}`` or ``{"field": "<name>", "in": [<values>]}``:
  the field applies only when that other field has that value. A field that does not apply is
  not required and its value is left out of the payload.
- ``prefill`` (optional, not in groups): where "Điền sẵn" may take the value from, with the citizen's
  consent: ``profile.full_name`` (text), ``profile.national_id`` (cccd/text), ``profile.phone``,
  ``profile.email``, ``profile.address``, ``profile.date_of_birth`` (date), or ``previous`` (the
  same field of the citizen's latest earlier declaration). The other field is a ``text``,
  ``number``, ``select``, ``multiselect`` (matches when one of the values is ticked) or ``yesno``
  (values ``true``/``false``) field outside any group, or a sibling in the same group.

By type:

- ``text`` / ``textarea``: ``min_length``, ``max_length`` (default 255 / 2000, at most 1000 / 10000),
  ``pattern`` (a Python regular expression the whole value must match) with ``pattern_message``,
  ``default``.
- ``number``: whole numbers only; ``min``, ``max``, ``unit`` (shown after the value on review pages
  and prints, e.g. "đồng", with thousands separators), ``default``. Citizens may type
  ``5.000.000``.
- ``date``: ``min_date``, ``max_date``: ``"YYYY-MM-DD"`` or ``"today"``.
- ``select``: ``choices`` ``[["value", "Nhãn"], …]``, ``widget`` ``"select"`` (default) or ``"radio"``,
  ``default``. ``multiselect``: ``choices`` (rendered as check boxes).
- ``yesno``: radio buttons Có / Không, ``default`` (bool); with ``"accept": true`` a single check box
  instead (a pledge: ``required`` then means it must be ticked).
- ``cccd``: 12-digit personal identification number; ``phone``: Vietnamese mobile number, stored
  as +84…; ``email``.
- ``address``: province, ward (after the 2025 reform) and street; ``street_label`` renames the
  street box (e.g. the name of a hospital for a place of birth), ``street_required`` (default true
  when the address is required).
- ``group``: a repeating table: ``fields`` (sub-fields of any type but ``group``, without
  ``default``), ``min_rows`` (default 1 if required, else 0), ``max_rows`` (default 20, at most 50).
  Rows left completely empty are ignored.

Payload (``EFormForm.cleaned_payload()``), keyed by field name: text types → str ("" when empty),
number → int or None, date → "YYYY-MM-DD" or None, select → value or None, multiselect → list,
yesno → bool or None, phone → "+84…", address → ``{"province_code", "ward_code", "street"}`` or None,
group → list of row dicts. Fields that do not apply (``show_when``) are absent.

Limits, so a hostile import cannot exhaust the server: 50 sections, 300 fields in all, 300 choices a
field, 50 rows a group, 200 characters a pattern; `validate_definition` reports anything beyond
them and never raises, whatever JSON it is given.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinLengthValidator,
    MinValueValidator,
)
from django.forms.utils import ErrorDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from dichvucong.accounts.validators import local_phone, normalize_phone, validate_national_id
from dichvucong.core.addresses import format_address, province_choices, ward_choices, ward_in_province
from dichvucong.core.errors import ApplicationError

DEFINITION_VERSION = 1
FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "select",
    "multiselect",
    "yesno",
    "cccd",
    "phone",
    "email",
    "address",
    "group",
)
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

MAX_SECTIONS = 50
MAX_FIELDS = 300
MAX_CHOICES = 300
MAX_ROWS = 50
DEFAULT_MAX_ROWS = 20
MAX_PATTERN = 200
MAX_LABEL = 500
MAX_HELP = 2000
MAX_CHOICE_VALUE = 100
MAX_CONDITION_VALUES = 50
MAX_PROBLEMS = 50
MAX_NUMBER = 10**15  # beyond this, JavaScript (and JSON readers) lose precision
TEXT_LIMITS = {"text": (255, 1000), "textarea": (2000, 10000)}  # (default, ceiling)
STREET_MAX_LENGTH = 255

_COMMON_KEYS = frozenset({"name", "type", "label", "required", "help", "show_when", "prefill"})
# Where a field may be pre-filled from, with the citizen's consent ("Điền sẵn"): the account's data,
# or ("previous") the same field of the citizen's latest earlier declaration. Source → field types.
PREFILL_SOURCES: dict[str, frozenset[str]] = {
    "profile.full_name": frozenset({"text"}),
    "profile.national_id": frozenset({"cccd", "text"}),
    "profile.phone": frozenset({"phone"}),
    "profile.email": frozenset({"email"}),
    "profile.address": frozenset({"address"}),
    "profile.date_of_birth": frozenset({"date"}),
    "previous": frozenset(FIELD_TYPES) - {"group"},
}
_TYPE_KEYS: dict[str, frozenset[str]] = {
    "text": frozenset({"min_length", "max_length", "pattern", "pattern_message", "default"}),
    "textarea": frozenset({"min_length", "max_length", "pattern", "pattern_message", "default"}),
    "number": frozenset({"min", "max", "unit", "default"}),
    "date": frozenset({"min_date", "max_date"}),
    "select": frozenset({"choices", "widget", "default"}),
    "multiselect": frozenset({"choices"}),
    "yesno": frozenset({"accept", "default"}),
    "cccd": frozenset(),
    "phone": frozenset(),
    "email": frozenset(),
    "address": frozenset({"street_label", "street_required"}),
    "group": frozenset({"fields", "min_rows", "max_rows"}),
}
_CONTROLLER_TYPES = frozenset({"text", "number", "select", "multiselect", "yesno"})
# A quantified group that itself contains a quantifier, e.g. (a+)+ or (\d{2})*: the classic shape of
# catastrophic backtracking. Definitions come from administrators and imports, and a pattern runs
# on every submission, so such patterns are refused rather than trusted.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")
_GROUPED_INTEGER = re.compile(r"^-?\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$")
_YES, _NO = "co", "khong"


class EFormDefinitionError(ApplicationError):
    """The definition is not valid; `problems` lists every problem found, in Vietnamese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("Tờ khai điện tử không hợp lệ: %(problems)s") % {"problems": "; ".join(problems)},
            code="eform_definition",
            extra={"problems": problems},
        )
        self.problems = problems


# --- Validating a definition --------------------------------------------------------------------


def _quote(value: Any, limit: int = 60) -> str:
    """A short, safe rendering of a value for a message: never repr() hostile nested data."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[:limit] + "…"
    if isinstance(value, bool | int | float) or value is None:
        return str(value)[:limit]
    return type(value).__name__


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_date_bound(value: Any) -> dt.date | str | None:
    """A concrete date, "today", or None when the value is not a valid bound."""
    if value == "today":
        return "today"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


class _Problems(list):
    """A list of problems that stops growing at MAX_PROBLEMS, so a hostile file costs little."""

    full = False

    def add(self, message: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(message)
        else:
            self.full = True


def validate_definition(definition: Any) -> list[str]:
    """Every problem of an e-form definition, in Vietnamese; [] when it is valid. Never raises."""
    try:
        return _validate_definition(definition)
    except Exception:  # a bug here must not turn a bad import into a crash
        return [_("Tờ khai điện tử không đọc được.")]


def _validate_definition(definition: Any) -> list[str]:
    problems = _Problems()
    if not isinstance(definition, dict):
        return [_("Tờ khai điện tử phải là một đối tượng JSON.")]
    unknown = [key for key in definition if key not in {"version", "title", "description", "sections"}]
    if unknown:
        problems.add(_("Tờ khai có khóa không được hỗ trợ: %(keys)s.") % {"keys": _keys(unknown)})
    version = definition.get("version")
    if not _is_int(version) or version != DEFINITION_VERSION:
        problems.add(_("“version” phải là %(version)s.") % {"version": DEFINITION_VERSION})
    _check_text(problems, definition, "title", _("Tờ khai"), required=True, limit=MAX_LABEL)
    _check_text(problems, definition, "description", _("Tờ khai"), limit=MAX_HELP)
    sections = definition.get("sections")
    if not isinstance(sections, list) or not sections:
        problems.add(_("“sections” phải là một danh sách có ít nhất một phần."))
        return problems
    if len(sections) > MAX_SECTIONS:
        problems.add(
            _("Tờ khai có quá nhiều phần (%(n)s, tối đa %(max)s).") % {"n": len(sections), "max": MAX_SECTIONS}
        )
        return problems
    # Count before looking closer: 10,000 fields are refused in one line, not in 10,000 messages.
    total = 0
    for section in sections:
        if isinstance(section, dict) and isinstance(section.get("fields"), list):
            for item in section["fields"]:
                total += 1
                if isinstance(item, dict) and isinstance(item.get("fields"), list):
                    total += len(item["fields"])
    if total > MAX_FIELDS:
        problems.add(_("Tờ khai có quá nhiều trường (%(n)s, tối đa %(max)s).") % {"n": total, "max": MAX_FIELDS})
        return problems

    fields: dict[str, dict[str, Any]] = {}  # name → field, for show_when
    parents: dict[str, str | None] = {}  # name → the group it belongs to
    order: list[str] = []
    for s_index, section in enumerate(sections, start=1):
        where = _("Phần %(n)s") % {"n": s_index}
        if not isinstance(section, dict):
            problems.add(_("%(where)s phải là một đối tượng.") % {"where": where})
            continue
        unknown = [key for key in section if key not in {"title", "help", "fields"}]
        if unknown:
            problems.add(_("%(where)s có khóa không được hỗ trợ: %(keys)s.") % {"where": where, "keys": _keys(unknown)})
        _check_text(problems, section, "title", where, required=True, limit=MAX_LABEL)
        _check_text(problems, section, "help", where, limit=MAX_HELP)
        items = section.get("fields")
        if not isinstance(items, list) or not items:
            problems.add(_("%(where)s phải có danh sách “fields” với ít nhất một trường.") % {"where": where})
            continue
        for f_index, item in enumerate(items, start=1):
            _check_field(
                problems,
                item,
                _("%(where)s, trường %(n)s") % {"where": where, "n": f_index},
                fields=fields,
                parents=parents,
                order=order,
                group=None,
            )
    for name in order:
        _check_condition(problems, fields[name], fields=fields, parents=parents)
    _check_cycles(problems, fields)
    if problems.full:
        problems.append(_("… và còn các lỗi khác."))
    return list(problems)


def _keys(keys: Iterable[Any]) -> str:
    return ", ".join(_quote(key, 40) for key in list(keys)[:10])


def _check_text(problems: _Problems, data: dict, key: str, where: str, *, required: bool = False, limit: int) -> None:
    value = data.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(_("%(where)s: “%(key)s” phải là một chuỗi không rỗng.") % {"where": where, "key": key})
    elif len(value) > limit:
        problems.add(_("%(where)s: “%(key)s” dài quá %(limit)s ký tự.") % {"where": where, "key": key, "limit": limit})


def _check_field(
    problems: _Problems,
    item: Any,
    where: str,
    *,
    fields: dict[str, dict[str, Any]],
    parents: dict[str, str | None],
    order: list[str],
    group: str | None,
) -> None:
    if not isinstance(item, dict):
        problems.add(_("%(where)s phải là một đối tượng.") % {"where": where})
        return
    name = item.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        problems.add(
            _(
                "%(where)s: tên trường “%(name)s” không hợp lệ (chữ thường không dấu, chữ số, dấu gạch dưới; "
                "bắt đầu bằng chữ; tối đa 64 ký tự)."
            )
            % {"where": where, "name": _quote(name)}
        )
        name = None
    else:
        where = _("Trường “%(name)s”") % {"name": name}
        if name in fields:
            problems.add(_("Tên trường “%(name)s” bị trùng.") % {"name": name})
            name = None
    kind = item.get("type")
    if kind not in FIELD_TYPES:
        problems.add(_("%(where)s: loại “%(type)s” không được hỗ trợ.") % {"where": where, "type": _quote(kind)})
        return
    if group is not None and kind == "group":
        problems.add(_("%(where)s: không được lồng bảng trong bảng.") % {"where": where})
        return
    allowed = _COMMON_KEYS | _TYPE_KEYS[kind]
    unknown = [key for key in item if key not in allowed]
    if unknown:
        problems.add(
            _("%(where)s: khóa không được hỗ trợ với loại “%(type)s”: %(keys)s.")
            % {"where": where, "type": kind, "keys": _keys(unknown)}
        )
    if group is not None and "default" in item:
        # A default in a table cell would make every untouched row look filled in.
        problems.add(_("%(where)s: trường trong bảng không được có “default”.") % {"where": where})
    _check_text(problems, item, "label", where, required=True, limit=MAX_LABEL)
    _check_text(problems, item, "help", where, limit=MAX_HELP)
    if "required" in item and not isinstance(item["required"], bool):
        problems.add(_("%(where)s: “required” phải là true hoặc false.") % {"where": where})
    if "prefill" in item:
        source = item["prefill"]
        if group is not None or source not in PREFILL_SOURCES or kind not in PREFILL_SOURCES[source]:
            problems.add(
                _("%(where)s: “prefill” “%(source)s” không dùng được cho trường loại “%(type)s”.")
                % {"where": where, "source": _quote(source), "type": kind}
            )
    if name is not None:
        fields[name] = item
        parents[name] = group
        order.append(name)
    checker = _TYPE_CHECKS.get(kind)
    if checker is not None:
        checker(problems, item, where)
    if kind == "group":
        _check_group(problems, item, where, fields=fields, parents=parents, order=order, name=name)


def _check_length_and_pattern(problems: _Problems, item: dict, where: str) -> None:
    default_max, ceiling = TEXT_LIMITS[item["type"]]
    lengths = {}
    for key in ("min_length", "max_length"):
        if key in item:
            value = item[key]
            if not _is_int(value) or not 0 <= value <= ceiling:
                problems.add(
                    _("%(where)s: “%(key)s” phải là số nguyên từ 0 đến %(max)s.")
                    % {"where": where, "key": key, "max": ceiling}
                )
            else:
                lengths[key] = value
    if lengths.get("min_length", 0) > lengths.get("max_length", default_max):
        problems.add(_("%(where)s: “min_length” lớn hơn “max_length”.") % {"where": where})
    if "pattern" in item:
        pattern = item["pattern"]
        if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN:
            problems.add(
                _("%(where)s: “pattern” phải là chuỗi từ 1 đến %(max)s ký tự.") % {"where": where, "max": MAX_PATTERN}
            )
        elif _NESTED_QUANTIFIER.search(pattern):
            problems.add(
                _("%(where)s: “pattern” có lượng từ lồng nhau (ví dụ (a+)+), có thể làm treo máy chủ.")
                % {"where": where}
            )
        else:
            try:
                re.compile(pattern)
            except Exception:  # re raises several types on hostile patterns
                problems.add(_("%(where)s: “pattern” không phải biểu thức chính quy hợp lệ.") % {"where": where})
    if "pattern_message" in item:
        _check_text(problems, item, "pattern_message", where, required=True, limit=MAX_LABEL)
        if "pattern" not in item:
            problems.add(_("%(where)s: có “pattern_message” mà không có “pattern”.") % {"where": where})
    if "default" in item:
        default = item["default"]
        if not isinstance(default, str) or len(default) > lengths.get("max_length", default_max):
            problems.add(_("%(where)s: “default” phải là chuỗi không dài quá giới hạn.") % {"where": where})


def _check_number(problems: _Problems, item: dict, where: str) -> None:
    bounds = {}
    for key in ("min", "max"):
        if key in item:
            value = item[key]
            if not _is_int(value) or abs(value) > MAX_NUMBER:
                problems.add(
                    _("%(where)s: “%(key)s” phải là số nguyên (tuyệt đối không quá %(max)s).")
                    % {"where": where, "key": key, "max": MAX_NUMBER}
                )
            else:
                bounds[key] = value
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        problems.add(_("%(where)s: “min” lớn hơn “max”.") % {"where": where})
    if "unit" in item:
        _check_text(problems, item, "unit", where, required=True, limit=50)
    if "default" in item:
        default = item["default"]
        low, high = bounds.get("min", -MAX_NUMBER), bounds.get("max", MAX_NUMBER)
        if not _is_int(default) or not low <= default <= high:
            problems.add(_("%(where)s: “default” phải là số nguyên trong khoảng cho phép.") % {"where": where})


def _check_date(problems: _Problems, item: dict, where: str) -> None:
    bounds = {}
    for key in ("min_date", "max_date"):
        if key in item:
            bound = _parse_date_bound(item[key])
            if bound is None:
                problems.add(
                    _("%(where)s: “%(key)s” phải là ngày dạng YYYY-MM-DD hoặc “today”.") % {"where": where, "key": key}
                )
            else:
                bounds[key] = bound
    low, high = bounds.get("min_date"), bounds.get("max_date")
    if isinstance(low, dt.date) and isinstance(high, dt.date) and low > high:
        problems.add(_("%(where)s: “min_date” sau “max_date”.") % {"where": where})


def _check_choices(problems: _Problems, item: dict, where: str) -> None:
    choices = item.get("choices")
    if not isinstance(choices, list) or not choices:
        problems.add(_("%(where)s: “choices” phải là danh sách [giá trị, nhãn] không rỗng.") % {"where": where})
        return
    if len(choices) > MAX_CHOICES:
        problems.add(_("%(where)s: quá nhiều lựa chọn (tối đa %(max)s).") % {"where": where, "max": MAX_CHOICES})
        return
    seen: set[str] = set()
    for choice in choices:
        if (
            not isinstance(choice, list)
            or len(choice) != 2
            or not all(isinstance(part, str) and part.strip() for part in choice)
            or len(choice[0]) > MAX_CHOICE_VALUE
            or len(choice[1]) > MAX_LABEL
        ):
            problems.add(_("%(where)s: mỗi lựa chọn phải là [giá trị, nhãn], hai chuỗi không rỗng.") % {"where": where})
            return
        if choice[0] in seen:
            problems.add(
                _("%(where)s: giá trị lựa chọn “%(value)s” bị trùng.") % {"where": where, "value": _quote(choice[0])}
            )
        seen.add(choice[0])
    if "widget" in item and item["widget"] not in ("select", "radio"):
        problems.add(_("%(where)s: “widget” phải là “select” hoặc “radio”.") % {"where": where})
    if "default" in item and item["default"] not in seen:
        problems.add(_("%(where)s: “default” không phải một giá trị trong “choices”.") % {"where": where})


def _check_yesno(problems: _Problems, item: dict, where: str) -> None:
    if "accept" in item and not isinstance(item["accept"], bool):
        problems.add(_("%(where)s: “accept” phải là true hoặc false.") % {"where": where})
    if "default" in item:
        if not isinstance(item["default"], bool):
            problems.add(_("%(where)s: “default” phải là true hoặc false.") % {"where": where})
        elif item.get("accept") is True:
            # A pledge ticked in advance is not a pledge.
            problems.add(_("%(where)s: ô cam đoan không được đánh dấu sẵn.") % {"where": where})


def _check_address(problems: _Problems, item: dict, where: str) -> None:
    if "street_label" in item:
        _check_text(problems, item, "street_label", where, required=True, limit=MAX_LABEL)
    if "street_required" in item and not isinstance(item["street_required"], bool):
        problems.add(_("%(where)s: “street_required” phải là true hoặc false.") % {"where": where})


def _check_group(
    problems: _Problems,
    item: dict,
    where: str,
    *,
    fields: dict[str, dict[str, Any]],
    parents: dict[str, str | None],
    order: list[str],
    name: str | None,
) -> None:
    rows = {}
    for key, low in (("min_rows", 0), ("max_rows", 1)):
        if key in item:
            value = item[key]
            if not _is_int(value) or not low <= value <= MAX_ROWS:
                problems.add(
                    _("%(where)s: “%(key)s” phải là số nguyên từ %(low)s đến %(max)s.")
                    % {"where": where, "key": key, "low": low, "max": MAX_ROWS}
                )
            else:
                rows[key] = value
    if rows.get("min_rows", 0) > rows.get("max_rows", DEFAULT_MAX_ROWS):
        problems.add(_("%(where)s: “min_rows” lớn hơn “max_rows”.") % {"where": where})
    children = item.get("fields")
    if not isinstance(children, list) or not children:
        problems.add(_("%(where)s: bảng phải có danh sách “fields” với ít nhất một cột.") % {"where": where})
        return
    for index, child in enumerate(children, start=1):
        _check_field(
            problems,
            child,
            _("%(where)s, cột %(n)s") % {"where": where, "n": index},
            fields=fields,
            parents=parents,
            order=order,
            group=name or "?",
        )


_TYPE_CHECKS = {
    "text": _check_length_and_pattern,
    "textarea": _check_length_and_pattern,
    "number": _check_number,
    "date": _check_date,
    "select": _check_choices,
    "multiselect": _check_choices,
    "yesno": _check_yesno,
    "address": _check_address,
}


def _check_condition(
    problems: _Problems, item: dict[str, Any], *, fields: dict[str, dict[str, Any]], parents: dict[str, str | None]
) -> None:
    if "show_when" not in item:
        return
    name = item["name"]
    where = _("Trường “%(name)s”") % {"name": name}
    condition = item["show_when"]
    if (
        not isinstance(condition, dict)
        or set(condition) - {"field", "equals", "in"}
        or ("equals" in condition) == ("in" in condition)
    ):
        problems.add(
            _('%(where)s: “show_when” phải có dạng {"field": …, "equals": …} hoặc {"field": …, "in": […]}.')
            % {"where": where}
        )
        return
    target_name = condition.get("field")
    target = fields.get(target_name) if isinstance(target_name, str) else None
    if target is None:
        problems.add(
            _("%(where)s: “show_when” trỏ tới trường “%(target)s” không có trong tờ khai.")
            % {"where": where, "target": _quote(target_name)}
        )
        return
    if target_name == name:
        problems.add(_("%(where)s: “show_when” không được trỏ tới chính nó.") % {"where": where})
        return
    if parents[target_name] is not None and parents[target_name] != parents[name]:
        problems.add(_("%(where)s: “show_when” chỉ được trỏ tới trường ngoài bảng hoặc cùng bảng.") % {"where": where})
        return
    kind = target.get("type")
    if kind not in _CONTROLLER_TYPES:
        problems.add(
            _("%(where)s: trường “%(target)s” (loại %(type)s) không dùng được làm điều kiện.")
            % {"where": where, "target": target_name, "type": _quote(kind)}
        )
        return
    values = [condition["equals"]] if "equals" in condition else condition["in"]
    if not isinstance(values, list) or not values or len(values) > MAX_CONDITION_VALUES:
        problems.add(
            _("%(where)s: “in” phải là danh sách từ 1 đến %(max)s giá trị.")
            % {"where": where, "max": MAX_CONDITION_VALUES}
        )
        return
    if kind in ("select", "multiselect"):
        choices = target.get("choices")
        known = (
            {c[0] for c in choices if isinstance(c, list) and c and isinstance(c[0], str)}
            if isinstance(choices, list)
            else set()
        )
        ok = all(isinstance(v, str) and v in known for v in values)
    elif kind == "yesno":
        ok = all(isinstance(v, bool) for v in values)
    elif kind == "number":
        ok = all(_is_int(v) for v in values)
    else:
        ok = all(isinstance(v, str) for v in values)
    if not ok:
        problems.add(
            _("%(where)s: giá trị trong “show_when” không hợp với trường “%(target)s”.")
            % {"where": where, "target": target_name}
        )


def _check_cycles(problems: _Problems, fields: dict[str, dict[str, Any]]) -> None:
    def controller(name: str) -> str | None:
        condition = fields[name].get("show_when")
        target = condition.get("field") if isinstance(condition, dict) else None
        return target if isinstance(target, str) and target in fields else None

    reported: set[str] = set()
    for start in fields:
        seen = [start]
        current = controller(start)
        while current is not None and current not in seen and len(seen) <= len(fields):
            seen.append(current)
            current = controller(current)
        if current == start and start not in reported:
            reported.update(seen)
            chain = " → ".join([*seen, start])
            problems.add(_("Các điều kiện “show_when” tạo thành vòng: %(chain)s.") % {"chain": chain})


# --- The parsed definition ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """One field of a valid definition, with its defaults applied."""

    name: str
    type: str
    label: str
    required: bool
    help: str
    raw: Mapping[str, Any]
    condition: tuple[str, tuple[Any, ...]] | None
    children: tuple[_Spec, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> _Spec:
        when = raw.get("show_when")
        condition = None
        if when:
            values = (when["equals"],) if "equals" in when else tuple(when["in"])
            condition = (when["field"], values)
        return cls(
            name=raw["name"],
            type=raw["type"],
            label=raw["label"],
            required=bool(raw.get("required", False)),
            help=raw.get("help") or "",
            raw=raw,
            condition=condition,
            children=tuple(cls.parse(child) for child in raw.get("fields") or ()) if raw["type"] == "group" else (),
        )

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label in self.raw.get("choices") or ()]

    @property
    def accept(self) -> bool:
        return self.type == "yesno" and bool(self.raw.get("accept"))

    @property
    def min_rows(self) -> int:
        return self.raw.get("min_rows", 1 if self.required else 0)

    @property
    def max_rows(self) -> int:
        return self.raw.get("max_rows", DEFAULT_MAX_ROWS)

    @property
    def street_required(self) -> bool:
        return self.required and self.raw.get("street_required", True)


def _sections(definition: Mapping[str, Any]) -> list[tuple[str, str, list[_Spec]]]:
    return [
        (section["title"], section.get("help") or "", [_Spec.parse(item) for item in section["fields"]])
        for section in definition["sections"]
    ]


# --- Form fields --------------------------------------------------------------------------------


def _nfc(value: Any) -> Any:
    # Some Vietnamese keyboards send decomposed accents; stored text is always NFC so that search,
    # comparison and patterns see one spelling.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class _TextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return _nfc(super().to_python(value))


class _IntegerField(forms.IntegerField):
    """Whole numbers, also as written in Vietnam: 5.000.000 or 5 000 000."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            compact = value.strip()
            if _GROUPED_INTEGER.match(compact):
                compact = re.sub(r"[.,\s]", "", compact)
            value = compact
        return super().to_python(value)


class _CccdField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return re.sub(r"[\s.]", "", super().to_python(value))

    def validate(self, value: str) -> None:
        super().validate(value)
        if value:
            validate_national_id(value)


class _PhoneField(forms.CharField):
    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return normalize_phone(value) if value else ""


def _bounded_date(value: Any, today: dt.date) -> dt.date | None:
    bound = _parse_date_bound(value)
    return today if bound == "today" else bound  # type: ignore[return-value]


def _date_text(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _date_validator(low: dt.date | None, high: dt.date | None, today: dt.date) -> Any:
    def validate(value: dt.date) -> None:
        if low is not None and value < low:
            if low == today:
                raise ValidationError(_("Ngày không được trước ngày hôm nay."), code="min_date")
            raise ValidationError(_("Ngày phải từ %(date)s trở về sau.") % {"date": _date_text(low)}, code="min_date")
        if high is not None and value > high:
            if high == today:
                raise ValidationError(_("Ngày không được sau ngày hôm nay."), code="max_date")
            raise ValidationError(_("Ngày không được sau %(date)s.") % {"date": _date_text(high)}, code="max_date")

    return validate


def _pattern_validator(pattern: str, message: str) -> Any:
    compiled = re.compile(pattern)

    def validate(value: str) -> None:
        if value and not compiled.fullmatch(value):
            raise ValidationError(message, code="pattern")

    return validate


def _required_message(spec: _Spec) -> str:
    if spec.accept:
        return _("Vui lòng đánh dấu để xác nhận.")
    if spec.type in ("select", "multiselect", "yesno"):
        return _("Vui lòng chọn.")
    return _("Vui lòng nhập thông tin này.")


def _make_field(spec: _Spec, *, label: str, help_text: str, required: bool, today: dt.date) -> forms.Field:
    """The Django field of every type but address and group."""
    raw = spec.raw
    messages = {"required": _required_message(spec), "invalid_choice": _("Lựa chọn không hợp lệ.")}
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": required, "error_messages": messages}
    kind = spec.type
    if kind in ("text", "textarea"):
        default_max, _ceiling = TEXT_LIMITS[kind]
        max_length = raw.get("max_length", default_max)
        validators: list[Any] = [
            MaxLengthValidator(max_length, _("Nhập tối đa %(limit_value)d ký tự (đã nhập %(show_value)d).")),
        ]
        if raw.get("min_length"):
            validators.append(
                MinLengthValidator(raw["min_length"], _("Nhập ít nhất %(limit_value)d ký tự (đã nhập %(show_value)d)."))
            )
        if raw.get("pattern"):
            validators.append(
                _pattern_validator(raw["pattern"], raw.get("pattern_message") or _("Giá trị không đúng định dạng."))
            )
        widget = forms.Textarea(attrs={"rows": 4}) if kind == "textarea" else forms.TextInput()
        widget.attrs["maxlength"] = str(max_length)
        return _TextField(widget=widget, validators=validators, **common)
    if kind == "number":
        low, high = raw.get("min", -MAX_NUMBER), raw.get("max", MAX_NUMBER)
        messages["invalid"] = _("Vui lòng nhập một số nguyên, ví dụ 2 hoặc 5.000.000.")
        return _IntegerField(
            widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            validators=[
                MinValueValidator(low, _("Giá trị nhỏ nhất là %(limit_value)s.")),
                MaxValueValidator(high, _("Giá trị lớn nhất là %(limit_value)s.")),
            ],
            **common,
        )
    if kind == "date":
        low, high = _bounded_date(raw.get("min_date"), today), _bounded_date(raw.get("max_date"), today)
        attrs = {"type": "date"}
        if low:
            attrs["min"] = low.isoformat()
        if high:
            attrs["max"] = high.isoformat()
        messages["invalid"] = _("Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 05/09/2024.")
        return forms.DateField(
            widget=forms.DateInput(attrs=attrs, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
            validators=[_date_validator(low, high, today)],
            **common,
        )
    if kind == "select":
        if raw.get("widget") == "radio":
            return forms.ChoiceField(choices=spec.choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", _("— Chọn —")), *spec.choices], **common)
    if kind == "multiselect":
        return forms.MultipleChoiceField(choices=spec.choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == "yesno":
        if spec.accept:
            return forms.BooleanField(**common)
        return forms.TypedChoiceField(
            choices=[(_YES, _("Có")), (_NO, _("Không"))],
            coerce=lambda value: value == _YES,
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    if kind == "cccd":
        # No max_length: validate_national_id says what is wrong in words. The browser's limit leaves
        # room for the spaces people type between groups ("046 090 001 234"), which cleaning removes.
        return _CccdField(widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "15"}), **common)
    if kind == "phone":
        return _PhoneField(widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}), **common)
    if kind == "email":
        messages["invalid"] = _("Địa chỉ thư điện tử không hợp lệ.")  # replaces the message of validate_email
        return forms.EmailField(
            widget=forms.EmailInput(attrs={"maxlength": "254"}),
            validators=[MaxLengthValidator(254, _("Nhập tối đa %(limit_value)d ký tự (đã nhập %(show_value)d)."))],
            **common,
        )
    raise ValueError(kind)  # address and group are built by the form itself


# --- The form -----------------------------------------------------------------------------------


@dataclass
class _Slot:
    """One field of the definition as it appears in the form: at the top level or in one row."""

    spec: _Spec
    key: str
    group: _GroupSlot | None = None
    row: int | None = None

    @property
    def keys(self) -> list[str]:
        if self.spec.type == "address":
            return [f"{self.key}-province", f"{self.key}-ward", f"{self.key}-street"]
        return [self.key]


@dataclass
class _GroupSlot:
    spec: _Spec
    rows: int
    submitted_rows: int
    row_slots: list[list[_Slot]] = dc_field(default_factory=list)
    empty_rows: set[int] = dc_field(default_factory=set)

    @property
    def key(self) -> str:
        return self.spec.name

    @property
    def count_key(self) -> str:
        return f"{self.spec.name}-rows"


@dataclass
class Cell:
    """A cell of a group table, for the templates."""

    kind: str  # "field", "accept" or "address"
    fields: list[forms.BoundField]
    wrapper_id: str
    show_when_name: str = ""
    show_when_values: str = ""
    refresh_name: str = ""

    @property
    def field(self) -> forms.BoundField:
        return self.fields[0]


@dataclass
class Item:
    """One entry of a section, for the templates: a field, a pledge, an address or a table."""

    kind: str  # "field", "accept", "address" or "group"
    name: str
    label: str
    required: bool
    help: str
    note: str
    wrapper_id: str
    show_when_name: str = ""
    show_when_values: str = ""
    fields: list[forms.BoundField] = dc_field(default_factory=list)
    refresh_name: str = ""
    # groups
    columns: list[dict[str, Any]] = dc_field(default_factory=list)
    rows: list[dict[str, Any]] = dc_field(default_factory=list)
    count_name: str = ""
    row_count: int = 0
    max_rows: int = 0
    add_name: str = ""
    can_add: bool = False
    errors: list[str] = dc_field(default_factory=list)
    error_id: str = ""

    @property
    def field(self) -> forms.BoundField:
        return self.fields[0]


class EFormForm(forms.Form):
    """A form built from an e-form definition; see the module docstring for the format.

    The data the citizen submitted decides which conditional fields apply, so that a field hidden
    by `show_when` is neither required nor kept. "Thêm dòng" and "Cập nhật danh sách xã/phường"
    are submit buttons (everything works without JavaScript): when one was pressed the form
    re-renders with no errors and `is_valid()` is False; `action` says which.
    """

    # Conditional fields are required only when they apply, which the browser cannot know; the
    # server validates and answers in Vietnamese, so no `required` attribute is rendered.
    use_required_attribute = False

    def __init__(
        self,
        definition: Mapping[str, Any],
        *,
        data: Mapping[str, Any] | None = None,
        initial: Mapping[str, Any] | None = None,
        prefix: str = "tk",
    ) -> None:
        super().__init__(data=data, prefix=prefix)
        self.definition = definition
        self.today = timezone.localdate()
        self.action: str | None = None
        self._payload_initial = initial if isinstance(initial, Mapping) else {}
        self._sections = _sections(definition)
        self._slots: dict[str, _Slot] = {}  # slot key → slot
        self._groups: dict[str, _GroupSlot] = {}
        self._summary_labels: dict[str, str] = {}
        self._address_slots: list[_Slot] = []
        for _title, _help, specs in self._sections:
            for spec in specs:
                if spec.type == "group":
                    self._add_group(spec)
                else:
                    self._add_slot(_Slot(spec, spec.name), self._payload_initial.get(spec.name))
        self._detect_action()
        self._visible: dict[str, bool] = {}
        self._inactive = self._inactive_keys()

    # Building ---------------------------------------------------------------------------------

    def _add_group(self, spec: _Spec) -> None:
        initial_rows = self._payload_initial.get(spec.name)
        initial_rows = [r for r in initial_rows if isinstance(r, Mapping)] if isinstance(initial_rows, list) else []
        submitted = 0
        if self.is_bound:
            submitted = self._submitted_rows(spec.name)
            rows = max(spec.min_rows, min(submitted, spec.max_rows), 1)
            if self.add_prefix(f"{spec.name}-add") in self.data and rows < spec.max_rows:
                rows += 1
        else:
            rows = min(max(spec.min_rows, len(initial_rows), 1), spec.max_rows)
        group = _GroupSlot(spec, rows=rows, submitted_rows=submitted)
        self._groups[spec.name] = group
        self._slots[spec.name] = _Slot(spec, spec.name)  # the table as a whole, for its own show_when
        # The count field carries the table's own errors ("at least one row"); its input is
        # written by the template, because after "Thêm dòng" it must say one more than was sent.
        self.fields[group.count_key] = forms.CharField(required=False, widget=forms.HiddenInput, label=spec.label)
        self._summary_labels[group.count_key] = spec.label
        for row in range(rows):
            row_initial = initial_rows[row] if row < len(initial_rows) else {}
            slots = []
            for child in spec.children:
                slot = _Slot(child, f"{spec.name}-{row}-{child.name}", group=group, row=row)
                self._add_slot(slot, row_initial.get(child.name))
                slots.append(slot)
            group.row_slots.append(slots)

    def _submitted_rows(self, name: str) -> int:
        """The row count the page sent (formset-like), or the highest row index found in the data."""
        try:
            count = int(self.data.get(self.add_prefix(f"{name}-rows"), ""))
        except (TypeError, ValueError):
            count = -1
        if count < 0:
            pattern = re.compile(rf"^{re.escape(self.add_prefix(name))}-(\d{{1,3}})-")
            indexes = [int(m.group(1)) for key in self.data if (m := pattern.match(str(key)))]
            count = max(indexes) + 1 if indexes else 0
        return min(count, MAX_ROWS + 1)

    def _add_slot(self, slot: _Slot, initial: Any) -> None:
        spec = slot.spec
        self._slots[slot.key] = slot
        in_row = slot.group is not None
        label = spec.label
        if in_row:
            label = _("%(label)s, dòng %(row)s") % {"label": spec.label, "row": slot.row + 1}
        prefix = f"{slot.group.spec.label} – " if in_row else ""
        # Cells show their help and condition once, in the column header.
        help_text = "" if in_row else " ".join(part for part in (self._condition_note(slot), spec.help) if part)
        if spec.type == "address":
            self._add_address(slot, label, help_text, initial, prefix)
            return
        self.fields[slot.key] = _make_field(
            spec, label=label, help_text=help_text, required=spec.required, today=self.today
        )
        self._summary_labels[slot.key] = prefix + label
        value = initial if initial is not None else spec.raw.get("default")
        if value is not None:
            self.initial[slot.key] = self._initial_value(spec, value)

    def _initial_value(self, spec: _Spec, value: Any) -> Any:
        if spec.type == "yesno" and isinstance(value, bool):
            return value if spec.accept else (_YES if value else _NO)
        if spec.type == "date" and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None
        if spec.type == "phone" and isinstance(value, str):
            return local_phone(value)
        return value

    def _add_address(self, slot: _Slot, label: str, help_text: str, initial: Any, prefix: str) -> None:
        spec = slot.spec
        province_key, ward_key, street_key = slot.keys
        initial = initial if isinstance(initial, Mapping) else {}
        part_label = (lambda text: f"{text} ({label})") if slot.group is not None else (lambda text: text)
        messages = {"required": _("Vui lòng chọn."), "invalid_choice": _("Lựa chọn không hợp lệ.")}
        self.fields[province_key] = forms.TypedChoiceField(
            label=part_label(_("Tỉnh/thành phố")),
            coerce=int,
            empty_value=None,
            required=spec.required,
            choices=[("", _("— Chọn tỉnh/thành phố —")), *province_choices()],
            error_messages=messages,
        )
        self.fields[ward_key] = forms.TypedChoiceField(
            label=part_label(_("Xã/phường/đặc khu")),
            coerce=int,
            empty_value=None,
            required=spec.required,
            choices=self._ward_choices(ward_key, self._province_of(slot, initial)),
            error_messages=messages,
        )
        self.fields[street_key] = _TextField(
            label=part_label(spec.raw.get("street_label") or _("Số nhà, đường, thôn/tổ")),
            required=spec.street_required,
            widget=forms.TextInput(attrs={"maxlength": str(STREET_MAX_LENGTH)}),
            validators=[
                MaxLengthValidator(STREET_MAX_LENGTH, _("Nhập tối đa %(limit_value)d ký tự (đã nhập %(show_value)d)."))
            ],
            error_messages={"required": _("Vui lòng nhập thông tin này.")},
        )
        for key in slot.keys:
            self._summary_labels[key] = f"{prefix}{label} – {self.fields[key].label}"
        province = self._province_of(slot, initial)
        if province is not None:
            self.initial[province_key] = province
        if initial.get("ward_code") is not None:
            self.initial[ward_key] = initial["ward_code"]
        if initial.get("street"):
            self.initial[street_key] = initial["street"]
        try:
            wards_url = reverse("accounts:wards")
        except NoReverseMatch:
            wards_url = ""
        if wards_url:
            # eform.js refreshes the ward list when the province changes; without it the
            # "Cập nhật danh sách xã/phường" button does the same through the server.
            self.fields[province_key].widget.attrs.update(
                {"data-eform-wards": wards_url, "data-eform-ward-target": self.auto_id % self.add_prefix(ward_key)}
            )
        self._address_slots.append(slot)

    def _province_of(self, slot: _Slot, initial: Mapping[str, Any]) -> int | None:
        if self.is_bound:
            raw = str(self.data.get(self.add_prefix(slot.keys[0])) or "")
            return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else None
        value = initial.get("province_code")
        if _is_int(value):
            return value
        # A required address outside tables starts on the portal's own province: most citizens
        # live there. Optional addresses start empty, or leaving them alone would fill them in.
        return settings.PORTAL_PROVINCE_CODE if slot.spec.required and slot.group is None else None

    def _ward_choices(self, ward_key: str, province: int | None) -> list[tuple[Any, str]]:
        if province is None:
            return [("", _("— Chọn tỉnh/thành phố trước —"))]
        wards = list(ward_choices(province))
        # A submitted ward of another province stays a valid choice here so that clean() can say
        # what is wrong ("not in this province") instead of a bare "invalid choice".
        raw = str(self.data.get(self.add_prefix(ward_key)) or "") if self.is_bound else ""
        if raw.isascii() and raw.isdigit() and len(raw) < 7 and int(raw) not in {c for c, _n in wards}:
            wards += [(code, name) for code, name in ward_choices() if code == int(raw)]
        return [("", _("— Chọn xã/phường —")), *wards]

    def _detect_action(self) -> None:
        if not self.is_bound:
            return
        for name in self._groups:
            if self.add_prefix(f"{name}-add") in self.data:
                self.action = f"add:{name}"
                return
        for slot in self._address_slots:
            if self.add_prefix(f"{slot.key}-wards") in self.data:
                self.action = f"wards:{slot.key}"
                return

    # Conditions -------------------------------------------------------------------------------

    def _controller_key(self, slot: _Slot) -> str | None:
        if slot.spec.condition is None:
            return None
        name = slot.spec.condition[0]
        if slot.group is not None and any(child.name == name for child in slot.group.spec.children):
            return f"{slot.group.key}-{slot.row}-{name}"
        return name

    def _current_value(self, key: str) -> Any:
        """The controlling field's value: cleaned from the submitted data, or the initial value."""
        form_field = self.fields[key]
        if self.is_bound:
            raw = form_field.widget.value_from_datadict(self.data, self.files, self.add_prefix(key))
        else:
            raw = self.initial.get(key)
            if raw is None:
                return None
            if isinstance(raw, bool) or (self._slots[key].spec.type == "number" and _is_int(raw)):
                return raw
        try:
            return form_field.clean(raw)
        except ValidationError:
            return None

    def is_visible(self, key: str, _depth: int = 0) -> bool:
        """Whether the field (slot key) applies, given the data; a hidden controller hides its dependants."""
        if key in self._visible:
            return self._visible[key]
        slot = self._slots[key]
        visible = True
        if slot.group is not None and slot.group.key in self._slots:
            visible = self.is_visible(slot.group.key, _depth + 1)
        controller = self._controller_key(slot)
        if visible and controller is not None and controller in self._slots and _depth < MAX_FIELDS:
            visible = self.is_visible(controller, _depth + 1) and _matches(
                self._slots[controller].spec, self._current_value(controller), slot.spec.condition[1]
            )
        self._visible[key] = visible
        return visible

    def _condition_note(self, slot: _Slot) -> str:
        if slot.spec.condition is None:
            return ""
        name, values = slot.spec.condition
        controller = self._find_spec(name, slot)
        if controller is None:
            return ""
        labels = [f"“{_value_label(controller, value)}”" for value in values]
        joined = f" {_('hoặc')} ".join(labels)
        if controller.type == "multiselect":
            return _("(chỉ điền khi “%(field)s” có chọn %(values)s)") % {"field": controller.label, "values": joined}
        return _("(chỉ điền khi “%(field)s” là %(values)s)") % {"field": controller.label, "values": joined}

    def _find_spec(self, name: str, slot: _Slot) -> _Spec | None:
        if slot.group is not None:
            for child in slot.group.spec.children:
                if child.name == name:
                    return child
        for _title, _help, specs in self._sections:
            for spec in specs:
                if spec.name == name:
                    return spec
        return None

    def _row_is_empty(self, slots: list[_Slot]) -> bool:
        for slot in slots:
            for key in slot.keys:
                raw = self.fields[key].widget.value_from_datadict(self.data, self.files, self.add_prefix(key))
                if raw not in (None, "", [], False) and not (isinstance(raw, str) and not raw.strip()):
                    return False
        return True

    def _inactive_keys(self) -> set[str]:
        """Form fields that take no part in validation: hidden by a condition, or in an empty row."""
        inactive: set[str] = set()
        for key, slot in self._slots.items():
            if slot.spec.type == "group":
                continue
            if not self.is_visible(key):
                inactive.update(slot.keys)
        for name, group in self._groups.items():
            if not self.is_visible(name):
                inactive.add(group.count_key)
                inactive.update(k for slots in group.row_slots for slot in slots for k in slot.keys)
            elif self.is_bound:
                for row, slots in enumerate(group.row_slots):
                    if self._row_is_empty(slots):
                        group.empty_rows.add(row)
                        inactive.update(k for slot in slots for k in slot.keys)
        return inactive

    # Validation -------------------------------------------------------------------------------

    def full_clean(self) -> None:
        if self.action is not None:
            # "Thêm dòng" or "Cập nhật danh sách xã/phường": show the form again, no errors yet.
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        # Inactive fields are left out for the duration of the cleaning only: they must still
        # render, with what the citizen typed, if the page comes back with errors.
        all_fields = self.fields
        self.fields = {key: value for key, value in all_fields.items() if key not in self._inactive}
        try:
            super().full_clean()
        finally:
            self.fields = all_fields

    def is_valid(self) -> bool:
        return self.action is None and super().is_valid()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for slot in self._address_slots:
            province_key, ward_key, street_key = slot.keys
            if province_key in self._inactive:
                continue
            province, ward = data.get(province_key), data.get(ward_key)
            if not slot.spec.required and (province or ward or data.get(street_key)):
                # An optional address is all or nothing: a street without a ward says nowhere.
                for key, value in ((province_key, province), (ward_key, ward)):
                    if not value and key not in self.errors:
                        self.add_error(key, _("Vui lòng chọn."))
            if province and ward and not ward_in_province(ward, province):
                self.add_error(ward_key, _("Xã/phường đã chọn không thuộc tỉnh/thành phố đã chọn."))
        for group in self._groups.values():
            if group.count_key in self._inactive:
                continue
            spec = group.spec
            if group.submitted_rows > spec.max_rows:
                self.add_error(
                    group.count_key,
                    _("Bảng “%(label)s” chỉ được có tối đa %(n)s dòng.") % {"label": spec.label, "n": spec.max_rows},
                )
            filled = group.rows - len(group.empty_rows)
            if filled < spec.min_rows:
                self.add_error(
                    group.count_key,
                    _("Vui lòng nhập ít nhất %(n)s dòng trong bảng “%(label)s”.")
                    % {"label": spec.label, "n": spec.min_rows},
                )
            data.pop(group.count_key, None)
        return data

    # Results ----------------------------------------------------------------------------------

    def cleaned_payload(self) -> dict[str, Any]:
        """The submitted declaration as plain JSON data (see the module docstring)."""
        if not self.is_valid():
            raise ValueError("cleaned_payload() needs a valid form")
        payload: dict[str, Any] = {}
        for _title, _help, specs in self._sections:
            for spec in specs:
                if not self.is_visible(spec.name):
                    continue
                if spec.type == "group":
                    group = self._groups[spec.name]
                    rows = []
                    for row, slots in enumerate(group.row_slots):
                        if row in group.empty_rows:
                            continue
                        rows.append({s.spec.name: self._payload_value(s) for s in slots if self.is_visible(s.key)})
                    payload[spec.name] = rows
                else:
                    payload[spec.name] = self._payload_value(self._slots[spec.name])
        return payload

    def draft_payload(self) -> tuple[dict[str, Any], list[str]]:
        """What a draft may keep of the submitted data, and the labels of what it may not.

        A draft ("Lưu lại") may be incomplete: an empty required field is no obstacle. A value in
        the wrong form (eleven digits for a CCCD, a date in the future) is not kept, because it
        could never be sent as it is; its label is returned so the page can say so.
        """
        if self.action is not None or not self.is_bound:
            return {}, []
        self.is_valid()  # runs full_clean once; field errors are read below
        errors = self.errors.as_data()

        def broken(keys: Iterable[str]) -> bool:
            return any(e.code != "required" for key in keys for e in errors.get(key, ()))

        payload: dict[str, Any] = {}
        rejected: list[str] = []
        for _title, _help, specs in self._sections:
            for spec in specs:
                if not self.is_visible(spec.name):
                    continue
                if spec.type != "group":
                    slot = self._slots[spec.name]
                    if broken(slot.keys):
                        rejected.append(self._summary_labels.get(slot.keys[0], spec.label))
                    else:
                        payload[spec.name] = self._draft_value(slot)
                    continue
                group = self._groups[spec.name]
                rows = []
                for row, slots in enumerate(group.row_slots):
                    if row in group.empty_rows:
                        continue
                    values = {}
                    for cell in slots:
                        if not self.is_visible(cell.key):
                            continue
                        if broken(cell.keys):
                            rejected.append(self._summary_labels.get(cell.keys[0], cell.spec.label))
                        else:
                            values[cell.spec.name] = self._draft_value(cell)
                    rows.append(values)
                payload[spec.name] = rows
        return payload, rejected

    def _draft_value(self, slot: _Slot) -> Any:
        if slot.spec.type == "address" and not all(key in self.cleaned_data for key in slot.keys[:1]):
            return None
        if any(key not in self.cleaned_data for key in slot.keys):
            # Left empty although required: the draft keeps "nothing yet".
            if slot.spec.type == "multiselect":
                return []
            if slot.spec.type in ("text", "textarea", "cccd", "phone", "email"):
                return ""
            if slot.spec.type != "address":
                return None
        return self._payload_value(slot)

    def _payload_value(self, slot: _Slot) -> Any:
        data = self.cleaned_data
        kind = slot.spec.type
        if kind == "address":
            province_key, ward_key, street_key = slot.keys
            if not data.get(province_key):
                return None
            return {
                "province_code": data[province_key],
                "ward_code": data.get(ward_key),
                "street": data.get(street_key) or "",
            }
        value = data.get(slot.key)
        if kind == "date":
            return value.isoformat() if value else None
        if kind == "select":
            return value or None
        if kind == "multiselect":
            return list(value or [])
        if kind in ("text", "textarea", "cccd", "phone", "email"):
            return value or ""
        return value

    def display_rows(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """[(section title, [(label, human-readable value)])] for review pages and prints."""
        return display_rows(self.definition, self.cleaned_payload())

    # Rendering --------------------------------------------------------------------------------

    @cached_property
    def sections(self) -> list[dict[str, Any]]:
        """What catalog/eform/form.html renders: sections of items (see Item and Cell)."""
        result = []
        for title, help_text, specs in self._sections:
            items = [
                self._group_item(self._groups[s.name]) if s.type == "group" else self._item(self._slots[s.name])
                for s in specs
            ]
            result.append({"title": title, "help": help_text, "items": items})
        return result

    def _condition_attrs(self, slot: _Slot) -> tuple[str, str]:
        controller = self._controller_key(slot)
        if controller is None or controller not in self._slots:
            return "", ""
        spec = self._slots[controller].spec
        values = [_widget_value(spec, value) for value in slot.spec.condition[1]]
        return self.add_prefix(controller), json.dumps(values, ensure_ascii=False)

    def _wrapper_id(self, key: str) -> str:
        return f"{self.auto_id % self.add_prefix(key)}__muc"

    def _item(self, slot: _Slot) -> Item:
        spec = slot.spec
        show_name, show_values = self._condition_attrs(slot)
        kind = "accept" if spec.accept else ("address" if spec.type == "address" else "field")
        item = Item(
            kind=kind,
            name=spec.name,
            label=spec.label,
            required=spec.required,
            help=spec.help,
            note=self._condition_note(slot),
            wrapper_id=self._wrapper_id(slot.key),
            show_when_name=show_name,
            show_when_values=show_values,
            fields=[self[key] for key in slot.keys],
        )
        if kind == "address":
            item.refresh_name = self.add_prefix(f"{slot.key}-wards")
        return item

    def _group_item(self, group: _GroupSlot) -> Item:
        spec = group.spec
        slot = self._slots.get(spec.name) or _Slot(spec, spec.name)
        show_name, show_values = self._condition_attrs(slot)
        columns = [
            {
                "label": child.label,
                "required": child.required,
                "help": child.help,
                "note": self._condition_note(_Slot(child, "", group=group, row=0)),
            }
            for child in spec.children
        ]
        rows = []
        for index, slots in enumerate(group.row_slots):
            cells = []
            for cell_slot in slots:
                name, values = self._condition_attrs(cell_slot)
                kind = (
                    "accept" if cell_slot.spec.accept else ("address" if cell_slot.spec.type == "address" else "field")
                )
                cells.append(
                    Cell(
                        kind=kind,
                        fields=[self[k] for k in cell_slot.keys],
                        wrapper_id=self._wrapper_id(cell_slot.key),
                        show_when_name=name,
                        show_when_values=values,
                        refresh_name=self.add_prefix(f"{cell_slot.key}-wards"),
                    )
                )
            rows.append({"number": index + 1, "cells": cells})
        count = self[group.count_key]
        return Item(
            kind="group",
            name=spec.name,
            label=spec.label,
            required=spec.min_rows > 0,
            help=spec.help,
            note=self._condition_note(slot),
            wrapper_id=self._wrapper_id(spec.name),
            show_when_name=show_name,
            show_when_values=show_values,
            columns=columns,
            rows=rows,
            count_name=self.add_prefix(group.count_key),
            row_count=group.rows,
            max_rows=spec.max_rows,
            add_name=self.add_prefix(f"{spec.name}-add"),
            can_add=group.rows < spec.max_rows,
            errors=list(count.errors),
            error_id=f"{count.auto_id}_error",
        )

    @property
    def error_summary(self) -> list[dict[str, str]]:
        """[{anchor, label, message}] for the summary at the top, in the order of the form."""
        entries = [{"anchor": "", "label": "", "message": str(error)} for error in self.non_field_errors()]
        tables = {group.count_key: name for name, group in self._groups.items()}
        for key in self.fields:
            errors = self.errors.get(key)
            if not errors:
                continue
            bound = self[key]
            if key in tables:
                anchor = self._wrapper_id(tables[key])
            elif isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                anchor = f"{bound.auto_id}_0"
            else:
                anchor = bound.id_for_label or bound.auto_id
            # A pledge's label is a paragraph: the summary needs only enough of it to be recognised.
            label = Truncator(self._summary_labels.get(key, bound.label)).chars(80)
            for error in errors:
                entries.append({"anchor": anchor, "label": label, "message": str(error)})
        return entries


def _matches(spec: _Spec, value: Any, expected: tuple[Any, ...]) -> bool:
    if value is None or value == "":
        return False
    if spec.type == "multiselect":
        return any(choice in expected for choice in value)
    if spec.type == "yesno":
        return any(isinstance(e, bool) and e == value for e in expected)
    return any(type(e) is type(value) and e == value for e in expected)


def _widget_value(spec: _Spec, value: Any) -> str:
    """How a condition value looks in the HTML form, for eform.js."""
    if spec.type == "yesno":
        return _YES if value else _NO
    return str(value)


def _value_label(spec: _Spec, value: Any) -> str:
    if spec.type == "yesno":
        return _("Có") if value else _("Không")
    if spec.type in ("select", "multiselect"):
        return dict(spec.choices).get(value, str(value))
    return str(value)


def build_form(
    definition: Mapping[str, Any],
    *,
    data: Mapping[str, Any] | None = None,
    initial: Mapping[str, Any] | None = None,
    prefix: str = "tk",
) -> EFormForm:
    """The form of an e-form definition, bound to `data` when given; `initial` is a payload
    (e.g. a saved draft, or values from the citizen's account). Raises EFormDefinitionError when
    the definition is not valid."""
    problems = validate_definition(definition)
    if problems:
        raise EFormDefinitionError(problems)
    return EFormForm(definition, data=data, initial=initial, prefix=prefix)


def _bound_from_payload(definition: Mapping[str, Any], payload: Mapping[str, Any]) -> EFormForm:
    """The form bound to the data a browser would post for `payload` (a stored or API-sent declaration).

    Turning a payload back into posted data means a rule is checked in one place, the form, whichever
    way the data came in.
    """
    unbound = build_form(definition, initial=payload)
    data = MultiValueDict()
    for key in unbound.fields:
        value = unbound[key].value()
        if isinstance(value, list | tuple):
            data.setlist(unbound.add_prefix(key), [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[unbound.add_prefix(key)] = "on"
        elif value is not None:
            data[unbound.add_prefix(key)] = value.isoformat() if isinstance(value, dt.date) else str(value)
    for group in unbound._groups.values():
        data[unbound.add_prefix(group.count_key)] = str(group.rows)
    return EFormForm(definition, data=data, prefix=unbound.prefix)


def payload_problems(definition: Mapping[str, Any], payload: Mapping[str, Any]) -> list[dict[str, str]]:
    """Validate a stored payload (a draft being sent) with the same rules as the form.

    Returns the form's error summary ([{anchor, label, message}]), empty when the declaration is
    complete and valid.
    """
    bound = _bound_from_payload(definition, payload)
    if bound.is_valid():
        return []
    return bound.error_summary


def payload_draft(definition: Mapping[str, Any], payload: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What a draft may keep of a declaration sent as JSON (the API), and the labels of what it may not.

    The same answer as the form's "Lưu lại" (EFormForm.draft_payload) for the same values.
    """
    return _bound_from_payload(definition, payload).draft_payload()


def prefill_values(
    definition: Mapping[str, Any], *, profile: Mapping[str, Any], previous: Mapping[str, Any]
) -> dict[str, Any]:
    """Payload values for the fields that declare a `prefill` source and have a value there.

    `profile` maps the profile keys (full_name, national_id, phone, email, address, date_of_birth)
    to payload-shaped values; `previous` is an earlier payload. The caller decides to apply them
    (only with the citizen's consent, and only to fields still empty).
    """
    values: dict[str, Any] = {}
    for section in definition.get("sections") or ():
        for item in section.get("fields") or ():
            source = item.get("prefill")
            if not source:
                continue
            value = previous.get(item["name"]) if source == "previous" else profile.get(source.removeprefix("profile."))
            if value not in (None, "", [], {}):
                values[item["name"]] = value
    return values


# --- Human-readable values ----------------------------------------------------------------------


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def display_value(spec: Mapping[str, Any] | _Spec, value: Any) -> str:
    """One value of a payload as a person reads it: choice labels, Có/Không, dd/mm/yyyy, names."""
    parsed = spec if isinstance(spec, _Spec) else _Spec.parse(spec)
    try:
        return _display_value(parsed, value)
    except (TypeError, ValueError, KeyError, AttributeError):
        # A payload stored under an older definition may not fit this one: show it as it is.
        return "" if value is None else str(value)


def _display_value(spec: _Spec, value: Any) -> str:
    kind = spec.type
    if value is None or value == "" or value == []:
        return ""
    if kind == "yesno":
        return _("Có") if value else _("Không")
    if kind == "select":
        return dict(spec.choices).get(value, str(value))
    if kind == "multiselect":
        labels = dict(spec.choices)
        return "; ".join(labels.get(v, str(v)) for v in value)
    if kind == "date":
        return _date_text(dt.date.fromisoformat(value))
    if kind == "number":
        unit = spec.raw.get("unit")
        return f"{_thousands(int(value))} {unit}" if unit else str(value)
    if kind == "phone":
        return local_phone(value)
    if kind == "address":
        return format_address(value.get("street") or "", value.get("ward_code"), value.get("province_code"))
    if kind == "group":
        lines = []
        for index, row in enumerate(value, start=1):
            parts = [
                f"{child.label}: {text}"
                for child in spec.children
                if (text := display_value(child, row.get(child.name)))
            ]
            lines.append(f"{index}. " + "; ".join(parts))
        return "\n".join(lines)
    return str(value)


def display_rows(definition: Mapping[str, Any], payload: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section title, [(label, human-readable value)])] of a stored payload, in the order of the
    definition; fields that did not apply (absent from the payload) are left out, and so are
    sections left with nothing."""
    result = []
    for title, _help, specs in _sections(definition):
        rows = [(spec.label, display_value(spec, payload[spec.name])) for spec in specs if spec.name in payload]
        if rows:
            result.append((title, rows))
    return result
