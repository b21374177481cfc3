"""Import and export of the catalogue: round trips, versioning, per-row errors, hostile files, scale."""

from __future__ import annotations

import copy
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dichvucong.accounts.models import User
from dichvucong.agencies import demo as agencies_demo
from dichvucong.catalog import importexport as ie
from dichvucong.catalog import synthetic
from dichvucong.catalog.admin_import import catalog_import_view
from dichvucong.catalog.constants import VersionStatus
from dichvucong.catalog.demo import demo_document
from dichvucong.catalog.models import FeeLine, Procedure, ProcedureField, ProcedureVersion
from dichvucong.catalog.search import fold
from dichvucong.catalog.services import normalize_procedure
from dichvucong.core.testing.personas import force_login_verified, make_personas

COMMUNES = ["000.60.01.H57", "000.60.02.H57", "000.60.03.H57", "000.60.04.H57"]
PROVINCIAL = ["000.00.31.H57", "000.00.11.H57", "000.00.12.H57", "000.00.13.H57", "000.00.14.H57"]


@pytest.fixture
def agencies(db) -> None:
    agencies_demo.load(io.StringIO())


@pytest.fixture
def demo_doc() -> dict[str, Any]:
    return demo_document()


@pytest.fixture
def imported(agencies, demo_doc) -> dict[str, Any]:
    report = ie.import_catalog(copy.deepcopy(demo_doc))
    assert report.ok, report.lines()
    return demo_doc


def canonical(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["code"]: normalize_procedure(p) for p in document["procedures"]}


def extras(document: dict[str, Any]) -> dict[str, tuple[int, bool]]:
    return {p["code"]: (p.get("popularity", 0), p.get("is_demo", False)) for p in document["procedures"]}


def xlsx_bytes(document: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    ie.write_excel(document, buffer)
    return buffer.getvalue()


def small_doc(*procedures: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": ie.FORMAT_NAME,
        "format_version": ie.FORMAT_VERSION,
        "fields": [{"code": "HT", "name": "Hộ tịch"}],
        "procedures": list(procedures),
    }


def good(code: str, **changes: Any) -> dict[str, Any]:
    data = {
        "code": code,
        "name": f"Thủ tục thử {code}",
        "field": "HT",
        "level": "xa",
        "receiving_agencies": COMMUNES[:2],
        "processing_time": 3,
        "fees": [{"name": "Lệ phí", "amount": 10000}],
        "components": [{"name": "Tờ khai", "originals": 1, "document_type": "to_khai"}],
    }
    data.update(changes)
    return data


# ------------------------------------------------------------------------------------ round trips


def test_json_round_trip_of_the_demo_catalogue(imported, demo_doc):
    exported = ie.export_catalog()
    assert canonical(exported) == canonical(demo_doc)
    assert extras(exported) == extras(demo_doc)
    assert {f["code"] for f in exported["fields"]} == {f["code"] for f in demo_doc["fields"]}

    buffer = io.BytesIO()
    ie.write_json(exported, buffer)
    report = ie.import_catalog(ie.read_json(buffer.getvalue()))

    assert report.ok
    assert (len(report.created), len(report.new_version)) == (0, 0)
    assert sorted(report.unchanged) == sorted(p["code"] for p in demo_doc["procedures"])
    assert report.fields_created == report.fields_updated == 0
    assert ie.export_catalog() == exported
    assert ProcedureVersion.objects.count() == len(demo_doc["procedures"])


def test_excel_round_trip_of_the_demo_catalogue(imported, demo_doc):
    exported = ie.export_catalog()
    document = ie.read_excel(xlsx_bytes(exported))

    assert canonical(document) == canonical(exported)
    assert extras(document) == extras(exported)
    assert [(f["code"], f["name"]) for f in document["fields"]] == [(f["code"], f["name"]) for f in exported["fields"]]
    report = ie.import_catalog(document)
    assert report.ok
    assert not report.warnings
    assert len(report.unchanged) == len(demo_doc["procedures"])
    assert ie.export_catalog() == exported
    # Excel rows are numbered as the officer sees them: headers in rows 1–2, the first procedure in row 3.
    assert document["procedures"][0]["_row"] == 3


def test_excel_keeps_long_eforms_formula_like_text_line_breaks_and_numeric_codes(agencies):
    eform = {"title": "Tờ khai", "fields": [{"name": f"truong_{i}", "label": "Nhãn " * 20} for i in range(600)]}
    assert len(json.dumps(eform, ensure_ascii=False)) > 2 * ie.EFORM_CHUNK_CHARS
    procedure = good(
        "1.000001",
        eform=eform,
        steps='=HYPERLINK("http://x")',
        competent_agency="+84 ủy ban",
        requirements="Dòng 1 (gõ trong trình duyệt)\r\nDòng 2\x07 _x000D_ giữ nguyên _x005F_",
    )
    document = small_doc(procedure)
    back = ie.read_excel(xlsx_bytes(document))
    assert canonical(back) == canonical(document)

    # An officer who typed a code into an unformatted cell gets a number; six decimals bring it back.
    workbook = load_workbook(io.BytesIO(xlsx_bytes(document)))
    workbook["Thu tuc"]["A3"].value = 1.000001
    workbook["Phi"]["A3"].value = 1.000001
    workbook["Thanh phan"]["A3"].value = 1.000001
    for row in workbook["To khai"].iter_rows(min_row=3):
        row[0].value = 1.000001
    buffer = io.BytesIO()
    workbook.save(buffer)
    again = ie.read_excel(buffer.getvalue())
    assert canonical(again) == canonical(document)


def test_excel_accepts_labels_and_works_without_the_key_row(agencies):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thủ tục"
    sheet.append(
        [
            "Mã thủ tục",
            "Tên thủ tục",
            "Mã lĩnh vực",
            "Cấp thực hiện",
            "Thời hạn giải quyết",
            "Đơn vị thời hạn",
            "Mức độ dịch vụ công trực tuyến",
            "Ghi chú nội bộ",
        ]
    )
    sheet.append(["1.000002", "Thủ tục nhập tay", "HT", "Cấp xã", 5, "ngày làm việc", "Toàn trình", "bỏ qua"])
    fields = workbook.create_sheet("Lĩnh vực")
    fields.append(["Mã lĩnh vực", "Tên lĩnh vực"])
    fields.append(["HT", "Hộ tịch"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    document = ie.read_excel(buffer.getvalue())
    report = ie.import_catalog(document)

    assert report.ok, report.lines()
    assert report.created == ["1.000002"]
    assert any("Ghi chú nội bộ" in warning for warning in report.warnings)
    version = Procedure.objects.get(code="1.000002").current_version
    assert (version.level, version.processing_time_unit, version.online_level) == ("xa", "working_days", "toan_trinh")


# ------------------------------------------------------------------------------------- versioning


def test_a_changed_procedure_gets_version_2_and_the_others_stay(imported, demo_doc):
    exported = ie.export_catalog()
    changed = copy.deepcopy(exported)
    target = next(p for p in changed["procedures"] if p["code"] == "2.000884")
    target["fees"][0]["amount"] = 12000
    before = {p.code: p.current_version_id for p in Procedure.objects.all()}

    report = ie.import_catalog(changed)

    assert report.ok
    assert report.new_version == ["2.000884"]
    assert len(report.unchanged) == len(demo_doc["procedures"]) - 1
    procedure = Procedure.objects.get(code="2.000884")
    assert procedure.current_version.number == 2
    assert procedure.current_version.fee_lines.get().amount == 12000
    assert procedure.versions.get(number=1).status == VersionStatus.RETIRED
    after = {p.code: p.current_version_id for p in Procedure.objects.all()}
    assert {code for code in before if before[code] != after[code]} == {"2.000884"}


def test_popularity_changes_without_a_new_version(imported):
    exported = ie.export_catalog()
    next(p for p in exported["procedures"] if p["code"] == "1.001193")["popularity"] = 5
    report = ie.import_catalog(exported)
    assert report.unchanged
    assert not report.new_version
    procedure = Procedure.objects.get(code="1.001193")
    assert (procedure.popularity, procedure.current_version.number) == (5, 1)


# --------------------------------------------------------------------------------------- bad rows

BAD_ROWS = [
    ("unknown_field", {"field": "KHONGCO"}, "Lĩnh vực “KHONGCO” chưa có"),
    ("unknown_agency", {"receiving_agencies": ["999.99.99.H99"]}, "999.99.99.H99"),
    ("amount_not_a_number", {"fees": [{"name": "Lệ phí", "amount": "abc"}]}, "“amount” phải là số tiền"),
    ("negative_amount", {"fees": [{"name": "Lệ phí", "amount": -5000}]}, "không âm"),
    ("fractional_dong", {"fees": [{"name": "Lệ phí", "amount": 1500.5}]}, "số nguyên đồng"),
    ("bad_level", {"level": "xyz"}, "“level” phải là một trong"),
    ("missing_name", {"name": ""}, "Thiếu “name”"),
    ("bad_cutoff", {"same_day_cutoff": "25:99"}, "HH:MM"),
    ("bad_popularity", {"popularity": -3}, "popularity"),
    ("huge_number", {"processing_time": 1e400}, "“processing_time” phải là số nguyên."),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _n, c, e in BAD_ROWS], ids=[n for n, _c, _e in BAD_ROWS])
def test_a_bad_json_row_is_reported_and_saves_nothing_while_good_rows_go_in(agencies, change, expected):
    document = small_doc(good("1.000011"), good("1.000012", **change), good("1.000013"))

    report = ie.import_catalog(document)

    assert report.created == ["1.000011", "1.000013"]
    assert [(e.row, e.code) for e in report.errors] == [(2, "1.000012")]
    assert expected in report.errors[0].reason
    assert not Procedure.objects.filter(code="1.000012").exists()
    assert FeeLine.objects.count() == 2


def test_a_bad_row_of_an_existing_procedure_keeps_its_current_version(agencies):
    ie.import_catalog(small_doc(good("1.000021")))
    report = ie.import_catalog(small_doc(good("1.000021", name="Tên mới", fees=[{"name": "x", "amount": "abc"}])))
    assert len(report.errors) == 1
    procedure = Procedure.objects.get(code="1.000021")
    assert procedure.versions.count() == 1
    assert procedure.current_version.name == "Thủ tục thử 1.000021"


def test_duplicate_codes_and_bad_fields_are_reported(agencies):
    document = small_doc(good("1.000031"), good("1.000031", name="Trùng"))
    document["fields"].append({"code": "", "name": "Không mã"})
    report = ie.import_catalog(document)
    assert report.created == ["1.000031"]
    assert [(e.row, e.code) for e in report.errors] == [(2, ""), (2, "1.000031")]
    assert "trùng với dòng 1" in report.errors[1].reason


def test_excel_bad_rows_name_their_sheet_and_row(agencies):
    document = small_doc(good("1.000041"), good("1.000042"), good("1.000043"), good("1.000044"))
    workbook = load_workbook(io.BytesIO(xlsx_bytes(document)))
    workbook["Phi"]["E4"].value = "abc"  # the fee line of 1.000042 (row 4: the second data row)
    workbook["Thanh phan"]["C6"].value = "có lẽ"  # required flag of 1.000044's component
    workbook["Thu tuc"]["D5"].value = "xyz"  # level of 1.000043
    workbook["Phi"].append(["9.999999", "le_phi", "Dòng lạc", "fixed", 1000])
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = ie.import_catalog(ie.read_excel(buffer.getvalue()))

    assert report.created == ["1.000041"]
    errors = {(e.sheet, e.row, e.code): e.reason for e in report.errors}
    assert set(errors) == {
        ("Phi", 7, "9.999999"),
        ("Thu tuc", 6, "1.000044"),
        ("Thu tuc", 4, "1.000042"),
        ("Thu tuc", 5, "1.000043"),
    }
    assert "trang “Phi”, dòng 4" in errors[("Thu tuc", 4, "1.000042")]
    assert "“amount” phải là số tiền" in errors[("Thu tuc", 4, "1.000042")]
    assert "trang “Thanh phan”, dòng 6: “required” phải là “có” hoặc “không”" in errors[("Thu tuc", 6, "1.000044")]
    assert "Không có thủ tục mã này" in errors[("Phi", 7, "9.999999")]
    assert set(Procedure.objects.values_list("code", flat=True)) == {"1.000041"}


# ---------------------------------------------------------------------------------- hostile files


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


HOSTILE_XLSX = [
    ("not_a_zip", b"Day khong phai Excel", "không phải tệp Excel"),
    ("zip_without_workbook", _zip({"hello.txt": b"xin chao"}), "không phải tệp Excel"),
    ("zip_bomb", _zip({"xl/workbook.xml": b"<x/>", "xl/big.xml": b"0" * (ie.MAX_UNPACKED_BYTES + 1)}), "giải nén"),
    ("broken_workbook", _zip({"xl/workbook.xml": b"<not really"}), "Không đọc được"),
]


@pytest.mark.parametrize(
    ("content", "expected"), [(c, e) for _n, c, e in HOSTILE_XLSX], ids=[n for n, _c, _e in HOSTILE_XLSX]
)
def test_hostile_excel_files_give_a_clear_error(db, content, expected):
    with pytest.raises(ie.ApplicationError) as caught:
        ie.read_excel(content)
    assert expected in caught.value.message


def test_empty_sheets_are_read_as_empty(agencies):
    workbook = Workbook()
    workbook.active.title = "Thu tuc"
    workbook.create_sheet("Phi")
    buffer = io.BytesIO()
    workbook.save(buffer)
    document = ie.read_excel(buffer.getvalue())
    assert document["procedures"] == []
    assert ie.import_catalog(document).ok


def test_an_xml_entity_bomb_inside_a_workbook_is_refused_quickly(db):
    workbook = Workbook()
    workbook.active.title = "Thu tuc"
    workbook.active.append(["code"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i else "&lol;") * 10}">' for i in range(10)
    )
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().split("?>", 1)[-1]
                data = (f"<!DOCTYPE lolz [{entities}]>" + text.replace("<t>code", "<t>&lol9;code")).encode()
            archive.writestr(info, data)
    started = time.monotonic()
    with pytest.raises(ie.ApplicationError, match="Không đọc được"):
        ie.read_excel(bomb.getvalue())
    assert time.monotonic() - started < 5


def test_an_excel_without_the_procedure_sheet_or_code_column_is_refused(db):
    workbook = Workbook()
    workbook.active.title = "Trang khac"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ie.ApplicationError, match="không có trang “Thu tuc”"):
        ie.read_excel(buffer.getvalue())
    workbook.active.title = "Thu tuc"
    workbook.active.append(["Tên thủ tục"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ie.ApplicationError, match="thiếu cột mã"):
        ie.read_excel(buffer.getvalue())


def test_a_huge_cell_rejects_its_row_only(agencies):
    document = small_doc(good("1.000051"), good("1.000052"))
    workbook = load_workbook(io.BytesIO(xlsx_bytes(document)))
    workbook["Thu tuc"]["N4"].value = "x" * (ie.MAX_CELL_CHARS + 10)  # steps of 1.000052
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = ie.import_catalog(ie.read_excel(buffer.getvalue()))
    assert report.created == ["1.000051"]
    assert [(e.sheet, e.row, e.code) for e in report.errors] == [("Thu tuc", 4, "1.000052")]
    assert "dài quá" in report.errors[0].reason
    # A long text in JSON is refused by the same rules, row by row.
    report = ie.import_catalog(small_doc(good("1.000053", name="x" * 5000)))
    assert "dài quá 1000 ký tự" in report.errors[0].reason


HOSTILE_JSON = [
    ("not_json", b'{"format": ', "không phải JSON hợp lệ"),
    ("not_utf8", b"\xff\xfe\x00{", "UTF-8"),
    ("wrong_marker", json.dumps({"format": "khac", "format_version": 1, "procedures": []}).encode(), "“format”"),
    ("wrong_version", json.dumps({"format": ie.FORMAT_NAME, "format_version": 9}).encode(), "Phiên bản định dạng"),
    ("a_list", b"[1, 2, 3]", "đối tượng JSON"),
    (
        "procedures_not_a_list",
        json.dumps({"format": ie.FORMAT_NAME, "format_version": 1, "procedures": "x"}).encode(),
        "danh sách",
    ),
    ("too_deep", b"[" * 100_000 + b"]" * 100_000, "JSON"),
    (
        "too_many_rows",
        json.dumps(
            {"format": ie.FORMAT_NAME, "format_version": 1, "procedures": [{}] * (ie.MAX_PROCEDURES + 1)}
        ).encode(),
        "vượt giới hạn",
    ),
    ("too_big", b" " * (ie.MAX_FILE_BYTES + 1), "lớn hơn 20 MB"),
]


@pytest.mark.parametrize(
    ("content", "expected"), [(c, e) for _n, c, e in HOSTILE_JSON], ids=[n for n, _c, _e in HOSTILE_JSON]
)
def test_hostile_json_files_give_a_clear_error(db, content, expected):
    with pytest.raises(ie.ApplicationError) as caught:
        ie.read_json(content)
    assert expected in caught.value.message


def test_odd_json_rows_and_smuggled_annotations_are_handled(agencies):
    document = small_doc(good("1.000061"), "không phải đối tượng", good("1.000062", eform=[1, 2]))
    document["procedures"][0]["_row"] = 999
    document["_errors"] = [{"row": 1, "code": "x", "reason": "giả"}]
    report = ie.import_catalog(ie.read_json(json.dumps(document).encode()))
    assert report.created == ["1.000061"]
    assert [(e.row, e.reason) for e in report.errors] == [
        (2, "Mỗi thủ tục phải là một đối tượng."),
        (3, "“eform” phải là một đối tượng JSON."),
    ]


def test_an_eform_nested_too_deep_is_a_row_error(agencies):
    deep: Any = {}
    for _level in range(5000):
        deep = {"a": deep}
    report = ie.import_catalog(small_doc(good("1.000071", eform=deep), good("1.000072")))
    assert report.created == ["1.000072"]
    assert report.errors[0].code == "1.000071"


# ------------------------------------------------------------------------------------------ scale


def test_a_2000_row_excel_file_imports_in_one_call_and_reports_the_bad_rows(agencies):
    procedures = synthetic.generate(2000, seed=7, commune_agencies=COMMUNES, provincial_agencies=PROVINCIAL)
    corruptions = [
        ("field", "KHONGCO"),
        ("receiving_agencies", ["999.99.99.H99"]),
        ("level", "xyz"),
        ("name", ""),
        ("processing_time", -1),
        ("fees", [{"name": "Lệ phí", "amount": "abc"}]),
        ("fees", [{"name": "Lệ phí", "amount": -5000}]),
        ("fees", [{"name": "Lệ phí", "amount": 1500.5}]),
    ]
    bad_rows: dict[str, int] = {}
    for index in range(0, 2000, 80):  # 25 bad rows spread over the file
        key, value = corruptions[(index // 80) % len(corruptions)]
        procedures[index][key] = value
        bad_rows[procedures[index]["code"]] = index + 3  # spreadsheet row of the procedure
    document = {
        "format": ie.FORMAT_NAME,
        "format_version": 1,
        "fields": synthetic.demo_fields(),
        "procedures": procedures,
    }
    content = xlsx_bytes(document)

    started = time.monotonic()
    report = ie.import_catalog(ie.read_excel(content))
    elapsed = time.monotonic() - started

    assert len(bad_rows) == 25
    assert len(report.created) == 2000 - 25
    assert {(e.code, e.row) for e in report.errors} == set(bad_rows.items())
    assert Procedure.objects.count() == 2000 - 25
    assert not Procedure.objects.filter(code__in=bad_rows).exists()
    # The same file again changes nothing, and answers from the content hashes without rewriting.
    started = time.monotonic()
    again = ie.import_catalog(ie.read_excel(content))
    again_elapsed = time.monotonic() - started
    assert (len(again.created), len(again.new_version), len(again.unchanged)) == (0, 0, 2000 - 25)
    assert len(again.errors) == 25
    assert ProcedureVersion.objects.count() == 2000 - 25
    print(f"\n2,000-row Excel import: {elapsed:.1f} s, re-import: {again_elapsed:.1f} s")  # noqa: T201


def test_catalog_generate_fills_the_search_columns_fast(agencies):
    started = time.monotonic()
    call_command("catalog_generate", "--count", "1500", "--seed", "3", stdout=io.StringIO())
    elapsed = time.monotonic() - started
    assert Procedure.objects.filter(code__startswith="9.9").count() == 1500
    assert elapsed < 30
    procedure = Procedure.objects.select_related("current_version__field").get(code="9.900001")
    version = procedure.current_version
    assert procedure.is_demo
    assert (version.status, version.number) == (VersionStatus.PUBLISHED, 1)
    assert procedure.name_folded == fold(version.name)
    agencies = " ".join(version.receiving_agencies.order_by("code").values_list("name", flat=True))
    assert procedure.search_folded == fold(
        " ".join([procedure.code, version.name, version.field.name, agencies, version.competent_agency])
    )
    # The bulk path stores the same content hash the importer computes: re-importing changes nothing.
    exported = ie.export_catalog(Procedure.objects.filter(code__in=["9.900001", "9.900002"]))
    report = ie.import_catalog(exported)
    assert sorted(report.unchanged) == ["9.900001", "9.900002"]
    # Same seed again: nothing new; --replace starts over.
    out = io.StringIO()
    call_command("catalog_generate", "--count", "1500", "--seed", "3", stdout=out)
    assert "0 mới, 1500 đã có" in out.getvalue()
    call_command("catalog_generate", "--count", "10", "--replace", stdout=io.StringIO())
    assert Procedure.objects.filter(code__startswith="9.9").count() == 10


def test_catalog_generate_can_write_a_file(agencies, tmp_path: Path):
    target = tmp_path / "tong-hop.xlsx"
    call_command("catalog_generate", "--count", "50", "--output", str(target), stdout=io.StringIO())
    document = ie.read_excel(target)
    assert len(document["procedures"]) == 50
    assert not Procedure.objects.exists()


# ------------------------------------------------------------------------------------- commands


def test_import_and_export_commands(agencies, demo_doc, tmp_path: Path):
    source = tmp_path / "danh-muc.json"
    ie.write_json(demo_doc, source)
    out = io.StringIO()
    call_command("catalog_import", str(source), stdout=out)
    assert f"{len(demo_doc['procedures'])} thủ tục mới" in out.getvalue()

    exported = tmp_path / "xuat.xlsx"
    call_command("catalog_export", str(exported), stdout=io.StringIO())
    out = io.StringIO()
    call_command("catalog_import", str(exported), stdout=out)
    assert f"{len(demo_doc['procedures'])} không thay đổi" in out.getvalue()

    call_command("catalog_export", str(tmp_path / "mot.json"), "--code", "1.001193", stdout=io.StringIO())
    assert [p["code"] for p in ie.read_json(tmp_path / "mot.json")["procedures"]] == ["1.001193"]


def test_import_command_exits_1_on_bad_rows_and_unreadable_files(agencies, tmp_path: Path):
    source = tmp_path / "loi.json"
    ie.write_json(small_doc(good("1.000081"), good("1.000082", level="xyz")), source)
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("catalog_import", str(source), stdout=out)
    assert caught.value.returncode == 1
    assert "Dòng 2 (1.000082)" in out.getvalue()
    assert Procedure.objects.filter(code="1.000081").exists()

    dry = tmp_path / "thu.json"
    ie.write_json(small_doc(good("1.000083")), dry)
    call_command("catalog_import", str(dry), "--dry-run", stdout=io.StringIO())
    assert not Procedure.objects.filter(code="1.000083").exists()

    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"khong phai excel")
    with pytest.raises(CommandError, match="không phải tệp Excel") as caught:
        call_command("catalog_import", str(broken), stdout=io.StringIO())
    assert caught.value.returncode == 1


# ------------------------------------------------------------------------------------ admin view


@pytest.fixture
def staff(db) -> User:
    user = User.objects.create_user(username="quantri.danhmuc", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog", codename__in=["add_procedure", "change_procedure"]
        )
    )
    return User.objects.get(pk=user.pk)


def _request(user: User, method: str = "get", **kwargs: Any) -> Any:
    request = getattr(RequestFactory(), method)("/quan-tri/catalog/procedure/nhap/", **kwargs)
    request.user = user
    request._dont_enforce_csrf_checks = True
    return request


def test_admin_import_view_shows_the_form_and_the_report(agencies, staff):
    page = catalog_import_view(_request(staff))
    assert page.status_code == 200
    assert "Nhập danh mục thủ tục" in page.content.decode()

    content = json.dumps(small_doc(good("1.000091"), good("1.000092", level="xyz"))).encode()
    upload = SimpleUploadedFile("danh-muc.json", content, content_type="application/json")
    page = catalog_import_view(_request(staff, "post", data={"file": upload}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 thủ tục mới" in html
    assert "1.000092" in html
    assert "“level” phải là một trong" in html
    assert Procedure.objects.filter(code="1.000091").exists()

    upload = SimpleUploadedFile("danh-muc.xlsx", b"khong phai excel")
    page = catalog_import_view(_request(staff, "post", data={"file": upload}))
    assert page.status_code == 200
    assert "không phải tệp Excel" in page.content.decode()

    upload = SimpleUploadedFile("danh-muc.csv", b"a,b")
    page = catalog_import_view(_request(staff, "post", data={"file": upload}))
    assert ".json hoặc .xlsx" in page.content.decode()


def test_admin_import_view_offers_a_template_and_refuses_non_staff(agencies, staff):
    page = catalog_import_view(_request(staff, data={"mau": "xlsx"}))
    assert page["Content-Type"].startswith("application/vnd.openxmlformats")
    document = ie.read_excel(b"".join(page.streaming_content) if page.streaming else page.content)
    assert document["procedures"] == []

    citizen = User.objects.create_user(username="nguoidan", password="x")
    page = catalog_import_view(_request(citizen))
    assert page.status_code in (302, 403)
    staff_without_permission = User.objects.create_user(username="nhanvien", password="x", is_staff=True)
    assert catalog_import_view(_request(staff_without_permission)).status_code == 403
    assert not ProcedureField.objects.exists()


def test_admin_import_page_through_the_admin_site(agencies, client):
    personas = make_personas()
    force_login_verified(client, personas.sysadmin)
    url = reverse("admin:catalog_procedure_import")
    page = client.get(url)
    assert page.status_code == 200
    assert "Tải tệp Excel mẫu" in page.content.decode()
    upload = SimpleUploadedFile("danh-muc.xlsx", xlsx_bytes(small_doc(good("1.000101"))))
    page = client.post(url, {"file": upload})
    assert page.status_code == 200
    assert "1 thủ tục mới" in page.content.decode()
    client.logout()
    force_login_verified(client, personas.officer_a)
    assert client.get(url).status_code in (302, 403)
