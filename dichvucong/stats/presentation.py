"""The report as tables and server-side SVG bars (the CSP forbids inline script), and as Excel."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook

from dichvucong.stats.constants import Category
from dichvucong.stats.selectors import Figures, Report


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: float  # share of the longest bar, 0–100
    tone: str
    y: int


def columns() -> list[tuple[str, str]]:
    """(header, attribute of Figures or a category) for every table and the export, in order."""
    return [
        (_("Kỳ trước chuyển sang"), "carried_over"),
        (_("Tiếp nhận"), "received"),
        (str(Category.RECEIVED_ONLINE.label), Category.RECEIVED_ONLINE),
        (str(Category.RECEIVED_IN_PERSON.label), Category.RECEIVED_IN_PERSON),
        (str(Category.RECEIVED_POST.label), Category.RECEIVED_POST),
        (_("Đã giải quyết"), "processed"),
        (str(Category.PROCESSED_EARLY.label), Category.PROCESSED_EARLY),
        (str(Category.PROCESSED_ON_TIME.label), Category.PROCESSED_ON_TIME),
        (str(Category.PROCESSED_LATE.label), Category.PROCESSED_LATE),
        (_("Tỷ lệ đúng hạn (%)"), "in_time_share"),
        (str(Category.IN_PROGRESS_ON_TIME.label), Category.IN_PROGRESS_ON_TIME),
        (str(Category.IN_PROGRESS_OVERDUE.label), Category.IN_PROGRESS_OVERDUE),
        (str(Category.PAUSED.label), Category.PAUSED),
        (str(Category.REFUSED.label), Category.REFUSED),
        (str(Category.WITHDRAWN.label), Category.WITHDRAWN),
        (_("Tỷ lệ trực tuyến (%)"), "online_share"),
        (_("Tỷ lệ toàn trình (%)"), "full_online_share"),
        (_("Tỷ lệ thanh toán trực tuyến (%)"), "paid_online_share"),
        (_("Tỷ lệ tái sử dụng giấy tờ (%)"), "reuse_share"),
        (_("Tỷ lệ số hóa hồ sơ (%)"), "digitised_share"),
    ]


def value_of(figures: Figures, attribute: str) -> Any:
    if attribute in figures.counts:
        return figures.counts[attribute]
    return getattr(figures, attribute)


def table(report: Report, cols: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    cols = columns() if cols is None else cols
    return {
        "headers": [header for header, _attr in cols],
        "rows": [(name, [value_of(f, attr) for _h, attr in cols]) for name, f in report.rows],
        "total": [value_of(report.total, attr) for _h, attr in cols],
    }


# The page shows the 20 columns as two tables of 10 so each fits a 1280 px screen without sideways
# scrolling; the Excel sheet keeps them in one row.
_FIRST_TABLE_COLUMNS = 10


def page_tables(report: Report) -> list[dict[str, Any]]:
    cols = columns()
    captions = (
        _("Bảng 1. Tiếp nhận và giải quyết hồ sơ trong kỳ"),
        _("Bảng 2. Hồ sơ đang giải quyết cuối kỳ, từ chối, rút hồ sơ và các tỷ lệ"),
    )
    parts = (cols[:_FIRST_TABLE_COLUMNS], cols[_FIRST_TABLE_COLUMNS:])
    tables = []
    for caption, part in zip(captions, parts, strict=True):
        data = table(report, part)
        tables.append(
            {
                "caption": caption,
                "headers": data["headers"],
                "rows": [(name, _cells(values)) for name, values in data["rows"]],
                "total": _cells(data["total"]),
            }
        )
    return tables


def _cells(values: list[Any]) -> SafeString:
    # The cells are rendered here, not by a template loop with localize() per cell: at 160 groups ×
    # 20 columns those took most of the page's time on the bench. Every value is an int, a float
    # share with one decimal or None, so the text is digits, the language's decimal mark or "—".
    decimal = get_format("DECIMAL_SEPARATOR")
    cells = (
        "—" if value is None else str(value) if isinstance(value, int) else f"{value:.1f}".replace(".", decimal)
        for value in values
    )
    return mark_safe("".join(f"<td>{cell}</td>" for cell in cells))  # noqa: S308 - digits and a separator only


BAR_HEIGHT = 28


def chart(figures: Figures) -> dict[str, Any]:
    """Bars of the main categories; the same numbers are in the table under the chart."""
    c = figures.counts
    items = [
        (_("Kỳ trước chuyển sang"), figures.carried_over, "neutral"),
        (_("Tiếp nhận"), figures.received, "neutral"),
        (str(Category.PROCESSED_EARLY.label), c[Category.PROCESSED_EARLY], "good"),
        (str(Category.PROCESSED_ON_TIME.label), c[Category.PROCESSED_ON_TIME], "good"),
        (str(Category.PROCESSED_LATE.label), c[Category.PROCESSED_LATE], "bad"),
        (str(Category.IN_PROGRESS_ON_TIME.label), c[Category.IN_PROGRESS_ON_TIME], "neutral"),
        (str(Category.IN_PROGRESS_OVERDUE.label), c[Category.IN_PROGRESS_OVERDUE], "bad"),
        (str(Category.PAUSED.label), c[Category.PAUSED], "muted"),
        (str(Category.REFUSED.label), c[Category.REFUSED], "muted"),
        (str(Category.WITHDRAWN.label), c[Category.WITHDRAWN], "muted"),
    ]
    top = max((value for _l, value, _t in items), default=0) or 1
    bars = [
        Bar(label=label, value=value, width=round(100 * value / top, 2), tone=tone, y=i * BAR_HEIGHT)
        for i, (label, value, tone) in enumerate(items)
    ]
    return {"bars": bars, "height": len(bars) * BAR_HEIGHT}


def workbook(report: Report, *, title: str) -> bytes:
    """The table of the page as an Excel workbook: one sheet, a header row, one row per group and the total."""
    # Write-only: rows stream out instead of building a cell object per value (a year by procedure
    # is thousands of cells).
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Thống kê")[:31])
    sheet.append([title])
    sheet.append(
        [_("Từ ngày"), report.period.first.strftime("%d/%m/%Y"), _("Đến ngày"), report.period.last.strftime("%d/%m/%Y")]
    )
    group = {"agency": _("Cơ quan"), "procedure": _("Thủ tục"), "field": _("Lĩnh vực")}[report.group]
    sheet.append([group, *[h for h, _a in columns()]])
    data = table(report)
    for name, values in data["rows"]:
        sheet.append([name, *values])
    sheet.append([_("Tổng cộng"), *data["total"]])
    from dichvucong.stats.decision766 import indicator_values

    indicators = book.create_sheet(_("Chỉ số 766")[:31])
    indicators.append(
        [_("Nhóm chỉ số"), _("Chỉ số"), _("Công thức"), _("Giá trị (%)"), _("Điểm"), _("Điểm tối đa"), _("Ghi chú")]
    )
    for indicator, value, computable, points in indicator_values(report):
        shown = value if computable else _("Không tính được từ dữ liệu của Cổng")
        indicators.append(
            [
                str(indicator.group),
                str(indicator.name),
                str(indicator.formula),
                shown,
                points,
                indicator.max_points,
                indicator.note,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
