"""core.permissions: an officer reaches their own agency's records and nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.models import OfficerProfile, User
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.agencies.models import Unit
from dichvucong.agencies.tests.factories import UnitFactory
from dichvucong.core import permissions
from dichvucong.core.permissions import (
    can_act_for_agency,
    can_manage_officers,
    can_view_agency_records,
    forget_permissions,
    has_role,
    is_system_admin,
    officer_agency_id,
    officer_roles,
    require_agency_access,
    restrict_to_agency,
)
from dichvucong.core.testing.personas import make_officer

ALL_ROLES = tuple(OfficerRole.values)


@pytest.fixture
def units(personas):
    return UnitFactory(agency=personas.agency_a, code="A1"), UnitFactory(agency=personas.agency_b, code="B1")


def reaches(user, agency) -> dict[str, bool]:
    """Every door to an agency's records, opened at once: True where the user gets through."""
    try:
        require_agency_access(user, agency.pk)
        required = True
    except Http404:
        required = False
    return {
        "view": can_view_agency_records(user, agency.pk),
        "act": can_act_for_agency(user, agency.pk, *ALL_ROLES),
        "manage": can_manage_officers(user, agency.pk),
        "restrict": restrict_to_agency(Unit.objects.all(), user).filter(agency=agency).exists(),
        "require": required,
    }


def test_role_codes_match_the_accounts_constants():
    assert {
        permissions.ROLE_ONE_STOP,
        permissions.ROLE_SPECIALIST,
        permissions.ROLE_HEAD_OF_DEPARTMENT,
        permissions.ROLE_AGENCY_LEADER,
        permissions.ROLE_CLERK,
        permissions.ROLE_AGENCY_ADMIN,
        permissions.ROLE_SYSTEM_ADMIN,
    } == set(OfficerRole.values)


def test_officer_of_agency_a_reaches_agency_a_records(personas, units):
    officer = personas.officer_a

    assert officer_agency_id(officer) == personas.agency_a.pk
    assert officer_roles(officer) == frozenset({OfficerRole.SPECIALIST})
    assert can_view_agency_records(officer, personas.agency_a.pk)
    assert can_act_for_agency(officer, personas.agency_a.pk, OfficerRole.SPECIALIST)
    assert list(restrict_to_agency(Unit.objects.all(), officer)) == [units[0]]
    require_agency_access(officer, personas.agency_a.pk)  # does not raise
    require_agency_access(officer, personas.agency_a.pk, OfficerRole.SPECIALIST)


def test_officer_of_agency_a_cannot_reach_agency_b_through_any_helper(personas, units):
    assert not any(reaches(personas.officer_a, personas.agency_b).values())
    assert not any(reaches(personas.officer_b, personas.agency_a).values())
    assert not any(reaches(personas.agency_admin_a, personas.agency_b).values())
    with pytest.raises(Http404):
        require_agency_access(personas.officer_a, personas.agency_b.pk)


def test_officer_without_the_role_cannot_act(personas):
    officer, agency_id = personas.officer_a, personas.agency_a.pk

    assert not can_act_for_agency(officer, agency_id, OfficerRole.ONE_STOP, OfficerRole.AGENCY_LEADER)
    assert not can_manage_officers(officer, agency_id)
    with pytest.raises(Http404):
        require_agency_access(officer, agency_id, OfficerRole.CLERK)


def test_role_checks(personas):
    assert has_role(personas.officer_a, OfficerRole.SPECIALIST)
    assert has_role(personas.officer_a, OfficerRole.ONE_STOP, OfficerRole.SPECIALIST)
    assert not has_role(personas.officer_a, OfficerRole.ONE_STOP)
    assert has_role(personas.officer_b, "mot_cua")  # plain role codes work too
    assert has_role(personas.agency_admin_a, OfficerRole.AGENCY_ADMIN)
    assert can_manage_officers(personas.agency_admin_a, personas.agency_a.pk)
    assert not can_manage_officers(personas.agency_admin_a, personas.agency_b.pk)
    assert not is_system_admin(personas.agency_admin_a)
    with pytest.raises(ValueError, match="at least one role"):
        has_role(personas.officer_a)
    with pytest.raises(ValueError, match="at least one role"):
        can_act_for_agency(personas.officer_a, personas.agency_a.pk)


def test_officer_with_several_roles(personas):
    head = make_officer(
        UserFactory(officer=True), personas.agency_a, OfficerRole.HEAD_OF_DEPARTMENT, OfficerRole.AGENCY_LEADER
    )

    assert officer_roles(head) == {OfficerRole.HEAD_OF_DEPARTMENT, OfficerRole.AGENCY_LEADER}
    assert can_act_for_agency(head, personas.agency_a.pk, OfficerRole.AGENCY_LEADER)


def test_inactive_officer_profile_gets_nothing(personas, units):
    OfficerProfile.objects.filter(user=personas.officer_a).update(is_active=False)
    officer = User.objects.get(pk=personas.officer_a.pk)

    assert officer_agency_id(officer) is None
    assert officer_roles(officer) == frozenset()
    assert not has_role(officer, OfficerRole.SPECIALIST)
    assert not any(reaches(officer, personas.agency_a).values())


def test_deactivated_account_gets_nothing(personas, units):
    User.objects.filter(pk=personas.agency_admin_a.pk).update(is_active=False)
    admin = User.objects.get(pk=personas.agency_admin_a.pk)

    assert officer_agency_id(admin) is None
    assert not any(reaches(admin, personas.agency_a).values())


def test_deactivated_superuser_is_not_a_system_admin(personas):
    User.objects.filter(pk=personas.sysadmin.pk).update(is_active=False)

    assert not is_system_admin(User.objects.get(pk=personas.sysadmin.pk))


@pytest.mark.parametrize("who", ["citizen", "other_citizen", "anonymous", "none"])
def test_citizens_and_anonymous_visitors_get_nothing(personas, units, who):
    others = {"anonymous": AnonymousUser(), "none": None}
    user = others[who] if who in others else getattr(personas, who)

    assert officer_agency_id(user) is None
    assert officer_roles(user) == frozenset()
    assert not is_system_admin(user)
    assert not has_role(user, *ALL_ROLES)
    for agency in (personas.agency_a, personas.agency_b):
        assert not any(reaches(user, agency).values())


def test_officer_without_a_profile_gets_nothing(personas, units):
    assert not any(reaches(UserFactory(officer=True), personas.agency_a).values())


def test_a_profile_on_a_citizen_account_does_not_make_an_officer(personas, units):
    make_officer(personas.citizen, personas.agency_a, OfficerRole.SYSTEM_ADMIN)
    citizen = User.objects.get(pk=personas.citizen.pk)

    assert not is_system_admin(citizen)
    assert not any(reaches(citizen, personas.agency_a).values())


def test_system_admin_gets_everything(personas, units):
    for agency in (personas.agency_a, personas.agency_b):
        assert all(reaches(personas.sysadmin, agency).values())
    assert is_system_admin(personas.sysadmin)
    assert restrict_to_agency(Unit.objects.all(), personas.sysadmin).count() == Unit.objects.count()


def test_system_admin_role_without_superuser_flag_gets_everything(personas, units):
    admin = make_officer(UserFactory(officer=True), personas.agency_a, OfficerRole.SYSTEM_ADMIN)

    assert is_system_admin(admin)
    assert all(reaches(admin, personas.agency_b).values())


def test_no_agency_means_no_access(personas):
    assert not can_view_agency_records(personas.officer_a, None)
    assert can_view_agency_records(personas.sysadmin, None)  # the system admin is not limited to agencies


def test_restrict_to_agency_follows_a_lookup_path(personas):
    users = restrict_to_agency(User.objects.all(), personas.officer_a, field="officer_profile__agency")

    assert set(users) == {personas.officer_a, personas.agency_admin_a}


def test_roles_are_read_once_per_user_object(personas, django_assert_num_queries):
    officer = User.objects.get(pk=personas.officer_a.pk)
    officer_roles(officer)

    with django_assert_num_queries(0):
        for _ in range(5):
            has_role(officer, OfficerRole.SPECIALIST)
            officer_agency_id(officer)
            can_act_for_agency(officer, personas.agency_a.pk, OfficerRole.SPECIALIST)
            is_system_admin(officer)


def test_forget_permissions_reads_a_role_change(personas):
    officer = personas.officer_a
    assert not has_role(officer, OfficerRole.CLERK)
    officer.officer_profile.role_assignments.create(role=OfficerRole.CLERK)

    assert not has_role(officer, OfficerRole.CLERK)  # still the cached answer of this "request"
    forget_permissions(officer)
    assert has_role(officer, OfficerRole.CLERK)
