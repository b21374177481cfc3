"""Registration as a person does it, in Debian's Chromium: the OTP is read from the SMS outbox."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from dichvucong.notifications.services import notification_templates_reset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Hue@2026-song"


@pytest.fixture
def outbox_reader(browser, live_server):
    """A system administrator's browser on the development SMS outbox (with TOTP, as in production)."""
    notification_templates_reset()  # live-server tests start from an emptied database
    admin = UserFactory(username="quantri.outbox", sysadmin=True)
    device = TOTPDevice.objects.create(user=admin, name="test", confirmed=True)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_role("textbox", name="Tài khoản").fill("quantri.outbox")
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("textbox").first.fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button").filter(has_text=re.compile("Xác nhận|Xác thực")).first.click()

    def read_code(phone: str) -> str:
        page.goto("/admin/notifications/sms-outbox/")
        row = page.locator("tr", has_text=phone).first
        return re.search(r"\b(\d{6})\b", row.inner_text()).group(1)

    yield read_code
    context.close()


def test_citizen_registers_activates_logs_in_edits_profile_and_logs_out(page, outbox_reader, screenshot):
    page.goto("/")
    page.get_by_role("link", name="Đăng ký", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản")
    page.get_by_label("Công dân").check()
    page.get_by_label("Thuê bao di động (mã OTP qua SMS)").check()
    screenshot(page, "1-subject")
    page.get_by_role("button", name="Tiếp tục").click()

    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Số CCCD", exact=False).first.fill("046195001122")
    page.get_by_label("Ngày sinh").fill("1995-03-08")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Số điện thoại di động").fill("0912345678")
    page.get_by_label("Xã/phường/đặc khu").select_option(label="Phường Thuận Hóa")
    page.get_by_label("Số nhà, đường, thôn/tổ").fill("12 Lê Lợi")
    page.locator("#id_password1").fill("matkhau")  # too weak first
    page.locator("#id_password2").fill("matkhau")
    page.get_by_role("button", name="Đăng ký").last.click()

    expect(page.get_by_role("alert")).to_contain_text("Vui lòng kiểm tra lại thông tin")
    expect(page.get_by_role("alert")).to_contain_text("Mật khẩu phải có ít nhất 8 ký tự.")
    expect(page.get_by_label("Họ và tên")).to_have_value("Trần Thị Mai")  # nothing typed is lost
    screenshot(page, "2-weak-password")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực tài khoản")
    expect(page.get_by_text("0912345678")).to_be_visible()
    screenshot(page, "3-otp")
    page.get_by_label("Mã OTP").fill(outbox_reader("+84912345678"))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_text("Đăng ký tài khoản thành công.")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("link", name="Đăng nhập", exact=True).click()
    page.get_by_role("textbox", name="Tài khoản").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Thông tin cá nhân")).to_be_visible()
    page.get_by_label("Số nhà, đường, thôn/tổ").fill("14 Lê Lợi")
    page.get_by_role("button", name="Cập nhật").click()
    expect(page.get_by_text("Đã cập nhật thông tin cá nhân.")).to_be_visible()
    expect(page.get_by_label("Số nhà, đường, thôn/tổ")).to_have_value("14 Lê Lợi")
    screenshot(page, "4-profile")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()


def test_enterprise_registers_by_tax_code(page, outbox_reader, screenshot):
    page.goto("/tai-khoan/dang-ky/?doi-tuong=doanh-nghiep&xac-thuc=sdt")
    page.get_by_label("Tên doanh nghiệp").fill("Công ty TNHH Sông Hương")
    page.get_by_label("Mã số thuế").fill("0100109107")  # wrong check digit first
    page.get_by_label("Họ và tên người đại diện").fill("Lê Văn Hòa")
    page.get_by_label("Số CCCD người đại diện").fill("046080002233")
    page.get_by_label("Số điện thoại di động").fill("0935111222")
    page.get_by_label("Xã/phường/đặc khu").select_option(label="Phường Phú Xuân")
    page.get_by_label("Số nhà, đường, thôn/tổ").fill("5 Hà Nội")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").last.click()
    expect(page.get_by_role("alert")).to_contain_text("Mã số thuế không hợp lệ (sai chữ số kiểm tra).")

    page.get_by_label("Mã số thuế").fill("0100109106")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").last.click()
    page.get_by_label("Mã OTP").fill(outbox_reader("+84935111222"))
    page.get_by_role("button", name="Xác nhận").click()

    expect(page.get_by_text("Đăng ký tài khoản thành công.")).to_be_visible()
    expect(page.get_by_text("0100109106")).to_be_visible()
    screenshot(page, "enterprise-profile")


def test_registration_at_360_px(mobile_page, screenshot):
    mobile_page.goto("/tai-khoan/dang-ky/?doi-tuong=cong-dan&xac-thuc=sdt")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(mobile_page, "registration-360")
