from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# The list of the last tree seen: agency_tree_cached() hands out the same object until an agency
# changes, so the portal's home page builds it once rather than on every visit.
_last: tuple[object, SafeString] = (None, SafeString(""))


@register.simple_tag
def agency_tree_items(nodes) -> SafeString:
    """The agencies as nested <li>, name and code; one tag instead of one {% include %} per agency."""
    global _last
    if _last[0] is nodes:
        return _last[1]

    def item(node) -> SafeString:
        children = (
            format_html("<ul>{}</ul>", format_html_join("", "{}", ((item(child),) for child in node.children)))
            if node.children
            else ""
        )
        return format_html(
            '<li>{} <span class="agency-tree__code">({})</span>{}</li>', node.agency.name, node.agency.code, children
        )

    html = format_html_join("", "{}", ((item(node),) for node in nodes))
    _last = (nodes, html)
    return html
