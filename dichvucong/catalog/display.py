"""How a procedure's time limit and fees read to a citizen (one wording everywhere)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dichvucong.agencies.constants import TimeUnit
from dichvucong.catalog.constants import FeeKind
from dichvucong.catalog.models import FeeLine, ProcedureVersion
from dichvucong.core.templatetags.formatting import format_dong


def time_limit_text(version: ProcedureVersion) -> str:
    amount, unit = version.processing_time, version.processing_time_unit
    if amount == 0:
        text = _("Trong ngày")
        if version.same_day_cutoff:
            text += " " + _("(hồ sơ nhận sau %(time)s trả vào ngày làm việc tiếp theo)") % {
                "time": version.same_day_cutoff.strftime("%H:%M")
            }
        return text
    if unit == TimeUnit.WORKING_HOURS:
        return ngettext("%(n)s giờ làm việc", "%(n)s giờ làm việc", amount) % {"n": amount}
    if unit == TimeUnit.CALENDAR_DAYS:
        return ngettext("%(n)s ngày", "%(n)s ngày", amount) % {"n": amount}
    return ngettext("%(n)s ngày làm việc", "%(n)s ngày làm việc", amount) % {"n": amount}


def fee_line_text(line: FeeLine) -> str:
    if line.kind == FeeKind.FIXED:
        return _("Miễn phí") if line.amount == 0 else format_dong(line.amount)
    unit = line.unit_label or _("đơn vị")
    values = {
        "base": format_dong(line.amount),
        "first": format_dong(line.first_unit_amount),
        "next": format_dong(line.next_unit_amount),
        "unit": unit,
        "k": line.first_units,
        "after": line.first_units + 1,
    }
    if line.amount and not line.first_unit_amount:
        text = _("%(base)s cho %(k)s %(unit)s đầu, %(next)s/%(unit)s từ %(unit)s thứ %(after)s") % values
    elif line.first_units > 1:
        text = _("%(first)s/%(unit)s cho %(k)s %(unit)s đầu, %(next)s/%(unit)s từ %(unit)s thứ %(after)s") % values
    else:
        text = _("%(first)s/%(unit)s đầu, %(next)s/%(unit)s tiếp theo") % values
    if line.cap_amount is not None:
        text += _("; tối đa %(cap)s") % {"cap": format_dong(line.cap_amount)}
    return text


def fee_summary(lines: list[FeeLine]) -> str:
    """One line for a search result: "Miễn phí", "8.000 đ", or "từ 2.000 đ"."""
    if not lines:
        return _("Miễn phí")  # no fee line: the procedure charges nothing
    fixed = sum(line.amount for line in lines if line.kind == FeeKind.FIXED)
    variable = [line for line in lines if line.kind == FeeKind.PER_UNIT]
    if not variable:
        return _("Miễn phí") if fixed == 0 else format_dong(fixed)
    lowest = fixed + sum(line.amount + line.first_unit_amount for line in variable)
    return _("từ %(amount)s") % {"amount": format_dong(lowest)}
