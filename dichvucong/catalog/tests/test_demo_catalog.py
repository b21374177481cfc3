"""The demo catalogue: real procedures, loaded by `manage.py demo`, idempotent."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command

from dichvucong.agencies.demo import AGENCIES
from dichvucong.catalog import demo
from dichvucong.catalog.constants import FeeKind, ImplementingLevel, OnlineLevel
from dichvucong.catalog.eforms import validate_definition
from dichvucong.catalog.importexport import export_catalog
from dichvucong.catalog.models import Procedure, ProcedureField, ProcedureVersion
from dichvucong.catalog.services import normalize_procedure

REQUIRED_CODES = {
    "1.001193": "Đăng ký khai sinh",
    "1.000894": "Đăng ký kết hôn",
    "1.000656": "Đăng ký khai tử",
    "2.000635": "Cấp bản sao trích lục hộ tịch",
    "2.000815": "Chứng thực bản sao từ bản chính",
    "2.000884": "Chứng thực chữ ký",
    "2.000488": "Cấp Phiếu lý lịch tư pháp",
    "1.001612": "Đăng ký thành lập hộ kinh doanh",
    "1.004222": "Đăng ký thường trú",
}
COMMUNES = {code for code, *_rest in AGENCIES if code.startswith("000.60.")}
CENTRE = "000.00.31.H57"


@pytest.fixture
def run_demo(settings):
    settings.DEBUG = True

    def run() -> str:
        out = io.StringIO()
        call_command("demo", stdout=out)
        return out.getvalue()

    return run


def snapshot() -> list[Any]:
    return [
        list(
            Procedure.objects.order_by("code").values_list(
                "code", "current_version_id", "popularity", "is_demo", "updated_at", "name_folded", "search_folded"
            )
        ),
        list(ProcedureVersion.objects.order_by("pk").values_list("pk", "status", "updated_at", "content_hash")),
        list(ProcedureField.objects.order_by("code").values_list("code", "name", "updated_at")),
    ]


def test_demo_command_loads_the_real_catalogue_and_a_second_run_changes_nothing(db, run_demo):
    output = run_demo()

    procedures = Procedure.objects.select_related("current_version").all()
    count = procedures.count()
    assert count >= 30
    assert f"Thủ tục mẫu: {count} thủ tục ({count} mới" in output
    versions = {p.code: p.current_version for p in procedures}
    for code, name in REQUIRED_CODES.items():
        assert versions[code].name.startswith(name)
    assert all(p.is_demo for p in procedures)
    assert {v.level for v in versions.values()} >= {ImplementingLevel.COMMUNE, ImplementingLevel.PROVINCIAL}
    assert {v.online_level for v in versions.values()} == {OnlineLevel.FULL, OnlineLevel.PARTIAL}
    assert {v.processing_time_unit for v in versions.values()} == {"working_days", "working_hours", "calendar_days"}
    assert sum(1 for v in versions.values() if v.same_day_cutoff) >= 5
    assert len({v.field_id for v in versions.values()}) >= 8
    top = max(procedures, key=lambda p: p.popularity)
    assert top.code == "1.001193"
    # Everything is searchable: the index columns were filled by the import.
    assert all(p.name_folded and p.code in p.search_folded for p in procedures)

    before = snapshot()
    second = run_demo()
    assert f"Thủ tục mẫu: {count} thủ tục (0 mới, 0 phiên bản mới, {count} không đổi)" in second
    assert snapshot() == before
    assert ProcedureVersion.objects.count() == count


def test_receiving_agencies_match_the_level(db, run_demo):
    run_demo()
    for procedure in Procedure.objects.select_related("current_version"):
        version = procedure.current_version
        codes = set(version.receiving_agencies.values_list("code", flat=True))
        if version.level == ImplementingLevel.COMMUNE:
            assert codes == COMMUNES, procedure.code
        else:
            assert CENTRE in codes, procedure.code
            assert len(codes) == 2, procedure.code


def test_fees_follow_the_published_rates(db, run_demo):
    run_demo()

    def lines(code: str) -> list[Any]:
        return list(Procedure.objects.get(code=code).current_version.fee_lines.all())

    copy_fee = lines("2.000815")[0]
    assert copy_fee.kind == FeeKind.PER_UNIT
    assert (copy_fee.first_unit_amount, copy_fee.next_unit_amount, copy_fee.cap_amount) == (2000, 1000, 200000)
    assert copy_fee.quantity_field == "so_trang"
    assert copy_fee.total_for(1) == 2000
    assert copy_fee.total_for(500) == 200000  # the cap per copy
    assert lines("2.000884")[0].amount == 10000
    birth = lines("1.001193")
    assert birth[0].amount == 0
    assert "đúng hạn" in birth[0].exemption
    assert lines("2.000488")[0].amount == 200000
    assert [line.amount for line in lines("2.001610")] == [50000, 100000]
    assert lines("1.004222")[0].amount == 20000


def test_the_catalogue_file_is_canonical_real_data():
    document = demo.demo_document()
    codes = [p["code"] for p in document["procedures"]]
    assert len(codes) == len(set(codes)) >= 30
    assert set(REQUIRED_CODES) <= set(codes)
    assert all(re.fullmatch(r"[1-3]\.\d{6}", code) for code in codes)  # national codes; 9.9… is synthetic
    field_codes = {f["code"] for f in document["fields"]}
    agency_codes = {code for code, *_rest in AGENCIES}
    for procedure in document["procedures"]:
        assert procedure["is_demo"] is True
        assert procedure["field"] in field_codes
        assert set(procedure["receiving_agencies"]) <= agency_codes
        assert normalize_procedure(procedure)["name"] == procedure["name"]
        assert procedure["legal_basis"]
        assert procedure["components"], procedure["code"]


def test_eforms_are_attached_when_their_files_exist(db, run_demo):
    run_demo()
    for code, filename in demo.EFORM_FILES.items():
        path = demo.EFORM_DIR / filename
        eform = Procedure.objects.get(code=code).current_version.eform
        expected = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        assert eform == expected, code
        if eform:
            assert validate_definition(eform) == [], code
        # A fee counted per unit reads its quantity from a number field of the e-form.
        if eform:
            numbers = _number_fields(eform)
            for line in Procedure.objects.get(code=code).current_version.fee_lines.all():
                if line.kind == FeeKind.PER_UNIT:
                    assert line.quantity_field in numbers, (code, line.quantity_field)
    assert Procedure.objects.get(code="1.000656").current_version.eform == {}


def test_a_missing_eform_file_means_no_eform(db, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "EFORM_DIR", tmp_path)
    document = demo.demo_document()
    assert all(p["eform"] == {} for p in document["procedures"])


def test_the_demo_catalogue_exports_as_it_was_loaded(db, run_demo):
    run_demo()
    exported = export_catalog()
    loaded = demo.demo_document()
    assert {p["code"]: normalize_procedure(p) for p in exported["procedures"]} == {
        p["code"]: normalize_procedure(p) for p in loaded["procedures"]
    }


def _number_fields(eform: dict[str, Any]) -> set[str]:
    names: set[str] = set()

    def walk(fields: list[dict[str, Any]]) -> None:
        for field in fields:
            if field.get("type") == "number":
                names.add(field["name"])
            walk(field.get("fields") or [])

    for section in eform.get("sections", []):
        walk(section.get("fields", []))
    return names
