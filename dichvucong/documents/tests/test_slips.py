"""The standard one-stop slips as PDF, the tracking book as a workbook, and the bodies administrators
edit (SlipTemplate).

Each PDF is rendered once per module (WeasyPrint takes about 0.3 s a document) and read back with
pypdf; what does not need a PDF (optional lines, escaping, the choice of body) is checked on the
HTML the PDF is printed from."""

from __future__ import annotations

import datetime as dt
import io
import logging
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.testing.personas import force_login_verified
from dichvucong.documents import slips
from dichvucong.documents.constants import SlipKind, Timeliness
from dichvucong.documents.models import SlipTemplate
from dichvucong.documents.slip_templates import default_body_source, sample_context, slip_template_problems
from dichvucong.documents.tests.reading import (
    body_text,
    image_modules,
    images,
    page_texts,
    qr_modules,
    reader,
    save_artifact,
    squeezed,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.19.H56-261122-0007"
QR_URL = f"https://dichvucong.hue.gov.vn/tra-cuu/?ma={CODE}"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"
RECEIVED_AT = dt.datetime(2026, 11, 22, 9, 41, tzinfo=VN)
APPOINTMENT_AT = dt.datetime(2026, 11, 27, 16, 0, tzinfo=VN)
PRINTED_AT = dt.datetime(2026, 11, 30, 8, 15, tzinfo=VN)
AGENCY = {
    "agency_name": "Ủy ban nhân dân phường An Cựu",
    "parent_agency_name": "Ủy ban nhân dân thành phố Huế",
    "place": "Huế",
    "printed_at": PRINTED_AT,
}
DOSSIER = {
    **AGENCY,
    "dossier_code": CODE,
    "qr_url": QR_URL,
    "procedure_name": "Đăng ký khai sinh",
    "procedure_code": "1.001193",
    "applicant_name": "Nguyễn Văn Ấn",
}
ADDRESS = "12 Lê Lợi, phường An Cựu, thành phố Huế"

RECEIPT = {
    **DOSSIER,
    "owner_name": "Nguyễn Thị Bảo Ngọc",
    "id_number": "046090000123",
    "phone": "0912 345 678",
    "address": ADDRESS,
    "components": [
        slips.ReceivedComponent("Tờ khai đăng ký khai sinh", originals=1),
        ("Giấy chứng sinh", 1, 0),
        {"name": "Giấy chứng nhận kết hôn của cha, mẹ", "originals": 0, "copies": 2},
    ],
    "received_at": RECEIVED_AT,
    "appointment_at": APPOINTMENT_AT,
    "delivery_method": "Qua dịch vụ bưu chính công ích",
    "officer_name": "Trần Thị Hường",
    "processing_time": "03 ngày làm việc",
}
SUPPLEMENT = {
    **DOSSIER,
    "address": ADDRESS,
    "phone": "0912 345 678",
    "items": [
        slips.SupplementItem("Giấy chứng sinh", "Bản chụp bị mờ, không đọc được họ tên người mẹ."),
        ("Giấy chứng nhận kết hôn của cha, mẹ", "Thiếu trang 2 (ngày đăng ký kết hôn)."),
    ],
    "officer_note": "Đề nghị nộp bản chụp rõ nét, đủ các trang.",
    "deadline_note": "Trước ngày 05/12/2026",
    "officer_name": "Trần Thị Hường",
    "contact_phone": "0234 3822 000",
    "issued_at": dt.datetime(2026, 11, 23, 10, 5, tzinfo=VN),
}
REFUSAL = {
    **DOSSIER,
    "address": ADDRESS,
    "submitted_at": RECEIVED_AT,
    "reason": "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường An Cựu.\n"
    "Đề nghị nộp tại Ủy ban nhân dân phường Thủy Xuân.",
    "officer_name": "Trần Thị Hường",
    "issued_at": dt.date(2026, 11, 23),
}
APOLOGY = {
    **DOSSIER,
    "address": ADDRESS,
    "received_at": RECEIVED_AT,
    "original_appointment_at": APPOINTMENT_AT,
    "delay_reason": "Cần xác minh thông tin nơi cư trú của người mẹ tại Ủy ban nhân dân xã Phú Lộc.",
    "new_appointment_at": dt.datetime(2026, 12, 2, 16, 0, tzinfo=VN),
    "signer_name": "Lê Văn Đức",
    "signer_title": "Chủ tịch",
    "issued_at": dt.date(2026, 11, 26),
}
STOP_NOTICE = {
    **DOSSIER,
    "received_at": RECEIVED_AT,
    "reason": "Người yêu cầu có văn bản đề nghị rút hồ sơ ngày 24/11/2026.",
    "signer_name": "Lê Văn Đức",
    "signer_title": "Phó Chủ tịch",
    "issued_at": dt.date(2026, 11, 25),
}
HAND_OFFS = [
    slips.HandOff(
        step="Chuyển xử lý",
        giver_name="Trần Thị Hường",
        giver_unit="Bộ phận Một cửa",
        receiver_name="Phạm Văn Ửng",
        receiver_unit="Công chức Tư pháp - Hộ tịch",
        handed_at=dt.datetime(2026, 11, 22, 10, 0, tzinfo=VN),
        due_at=dt.datetime(2026, 11, 22, 16, 0, tzinfo=VN),
        timeliness=Timeliness.EARLY,
    ),
    slips.HandOff(
        step="Thẩm định, trình ký",
        giver_name="Phạm Văn Ửng",
        giver_unit="Công chức Tư pháp - Hộ tịch",
        receiver_name="Lê Văn Đức",
        receiver_unit="Lãnh đạo Ủy ban",
        handed_at=dt.datetime(2026, 11, 25, 16, 0, tzinfo=VN),
        due_at=dt.datetime(2026, 11, 25, 16, 0, tzinfo=VN),
        timeliness="on_time",
    ),
    {
        "step": "Ký duyệt",
        "giver_name": "Lê Văn Đức",
        "giver_unit": "Lãnh đạo Ủy ban",
        "receiver_name": "Hoàng Thị Ánh",
        "receiver_unit": "Văn thư",
        "handed_at": dt.datetime(2026, 11, 27, 9, 30, tzinfo=VN),
        "due_at": dt.datetime(2026, 11, 26, 16, 0, tzinfo=VN),
        "timeliness": Timeliness.LATE,
        "note": "Chờ ý kiến xác minh",
    },
    slips.HandOff(
        step="Đóng dấu, trả kết quả",
        giver_name="Hoàng Thị Ánh",
        giver_unit="Văn thư",
        receiver_name="Trần Thị Hường",
        receiver_unit="Bộ phận Một cửa",
        handed_at=dt.datetime(2026, 11, 27, 10, 15, tzinfo=VN),
    ),
]
CONTROL = {
    **DOSSIER,
    "received_at": RECEIVED_AT,
    "appointment_at": APPOINTMENT_AT,
    "handling_unit": "Công chức Tư pháp - Hộ tịch",
    "hand_offs": HAND_OFFS,
}
TRACKING_ROWS = [
    slips.TrackingRow(
        code=f"000.00.19.H56-2611{day:02d}-{number:04d}",
        procedure_name="Đăng ký khai sinh" if number % 2 else "Chứng thực bản sao từ bản chính",
        applicant_name=f"Nguyễn Thị Ánh Tuyết {number}",
        received_at=dt.datetime(2026, 11, day, 8 + number % 8, 5, tzinfo=VN),
        appointment_at=dt.datetime(2026, 11, day + 3, 16, 0, tzinfo=VN),
        returned_at=dt.date(2026, 11, day + 2) if number % 3 else None,
        status="Đã trả kết quả" if number % 3 else "Đang xử lý",
        note="Trả qua bưu điện" if number == 4 else "",
    )
    for number, day in ((n, 2 + n % 20) for n in range(1, 21))
]
TRACKING = {
    **AGENCY,
    "period_start": dt.date(2026, 11, 1),
    "period_end": dt.date(2026, 11, 30),
    "rows": TRACKING_ROWS,
    "book_name": "Quyển số 01",
}


def _render_once(name: str, render, arguments: dict) -> bytes:
    # Module-wide, so without the database: no administrator's body is looked up here (that path
    # has its own tests below, which use the database).
    with mock.patch("dichvucong.documents.selectors.active_slip_template", return_value=None):
        pdf = render(**arguments)
    save_artifact(name, pdf)  # to look at: test-artifacts/documents/
    return pdf


@pytest.fixture(scope="module")
def receipt() -> bytes:
    return _render_once("giay-tiep-nhan.pdf", slips.receipt_slip_pdf, RECEIPT)


@pytest.fixture(scope="module")
def supplement() -> bytes:
    return _render_once("phieu-yeu-cau-bo-sung.pdf", slips.supplement_slip_pdf, SUPPLEMENT)


@pytest.fixture(scope="module")
def refusal() -> bytes:
    return _render_once("phieu-tu-choi.pdf", slips.refusal_slip_pdf, REFUSAL)


@pytest.fixture(scope="module")
def apology() -> bytes:
    return _render_once("phieu-xin-loi.pdf", slips.apology_letter_pdf, APOLOGY)


@pytest.fixture(scope="module")
def stop_notice() -> bytes:
    return _render_once("thong-bao-dung.pdf", slips.stop_notice_pdf, STOP_NOTICE)


@pytest.fixture(scope="module")
def control() -> bytes:
    return _render_once("phieu-kiem-soat.pdf", slips.control_slip_pdf, CONTROL)


@pytest.fixture(scope="module")
def tracking_book() -> bytes:
    return _render_once("so-theo-doi.pdf", slips.tracking_book_pdf, TRACKING)


def page_size_mm(pdf: bytes) -> tuple[int, int]:
    box = reader(pdf).pages[0].mediabox
    return round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)


def assert_frame(text: str, *, date_line: str) -> None:
    """The parts every slip shares: motto, parent agency above the agency, place and date."""
    assert MOTTO in text
    assert SLOGAN in text
    assert text.index("ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ") < text.index("ỦY BAN NHÂN DÂN PHƯỜNG AN CỰU")
    assert date_line in text


# --- 1. Giấy tiếp nhận hồ sơ và hẹn trả kết quả -------------------------------------------------------


def test_receipt_slip_reads_as_the_one_stop_form(receipt):
    text = body_text(receipt)
    assert_frame(text, date_line="Huế, ngày 22 tháng 11 năm 2026")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Bộ phận Một cửa – Ủy ban nhân dân phường An Cựu tiếp nhận hồ sơ của:" in text
    assert "Người nộp hồ sơ: Nguyễn Văn Ấn" in text
    assert "Chủ hồ sơ: Nguyễn Thị Bảo Ngọc" in text
    assert "Số định danh cá nhân (CCCD): 046090000123" in text
    assert "Số điện thoại: 0912 345 678" in text
    assert f"Địa chỉ: {ADDRESS}" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh (mã thủ tục 1.001193)" in text
    assert "1 Tờ khai đăng ký khai sinh 1 0" in text
    assert "2 Giấy chứng sinh 1 0" in text
    assert "3 Giấy chứng nhận kết hôn của cha, mẹ 0 2" in text
    assert "Số lượng hồ sơ: 1 bộ." in text
    assert "Thời gian giải quyết hồ sơ theo quy định: 03 ngày làm việc." in text
    assert "Thời gian nhận hồ sơ: 09 giờ 41 phút, ngày 22 tháng 11 năm 2026." in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 27 tháng 11 năm 2026." in text
    assert "Đăng ký nhận kết quả tại: Qua dịch vụ bưu chính công ích." in text
    assert QR_URL in squeezed(text)
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert text.rindex("Trần Thị Hường") > text.index("NGƯỜI TIẾP NHẬN HỒ SƠ")
    pages = page_texts(receipt)
    assert len(pages) == 1
    assert f"{CODE} · In lúc 30/11/2026 08:15" in pages[0]
    assert "Trang 1/1" in pages[0]
    assert page_size_mm(receipt) == (210, 297)


@pytest.mark.parametrize("document", ["receipt", "supplement", "refusal", "apology", "stop_notice", "control"])
def test_every_slip_of_a_dossier_carries_the_qr_code_of_its_look_up_address(request, document):
    pdf = request.getfixturevalue(document)
    expected = qr_modules(QR_URL)
    (image,) = images(pdf, page=0)
    assert image_modules(image, len(expected)) == expected
    text = body_text(pdf)
    assert CODE in text
    assert page_texts(pdf)[0].count(CODE) >= 2  # under the QR code and in the body or footer


def test_without_an_address_the_qr_code_holds_the_dossier_code(db):
    context = slips.refusal_slip_context(**{**REFUSAL, "qr_url": None})
    html = slips.slip_html(SlipKind.REFUSAL, context)
    assert context["qr_text"] == CODE
    assert 'class="doc-qr__image"' in html


def test_receipt_leaves_out_what_was_not_given_and_never_repeats_the_applicant_as_owner(db):
    arguments = {
        **RECEIPT,
        "owner_name": "Nguyễn Văn Ấn",
        "id_number": "",
        "phone": "",
        "address": "",
        "components": [],
    }
    arguments.pop("processing_time")
    html = slips.slip_html(SlipKind.RECEIPT, slips.receipt_slip_context(**arguments))
    assert "Chủ hồ sơ" not in html
    assert "CCCD" not in html
    assert "Số điện thoại" not in html
    assert "Thời gian giải quyết hồ sơ theo quy định" not in html
    assert "Không có thành phần hồ sơ nào." in html


# --- 2. Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ ------------------------------------------------------


def test_supplement_slip_lists_each_item_with_its_reason(supplement):
    text = body_text(supplement)
    flat = squeezed(text)
    assert_frame(text, date_line="Huế, ngày 23 tháng 11 năm 2026")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Hồ sơ của: Nguyễn Văn Ấn" in text
    assert "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:" in text
    assert squeezed("1 Giấy chứng sinh Bản chụp bị mờ, không đọc được họ tên người mẹ.") in flat
    assert squeezed("2 Giấy chứng nhận kết hôn của cha, mẹ Thiếu trang 2 (ngày đăng ký kết hôn).") in flat
    assert "Ý kiến của cán bộ tiếp nhận: Đề nghị nộp bản chụp rõ nét, đủ các trang." in text
    assert "Thời hạn bổ sung, hoàn thiện hồ sơ: Trước ngày 05/12/2026" in text
    assert "liên hệ với Trần Thị Hường, số điện thoại 0234 3822 000, để được hướng dẫn." in text
    assert "NGƯỜI HƯỚNG DẪN" in text


def test_supplement_slip_without_deadline_or_note_has_no_empty_lines_for_them(db):
    context = slips.supplement_slip_context(
        **{**SUPPLEMENT, "deadline_note": "", "officer_note": "", "contact_phone": ""}
    )
    html = slips.slip_html(SlipKind.SUPPLEMENT, context)
    assert "Thời hạn bổ sung" not in html
    assert "Ý kiến của cán bộ" not in html
    assert "liên hệ với Trần Thị Hường để được hướng dẫn." in html


# --- 3. Phiếu từ chối tiếp nhận, giải quyết hồ sơ ----------------------------------------------------


def test_refusal_slip_gives_the_reason_as_written(refusal):
    text = body_text(refusal)
    assert_frame(text, date_line="Huế, ngày 23 tháng 11 năm 2026")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
    assert "Thời gian nộp hồ sơ: 09 giờ 41 phút, ngày 22 tháng 11 năm 2026" in text
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:" in text
    assert "Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường An Cựu." in text
    # the officer's line break is kept
    assert "\nĐề nghị nộp tại Ủy ban nhân dân phường Thủy Xuân.\n" in page_texts(refusal)[0]
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Trần Thị Hường" in text


# --- 4. Phiếu xin lỗi và hẹn lại ngày trả kết quả ----------------------------------------------------


def test_apology_letter_gives_both_dates_the_reason_and_the_signer(apology):
    text = body_text(apology)
    assert_frame(text, date_line="Huế, ngày 26 tháng 11 năm 2026")
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert f"Kính gửi: Nguyễn Văn Ấn ({ADDRESS})" in text
    assert "Ngày 22 tháng 11 năm 2026, Ủy ban nhân dân phường An Cựu tiếp nhận, giải quyết hồ sơ" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 16 giờ 00 phút, ngày 27 tháng 11 năm 2026" in text
    assert "Lý do: Cần xác minh thông tin nơi cư trú của người mẹ tại Ủy ban nhân dân xã Phú Lộc." in text
    assert "sẽ trả kết quả giải quyết hồ sơ vào 16 giờ 00 phút, ngày 02 tháng 12 năm 2026." in text
    assert "CHỦ TỊCH" in text
    assert "(Ký, ghi rõ họ tên và đóng dấu)" in text
    assert "Lê Văn Đức" in text
    assert "Nơi nhận:" in text
    assert "Lưu: VT, hồ sơ." in text


# --- 5. Thông báo dừng giải quyết hồ sơ ---------------------------------------------------------------


def test_stop_notice_gives_the_reason_and_the_signer(stop_notice):
    text = body_text(stop_notice)
    assert_frame(text, date_line="Huế, ngày 25 tháng 11 năm 2026")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Kính gửi: Nguyễn Văn Ấn" in text
    assert "Ủy ban nhân dân phường An Cựu thông báo dừng giải quyết hồ sơ nêu trên. Lý do:" in text
    assert "Người yêu cầu có văn bản đề nghị rút hồ sơ ngày 24/11/2026." in text
    assert "PHÓ CHỦ TỊCH" in text
    assert "Lê Văn Đức" in text


def test_stop_notice_without_a_title_is_signed_by_the_head_of_the_agency(db):
    html = slips.slip_html(
        SlipKind.STOP_NOTICE, slips.stop_notice_context(**{**STOP_NOTICE, "signer_title": "", "received_at": None})
    )
    assert "THỦ TRƯỞNG CƠ QUAN" in html
    assert "đã tiếp nhận hồ sơ của ông/bà/tổ chức Nguyễn Văn Ấn." in html


# --- 6. Phiếu kiểm soát quá trình giải quyết hồ sơ ----------------------------------------------------


def test_control_slip_is_landscape_with_one_row_per_hand_off_and_its_mark(control):
    assert page_size_mm(control) == (297, 210)
    text = body_text(control)
    flat = squeezed(text)
    assert_frame(text, date_line="Huế, ngày 30 tháng 11 năm 2026")  # dated the day it is printed
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Kèm theo hồ sơ của: Nguyễn Văn Ấn" in text
    assert "Thời gian nhận hồ sơ: 09 giờ 41 phút, ngày 22 tháng 11 năm 2026" in text
    assert "Thời gian hẹn trả kết quả: 16 giờ 00 phút, ngày 27 tháng 11 năm 2026" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Công chức Tư pháp - Hộ tịch" in text
    # the three marks, each exactly once (the column header writes them in lower case)
    assert text.count("Trước hạn") == 1
    assert text.count("Đúng hạn") == 1
    assert text.count("Quá hạn") == 1
    for hand_off in slips._records(slips.HandOff, HAND_OFFS):
        for value in (hand_off.step, hand_off.giver_name, hand_off.giver_unit, hand_off.receiver_name):
            assert squeezed(value) in flat, value
    assert "22/11/2026 10:00" in text
    assert "26/11/2026 16:00" in text
    assert "Chờ ý kiến xác minh" in text
    # rows in order, each with its own mark
    assert flat.index("Trướchạn") < flat.index("Đúnghạn") < flat.index("Quáhạn") < flat.index("Đóngdấu")


def test_timeliness_is_a_choice_with_vietnamese_labels():
    assert [str(label) for label in Timeliness.labels] == ["Trước hạn", "Đúng hạn", "Quá hạn"]
    assert slips.HandOff("B", "A", "U", "C", "V", RECEIVED_AT, timeliness="late").timeliness_label == "Quá hạn"
    assert slips.HandOff("B", "A", "U", "C", "V", RECEIVED_AT).timeliness_label == ""
    with pytest.raises(ValueError, match="khong-co"):
        slips.HandOff("B", "A", "U", "C", "V", RECEIVED_AT, timeliness="khong-co")


# --- 7. Sổ theo dõi hồ sơ ----------------------------------------------------------------------------


def test_tracking_book_pdf_lists_every_dossier_of_the_period(tracking_book):
    assert page_size_mm(tracking_book) == (297, 210)
    text = body_text(tracking_book)
    flat = squeezed(text)
    assert MOTTO in text
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 01/11/2026 đến ngày 30/11/2026 · Quyển số 01" in text
    for heading in ("STT", "Mã hồ sơ", "Thủ tục", "Người nộp", "Ngày nhận", "Ngày hẹn trả", "Ngày trả", "Tình trạng"):
        assert heading in text
    for row in TRACKING_ROWS:
        assert row.code in flat
        assert squeezed(row.applicant_name) in flat
    assert "03/11/2026 09:05" in text  # received, with its time
    assert "Trả qua bưu điện" in text
    assert "Tổng số: 20 hồ sơ." in text
    assert images(tracking_book) == []  # a book of many dossiers has no QR code
    pages = page_texts(tracking_book)
    assert all(f"Trang {n}/{len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_tracking_book_xlsx_holds_the_rows_with_real_dates_and_vietnamese_text():
    rows = [
        *TRACKING_ROWS[:3],
        slips.TrackingRow(
            "000.00.19.H56-261130-0001", "Đăng ký kết hôn", '=HYPERLINK("http://x","Bấm")', dt.date(2026, 11, 30), None
        ),
    ]
    workbook = load_workbook(io.BytesIO(slips.tracking_book_xlsx(**{**TRACKING, "rows": rows})))
    sheet = workbook.active
    assert sheet.title == "Sổ theo dõi hồ sơ"
    header_row = slips.TRACKING_BOOK_HEADER_ROW
    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ – ỦY BAN NHÂN DÂN PHƯỜNG AN CỰU"
    assert sheet["A2"].value == "SỔ THEO DÕI HỒ SƠ"
    assert sheet["A3"].value == "Từ ngày 01/11/2026 đến ngày 30/11/2026 · Quyển số 01"
    header = [cell.value for cell in sheet[header_row]]
    assert header == [
        "STT",
        "Mã hồ sơ",
        "Thủ tục",
        "Người nộp",
        "Ngày nhận",
        "Ngày hẹn trả",
        "Ngày trả",
        "Tình trạng",
        "Ghi chú",
    ]
    assert all(cell.font.bold for cell in sheet[header_row])
    assert sheet.column_dimensions["C"].width >= 40
    assert sheet.freeze_panes == f"A{header_row + 1}"

    first = [cell.value for cell in sheet[header_row + 1]]
    row = rows[0]
    assert first[:4] == [1, row.code, row.procedure_name, "Nguyễn Thị Ánh Tuyết 1"]
    # dates are Excel dates (wall-clock time in Vietnam), not text
    received = sheet.cell(row=header_row + 1, column=5)
    assert received.is_date
    assert received.value == dt.datetime(2026, 11, 3, 9, 5)
    assert received.number_format == "dd/mm/yyyy hh:mm"
    returned = sheet.cell(row=header_row + 1, column=7)
    assert returned.is_date
    assert returned.value == dt.datetime(2026, 11, 5)  # openpyxl reads every date back as a datetime
    assert returned.number_format == "dd/mm/yyyy"
    assert sheet.cell(row=header_row + 3, column=7).value is None  # not returned yet
    assert sheet.cell(row=header_row + 1, column=8).value == "Đã trả kết quả"
    # a name that looks like a formula stays a name
    last = sheet.cell(row=header_row + 4, column=4)
    assert last.value == '=HYPERLINK("http://x","Bấm")'
    assert last.data_type == "s"
    assert sheet.max_row == header_row + len(rows)


# --- Bodies edited by administrators -------------------------------------------------------------------

CUSTOM_REFUSAL = """{% load i18n document_tags %}
<h1 class="doc-title">PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ (MẪU CỦA TỈNH)</h1>
<p>Kính gửi ông/bà {{ applicant_name }}, hồ sơ {{ dossier_code }} không được tiếp nhận.</p>
<p>Lý do: {{ reason }}</p>
<p>Ngày nộp: {{ submitted_at|date_words }}. Cán bộ: {{ officer_name }}</p>
"""


def test_an_active_template_of_an_administrator_replaces_the_body(db):
    template = SlipTemplate(kind=SlipKind.REFUSAL, language="vi", body_html=CUSTOM_REFUSAL, is_active=True)
    template.full_clean()
    template.save()

    pdf = slips.refusal_slip_pdf(**REFUSAL)

    text = body_text(pdf)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ (MẪU CỦA TỈNH)" in text
    assert f"Kính gửi ông/bà Nguyễn Văn Ấn, hồ sơ {CODE} không được tiếp nhận." in text
    assert "Lý do: Hồ sơ không thuộc thẩm quyền giải quyết" in text
    assert "Ngày nộp: ngày 22 tháng 11 năm 2026. Cán bộ: Trần Thị Hường" in text
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" not in text  # the file template's title
    # the frame stays: motto, agency, QR code, place and date
    assert_frame(text, date_line="Huế, ngày 23 tháng 11 năm 2026")
    expected = qr_modules(QR_URL)
    (image,) = images(pdf, page=0)
    assert image_modules(image, len(expected)) == expected


def test_only_an_active_template_of_the_current_language_is_used(db):
    SlipTemplate.objects.create(kind=SlipKind.REFUSAL, language="vi", body_html="<p>BẢN NHÁP CHƯA DÙNG</p>")
    SlipTemplate.objects.create(kind=SlipKind.REFUSAL, language="en", body_html="<p>ENGLISH BODY</p>", is_active=True)
    context = slips.refusal_slip_context(**REFUSAL)

    html = slips.slip_html(SlipKind.REFUSAL, context)
    with translation.override("en"):
        english = slips.slip_html(SlipKind.REFUSAL, context)

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in html.upper()
    assert "BẢN NHÁP CHƯA DÙNG" not in html
    assert "ENGLISH BODY" not in html
    assert "ENGLISH BODY" in english


def test_an_edited_body_escapes_what_citizens_typed(db):
    context = slips.refusal_slip_context(**{**REFUSAL, "applicant_name": '<img src="x" onerror="alert(1)">Ấn'})
    html = slips.slip_html(SlipKind.REFUSAL, context, body_source=CUSTOM_REFUSAL)
    assert "<img src" not in html
    assert "&lt;img src=&quot;x&quot; onerror=&quot;alert(1)&quot;&gt;Ấn" in html


def test_a_template_that_fails_on_real_data_falls_back_to_the_file_template(db, caplog):
    # Saved without the checks (e.g. before they existed): the citizen still gets a slip.
    broken = SlipTemplate.objects.create(
        kind=SlipKind.REFUSAL, language="vi", body_html='{% include "documents/khong-co.html" %}', is_active=True
    )
    with caplog.at_level(logging.ERROR, logger="dichvucong.documents.slips"):
        html = slips.slip_html(SlipKind.REFUSAL, slips.refusal_slip_context(**REFUSAL))
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này" in html
    assert f"Slip template {broken.pk}" in caplog.text


@pytest.mark.parametrize("kind", list(SlipKind))
def test_every_default_body_is_a_valid_starting_point_for_an_administrator(kind):
    assert slip_template_problems(default_body_source(kind), kind=kind) == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "Nội dung mẫu không được để trống."),
        ("<p>{% if reason %}{{ reason }}</p>", "Cú pháp mẫu không hợp lệ (dòng 1): Unclosed tag"),
        ("<p>\n{{ reason|khong_co }}</p>", "Cú pháp mẫu không hợp lệ (dòng 2)"),
        ("{% load static %}<img src=\"{% static 'x.png' %}\">", "không được nạp thư viện thẻ “static”"),
        ("{% load humanize i18n %}", "không được nạp thư viện thẻ “humanize”"),
        ("{% load querystring from humanize %}", "không được nạp thư viện thẻ “humanize”"),
        ('{% include "/etc/passwd" %}', "{% include %} chỉ được dùng với tên một mẫu trong thư mục documents/"),
        ('{% include "documents/../../../../settings.py" %}', "“documents/../../../../settings.py” không được phép"),
        ('{% include "accounts/login.html" %}', "“accounts/login.html” không được phép"),
        ("{% include template_name %}", "“template_name” không được phép"),
        ('{% extends "admin/base.html" %}', "{% extends %} chỉ được dùng với tên một mẫu trong thư mục documents/"),
        ("<p>\n\n{% debug %}</p>", "Dòng 3: không được dùng thẻ {% debug %}"),
        ("{% autoescape off %}{{ reason }}{% endautoescape %}", "không được dùng thẻ {% autoescape %}"),
        ("<p>{{ reason|safe }}</p>", "không được dùng bộ lọc “safe”/“safeseq”"),
        ("{% with r=reason|safe %}{{ r }}{% endwith %}", "không được dùng bộ lọc “safe”/“safeseq”"),
        ("{% filter upper|safe %}{{ reason }}{% endfilter %}", "không được dùng bộ lọc “safe”/“safeseq”"),
        ("<script>alert(1)</script>", "không được dùng thẻ HTML <script>"),
        ('<p>x</p>\n<iframe src="https://example.com"></iframe>', "Dòng 2: không được dùng thẻ HTML <iframe>"),
        ('<link rel="stylesheet" href="https://example.com/x.css">', "không được dùng thẻ HTML <link>"),
        ('<p onclick="steal()">{{ reason }}</p>', "không được dùng thuộc tính sự kiện"),
        ('<img src="file:///etc/passwd">', "không được dùng địa chỉ “file:”"),
        ('<a href="javascript:alert(1)">x</a>', "không được dùng địa chỉ “javascript:”"),
        ('{% include "documents/khong-co.html" %}', "Không tìm thấy mẫu “documents/khong-co.html”"),
        ('{% url "khong-co-duong-dan" %}', "Mẫu không hiển thị được với dữ liệu mẫu (dòng 1): NoReverseMatch"),
    ],
)
def test_a_bad_template_is_refused_with_a_clear_message(source, message):
    problems = slip_template_problems(source, kind=SlipKind.REFUSAL)
    assert problems
    assert any(message in problem for problem in problems), problems


def test_the_model_refuses_a_bad_body_and_a_second_active_template(db):
    SlipTemplate.objects.create(
        kind=SlipKind.RECEIPT, language="vi", body_html="<p>{{ applicant_name }}</p>", is_active=True
    )

    with pytest.raises(ValidationError) as bad:
        SlipTemplate(kind=SlipKind.RECEIPT, language="vi", body_html="{% load static %}").full_clean()
    with pytest.raises(ValidationError) as second:
        SlipTemplate(
            kind=SlipKind.RECEIPT, language="vi", body_html="<p>{{ officer_name }}</p>", is_active=True
        ).full_clean()

    assert "không được nạp thư viện thẻ “static”" in bad.value.message_dict["body_html"][0]
    assert "Đã có một mẫu đang dùng cho loại văn bản và ngôn ngữ này" in str(second.value)
    # another language, or a draft, is fine
    SlipTemplate(
        kind=SlipKind.RECEIPT, language="en", body_html="<p>{{ officer_name }}</p>", is_active=True
    ).full_clean()
    SlipTemplate(kind=SlipKind.RECEIPT, language="vi", body_html="<p>{{ officer_name }}</p>").full_clean()


def test_sample_contexts_are_made_by_the_builders_of_each_kind():
    for kind in SlipKind:
        context = sample_context(kind)
        assert context["kind"] == kind.value
        assert context["title"] == kind.label


# --- The administrator's pages -------------------------------------------------------------------------


@pytest.fixture
def admin_client(db, client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    force_login_verified(client, UserFactory(sysadmin=True))
    return client


def test_an_administrator_starts_from_the_default_body_and_a_broken_one_is_refused(admin_client):
    add_url = reverse("admin:documents_sliptemplate_add")
    changelist = admin_client.get(reverse("admin:documents_sliptemplate_changelist")).content.decode()
    assert f"{add_url}?kind=receipt" in changelist
    assert reverse("admin:documents_sliptemplate_default_preview", args=["control"]) in changelist

    form = admin_client.get(add_url, {"kind": "receipt"}).content.decode()
    assert "Thành phần hồ sơ nộp gồm:" in form  # the file template, ready to edit

    fields = {"kind": "receipt", "language": "vi", "is_active": "on"}
    broken = admin_client.post(add_url, {**fields, "body_html": "<p>{% if applicant_name %}</p>"})
    forbidden = admin_client.post(add_url, {**fields, "body_html": '{% include "accounts/login.html" %}'})
    saved = admin_client.post(
        add_url, {**fields, "body_html": '{% include "documents/slips/receipt.html" %}<p>Thêm</p>'}
    )

    assert broken.status_code == 200
    assert "Cú pháp mẫu không hợp lệ" in broken.content.decode()
    assert forbidden.status_code == 200
    assert "chỉ được dùng với tên một mẫu trong thư mục documents/" in forbidden.content.decode()
    assert saved.status_code == 302
    template = SlipTemplate.objects.get()
    assert template.is_active
    assert template.updated_by is not None
    page = admin_client.get(reverse("admin:documents_sliptemplate_change", args=[template.pk])).content.decode()
    assert reverse("admin:documents_sliptemplate_preview", args=[template.pk]) in page
    assert "{{ applicant_name }}" in page  # the variables the body can use


def test_an_administrator_previews_a_draft_with_the_sample_data(admin_client):
    draft = SlipTemplate.objects.create(
        kind=SlipKind.SUPPLEMENT, language="vi", body_html="<h1>PHIẾU BỔ SUNG MẪU MỚI</h1><p>{{ applicant_name }}</p>"
    )

    response = admin_client.get(reverse("admin:documents_sliptemplate_preview", args=[draft.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = body_text(response.content)
    assert "PHIẾU BỔ SUNG MẪU MỚI" in text
    assert "Nguyễn Văn Ấn" in text  # from the sample data
    assert MOTTO in text
    # a preview is only a preview: the draft is not used for real slips
    assert "PHIẾU BỔ SUNG MẪU MỚI" not in slips.slip_html(
        SlipKind.SUPPLEMENT, slips.supplement_slip_context(**SUPPLEMENT)
    )


def test_the_admin_pages_are_for_administrators_only(db, client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:documents_sliptemplate_default_preview", args=["receipt"]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_records_are_taken_as_instances_tuples_or_mappings_and_a_misspelt_field_is_an_error():
    context = slips.receipt_slip_context(**RECEIPT)
    assert [c.name for c in context["components"]][1:] == ["Giấy chứng sinh", "Giấy chứng nhận kết hôn của cha, mẹ"]
    assert context["components"][2].copies == 2
    with pytest.raises(TypeError):
        slips.receipt_slip_context(**{**RECEIPT, "components": [{"ten": "Giấy chứng sinh"}]})


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (dt.datetime(2026, 2, 5, 7, 30, tzinfo=VN), "07 giờ 30 phút, ngày 05 tháng 02 năm 2026"),
        # 17:30 UTC on 28 February is 00:30 on 1 March in Vietnam
        (dt.datetime(2026, 2, 28, 17, 30, tzinfo=dt.UTC), "00 giờ 30 phút, ngày 01 tháng 3 năm 2026"),
        (dt.date(2026, 12, 2), "ngày 02 tháng 12 năm 2026"),
        (None, ""),
    ],
)
def test_dates_are_written_out_in_words(when, expected):
    from dichvucong.documents.pdf import datetime_words

    assert datetime_words(when) == expected
