"""Who may see and act on which agency's records: the one place that answers it.

Every view, selector, admin and API endpoint asks these helpers instead of reading profiles and
roles itself, so the rule "an officer works only on their own agency's records; a system
administrator sees everything; nobody else sees anything" is written once (DESIGN §12).

core sits below accounts in the import graph, so nothing here imports the accounts or agencies
models: the officer's profile is reached through the `officer_profile` relation and roles are
compared as their string codes (the values of `accounts.constants.OfficerRole`).

Everything fails closed: an anonymous user, a deactivated account, a citizen, an officer whose
profile is missing or marked inactive, or an agency id of None gets no access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet
from django.http import Http404

# Role codes (accounts.constants.OfficerRole values), repeated as strings because core cannot
# import accounts; a test checks they stay equal.
ROLE_ONE_STOP = "mot_cua"
ROLE_SPECIALIST = "chuyen_vien"
ROLE_HEAD_OF_DEPARTMENT = "lanh_dao_phong"
ROLE_AGENCY_LEADER = "lanh_dao_co_quan"
ROLE_CLERK = "van_thu"
ROLE_AGENCY_ADMIN = "quan_tri_don_vi"
ROLE_SYSTEM_ADMIN = "quan_tri_he_thong"

_OFFICER_KIND = "officer"  # accounts.constants.AccountKind.OFFICER
_CACHE_ATTR = "_dvc_officer_access"

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _OfficerAccess:
    agency_id: int | None
    roles: frozenset[str]


_NO_ACCESS = _OfficerAccess(agency_id=None, roles=frozenset())


def _is_live_account(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _officer_access(user: Any) -> _OfficerAccess:
    """The officer's agency and roles, read once and kept on the user object.

    The user object lives for one request (request.user), so caching on it makes every later
    check in that request free, and a role change is seen from the next request on.
    """
    if not _is_live_account(user):
        return _NO_ACCESS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    access = _NO_ACCESS
    # A profile attached to a citizen's account must not turn it into an officer account.
    if getattr(user, "kind", None) == _OFFICER_KIND:
        profile, roles = _profile_and_roles(user)
        if profile is not None and profile.is_active:
            access = _OfficerAccess(agency_id=profile.agency_id, roles=roles)
    setattr(user, _CACHE_ATTR, access)
    return access


def _profile_and_roles(user: Any) -> tuple[Any, frozenset[str]]:
    """The officer profile and its role codes, in one query unless the profile is already loaded.

    Each back-office page starts with this check: the profile is read joined to its role rows
    (one row per role, or one with no role) and left in the relation's cache, where later readers
    (the workflow's officer state, the audit's agency name) find it.
    """
    relation = user._meta.get_field("officer_profile")
    if relation.is_cached(user):
        profile = relation.get_cached_value(user)
        if profile is None:
            return None, frozenset()
        return profile, frozenset(profile.role_assignments.values_list("role", flat=True))
    rows = list(
        relation.related_model.objects.filter(user=user)
        .select_related("agency")
        .annotate(granted_role=F("role_assignments__role"))
    )
    if not rows:
        relation.set_cached_value(user, None)  # as the relation's descriptor remembers a missing profile
        return None, frozenset()
    profile = rows[0]
    relation.set_cached_value(user, profile)
    relation.field.set_cached_value(profile, user)
    return profile, frozenset(row.granted_role for row in rows if row.granted_role is not None)


def forget_permissions(user: Any) -> None:
    """Drop the cached agency and roles, after changing them within the same request or test."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    # The profile itself is cached by Django's related-object descriptor.
    state = getattr(user, "_state", None)
    if state is not None:
        state.fields_cache.pop("officer_profile", None)


def officer_agency_id(user: Any) -> int | None:
    """The agency of the user's active officer profile; None for everyone else."""
    return _officer_access(user).agency_id


def officer_roles(user: Any) -> frozenset[str]:
    """The role codes of the user's active officer profile; empty for everyone else."""
    return _officer_access(user).roles


def has_role(user: Any, *roles: str) -> bool:
    """Whether the user, as an active officer, holds at least one of `roles`."""
    if not roles:
        raise ValueError("has_role() needs at least one role")
    return not officer_roles(user).isdisjoint(roles)


def is_system_admin(user: Any) -> bool:
    """A superuser, or an active officer holding the quản trị hệ thống role."""
    if not _is_live_account(user):
        return False
    return bool(getattr(user, "is_superuser", False)) or has_role(user, ROLE_SYSTEM_ADMIN)


def _is_own_agency(user: Any, agency_id: int | None) -> bool:
    own = officer_agency_id(user)
    return own is not None and agency_id is not None and own == agency_id


def can_view_agency_records(user: Any, agency_id: int | None) -> bool:
    """Any active officer of the agency (whatever their role) or a system administrator."""
    return is_system_admin(user) or _is_own_agency(user, agency_id)


def can_act_for_agency(user: Any, agency_id: int | None, *roles: str) -> bool:
    """An active officer of the agency holding one of `roles`, or a system administrator."""
    if not roles:
        raise ValueError("can_act_for_agency() needs at least one role")
    return is_system_admin(user) or (_is_own_agency(user, agency_id) and has_role(user, *roles))


def can_manage_officers(user: Any, agency_id: int | None) -> bool:
    """The agency's own quản trị đơn vị, or a system administrator."""
    return can_act_for_agency(user, agency_id, ROLE_AGENCY_ADMIN)


def restrict_to_agency(queryset: QuerySet[M], user: Any, *, field: str = "agency") -> QuerySet[M]:
    """The rows of `queryset` the user may see: their agency's, all for a system admin, else none.

    `field` is the lookup path from the row to its agency, e.g. "agency" or "dossier__agency".
    """
    if is_system_admin(user):
        return queryset
    agency_id = officer_agency_id(user)
    if agency_id is None:
        return queryset.none()
    return queryset.filter(**{field: agency_id})


def require_agency_access(user: Any, agency_id: int | None, *roles: str) -> None:
    """Raise Http404 unless the user may see (or, with `roles`, act on) the agency's records.

    404 rather than 403: answering "forbidden" would tell an officer of another agency, or a
    citizen guessing numbers, that the record exists.
    """
    allowed = can_act_for_agency(user, agency_id, *roles) if roles else can_view_agency_records(user, agency_id)
    if not allowed:
        raise Http404
