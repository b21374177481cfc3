"""Issue 7 in Debian's Chromium: the desk asks for the fee before reception, the citizen pays through
the sandbox bank (VNPay's protocol, signed redirect and IPN), the dossier is back in the reception
queue, and the citizen downloads the receipt, whose text is checked."""

from __future__ import annotations

import io
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from dichvucong.core.testing.personas import make_officer
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory
from dichvucong.payments.tests.test_payments import CRIMINAL_RECORD_FEES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(browser, live_server, username: str, device: TOTPDevice | None = None):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_role("textbox", name="Tài khoản").fill(username)
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    if device is not None:
        page.get_by_role("textbox").first.fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button").filter(has_text=re.compile("Xác nhận|Xác thực")).first.click()
    page.wait_for_url(lambda address: "/dang-nhap/" not in address and "xac-thuc-hai-lop" not in address)
    return context, page


def test_fee_before_reception_paid_through_the_sandbox_bank_with_a_receipt(browser, live_server, personas, screenshot):
    from playwright.sync_api import expect

    from dichvucong.catalog.tests.factories import make_procedure

    procedure = make_procedure(
        "2.000488", "Cấp Phiếu lý lịch tư pháp", agencies=[personas.agency_a.code], fees=CRIMINAL_RECORD_FEES
    )
    draft = DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen)
    Dossier.objects.filter(pk=draft.pk).update(eform_data={"so_phieu": 4})
    dossier = dossier_transition(dossier_id=draft.pk, action=DossierAction.SUBMIT, actor=personas.citizen)
    desk = make_officer(UserFactory(officer=True, username="motcua.a"), personas.agency_a, OfficerRole.ONE_STOP)
    device = TOTPDevice.objects.create(user=desk, name="test", confirmed=True)

    # The desk asks for the fee before receiving the dossier.
    desk_context, desk_page = log_in(browser, live_server, "motcua.a", device)
    desk_page.goto(f"/mot-cua/ho-so/{dossier.code}/")
    desk_page.locator("summary", has_text="Yêu cầu thanh toán phí, lệ phí").click()
    desk_page.locator("details[open] form").get_by_role("button", name=re.compile("^Xác nhận")).click()
    expect(desk_page.get_by_text("Đã thực hiện: Yêu cầu thanh toán phí, lệ phí.")).to_be_visible()
    expect(desk_page.get_by_role("heading", name="Phí, lệ phí")).to_be_visible()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.PAYMENT_REQUESTED

    # The citizen finds it in Hồ sơ chờ thanh toán and pays from the Thanh toán menu.
    citizen_context, citizen = log_in(browser, live_server, personas.citizen.username)
    citizen.goto("/ho-so/?thu-muc=cho-thanh-toan")
    expect(citizen.locator(".dossier-card", has_text=dossier.code)).to_be_visible()
    citizen.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Thanh toán").click()
    citizen.get_by_label("Mã hồ sơ").fill(dossier.code)
    citizen.get_by_role("button", name="Thực hiện").click()
    expect(citizen.get_by_text("235.000 đ")).to_be_visible()
    screenshot(citizen, "fees")
    citizen.get_by_role("button", name="Thanh toán").click()
    expect(citizen.get_by_text("NGÂN HÀNG THỬ NGHIỆM")).to_be_visible()
    expect(citizen.get_by_text("235.000 đ")).to_be_visible()
    screenshot(citizen, "sandbox-bank")
    citizen.get_by_role("button", name="Xác nhận thanh toán").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Thanh toán thành công")
    screenshot(citizen, "paid")
    # The receipt opens inline in the browser's PDF viewer; read the same bytes it gets.
    link = citizen.get_by_role("link", name="Tải biên lai thanh toán")
    receipt = citizen.request.get(link.get_attribute("href"))
    assert receipt.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(receipt.body())).pages)
    for expected in (
        "BIÊN LAI THANH TOÁN",
        dossier.code,
        "235.000",
        "Hai trăm ba mươi lăm nghìn đồng",
        "Nguyễn Văn An",
    ):
        assert expected in text, expected

    # The dossier is back in the desk's reception queue.
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED
    desk_page.goto("/mot-cua/?hang-doi=cho-tiep-nhan")
    expect(desk_page.locator("tr", has_text=dossier.code)).to_be_visible()
    desk_context.close()
    citizen_context.close()
