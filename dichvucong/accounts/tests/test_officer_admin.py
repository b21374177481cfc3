"""Officer management in the admin: an agency administrator manages their own agency only."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from dichvucong.accounts.constants import AccountKind, OfficerRole
from dichvucong.accounts.models import OfficerProfile, OfficerRoleAssignment, User
from dichvucong.agencies.tests.factories import UnitFactory
from dichvucong.core.testing.personas import force_login_verified

# The two-factor middleware is on, as in production: every admin user here logs in through
# force_login_verified.
TWO_FACTOR_MIDDLEWARE = "dichvucong.accounts.middleware.OfficerTwoFactorMiddleware"

PROFILES = "/admin/accounts/officerprofile/"
USERS = "/admin/accounts/user/"
NEW_PASSWORD = "Hue@Canbo-2026"


def profile_url(user: User, action: str = "change") -> str:
    return f"{PROFILES}{user.officer_profile.pk}/{action}/"


def new_officer(agency, unit=None, **overrides) -> dict:
    data = {
        "username": "canbo.moi",
        "full_name": "Trần Văn Mới",
        "email": "canbo.moi@example.invalid",
        "phone": "0914 555 666",
        "national_id": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "agency": agency.pk,
        "unit": unit.pk if unit else "",
        "position": "Chuyên viên",
        "roles": [OfficerRole.SPECIALIST],
    }
    data.update(overrides)
    return data


def profile_change(profile: OfficerProfile, **overrides) -> dict:
    """The change form as the browser would post it back, roles inline included."""
    assignments = list(profile.role_assignments.order_by("pk"))
    data = {
        "agency": profile.agency_id,
        "unit": profile.unit_id or "",
        "position": profile.position,
        "is_active": "on" if profile.is_active else "",
        "role_assignments-TOTAL_FORMS": len(assignments),
        "role_assignments-INITIAL_FORMS": len(assignments),
        "role_assignments-MIN_NUM_FORMS": 0,
        "role_assignments-MAX_NUM_FORMS": 1000,
    }
    for i, assignment in enumerate(assignments):
        data[f"role_assignments-{i}-id"] = assignment.pk
        data[f"role_assignments-{i}-profile"] = profile.pk
        data[f"role_assignments-{i}-role"] = assignment.role
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    if TWO_FACTOR_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("django_otp.middleware.OTPMiddleware") + 1, TWO_FACTOR_MIDDLEWARE)
        settings.MIDDLEWARE = middleware
    settings.OFFICER_2FA_REQUIRED = True


@pytest.fixture
def admin_a(client, personas):
    force_login_verified(client, personas.agency_admin_a)
    return client


# --- what an agency administrator sees ------------------------------------------------------


def test_agency_admin_lists_only_their_agency_officers(admin_a, personas):
    response = admin_a.get(PROFILES)

    assert response.status_code == 200
    shown = {profile.user for profile in response.context["cl"].result_list}
    assert shown == {personas.officer_a, personas.agency_admin_a}
    assert "canbo.b" not in response.content.decode()


def test_agency_admin_lists_only_their_agency_accounts(admin_a, personas):
    response = admin_a.get(USERS)

    assert set(response.context["cl"].result_list) == {personas.officer_a, personas.agency_admin_a}


def test_agency_admin_searching_for_another_agency_finds_nothing(admin_a, personas):
    response = admin_a.get(PROFILES, {"q": "canbo.b"})

    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("action", ["change", "delete", "history"])
def test_another_agency_officer_answers_404(admin_a, personas, action):
    assert admin_a.get(profile_url(personas.officer_b, action)).status_code == 404


def test_another_agency_officer_cannot_be_changed_or_deleted_by_post(admin_a, personas):
    profile = personas.officer_b.officer_profile

    change = admin_a.post(profile_url(personas.officer_b), profile_change(profile, position="Đã bị sửa"))
    delete = admin_a.post(profile_url(personas.officer_b, "delete"), {"post": "yes"})

    assert (change.status_code, delete.status_code) == (404, 404)
    profile.refresh_from_db()
    assert profile.position != "Đã bị sửa"


@pytest.mark.parametrize("who", ["officer_b", "citizen", "sysadmin"])
def test_accounts_outside_the_agency_answer_404(admin_a, personas, who):
    account = getattr(personas, who)

    assert admin_a.get(f"{USERS}{account.pk}/change/").status_code == 404
    assert admin_a.get(f"{USERS}{account.pk}/password/").status_code == 404


def test_bulk_delete_cannot_reach_another_agency(admin_a, personas):
    target = personas.officer_b.officer_profile.pk

    admin_a.post(PROFILES, {"action": "delete_selected", "_selected_action": [target], "post": "yes"})

    assert OfficerProfile.objects.filter(pk=target).exists()


def test_agency_admin_cannot_add_plain_accounts_or_reach_other_models(admin_a):
    assert admin_a.get(f"{USERS}add/").status_code == 403
    assert admin_a.get("/admin/agencies/agency/").status_code == 403
    index = admin_a.get("/admin/").content.decode()
    assert "/admin/accounts/officerprofile/" in index
    assert "/admin/agencies/agency/" not in index


def test_officers_and_citizens_without_admin_rights_stay_out(client, personas):
    for user in (personas.officer_a, personas.citizen):
        force_login_verified(client, user)
        assert client.get(PROFILES)["Location"].startswith("/admin/login/")


# --- "Thêm cán bộ" -------------------------------------------------------------------------


def test_agency_admin_adds_an_officer_of_their_agency_in_one_step(admin_a, personas):
    unit = UnitFactory(agency=personas.agency_a, code="HCTP")

    page = admin_a.get(f"{PROFILES}add/")
    assert "Thêm cán bộ" in page.content.decode()
    assert list(page.context["adminform"].form.fields["agency"].queryset) == [personas.agency_a]

    response = admin_a.post(f"{PROFILES}add/", new_officer(personas.agency_a, unit))

    assert response.status_code == 302, response.context["adminform"].form.errors
    officer = User.objects.get(username="canbo.moi")
    assert officer.kind == AccountKind.OFFICER
    assert officer.phone == "+84914555666"
    assert officer.check_password(NEW_PASSWORD)
    assert not officer.is_staff
    assert officer.officer_profile.agency == personas.agency_a
    assert officer.officer_profile.unit == unit
    assert list(officer.officer_profile.role_assignments.values_list("role", flat=True)) == [OfficerRole.SPECIALIST]


def test_agency_admin_cannot_add_an_officer_to_another_agency(admin_a, personas):
    response = admin_a.post(f"{PROFILES}add/", new_officer(personas.agency_b))

    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="canbo.moi").exists()


def test_unit_must_belong_to_the_agency(admin_a, personas):
    other_unit = UnitFactory(agency=personas.agency_b)

    response = admin_a.post(f"{PROFILES}add/", new_officer(personas.agency_a, other_unit))

    assert "unit" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="canbo.moi").exists()


def test_agency_admin_cannot_create_a_system_administrator(admin_a, personas):
    response = admin_a.post(
        f"{PROFILES}add/", new_officer(personas.agency_a, roles=[OfficerRole.SYSTEM_ADMIN, OfficerRole.SPECIALIST])
    )

    assert "roles" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="canbo.moi").exists()


def test_new_agency_admin_gets_staff_status(admin_a, personas):
    response = admin_a.post(f"{PROFILES}add/", new_officer(personas.agency_a, roles=[OfficerRole.AGENCY_ADMIN]))

    assert response.status_code == 302
    assert User.objects.get(username="canbo.moi").is_staff


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", "canbo.a"), ("phone", "0912"), ("password2", "khac-mat-khau"), ("national_id", "123")],
)
def test_add_form_checks_identity_and_password(admin_a, personas, field, value):
    response = admin_a.post(f"{PROFILES}add/", new_officer(personas.agency_a, **{field: value}))

    assert field in response.context["adminform"].form.errors
    assert not User.objects.filter(full_name="Trần Văn Mới").exists()


# --- editing one's own agency's officers ----------------------------------------------------


def test_agency_admin_edits_an_officer_and_their_roles(admin_a, personas):
    profile = personas.officer_a.officer_profile
    data = profile_change(profile, position="Phó trưởng phòng")
    data.update({"role_assignments-TOTAL_FORMS": 2, "role_assignments-1-role": OfficerRole.HEAD_OF_DEPARTMENT})

    response = admin_a.post(profile_url(personas.officer_a), data)

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.position == "Phó trưởng phòng"
    assert set(profile.role_assignments.values_list("role", flat=True)) == {
        OfficerRole.SPECIALIST,
        OfficerRole.HEAD_OF_DEPARTMENT,
    }


def test_agency_admin_cannot_grant_the_system_admin_role(admin_a, personas):
    profile = personas.officer_a.officer_profile
    data = profile_change(profile)
    data.update({"role_assignments-TOTAL_FORMS": 2, "role_assignments-1-role": OfficerRole.SYSTEM_ADMIN})

    response = admin_a.post(profile_url(personas.officer_a), data)

    assert response.status_code == 200
    assert not profile.role_assignments.filter(role=OfficerRole.SYSTEM_ADMIN).exists()


def test_agency_admin_cannot_move_an_officer_to_another_agency(admin_a, personas):
    profile = personas.officer_a.officer_profile

    response = admin_a.post(profile_url(personas.officer_a), profile_change(profile, agency=personas.agency_b.pk))

    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.agency == personas.agency_a


def test_agency_admin_cannot_raise_privileges_on_the_account(admin_a, personas):
    officer = personas.officer_a
    page = admin_a.get(f"{USERS}{officer.pk}/change/")
    form = page.context["adminform"].form
    assert {"is_superuser", "is_staff", "user_permissions", "groups", "kind", "username"}.isdisjoint(form.fields)

    response = admin_a.post(
        f"{USERS}{officer.pk}/change/",
        {
            "full_name": "Lê Văn Cường (đã sửa)",
            "phone": "0914 777 888",
            "language": "vi",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "kind": "citizen",
        },
    )

    assert response.status_code == 302  # the allowed changes were saved …
    officer.refresh_from_db()
    assert (officer.full_name, officer.phone) == ("Lê Văn Cường (đã sửa)", "+84914777888")
    assert (officer.is_superuser, officer.is_staff, officer.kind) == (False, False, AccountKind.OFFICER)  # … only those


def test_granting_and_removing_the_admin_role_follows_staff_status(admin_a, personas):
    profile = personas.officer_a.officer_profile
    data = profile_change(profile)
    data.update({"role_assignments-TOTAL_FORMS": 2, "role_assignments-1-role": OfficerRole.AGENCY_ADMIN})
    admin_a.post(profile_url(personas.officer_a), data)
    assert User.objects.get(pk=personas.officer_a.pk).is_staff

    admin_role = profile.role_assignments.get(role=OfficerRole.AGENCY_ADMIN)
    data = profile_change(profile)
    index = next(k for k, v in data.items() if v == admin_role.pk and k.endswith("-id")).split("-")[1]
    data[f"role_assignments-{index}-DELETE"] = "on"
    admin_a.post(profile_url(personas.officer_a), data)
    assert not User.objects.get(pk=personas.officer_a.pk).is_staff


def test_deleting_an_agency_admin_profile_removes_staff_status(client, personas):
    force_login_verified(client, personas.sysadmin)

    response = client.post(profile_url(personas.agency_admin_a, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.get(pk=personas.agency_admin_a.pk).is_staff


def test_reset_two_factor_action_reaches_only_the_own_agency(admin_a, personas):
    TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    TOTPDevice.objects.create(user=personas.officer_b, name="Điện thoại", confirmed=True)

    admin_a.post(
        PROFILES,
        {
            "action": "reset_two_factor",
            "_selected_action": [personas.officer_a.officer_profile.pk, personas.officer_b.officer_profile.pk],
        },
    )

    assert not TOTPDevice.objects.filter(user=personas.officer_a).exists()
    assert TOTPDevice.objects.filter(user=personas.officer_b).exists()


# --- the system administrator ---------------------------------------------------------------


def test_system_admin_sees_and_edits_every_agency(client, personas):
    force_login_verified(client, personas.sysadmin)

    listed = {profile.user for profile in client.get(PROFILES).context["cl"].result_list}
    assert listed == {personas.officer_a, personas.officer_b, personas.agency_admin_a}
    assert client.get(profile_url(personas.officer_b)).status_code == 200
    assert client.get(f"{USERS}{personas.citizen.pk}/change/").status_code == 200
    assert client.get(f"{USERS}add/").status_code == 200

    response = client.post(f"{PROFILES}add/", new_officer(personas.agency_b, roles=[OfficerRole.SYSTEM_ADMIN]))
    assert response.status_code == 302
    created = User.objects.get(username="canbo.moi")
    assert created.officer_profile.agency == personas.agency_b
    assert created.is_staff


def test_agency_admin_cannot_touch_a_system_administrator_in_their_agency(admin_a, personas):
    boss = User.objects.create(username="quantri.tinh", kind=AccountKind.OFFICER)
    profile = OfficerProfile.objects.create(user=boss, agency=personas.agency_a)
    OfficerRoleAssignment.objects.create(profile=profile, role=OfficerRole.SYSTEM_ADMIN)

    assert admin_a.get(f"{PROFILES}{profile.pk}/change/").status_code == 403
    assert admin_a.get(f"{USERS}{boss.pk}/change/").status_code == 404


def test_admin_pages_render_for_the_system_admin(client, personas):
    force_login_verified(client, personas.sysadmin)

    for url in [PROFILES, f"{PROFILES}add/", profile_url(personas.officer_a), USERS, f"{USERS}add/"]:
        assert client.get(url).status_code == 200, url
    page = client.get(f"{USERS}{personas.officer_a.pk}/change/").content.decode()
    for label in ("Số CCCD", "Mã số thuế", "Số điện thoại di động", "Ngày sinh", "Xác thực điện thoại lúc"):
        assert label.lower() in page.lower(), label
