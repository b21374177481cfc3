"""Reads of the catalogue: the public search and the procedure page, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, IntegerField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate, Length

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


def _rank(phrase: str, words: list[str]) -> RawSQL:
    """A candidate's score as one SQL expression (an integer), written as SQL text.

    strpos() on PostgreSQL and instr() on SQLite: a plain substring test, no LIKE wildcards; the
    texts are parameters. Scored in the database, so a query matching half of a 6,000-procedure
    catalogue does not send every candidate's folded text to Python to be scored and sorted. Written
    as text rather than built from Case/When/StrIndex expressions: for a two-word query Django took
    about 5 ms to build and compile those ten CASEs on every search, more than PostgreSQL takes to
    evaluate them on 200 matches.
    """
    table = connection.ops.quote_name(Procedure._meta.db_table)
    code, name, text = (f"{table}.{connection.ops.quote_name(c)}" for c in ("code", "name_folded", "search_folded"))
    index = "STRPOS" if connection.vendor == "postgresql" else "INSTR"
    terms: list[str] = []
    params: list[Any] = []

    def points(condition: str, values: list[str], weight: int) -> None:
        terms.append(f"CASE WHEN {condition} THEN {weight:d} ELSE 0 END")
        params.extend(values)

    def contains(column: str) -> str:
        return f"{index}({column}, %s) > 0"

    points(f"{code} = %s", [phrase], _CODE)
    points(f"{name} = %s", [phrase], _NAME_EQUAL)
    points(contains(name), [phrase], _NAME_PHRASE)
    points(contains(text), [phrase], _TEXT_PHRASE)
    points(" AND ".join(contains(name) for _ in words), words, _NAME_ALL)
    points(" AND ".join(contains(text) for _ in words), words, _TEXT_ALL)
    for word in words:
        points(contains(name), [word], _NAME_WORD)
    for word in words:
        points(contains(text), [word], _TEXT_WORD)
    # Only quoted names and integer weights are written into the SQL; every text is a parameter.
    return RawSQL(" + ".join(terms), params, output_field=IntegerField())  # noqa: S611


def _ranked(queryset: QuerySet[Procedure], query: str) -> QuerySet[Procedure]:
    phrase, words = query_words(query)
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    if not phrase or not words:
        return with_listing_data(queryset.order_by("-popularity", "code"))
    any_word = Q(code=phrase)
    for word in words:
        any_word |= Q(search_folded__contains=word)
    score = _rank(phrase, words)
    # Ties end on the code compared byte by byte, as Python compared it: a linguistic collation
    # would skip the dots of "1.001193".
    code = Collate("code", "C") if connection.vendor == "postgresql" else F("code")
    return with_listing_data(
        queryset.filter(any_word)
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
