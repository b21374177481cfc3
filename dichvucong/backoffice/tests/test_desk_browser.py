"""The desk journey in Chromium at 1280 px with the demo one-stop officer (TOTP as in test_browser)."""

from __future__ import annotations

import pytest

from dichvucong.backoffice.tests import test_browser
from dichvucong.dossiers.constants import DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.tests import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo data and the logged-in browsers of the back-office journey.
demo, people = test_browser.demo, test_browser.people


def test_desk_registers_scans_receives_and_prints_the_slip(people, screenshot, tmp_path):
    from playwright.sync_api import expect

    desk = people("motcua.thuanhoa")
    desk.goto("/mot-cua/")
    desk.get_by_role("link", name="Tiếp nhận hồ sơ trực tiếp").click()
    desk.get_by_label("Tìm thủ tục (mã hoặc tên)").fill("tạm trú")
    desk.get_by_role("button", name="Tìm").click()
    desk.get_by_label("Thủ tục hành chính").select_option(index=1)
    desk.get_by_label("Qua dịch vụ bưu chính").check()
    desk.get_by_label("Họ và tên chủ hồ sơ").fill("Phan Văn Quý")
    desk.get_by_label("Số CCCD", exact=True).fill("12345")  # a typing mistake first
    desk.get_by_role("button", name="Tiếp tục: tờ khai và số hóa giấy tờ").click()
    expect(desk.get_by_text("Số CCCD phải gồm đúng 12 chữ số.").first).to_be_visible()
    desk.get_by_label("Số CCCD", exact=True).fill("046190000999")
    desk.get_by_label("Số điện thoại", exact=True).fill("0905000999")
    screenshot(desk, "desk-open")
    desk.get_by_role("button", name="Tiếp tục: tờ khai và số hóa giấy tờ").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Số hóa hồ sơ")
    scan = tmp_path / "ban-quet.pdf"
    scan.write_bytes(samples.pdf_bytes("Bản quét giấy tờ"))
    for file_input in desk.locator("input[type=file]").all():
        file_input.set_input_files(str(scan))
    screenshot(desk, "desk-scan")
    desk.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Đã tiếp nhận hồ sơ")
    screenshot(desk, "desk-done")
    dossier = Dossier.objects.get(owner_national_id="046190000999")
    assert dossier.channel == IntakeChannel.POST
    assert dossier.status == DossierStatus.PROCESSING
    with desk.expect_popup() as popup:
        desk.get_by_role("link", name="In Giấy tiếp nhận hồ sơ và hẹn trả kết quả").click()
    response = desk.request.get(f"/mot-cua/ho-so/{dossier.code}/phieu/receipt/")
    assert response.headers["content-type"] == "application/pdf"
    popup.value.close()
