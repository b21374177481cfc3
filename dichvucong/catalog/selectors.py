"""Reads of the catalogue: the public search and the procedure page, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, ExpressionWrapper, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Collate, Length, StrIndex

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


def _rank(phrase: str, words: list[str]) -> tuple[Any, dict[str, Any]]:
    """A candidate's score as one SQL expression, and the substring positions it reads.

    The same weights as before on the same folded columns (StrIndex is strpos() on PostgreSQL and
    instr() on SQLite: a plain substring test, no LIKE wildcards), so the order is unchanged; but
    a query matching half of a 6,000-procedure catalogue no longer sends every candidate's folded
    text to Python to be scored and sorted: that transfer and sort were most of the page's time.
    """
    positions: dict[str, Any] = {}

    def found(column: str, text: str) -> Q:
        name = f"_at_{len(positions)}"
        positions[name] = StrIndex(column, Value(text))
        return Q(**{f"{name}__gt": 0})

    def points(condition: Q, weight: int) -> Any:
        return Case(When(condition, then=Value(weight)), default=Value(0))

    def every(conditions: list[Q]) -> Q:
        combined = conditions[0]
        for condition in conditions[1:]:
            combined &= condition
        return combined

    in_name = [found("name_folded", word) for word in words]
    in_text = [found("search_folded", word) for word in words]
    terms = [
        points(Q(code=phrase), _CODE),
        points(Q(name_folded=phrase), _NAME_EQUAL),
        points(found("name_folded", phrase), _NAME_PHRASE),
        points(found("search_folded", phrase), _TEXT_PHRASE),
        points(every(in_name), _NAME_ALL),
        points(every(in_text), _TEXT_ALL),
        *(points(condition, _NAME_WORD) for condition in in_name),
        *(points(condition, _TEXT_WORD) for condition in in_text),
    ]
    score = terms[0]
    for term in terms[1:]:
        score = score + term
    return ExpressionWrapper(score, output_field=IntegerField()), positions


def _ranked(queryset: QuerySet[Procedure], query: str) -> QuerySet[Procedure]:
    phrase, words = query_words(query)
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    if not phrase or not words:
        return with_listing_data(queryset.order_by("-popularity", "code"))
    any_word = Q(code=phrase)
    for word in words:
        any_word |= Q(search_folded__contains=word)
    score, positions = _rank(phrase, words)
    # Ties end on the code compared byte by byte, as Python compared it: a linguistic collation
    # would skip the dots of "1.001193".
    code = Collate("code", "C") if connection.vendor == "postgresql" else F("code")
    return with_listing_data(
        queryset.filter(any_word)
        .alias(**positions)
        .alias(_score=score, _name_length=Length("name_folded"))
        .order_by("-_score", "_name_length", "-popularity", code)
    )


def procedure_search(*, filters: SearchFilters) -> QuerySet[Procedure]:
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
