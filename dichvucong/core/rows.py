"""Helpers for lists drawn in Python instead of a template loop (the queues' rows, the folders' cards).

A template spends 10–25 µs on every variable, tag and translation of a row; a queue page has 25
rows and a folder 20 cards of 15–30 of them, the biggest part of those pages' time. The lists are
written with f-strings, every value passing through `escape`, and their words translated once per
list, not once per row.

`row_url` gives a row's link: reverse() walks the URL patterns (45–120 µs a call) and a per-value
cache would hold every dossier code a province has, so the address is reversed once per view name
(and URL configuration, script prefix, language) with a placeholder, and the row's value put in
its place. That is exact for a view whose one argument is a `<str:…>` path converter and a value
reverse() would not quote (letters, digits, dots, hyphens: dossier codes and numbers); anything
else goes through reverse().
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_SLOT = "0ROWSLOT0"
_VERBATIM = re.compile(r"[A-Za-z0-9.\-]{1,100}")


@lru_cache(maxsize=512)
def _around_slot(key: tuple) -> tuple[str, str] | None:
    view_name = key[-1]
    try:
        url = reverse(view_name, args=[_SLOT])
    except NoReverseMatch:  # not a view with one <str:…> argument: reverse() answers every value
        return None
    if url.count(_SLOT) != 1:
        return None
    before, after = url.split(_SLOT)
    return before, after


def row_url(view_name: str, value: str | int) -> str:
    """reverse(view_name, args=[value]) for a view taking one `<str:…>` argument, at a string's cost."""
    text = str(value)
    if _VERBATIM.fullmatch(text):
        key = (get_urlconf(), settings.ROOT_URLCONF, get_script_prefix(), get_language(), view_name)
        around = _around_slot(key)
        if around is not None:
            return around[0] + text + around[1]
    return reverse(view_name, args=[value])
