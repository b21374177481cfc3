"""The `{% url %}` tag with its answers remembered: loaded as a builtin in place of Django's.

reverse() walks the URL resolver's patterns each time: 45–120 µs per call here, and a page calls
it 10–15 times for the header alone, then once or three times per row of a list (a queue's 25
rows, a folder's 20 cards). Its answer depends only on the URL configuration, the script prefix,
the active language (i18n prefixes), the current application namespace and the arguments, so the
tag keeps the last answers for exactly that key. Anything unusual (keyword arguments that are not
text or numbers, a failed reverse) goes the uncached way and behaves exactly like Django's tag.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()
CACHED_URLS = 4096


@lru_cache(maxsize=CACHED_URLS)
def _reverse(key: tuple) -> str:
    _urlconf, _root, _prefix, _language, view_name, args, kwargs, current_app = key
    return reverse(
        view_name,
        args=[value for _type, value in args],
        kwargs={name: value for name, (_type, value) in kwargs},
        current_app=current_app,
    )


def _plain(value: Any) -> bool:
    # bool is an int: reverse() would give "True"; rare enough to leave to the uncached path.
    return isinstance(value, (str, int)) and not isinstance(value, bool)


class CachedURLNode(URLNode):
    def render(self, context: Any) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        if not (isinstance(view_name, str) and all(map(_plain, args)) and all(map(_plain, kwargs.values()))):
            return super().render(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        key = (
            get_urlconf(),
            settings.ROOT_URLCONF,
            get_script_prefix(),
            get_language(),
            view_name,
            tuple((type(value), value) for value in args),
            tuple(sorted((name, (type(value), value)) for name, value in kwargs.items())),
            current_app,
        )
        try:
            url = _reverse(key)
        except Exception:
            return super().render(context)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Any, token: Any) -> CachedURLNode:
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
