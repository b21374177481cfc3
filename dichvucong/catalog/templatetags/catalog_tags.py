from __future__ import annotations

from django import template

from dichvucong.catalog import display

register = template.Library()


@register.filter
def time_limit(version) -> str:
    return display.time_limit_text(version)


@register.filter
def fee_line(line) -> str:
    return display.fee_line_text(line)


@register.filter
def fee_summary(version) -> str:
    return display.fee_summary(list(version.fee_lines.all()))
