from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from dichvucong.agencies.constants import AgencyKind
from dichvucong.agencies.models import Agency


def agencies_valid_on(day: dt.date | None = None) -> QuerySet[Agency]:
    day = day or timezone.localdate()
    return Agency.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


def agency_current_successor(agency: Agency, *, on: dt.date | None = None) -> Agency:
    """The agency that takes new dossiers today for `agency`, following the successor chain.

    Old dossiers keep the agency they were filed with; only new ones follow the chain. The set of
    visited agencies guards against a cycle entered by mistake.
    """
    day = on or timezone.localdate()
    current, seen = agency, {agency.pk}
    while not current.is_valid_on(day) and current.successor_id and current.successor_id not in seen:
        current = Agency.objects.get(pk=current.successor_id)
        seen.add(current.pk)
    return current


@dataclass
class AgencyNode:
    agency: Agency
    children: list[AgencyNode] = field(default_factory=list)


# Citizens look for the one-stop centre first, then departments, then their commune.
_KIND_ORDER = [
    AgencyKind.PROVINCIAL_COMMITTEE,
    AgencyKind.SERVICE_CENTRE,
    AgencyKind.DEPARTMENT,
    AgencyKind.POLICE,
    AgencyKind.COMMUNE_COMMITTEE,
    AgencyKind.BRANCH,
    AgencyKind.OTHER,
]


def agency_tree(*, on: dt.date | None = None) -> list[AgencyNode]:
    """The agencies valid on a day as a forest, in one query (for the catalogue's left column)."""
    rank = {kind.value: index for index, kind in enumerate(_KIND_ORDER)}
    agencies = sorted(agencies_valid_on(on), key=lambda a: (rank.get(a.kind, len(rank)), a.code))
    nodes = {a.pk: AgencyNode(a) for a in agencies}
    roots: list[AgencyNode] = []
    for agency in agencies:
        parent = nodes.get(agency.parent_id) if agency.parent_id else None
        (parent.children if parent else roots).append(nodes[agency.pk])
    return roots


# The tree of the catalogue's left column, kept per process: (fingerprint, day) -> roots.
_tree_cache: dict[tuple, list[AgencyNode]] = {}


def agency_tree_cached() -> list[AgencyNode]:
    """agency_tree() of today, rebuilt only when an agency changed; the nodes are shared, read-only.

    A fingerprint query (count, last id, last change of the small agency table) tells the process
    that another process edited an agency; a save or delete in this process also empties the cache
    at once (signals in apps.py), for edits the fingerprint cannot see (a same-microsecond change).
    """
    day = timezone.localdate()
    stamp = Agency.objects.aggregate(n=Count("pk"), last=Max("pk"), changed=Max("updated_at"))
    key = (stamp["n"], stamp["last"], stamp["changed"], day)
    tree = _tree_cache.get(key)
    if tree is None:
        tree = agency_tree(on=day)
        _tree_cache.clear()
        _tree_cache[key] = tree
    return tree


def forget_agency_tree(**_kwargs: object) -> None:
    _tree_cache.clear()
