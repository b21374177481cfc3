"""Accent-insensitive search: one fold function for the index and for queries, on every database.

"Đăng ký khai sinh", "dang ky khai sinh" and "ĐĂNG KÝ KHAI SINH" all fold to "dang ky khai sinh".
The folded text is stored next to the original (Procedure.name_folded / search_folded) and the
query is folded the same way, so SQLite and PostgreSQL compare the same strings; PostgreSQL adds a
pg_trgm index so that substring matches stay fast on 6,000 procedures.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
_NON_WORD = re.compile(r"[^0-9a-z.]+")


def fold(text: str) -> str:
    """Lower case, đ→d, combining marks removed, anything but letters, digits and dots → one space."""
    lowered = (text or "").lower().replace("đ", "d")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped).split())


def query_words(query: str) -> tuple[str, list[str]]:
    """The folded phrase and its distinct words, bounded so a hostile query stays cheap."""
    phrase = fold((query or "")[: MAX_QUERY_LENGTH * 2])[:MAX_QUERY_LENGTH].strip()
    words: list[str] = []
    for word in phrase.split():
        word = word.strip(".")
        if word and word not in words:
            words.append(word)
    return phrase, words[:MAX_WORDS]
