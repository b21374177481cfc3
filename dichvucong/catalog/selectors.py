"""Reads of the catalogue: the public search and the procedure page, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length

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


def _ranked(queryset: QuerySet[Procedure], query: str) -> QuerySet[Procedure]:
    phrase, words = query_words(query)
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    if not phrase or not words:
        return queryset.order_by("-popularity", "code")
    any_word = Q()
    for word in words:
        any_word |= Q(search_folded__contains=word)
    all_in_name = Q(*(Q(name_folded__contains=w) for w in words))
    all_in_text = Q(*(Q(search_folded__contains=w) for w in words))

    def score(condition: Q, weight: int) -> Case:
        return Case(When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField())

    rank = (
        score(Q(code=phrase), _CODE)
        + score(Q(name_folded=phrase), _NAME_EQUAL)
        + score(Q(name_folded__contains=phrase), _NAME_PHRASE)
        + score(Q(search_folded__contains=phrase), _TEXT_PHRASE)
        + score(all_in_name, _NAME_ALL)
        + score(all_in_text, _TEXT_ALL)
    )
    for word in words:
        rank = (
            rank + score(Q(name_folded__contains=word), _NAME_WORD) + score(Q(search_folded__contains=word), _TEXT_WORD)
        )
    return (
        queryset.filter(any_word | Q(code=phrase))
        .annotate(rank=rank, name_length=Length("name_folded"))
        .order_by("-rank", "name_length", "-popularity", "code")
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
