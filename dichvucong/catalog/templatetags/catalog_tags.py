from __future__ import annotations

from urllib.parse import quote

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def agency_filter_items(nodes, filters) -> SafeString:
    """The "Cơ quan tiếp nhận" filter links, nested as the tree is.

    Built here rather than by a recursive {% include %}: a province has a few hundred agencies, and
    one include per agency was most of the catalogue page's rendering time.
    """
    query = format_html("q={}&amp;", quote(filters.query, safe="/")) if filters.query else ""

    def item(node) -> SafeString:
        agency = node.agency
        children = (
            format_html("<ul>{}</ul>", format_html_join("", "{}", ((item(child),) for child in node.children)))
            if node.children
            else ""
        )
        return format_html(
            '<li><a href="?{}co-quan={}"{}>{}</a>{}</li>',
            query,
            quote(agency.code, safe="/"),
            mark_safe(' aria-current="true"') if filters.agency == agency.code else "",
            agency.short_name or agency.name,
            children,
        )

    return format_html_join("", "{}", ((item(node),) for node in nodes))
