from __future__ import annotations

import pytest
from django.urls import reverse

from dichvucong.catalog.constants import FeeKind, VersionStatus
from dichvucong.catalog.display import fee_line_text, fee_summary, time_limit_text
from dichvucong.catalog.models import FeeLine, ProcedureVersion
from dichvucong.catalog.services import (
    normalize_procedure,
    procedure_upsert,
    procedure_version_create_draft,
    procedure_version_publish,
)
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

COPY_FEE = {
    "fee_type": "phi",
    "name": "Phí chứng thực bản sao",
    "kind": "per_unit",
    "first_unit_amount": 2000,
    "next_unit_amount": 1000,
    "cap_amount": 200000,
    "unit_label": "trang",
    "quantity_field": "so_trang",
}


def test_same_content_changes_nothing_and_new_content_is_a_new_version():
    procedure = make_procedure("2.000815", "Chứng thực bản sao từ bản chính", field="CT", fees=[COPY_FEE])
    first = procedure.current_version

    data = {
        "code": "2.000815",
        "name": "Chứng thực bản sao từ bản chính",
        "field": "CT",
        "level": "xa",
        "processing_time": 3,
        "fees": [COPY_FEE],
    }
    _same, changed = procedure_upsert(data=data)
    assert changed is False
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1

    updated, changed = procedure_upsert(data={**data, "processing_time": 2})
    assert changed is True
    first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED
    assert updated.current_version.number == 2
    assert updated.current_version.processing_time == 2
    assert updated.current_version.fee_lines.get().cap_amount == 200000


def test_a_published_version_is_changed_only_through_a_new_draft():
    procedure = make_procedure("1.001193", "Đăng ký khai sinh", components=[{"name": "Giấy chứng sinh"}])
    draft = procedure_version_create_draft(procedure=procedure)

    assert draft.status == VersionStatus.DRAFT
    assert draft.number == 2
    assert list(draft.components.values_list("name", flat=True)) == ["Giấy chứng sinh"]
    procedure.refresh_from_db()
    assert procedure.current_version.number == 1, "the draft is not public"

    procedure_version_publish(version=draft)
    procedure.refresh_from_db()
    assert procedure.current_version == draft
    with pytest.raises(ApplicationError):
        procedure_version_publish(version=draft)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": "xyz"}, "“level” phải là một trong"),
        ({"name": ""}, "Thiếu “name”."),
        ({"fees": [{"name": "Lệ phí", "amount": "abc"}]}, "“amount” phải là số tiền"),
        ({"fees": [{"name": "Lệ phí", "amount": -5}]}, "không âm"),
        ({"fees": [{"name": "Lệ phí", "amount": 5000.5}]}, "số nguyên đồng"),
        ({"same_day_cutoff": "25:00"}, "HH:MM"),
        ({"eform": "{not json"}, "JSON"),
    ],
)
def test_bad_procedure_data_is_refused_with_the_reason(change, message):
    data = {"code": "1.000001", "name": "Thủ tục", "field": "HT", "level": "xa", **change}
    with pytest.raises(ApplicationError, match=message):
        normalize_procedure(data)


def test_amounts_are_integer_dong_from_any_usual_notation():
    fees = normalize_procedure(
        {
            "code": "1",
            "name": "x",
            "field": "HT",
            "level": "xa",
            "fees": [
                {"name": "a", "amount": "8.000"},
                {"name": "b", "amount": "8,000 đ"},
                {"name": "c", "amount": 8000.0},
            ],
        }
    )["fees"]
    assert [fee["amount"] for fee in fees] == [8000, 8000, 8000]
    assert all(isinstance(fee["amount"], int) for fee in fees)


def test_per_unit_fee_with_a_cap():
    line = FeeLine(
        kind=FeeKind.PER_UNIT, first_unit_amount=2000, next_unit_amount=1000, cap_amount=200000, unit_label="trang"
    )
    assert line.total_for(1) == 2000
    assert line.total_for(3) == 4000
    assert line.total_for(500) == 200000
    assert line.total_for(0) == 0
    assert fee_line_text(line) == "2.000 đ/trang đầu, 1.000 đ/trang tiếp theo; tối đa 200.000 đ"


def test_real_schedules_certified_copy_and_criminal_record():
    # Circular 226/2016: 2,000đ a page for pages 1–2, 1,000đ from page 3, at most 200,000đ a copy.
    copy = FeeLine(
        kind=FeeKind.PER_UNIT,
        first_unit_amount=2000,
        first_units=2,
        next_unit_amount=1000,
        cap_amount=200000,
        unit_label="trang",
    )
    assert [copy.total_for(n) for n in (1, 2, 3, 10, 1000)] == [2000, 4000, 5000, 12000, 200000]
    assert fee_line_text(copy) == "2.000 đ/trang cho 2 trang đầu, 1.000 đ/trang từ trang thứ 3; tối đa 200.000 đ"
    # Circular 244/2016: 200,000đ for up to two certificates, 5,000đ each from the third.
    record = FeeLine(kind=FeeKind.PER_UNIT, amount=200000, first_units=2, next_unit_amount=5000, unit_label="phiếu")
    assert [record.total_for(n) for n in (1, 2, 3, 5)] == [200000, 200000, 205000, 215000]
    assert fee_line_text(record) == "200.000 đ cho 2 phiếu đầu, 5.000 đ/phiếu từ phiếu thứ 3"
    assert fee_summary([record]) == "từ 200.000 đ"


def test_wording_of_time_limits_and_fees():
    same_day = make_procedure(
        "2.000884", "Chứng thực chữ ký", field="CT", processing_time=0, same_day_cutoff="15:00"
    ).current_version
    assert time_limit_text(same_day) == "Trong ngày (hồ sơ nhận sau 15:00 trả vào ngày làm việc tiếp theo)"
    days = make_procedure(
        "2.000488",
        "Cấp Phiếu lý lịch tư pháp",
        field="LLTP",
        processing_time=10,
        fees=[{"name": "Phí cấp Phiếu lý lịch tư pháp", "amount": 200000}],
    ).current_version
    assert time_limit_text(days) == "10 ngày làm việc"
    assert fee_summary(list(days.fee_lines.all())) == "200.000 đ"
    assert fee_summary([]) == "Miễn phí"


def test_online_services_page_lists_fully_online_procedures_by_default(client):
    make_procedure("1.001193", "Đăng ký khai sinh", online_level="toan_trinh")
    make_procedure("1.004222", "Đăng ký thường trú", online_level="mot_phan")

    html = client.get(reverse("catalog:online_services")).content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Đăng ký thường trú" not in html
    html = client.get(reverse("catalog:online_services"), {"muc-do": "mot_phan"}).content.decode()
    assert "Đăng ký thường trú" in html


def test_blank_form_to_print(client):
    import json
    from pathlib import Path

    definition = json.loads(
        (Path(__file__).resolve().parents[1] / "demo_data" / "eforms" / "dang_ky_khai_sinh.json").read_text("utf-8")
    )
    make_procedure("1.001193", "Đăng ký khai sinh", eform=definition)
    make_procedure("1.000656", "Đăng ký khai tử")

    detail = client.get(reverse("catalog:detail", args=["1.001193"])).content.decode()
    assert "Tải tờ khai (bản in)" in detail
    html = client.get(reverse("catalog:blank_form", args=["1.001193"])).content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in html
    first_label = definition["sections"][0]["fields"][0]["label"]
    assert first_label in html
    assert client.get(reverse("catalog:blank_form", args=["1.000656"])).status_code == 404
