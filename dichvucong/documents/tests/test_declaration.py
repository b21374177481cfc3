"""The declaration as PDF: filled in ("In biểu mẫu đơn", submitted or draft) and blank.

The data are the demo e-forms of the catalogue, filled the way a citizen fills them, and turned
into rows by the same `display_rows` the dossier pages use."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dichvucong.catalog.eforms import EFormDefinitionError, display_rows
from dichvucong.documents.declaration import blank_declaration_pdf, blank_sections, declaration_pdf
from dichvucong.documents.tests.reading import (
    body_text,
    image_modules,
    images,
    page_texts,
    qr_modules,
    save_artifact,
    squeezed,
)

EFORMS_DIR = Path(__file__).resolve().parents[2] / "catalog" / "demo_data" / "eforms"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SUBMITTED_AT = dt.datetime(2026, 11, 22, 9, 41, tzinfo=VN)
PRINTED_AT = dt.datetime(2026, 11, 23, 14, 5, tzinfo=VN)
CODE = "000.00.19.H56-261122-0007"
QR_URL = f"https://dichvucong.hue.gov.vn/tra-cuu/?ma={CODE}"
AN_CUU = {"province_code": 46, "ward_code": 19815, "street": "12 Lê Lợi"}
OWNER = [
    ("Họ và tên", "Nguyễn Văn Ấn"),
    ("Số CCCD", "046090000123"),
    ("Điện thoại", "0912 345 678"),
    ("Địa chỉ", "12 Lê Lợi, Phường An Cựu, Thành phố Huế"),
]
COMPONENTS = [
    ("Giấy chứng sinh", ["giay-chung-sinh-benh-vien-trung-uong-hue.pdf"]),
    ("Giấy chứng nhận kết hôn của cha, mẹ", ["ket-hon-trang-1.jpg", "ket-hon-trang-2.jpg"]),
    ("Văn bản ủy quyền", []),
]


def load(name: str) -> dict[str, Any]:
    return json.loads((EFORMS_DIR / f"{name}.json").read_text(encoding="utf-8"))


BIRTH = load("dang_ky_khai_sinh")
BIRTH_PAYLOAD: dict[str, Any] = {
    "ho_ten_nguoi_yeu_cau": "Nguyễn Văn Ấn",
    "noi_cu_tru_nguoi_yeu_cau": AN_CUU,
    "loai_giay_to_nguoi_yeu_cau": "cccd",
    "so_dinh_danh_nguoi_yeu_cau": "046090000123",
    "ngay_cap_nguoi_yeu_cau": "2021-04-05",
    "noi_cap_nguoi_yeu_cau": "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "quan_he_voi_nguoi_duoc_khai_sinh": "Cha",
    "ho_ten_tre": "Nguyễn Thị Bảo Ngọc",
    "ngay_sinh": "2026-11-02",
    "gioi_tinh": "nu",
    "dan_toc": "Kinh",
    "quoc_tich": "Việt Nam",
    "noi_sinh": {**AN_CUU, "street": "Bệnh viện Trung ương Huế"},
    "que_quan": "Phường Thuận Hóa, Thành phố Huế",
    "ho_ten_me": "Trần Thị Hường",
    "nam_sinh_me": 1994,
    "dan_toc_me": "Kinh",
    "quoc_tich_me": "Việt Nam",
    "noi_cu_tru_me": AN_CUU,
    "co_thong_tin_cha": True,
    "ho_ten_cha": "Nguyễn Văn Ấn",
    "nam_sinh_cha": 1990,
    "dan_toc_cha": "Kinh",
    "quoc_tich_cha": "Việt Nam",
    "noi_cu_tru_cha": AN_CUU,
    "de_nghi_cap_ban_sao": True,
    "so_ban_sao": 2,
    "cam_doan": True,
}


def printed(label: str, value: str) -> str:
    """A field as the declaration prints it: a colon after the label, unless the label is a sentence."""
    return f"{label} {value}" if label[-1:] in ".:?!" else f"{label}: {value}"


def birth_declaration(**overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "title": BIRTH["title"],
        "procedure_name": "Đăng ký khai sinh",
        "procedure_code": "1.001193",
        "agency_name": "Ủy ban nhân dân phường An Cựu",
        "rows": display_rows(BIRTH, BIRTH_PAYLOAD),
        "owner": OWNER,
        "dossier_code": CODE,
        "qr_url": QR_URL,
        "submitted_at": SUBMITTED_AT,
        "place": "Huế",
        "printed_at": PRINTED_AT,
        "components": COMPONENTS,
    }
    return declaration_pdf(**{**arguments, **overrides})


@pytest.fixture(scope="module")
def submitted() -> bytes:
    pdf = birth_declaration()
    save_artifact("to-khai-dang-ky-khai-sinh.pdf", pdf)  # to look at (size, pages): test-artifacts/documents/
    return pdf


def test_submitted_declaration_reads_as_the_citizen_declared(submitted):
    text = body_text(submitted)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text
    assert "Thủ tục: Đăng ký khai sinh (mã 1.001193)" in text
    assert "Kính gửi: Ủy ban nhân dân phường An Cựu" in text
    assert "Ngày gửi hồ sơ: 22/11/2026 09:41" in text
    for label, value in OWNER:
        assert f"{label}: {value}" in text
    rows = display_rows(BIRTH, BIRTH_PAYLOAD)
    assert [title for title, _rows in rows][:2] == ["Người yêu cầu", "Người được khai sinh"]
    for title, fields in rows:
        assert title in text
        for label, value in fields:
            assert squeezed(printed(label, value)) in squeezed(text), label
    # values as a person reads them, diacritics intact
    assert "Giới tính: Nữ" in text
    assert "Ngày, tháng, năm sinh: 02/11/2026" in text
    assert "Nơi sinh: Bệnh viện Trung ương Huế, Phường An Cựu, Thành phố Huế" in text
    assert "Số lượng bản sao: 2 bản" in text
    assert "Tôi chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình. Có" in text


def test_submitted_declaration_lists_components_pledge_signature_and_code(submitted):
    text = body_text(submitted)
    for name, files in COMPONENTS:
        assert name in text
        for file_name in files:
            assert file_name in squeezed(text)
    assert "Chưa đính kèm" in text
    assert "Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên" in text
    # signed on the day it was sent, printed later
    assert "Huế, ngày 22 tháng 11 năm 2026 NGƯỜI YÊU CẦU (Ký, ghi rõ họ tên)" in text
    assert "Mã hồ sơ" in text
    assert CODE in text
    assert "Bản nháp" not in text
    assert "BẢN NHÁP" not in text
    pages = page_texts(submitted)
    for number, page in enumerate(pages, start=1):
        assert "In lúc 23/11/2026 14:05" in page
        assert f"Trang {number}/{len(pages)}" in page


def test_submitted_declaration_carries_the_qr_code_of_its_look_up_address(submitted):
    expected = qr_modules(QR_URL)
    (image,) = images(submitted, page=0)
    assert image_modules(image, len(expected)) == expected


def test_without_address_the_qr_code_holds_the_dossier_code():
    pdf = birth_declaration(qr_url=None, components=())
    expected = qr_modules(CODE)
    (image,) = images(pdf, page=0)
    assert image_modules(image, len(expected)) == expected
    assert "Thành phần hồ sơ đính kèm" not in body_text(pdf)


def test_draft_says_so_on_every_page_and_has_no_code():
    pdf = birth_declaration(dossier_code=None, qr_url=QR_URL, submitted_at=None)
    text = body_text(pdf)
    assert "Bản nháp — chưa gửi" in text
    assert "Mã hồ sơ" not in text
    assert CODE not in text
    assert images(pdf, page=0) == []  # no QR code for a dossier that has no code yet
    pages = page_texts(pdf)
    assert len(pages) >= 2
    assert all("BẢN NHÁP" in page for page in pages)
    assert "Ngày gửi hồ sơ" not in text
    # a draft is dated the day it is printed
    assert "Huế, ngày 23 tháng 11 năm 2026" in text


def test_long_declaration_breaks_across_pages_without_losing_text():
    unbroken = "Sốnhà" + "x" * 400 + "ĐườngTrầnHưngĐạo"  # a value typed without any space
    long_note = " ".join(f"Ghi chú dòng {i}: người làm chứng Lê Thị Ửng, Phạm Văn Đức." for i in range(40))
    family = "\n".join(f"{i}. Họ tên: Trần Văn Hưởng {i}; Năm sinh: {1950 + i}" for i in range(1, 31))
    rows = [
        (
            f"Phần {s}: Thông tin bổ sung",
            [
                (f"Trường thứ {s}.{f} (ghi đầy đủ)", f"Giá trị {s}.{f}: Nguyễn Thị Ánh Tuyết, ấp Phước Hưng")
                for f in range(15)
            ],
        )
        for s in range(1, 7)
    ]
    rows.append(("Ghi chú", [("Địa chỉ không dấu cách", unbroken), ("Ghi chú dài", long_note), ("Gia đình", family)]))
    components = [
        (f"Giấy tờ số {i}: bản sao chứng thực", [f"tep-dinh-kem-{i}-" + "a" * 120 + ".pdf"]) for i in range(40)
    ]
    pdf = birth_declaration(rows=rows, components=components)
    pages = page_texts(pdf)
    assert len(pages) > 3
    for number in range(1, len(pages) + 1):
        assert f"Trang {number}/{len(pages)}" in pages[number - 1]
    text = body_text(pdf)
    flat = squeezed(text)
    for title, fields in rows:
        assert title in text
        for label, value in fields:
            assert squeezed(printed(label, value)) in flat, label
    for name, files in components:
        assert squeezed(name) in flat
        assert files[0] in flat
    # the unbroken value was wrapped to fit the page, not printed past its edge
    assert unbroken not in text
    assert unbroken in flat
    # every line of the table-like value keeps its own line
    assert "2. Họ tên: Trần Văn Hưởng 2; Năm sinh: 1952" in text
    save_artifact("to-khai-dai.pdf", pdf)


# --- The blank declaration -----------------------------------------------------------------------


def test_blank_sections_of_the_birth_registration_form():
    sections = blank_sections(BIRTH)
    assert [s.title for s in sections] == [s["title"] for s in BIRTH["sections"]]
    fields = {f.label: f for s in sections for f in s.fields}
    assert fields["Họ, chữ đệm, tên người yêu cầu"].kind == "line"
    assert fields["Họ, chữ đệm, tên người yêu cầu"].required
    assert fields["Nơi cư trú"].kind == "address"
    assert fields["Nơi sinh"].parts[0] == "Tên cơ sở y tế hoặc số nhà, thôn/tổ"
    assert fields["Giấy tờ tùy thân"].choices == (
        "Thẻ Căn cước/Căn cước công dân",
        "Hộ chiếu",
        "Giấy tờ khác có dán ảnh",
    )
    assert fields["Ngày, tháng, năm sinh"].kind == "date"
    assert fields["Đã xác định được người cha"].kind == "yesno"
    assert fields["Số lượng bản sao"].unit == "bản"
    assert fields["Số định danh cá nhân"].help.startswith(
        "(chỉ điền khi “Giấy tờ tùy thân” là “Thẻ Căn cước/Căn cước công dân”)"
    )
    assert fields["Số giấy tờ"].help == "(chỉ điền khi “Giấy tờ tùy thân” là “Hộ chiếu” hoặc “Giấy tờ khác có dán ảnh”)"
    (pledge,) = sections[-1].fields
    assert pledge.kind == "accept"


def test_blank_sections_make_empty_tables_of_repeating_groups():
    definition = load("dang_ky_ho_kinh_doanh")
    groups = [item for section in definition["sections"] for item in section["fields"] if item["type"] == "group"]
    tables = [f for s in blank_sections(definition) for f in s.fields if f.kind == "table"]
    assert [t.label for t in tables] == [g["label"] for g in groups]
    for table, group in zip(tables, groups, strict=True):
        assert [c.split(" (chỉ điền khi")[0] for c in table.columns] == [c["label"] for c in group["fields"]]
        assert table.rows >= 3


def test_blank_sections_refuse_an_invalid_definition():
    with pytest.raises(EFormDefinitionError):
        blank_sections({"version": 1, "title": "Hỏng", "sections": "x"})


@pytest.mark.parametrize("name", ["dang_ky_khai_sinh", "dang_ky_ho_kinh_doanh", "cap_phieu_ly_lich_tu_phap"])
def test_blank_declaration_prints_every_label_to_fill_by_hand(name):
    definition = load(name)
    pdf = blank_declaration_pdf(
        title=definition["title"],
        procedure_name="Thủ tục thử",
        procedure_code="9.999999",
        agency_name="Ủy ban nhân dân phường An Cựu",
        sections=blank_sections(definition),
    )
    text = body_text(pdf)
    flat = squeezed(text)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert definition["title"].upper() in text
    assert "Kính gửi: Ủy ban nhân dân phường An Cựu" in text
    for section in definition["sections"]:
        assert section["title"] in text
        for item in section["fields"]:
            assert squeezed(item["label"]) in flat, item["label"]
            for child in item.get("fields", ()):
                assert squeezed(child["label"]) in flat, child["label"]
            for _value, choice in item.get("choices", ()):
                assert squeezed(f"☐ {choice}") in flat
    assert "……" in text  # dotted lines to write on
    assert "NGƯỜI YÊU CẦU (Ký, ghi rõ họ tên)" in text
    pages = page_texts(pdf)
    assert all(f"Trang {n}/{len(pages)}" in page for n, page in enumerate(pages, start=1))
    if name == "dang_ky_khai_sinh":
        save_artifact("to-khai-trong-dang-ky-khai-sinh.pdf", pdf)
