"""The QR code of a real slip, read from its pixels, leads Chromium to the verification page, where the
same PDF is confirmed byte for byte and a modified one is not."""

from __future__ import annotations

import hashlib

import pytest

from dichvucong.dossiers.slips import dossier_slip_pdf
from dichvucong.dossiers.tests.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def qr_codes_of(pdf: bytes) -> list[str]:
    """The QR codes printed on the first page, as a phone would read them off the paper."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [
        barcode.text for barcode in zxingcpp.read_barcodes(image) if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]


def test_the_qr_code_of_a_receipt_leads_to_its_verification_page(page, personas, live_server, settings, screenshot):
    from playwright.sync_api import expect

    settings.PORTAL_BASE_URL = live_server.url
    dossier = DossierFactory(
        applicant=personas.citizen, agency=personas.agency_a, received=True, owner_name="Nguyễn Văn An"
    )
    pdf = dossier_slip_pdf(dossier=dossier, kind="receipt")
    [url] = qr_codes_of(pdf)
    assert url.startswith(f"{live_server.url}/xac-thuc/")

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực văn bản")
    expect(page.locator("[data-sha256]")).to_have_text(hashlib.sha256(pdf).hexdigest())
    expect(page.get_by_text(personas.agency_a.name)).to_be_visible()
    expect(page.get_by_text("Nguyễn V*** A")).to_be_visible()
    screenshot(page, "xac-thuc")

    page.get_by_label("Tệp PDF").set_input_files(
        files=[{"name": "giay-tiep-nhan.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator('[data-verdict="identical"]')).to_contain_text("trùng khớp từng byte")
    screenshot(page, "ban-dung")

    modified = bytearray(pdf)
    modified[len(pdf) // 2] ^= 0x01
    page.get_by_label("Tệp PDF").set_input_files(
        files=[{"name": "giay-tiep-nhan.pdf", "mimeType": "application/pdf", "buffer": bytes(modified)}]
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator('[data-verdict="different"]')).to_contain_text("KHÔNG phải là văn bản đã phát hành")
    screenshot(page, "ban-da-sua")

    page.goto("/xac-thuc/khong-co-van-ban-nay/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy văn bản")
