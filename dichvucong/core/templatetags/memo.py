"""`{% memo key=value … %}…{% endmemo %}`: a part of the layout rendered once per process per key.

The header's banner and menu, the footer and the `<head>` links are the same on every page for a
given language and a handful of values (the portal's settings, the menu's current section), yet
each page rendered them again: 80–100 template nodes, 25 `{% translate %}` and 8 `{% url %}`, about
a third of the public look-up's rendering time. The tag keeps the rendered text in a small
in-process table, keyed by the active language, the script prefix, the URL configuration and the
values it is given.

It cannot show one visitor's data to another, by construction: the body is rendered in a context
that holds the given values and nothing else (no `request`, no `user`, no `csrf_token`), so a
variable that was not handed to the tag renders empty on every page, where tests and eyes see it,
instead of being remembered from the first visitor. `{% csrf_token %}` inside a memo is refused when
the template is compiled. Values that are not text, numbers, booleans, None, or dicts, lists and
tuples of those render the body uncached (still with only the given values).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Node, NodeList
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()
MEMO_SIZE = 512

# key -> (the node, its text): holding the node keeps its id() from being reused by another node
# after a template is reloaded in development.
_table: OrderedDict[tuple, tuple[Node, SafeString]] = OrderedDict()
_lock = threading.Lock()


class _Unfrozen(Exception):  # noqa: N818 - internal signal: "this value cannot be part of a key"
    pass


def _freeze(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return (type(value), value)
    if isinstance(value, dict):
        return (dict, tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (tuple, tuple(_freeze(v) for v in value))
    raise _Unfrozen


def memo_clear() -> None:
    """Forget every rendered part."""
    with _lock:
        _table.clear()


@receiver(setting_changed)
def _forget_on_setting_change(**_kwargs: Any) -> None:
    # A body may depend on settings ({% static %}, DEBUG for {% htmx_script %}): tests that
    # override one must not see a part rendered before.
    memo_clear()


class MemoNode(Node):
    def __init__(self, nodelist: NodeList, values: dict[str, Any]) -> None:
        self.nodelist = nodelist
        self.values = values

    def _render_body(self, context: Any, values: dict[str, Any]) -> SafeString:
        isolated = template.Context(values, autoescape=context.autoescape, use_l10n=context.use_l10n)
        isolated.template = context.template  # {% include %} finds its engine there
        return self.nodelist.render(isolated)  # a SafeString, as every NodeList renders

    def render(self, context: Any) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        try:
            key = (
                id(self),
                get_language(),
                get_script_prefix(),
                get_urlconf() or settings.ROOT_URLCONF,
                _freeze(values),
            )
        except _Unfrozen:
            return self._render_body(context, values)
        with _lock:
            entry = _table.get(key)
            if entry is not None and entry[0] is self:
                _table.move_to_end(key)
                return entry[1]
        rendered = self._render_body(context, values)
        with _lock:
            _table[key] = (self, rendered)
            while len(_table) > MEMO_SIZE:
                _table.popitem(last=False)
        return rendered


@register.tag
def memo(parser: Any, token: Any) -> MemoNode:
    bits = token.split_contents()[1:]
    values = template.base.token_kwargs(bits, parser, support_legacy=False)
    if bits:
        raise template.TemplateSyntaxError("{% memo %} takes only name=value arguments.")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        raise template.TemplateSyntaxError("{% csrf_token %} differs for each visitor: keep it out of {% memo %}.")
    return MemoNode(nodelist, values)
