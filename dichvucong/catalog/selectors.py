"""Reads of the catalogue: the public search and the procedure page, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from dichvucong.agencies.models import Agency
from dichvucong.catalog.models import FeeLine, Procedure, ProcedureVersion
from dichvucong.catalog.search import query_words

# Ranking weights: an exact code beats everything; the phrase in the name beats all the words in the
# name, which beats all the words anywhere, which beats some of the words.
_CODE, _NAME_EQUAL, _NAME_PHRASE, _TEXT_PHRASE, _NAME_ALL, _TEXT_ALL = 10000, 5000, 3000, 1000, 500, 200
_NAME_WORD, _TEXT_WORD = 20, 5


@dataclass(frozen=True)
class SearchFilters:
    query: str = ""
    agency: str = ""  # agency code: the agency and the agencies directly under it
    field: str = ""
    level: str = ""
    online_level: str = ""


def _score(row: tuple[int, str, str, str, int], phrase: str, words: list[str]) -> tuple[int, int, int, str]:
    _pk, code, name, text, popularity = row
    in_name = [word in name for word in words]
    in_text = [word in text for word in words]
    score = (
        (_CODE if code == phrase else 0)
        + (_NAME_EQUAL if name == phrase else 0)
        + (_NAME_PHRASE if phrase in name else 0)
        + (_TEXT_PHRASE if phrase in text else 0)
        + (_NAME_ALL if all(in_name) else 0)
        + (_TEXT_ALL if all(in_text) else 0)
        + _NAME_WORD * sum(in_name)
        + _TEXT_WORD * sum(in_text)
    )
    return (-score, len(name), -popularity, code)


class RankedProcedures:
    """Search hits in rank order, as the paginator wants them (len and slices).

    The database only narrows the candidates (any word, a LIKE that pg_trgm indexes); the ranking
    is done here on the narrow folded columns. That is one simple query instead of dozens of CASE
    expressions per row, and the order is the same on SQLite and PostgreSQL by construction. The
    rows of one page are fetched, with what a result line shows, only when that page is sliced.
    """

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int | slice) -> Any:
        ids = self.ids[index] if isinstance(index, slice) else [self.ids[index]]
        rows = {p.pk: p for p in with_listing_data(Procedure.objects.filter(pk__in=ids))}
        found = [rows[pk] for pk in ids if pk in rows]
        return found if isinstance(index, slice) else found[0]

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self[:])


def _ranked(queryset: QuerySet[Procedure], query: str) -> QuerySet[Procedure] | RankedProcedures:
    phrase, words = query_words(query)
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    if not phrase or not words:
        return with_listing_data(queryset.order_by("-popularity", "code"))
    any_word = Q(code=phrase)
    for word in words:
        any_word |= Q(search_folded__contains=word)
    candidates = queryset.filter(any_word).values_list("pk", "code", "name_folded", "search_folded", "popularity")
    ranked = sorted(candidates, key=lambda row: _score(row, phrase, words))
    return RankedProcedures([row[0] for row in ranked])


def procedure_search(*, filters: SearchFilters) -> QuerySet[Procedure] | RankedProcedures:
    """Published procedures matching the filters, best first; accent- and case-insensitive."""
    queryset = Procedure.objects.filter(current_version__isnull=False)
    if filters.field:
        queryset = queryset.filter(current_version__field__code=filters.field)
    if filters.level:
        queryset = queryset.filter(current_version__level=filters.level)
    if filters.online_level:
        queryset = queryset.filter(current_version__online_level=filters.online_level)
    if filters.agency:
        # A subquery rather than a join, so a procedure received by several agencies is listed once.
        versions = ProcedureVersion.receiving_agencies.through.objects.filter(
            Q(agency__code=filters.agency) | Q(agency__parent__code=filters.agency)
        ).values("procedureversion_id")
        queryset = queryset.filter(current_version_id__in=versions)
    return _ranked(queryset, filters.query)


def with_listing_data(queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
    """What a result line shows: two prefetches, whatever the page size.

    The long texts (steps, legal basis, the e-form) stay in the database: a result line never shows
    them, and on PostgreSQL reading them for 20 rows cost more than the search itself.
    """
    heavy = (
        "eform",
        "steps",
        "requirements",
        "legal_basis",
        "result",
        "applicants",
        "fee_note",
        "processing_time_note",
        "competent_agency",
    )
    return (
        queryset.select_related("current_version__field")
        .defer("search_folded", *(f"current_version__{name}" for name in heavy))
        .prefetch_related(
            Prefetch("current_version__receiving_agencies", queryset=Agency.objects.order_by("code")),
            Prefetch("current_version__fee_lines", queryset=FeeLine.objects.order_by("order", "pk")),
        )
    )


def procedure_detail(*, code: str) -> Procedure | None:
    if "\x00" in code:  # no code holds NUL, and PostgreSQL refuses to compare text with it (a 500)
        return None
    return (
        Procedure.objects.filter(code=code, current_version__isnull=False)
        .select_related("current_version__field")
        .prefetch_related(
            Prefetch("current_version__receiving_agencies", queryset=Agency.objects.order_by("code")),
            "current_version__fee_lines",
            "current_version__components",
        )
        .first()
    )


def popular_procedures(*, limit: int = 8) -> list[Procedure]:
    return list(
        Procedure.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by(F("popularity").desc(), "code")[:limit]
    )
