from __future__ import annotations

from urllib.parse import quote

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dichvucong.catalog import display
from dichvucong.catalog.constants import ImplementingLevel, OnlineLevel

register = template.Library()


@register.filter
def time_limit(version) -> str:
    return display.time_limit_text(version)


@register.filter
def fee_line(line) -> str:
    return display.fee_line_text(line)


_CHOICES = {"level": ImplementingLevel, "online_level": OnlineLevel}


@register.filter
def choice_label(version, name: str) -> str:
    """version.get_<name>_display(), which rebuilds the field's choices on every call (48 µs, twice a
    result line); an unknown value shows as itself, as there."""
    value = getattr(version, name)
    try:
        return str(_CHOICES[name](value).label)
    except ValueError:
        return value


@register.filter
def fee_summary(version) -> str:
    return display.fee_summary(list(version.fee_lines.all()))


# The links of the last tree seen, without the search words nor the current agency: the views pass
# the same tree object until an agency changes (agency_tree_cached), so it is built once, not per page.
_skeleton: tuple[object, str] = (None, "")


def _agency_links(nodes) -> str:
    def item(node) -> SafeString:
        agency = node.agency
        children = (
            format_html("<ul>{}</ul>", format_html_join("", "{}", ((item(child),) for child in node.children)))
            if node.children
            else ""
        )
        return format_html(
            '<li><a href="?co-quan={}">{}</a>{}</li>',
            quote(agency.code, safe="/"),
            agency.short_name or agency.name,
            children,
        )

    return format_html_join("", "{}", ((item(node),) for node in nodes))


@register.simple_tag
def agency_filter_items(nodes, filters) -> SafeString:
    """The "Cơ quan tiếp nhận" filter links, nested as the tree is.

    Built here rather than by a recursive {% include %}: a province has a few hundred agencies, and
    one include per agency was most of the catalogue page's rendering time. The page's own parts
    (search words, current agency) are put in by two replacements: every link starts with the
    same `href="?co-quan=` and a code appears once, followed by its closing quote.
    """
    global _skeleton
    if _skeleton[0] is not nodes:
        _skeleton = (nodes, _agency_links(nodes))
    html = _skeleton[1]
    if filters.query:
        html = html.replace('href="?co-quan=', format_html('href="?q={}&amp;co-quan=', quote(filters.query, safe="/")))
    if filters.agency:
        current = 'co-quan={}"'.format(escape(quote(filters.agency, safe="/")))
        html = html.replace(current, current + ' aria-current="true"', 1)
    return mark_safe(html)  # noqa: S308 - built from escaped parts above
