from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from dichvucong.core.testing.personas import force_login_verified
from dichvucong.stats.constants import Category
from dichvucong.stats.definitions import Period
from dichvucong.stats.models import DailySnapshot
from dichvucong.stats.selectors import stats_report
from dichvucong.stats.services import snapshot_store, snapshot_store_range
from dichvucong.stats.tests.month import EXPECTED_NOVEMBER, NOVEMBER, at, build_month

pytestmark = pytest.mark.django_db
LATER = at("2026-12-15", 10)


@pytest.fixture
def month():
    built = build_month()
    snapshot_store_range(first=dt.date(2026, 10, 26), last=dt.date(2026, 12, 14))
    return built


def _as_dict(figures) -> dict[str, int]:
    got = {name: figures.counts[name] for name in EXPECTED_NOVEMBER if name in figures.counts}
    got["carried_over"] = figures.carried_over
    return got


def test_the_snapshot_gives_the_same_figures_as_the_definitions(month):
    with time_machine.travel(LATER, tick=False):
        report = stats_report(period=NOVEMBER, agency_id=month.agency.pk)
    assert _as_dict(report.total) == EXPECTED_NOVEMBER
    assert report.total.received == 8
    assert report.total.in_time_share == 60.0  # 1 early + 2 on time out of 5 returned
    assert report.total.online_share == 75.0


def test_by_procedure(month):
    with time_machine.travel(LATER, tick=False):
        report = stats_report(period=NOVEMBER, agency_id=month.agency.pk, group="procedure")
    assert [name for name, _f in report.rows] == [f"{month.procedure.code} Thủ tục thử nghiệm hồ sơ"]
    assert _as_dict(report.rows[0][1]) == EXPECTED_NOVEMBER


def test_storing_a_day_again_replaces_it(month):
    before = DailySnapshot.objects.count()
    snapshot_store(day=dt.date(2026, 11, 3))
    assert DailySnapshot.objects.count() == before


def test_today_is_counted_from_the_dossiers(month):
    # On 1 December nothing of that day is stored yet: the December dossier comes from the live count.
    DailySnapshot.objects.filter(day__gte=dt.date(2026, 12, 1)).delete()
    with time_machine.travel(at("2026-12-01", 16), tick=False):
        report = stats_report(period=Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)), agency_id=month.agency.pk)
    assert report.total.counts[Category.RECEIVED_ONLINE] == 1
    assert report.total.carried_over == 3


def test_today_once_stored_by_the_job_is_read_from_the_snapshot(month, django_assert_max_num_queries):
    from dichvucong.stats.tasks import stats_snapshot_today

    DailySnapshot.objects.filter(day__gte=dt.date(2026, 12, 1)).delete()
    with time_machine.travel(at("2026-12-01", 16), tick=False):
        stats_snapshot_today.call_local()
        with django_assert_max_num_queries(8):  # no live count: the 16 grouped queries are not made
            report = stats_report(period=Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)), agency_id=month.agency.pk)
    assert report.total.counts[Category.RECEIVED_ONLINE] == 1
    assert report.total.counts[Category.IN_PROGRESS_OVERDUE] + report.total.counts[Category.PAUSED] == 2
    assert report.total.carried_over == 3


def test_the_backfill_command(month):
    DailySnapshot.objects.all().delete()
    out = io.StringIO()
    call_command("stats_snapshot", "--from", "2026-10-01", "--to", "2026-11-30", stdout=out)
    assert "61 ngày" in out.getvalue()
    with time_machine.travel(LATER, tick=False):
        assert _as_dict(stats_report(period=NOVEMBER).total) == EXPECTED_NOVEMBER


def test_the_public_page_has_a_chart_a_table_and_an_export(client, month):
    query = {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-30", "co_quan": month.agency.code}
    with time_machine.travel(LATER, tick=True):
        page = client.get("/thong-ke/", query)
        export = client.get("/thong-ke/", {**query, "xuat": "xlsx"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "Giải quyết trễ hạn" in html
    assert "60,0" in html  # Vietnamese decimal comma
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == "Cơ quan"
    assert rows[-1][0] == "Tổng cộng"
    assert rows[-1][2] == 8  # received, after the carried-over column


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tu_ngay": "2026-11-30", "den_ngay": "2026-11-01"}, "Ngày bắt đầu phải trước ngày kết thúc"),
        ({"tu_ngay": "2024-01-01", "den_ngay": "2026-11-01"}, "tối đa 366 ngày"),
        ({"tu_ngay": "hôm qua"}, "Nhập một ngày hợp lệ"),
        ({"co_quan": "000.00.00.X99"}, "Không tìm thấy cơ quan"),
        ({"thu_tuc": "<script>"}, "Không tìm thấy thủ tục"),
        ({"tu_ngay": "2019-12-31"}, "từ ngày 01/01/2020"),
    ],
)
def test_wrong_input_gets_a_vietnamese_message(client, query, message):
    response = client.get("/thong-ke/", query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_public_page_uses_a_fixed_number_of_queries(client, month, django_assert_max_num_queries):
    with time_machine.travel(LATER, tick=True), django_assert_max_num_queries(30):
        response = client.get("/thong-ke/", {"tu_ngay": "2026-10-01", "den_ngay": "2026-12-15"})
    assert response.status_code == 200


def test_the_officers_dashboard_is_scoped_to_their_agency(client, personas, month):
    with time_machine.travel(LATER, tick=True):
        force_login_verified(client, personas.officer_a)  # the session must not be older than the day
        own = client.get("/mot-cua/thong-ke/", {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-30"})
        other = client.get(
            "/mot-cua/thong-ke/", {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-30", "co_quan": month.agency.code}
        )
    assert own.status_code == 200
    assert personas.agency_a.name in own.content.decode()
    # Another agency's code is not one of theirs: refused like an unknown code.
    assert other.status_code == 400
    assert "Không tìm thấy cơ quan" in other.content.decode()


def test_the_officers_dashboard_needs_an_officer(client, personas):
    assert client.get("/mot-cua/thong-ke/").status_code == 302
    force_login_verified(client, personas.citizen)
    assert client.get("/mot-cua/thong-ke/").status_code == 403


def test_the_decision_766_indicators_computed_and_not(client, month):
    from dichvucong.stats.decision766 import GROUPS, INDICATORS, indicator_values

    assert sum(points for _g, points in GROUPS) == 100
    with time_machine.travel(LATER, tick=False):
        report = stats_report(period=NOVEMBER, agency_id=month.agency.pk)
    values = {str(i.name): (v, ok) for i, v, ok, _points in indicator_values(report)}
    assert values["Tỷ lệ hồ sơ giải quyết đúng hạn"] == (60.0, True)
    assert values["Tỷ lệ hồ sơ trực tuyến"] == (75.0, True)
    assert values["Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"] == (None, True)  # nobody rated yet
    assert values["Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn"] == (None, False)
    assert all(i.note for i in INDICATORS)


def test_the_set_based_pass_gives_what_the_definitions_give_day_by_day(month):
    from dichvucong.stats.services import snapshot_compute, snapshot_compute_range

    first, last = dt.date(2026, 10, 26), dt.date(2026, 12, 3)
    ranged = snapshot_compute_range(first=first, last=last)
    day = first
    while day <= last:
        daily = {key: counts for key, counts in snapshot_compute(day=day).items() if any(counts.values())}
        assert {(a, p): c for (d, a, p), c in ranged.items() if d == day} == daily, day
        day += dt.timedelta(days=1)
    assert any(counts[Category.PAUSED] for counts in ranged.values())
    assert any(counts[Category.IN_PROGRESS_OVERDUE] for counts in ranged.values())


@pytest.mark.parametrize(
    ("first", "last", "months", "edges"),
    [
        ("2026-11-01", "2026-11-30", ("2026-11-01", "2026-11-01"), []),
        ("2026-11-03", "2026-11-05", None, [("2026-11-03", "2026-11-05")]),
        ("2026-10-15", "2026-11-29", None, [("2026-10-15", "2026-11-29")]),
        (
            "2025-12-15",
            "2026-12-14",
            ("2026-01-01", "2026-11-01"),
            [("2025-12-15", "2025-12-31"), ("2026-12-01", "2026-12-14")],
        ),
        ("2024-02-01", "2024-02-29", ("2024-02-01", "2024-02-01"), []),
        (
            "2026-01-31",
            "2026-03-01",
            ("2026-02-01", "2026-02-01"),
            [("2026-01-31", "2026-01-31"), ("2026-03-01", "2026-03-01")],
        ),
    ],
)
def test_a_period_is_split_into_whole_months_and_edge_days(first, last, months, edges):
    from dichvucong.stats.selectors import split_period

    day = dt.date.fromisoformat
    got_months, got_edges = split_period(day(first), day(last))
    assert got_months == (tuple(map(day, months)) if months else None)
    assert got_edges == [(day(a), day(b)) for a, b in edges]


def _flow_sums(queryset) -> dict[str, int]:
    from django.db.models import Sum

    from dichvucong.stats.constants import FLOW_CATEGORIES

    return {name: value or 0 for name, value in queryset.aggregate(**{n: Sum(n) for n in FLOW_CATEGORIES}).items()}


def test_a_year_of_roll_ups_equals_the_sum_of_its_days(month):
    from dichvucong.stats.constants import FLOW_CATEGORIES
    from dichvucong.stats.models import MonthlySnapshot

    assert snapshot_store_range(first=dt.date(2025, 12, 15), last=dt.date(2026, 12, 14)) == 365
    assert MonthlySnapshot.objects.filter(month=dt.date(2026, 11, 1)).exists()
    for first in (dt.date(2025, 12, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        days = DailySnapshot.objects.filter(day__gte=first, day__lt=following)
        assert _flow_sums(MonthlySnapshot.objects.filter(month=first)) == _flow_sums(days)
    year = Period(dt.date(2025, 12, 15), dt.date(2026, 12, 14))
    with time_machine.travel(LATER, tick=False):
        report = stats_report(period=year, agency_id=month.agency.pk)
    expected = _flow_sums(DailySnapshot.objects.filter(day__gte=year.first, day__lte=year.last))
    assert {name: report.total.counts[name] for name in FLOW_CATEGORIES} == expected
    assert report.total.received == 10  # the twelve dossiers but the two never received
    # Stocks are taken at the period's end, not summed over its days.
    assert report.total.counts[Category.PAUSED] == 1
    assert report.total.counts[Category.IN_PROGRESS_OVERDUE] + report.total.counts[Category.IN_PROGRESS_ON_TIME] == 3


def test_a_recomputed_day_updates_its_month(month):
    from dichvucong.stats.models import MonthlySnapshot
    from dichvucong.stats.tests.month import _Builder

    _Builder(month.agency, month.procedure).received(at("2026-11-20", 11))
    november = MonthlySnapshot.objects.filter(month=dt.date(2026, 11, 1), agency=month.agency)
    assert november.get().received_online == 6  # not stored yet
    snapshot_store(day=dt.date(2026, 11, 20))
    assert november.get().received_online == 7
    with time_machine.travel(LATER, tick=False):
        assert stats_report(period=NOVEMBER, agency_id=month.agency.pk).total.received == 9


def test_the_field_filter_and_the_by_field_grouping(client, month):
    from dichvucong.catalog.models import ProcedureField

    field = month.procedure.current_version.field
    other = ProcedureField.objects.create(code="LV-KHAC", name="Lĩnh vực khác")
    with time_machine.travel(LATER, tick=False):
        mine = stats_report(period=NOVEMBER, agency_id=month.agency.pk, field_id=field.pk, group="field")
        none = stats_report(period=NOVEMBER, agency_id=month.agency.pk, field_id=other.pk)
        page = client.get(
            "/thong-ke/", {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-30", "linh_vuc": field.code, "theo": "field"}
        )
        unknown = client.get("/thong-ke/", {"linh_vuc": "KHONG-CO"})
        export = client.get(
            "/thong-ke/", {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-30", "theo": "field", "xuat": "xlsx"}
        )
    assert [name for name, _f in mine.rows] == [field.name]
    assert _as_dict(mine.total) == EXPECTED_NOVEMBER
    assert none.rows == []
    assert none.total.received == 0
    assert page.status_code == 200
    assert f"· {field.name}" in page.content.decode()
    assert unknown.status_code == 400
    assert "Không tìm thấy lĩnh vực có mã này." in unknown.content.decode()
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[2][0] == "Lĩnh vực"
    assert field.name in [row[0] for row in rows[3:-1]]


def test_the_decision_766_points_scale_where_one_is_known():
    from dichvucong.stats.decision766 import INDICATORS

    by_name = {str(i.name): i for i in INDICATORS}
    satisfaction = by_name["Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"]
    assert satisfaction.points(95.0) == 6
    assert satisfaction.points(90.0) == 6
    assert satisfaction.points(89.9) is None  # below the target: the summary gives no points, none invented
    assert satisfaction.points(None) is None
    # No scale read for the on-time share: its points stay unknown whatever the share.
    assert by_name["Tỷ lệ hồ sơ giải quyết đúng hạn"].points(100.0) is None
    assert all("Đối chiếu" in i.note for i in INDICATORS)


def test_the_satisfaction_points_on_the_page_and_in_the_export(client, month):
    from dichvucong.stats.decision766 import indicator_values
    from dichvucong.stats.models import SatisfactionRating

    for name in ("early", "on_time"):
        dossier = month.dossiers[name]
        SatisfactionRating.objects.create(dossier=dossier, agency=month.agency, answers={}, satisfied=True)
    with time_machine.travel(LATER, tick=False):
        report = stats_report(period=NOVEMBER, agency_id=month.agency.pk)
        export = client.get("/thong-ke/", {"tu_ngay": "2026-11-01", "den_ngay": "2026-11-30", "xuat": "xlsx"})
    points = {str(i.name): (v, p) for i, v, _ok, p in indicator_values(report)}
    assert points["Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"] == (100.0, 6)
    sheet = load_workbook(io.BytesIO(export.content))["Chỉ số 766"]
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True)}
    assert rows["Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"][3:6] == (100, 6, 6)


# As the bench measures it, today stored by the 15-minute job: session, user with the bell's count,
# TOTP device, officer profile with its roles, the agency sub-tree (once, for the choice and the
# figures), the agencies of the choice (also giving the default one), whether today is stored, the
# daily flows (and the monthly ones over whole months), the stocks at both ends, the agencies' names
# of the table, the satisfaction rate and the fields of the choice. 17 and 18 before (the profile and
# the roles apart, the sub-tree and the default agency read twice), 14 and 15 before the bell's count
# came with the user.
@pytest.mark.parametrize(("query", "expected"), [({}, 13), ({"tu_ngay": "2026-10-01", "den_ngay": "2026-12-15"}, 14)])
def test_the_officers_dashboard_uses_a_fixed_number_of_queries(
    client, month, django_assert_num_queries, query, expected
):
    from dichvucong.accounts.constants import OfficerRole
    from dichvucong.accounts.tests.factories import UserFactory
    from dichvucong.core.testing.personas import make_officer
    from dichvucong.stats.tasks import stats_snapshot_today

    officer = make_officer(UserFactory(officer=True), month.agency, OfficerRole.AGENCY_LEADER)
    with time_machine.travel(LATER, tick=True):
        stats_snapshot_today.call_local()
        force_login_verified(client, officer)
        client.get("/mot-cua/thong-ke/")  # the session's first read
        with django_assert_num_queries(expected):
            response = client.get("/mot-cua/thong-ke/", query)
    assert response.status_code == 200
    assert month.agency.name in response.content.decode()
