from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from dichvucong.agencies.constants import AgencyKind
from dichvucong.agencies.forms import AgencyForm
from dichvucong.agencies.models import Agency, CalendarDay, Unit
from dichvucong.agencies.selectors import agencies_valid_on, agency_current_successor, agency_tree
from dichvucong.agencies.tests.factories import AgencyFactory, CalendarDayFactory
from dichvucong.core.testing.personas import force_login_verified

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "code": "000.00.21.H57",
        "name": "Sở Nội vụ thành phố Huế",
        "kind": AgencyKind.DEPARTMENT,
        "province_code": "46",
        "ward_code": "19786",
        "valid_from": "2025-07-01",
        "morning_start": "07:30",
        "morning_end": "11:30",
        "afternoon_start": "13:00",
        "afternoon_end": "17:00",
    }
    return {**data, **overrides}


def test_agency_form_accepts_a_ward_of_the_province():
    form = AgencyForm(data=_form_data())
    assert form.is_valid(), form.errors
    agency = form.save()
    assert (agency.province_code, agency.ward_code) == (46, 19786)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ward_code": "20242"}, "ward_code", "Xã/phường này không thuộc tỉnh/thành phố đã chọn."),  # a Đà Nẵng ward
        ({"province_code": ""}, "province_code", "Chọn tỉnh/thành phố của xã/phường đã chọn."),
        ({"code": "H57-01"}, "code", "Mã định danh điện tử có dạng 000.00.00.H57 (Quyết định 20/2020/QĐ-TTg)."),
        ({"code": "0<b>.00.21.H57"}, "code", "Mã định danh điện tử có dạng 000.00.00.H57"),
    ],
)
def test_agency_form_rejects_bad_input_with_a_vietnamese_message(overrides, field, message):
    form = AgencyForm(data=_form_data(**overrides))

    assert not form.is_valid()
    assert any(error.startswith(message) for error in form.errors[field])


def test_an_agency_cannot_be_its_own_successor_nor_below_itself():
    parent = AgencyFactory()
    child = AgencyFactory(parent=parent)

    form = AgencyForm(data=_form_data(code=parent.code, successor=parent.pk, parent=child.pk), instance=parent)

    assert not form.is_valid()
    assert "successor" in form.errors
    assert "parent" in form.errors


def test_working_hours_must_be_ordered():
    with pytest.raises(IntegrityError):
        AgencyFactory(morning_start=dt.time(12, 0), morning_end=dt.time(11, 0))


def test_calendar_day_is_unique_per_date_and_scope():
    agency = AgencyFactory()
    CalendarDayFactory(date=dt.date(2026, 3, 17))
    CalendarDayFactory(date=dt.date(2026, 3, 17), agency=agency)  # the agency may add its own row
    with pytest.raises(IntegrityError):
        CalendarDayFactory(date=dt.date(2026, 3, 17))


def test_validity_and_the_successor_chain_of_the_2025_reform():
    commune = AgencyFactory(commune=True)
    district = AgencyFactory(expired=True, successor=commune)

    assert district not in agencies_valid_on(dt.date(2025, 7, 1))
    assert district in agencies_valid_on(dt.date(2025, 6, 30))
    assert agency_current_successor(district, on=dt.date(2025, 7, 1)) == commune
    assert agency_current_successor(district, on=dt.date(2025, 6, 1)) == district


def test_successor_chain_survives_a_cycle_entered_by_mistake():
    a = AgencyFactory(expired=True)
    b = AgencyFactory(expired=True, successor=a)
    Agency.objects.filter(pk=a.pk).update(successor=b)

    assert agency_current_successor(a, on=dt.date(2026, 1, 1)) in {a, b}


def test_agency_tree_is_one_query(django_assert_num_queries):
    root = AgencyFactory(kind=AgencyKind.PROVINCIAL_COMMITTEE)
    AgencyFactory(parent=root)
    AgencyFactory(parent=root, centre=True)
    AgencyFactory(parent=root, commune=True)

    with django_assert_num_queries(1):
        tree = agency_tree()

    assert [node.agency for node in tree] == [root]
    assert [node.agency.kind for node in tree[0].children] == [
        AgencyKind.SERVICE_CENTRE,
        AgencyKind.DEPARTMENT,
        AgencyKind.COMMUNE_COMMITTEE,
    ]


def test_demo_command_loads_agencies_idempotently(settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("demo", stdout=out)
    first = (Agency.objects.count(), Unit.objects.count(), CalendarDay.objects.count())
    call_command("demo", stdout=io.StringIO())

    assert (Agency.objects.count(), Unit.objects.count(), CalendarDay.objects.count()) == first
    assert first[0] == 11
    centre = Agency.objects.get(kind=AgencyKind.SERVICE_CENTRE)
    assert centre.name == "Trung tâm Phục vụ hành chính công thành phố Huế"
    assert Agency.objects.filter(kind=AgencyKind.DEPARTMENT).count() == 4
    assert Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).count() == 4
    assert all(a.is_demo for a in Agency.objects.all())
    assert "DemoDVC@2026" in out.getvalue()


def test_demo_command_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo", stdout=io.StringIO())


def test_admin_screens_render_for_the_system_administrator(client, personas):
    call_command("demo", "--allow-production", stdout=io.StringIO())
    force_login_verified(client, personas.sysadmin)
    agency = Agency.objects.get(code="000.00.11.H57")

    for url in [
        "/admin/agencies/agency/",
        f"/admin/agencies/agency/{agency.pk}/change/",
        "/admin/agencies/agency/add/",
        "/admin/agencies/unit/",
        "/admin/agencies/calendarday/",
        "/admin/agencies/calendarday/add/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    change_page = client.get(f"/admin/agencies/agency/{agency.pk}/change/").content.decode()
    assert "Phòng Hành chính tư pháp" in change_page
    assert "09 Tôn Đức Thắng, Phường Thuận Hóa, Thành phố Huế" in change_page
