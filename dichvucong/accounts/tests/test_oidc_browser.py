"""Single sign-on as a person does it, in Debian's Chromium, against the sandbox identity provider."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dichvucong.accounts.models import OidcIdentity, User
from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from dichvucong.core.testing.browser import MOBILE, _context
from dichvucong.idp_sandbox.testing import sandbox_configure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VNEID = "Đăng nhập bằng tài khoản định danh điện tử (VNeID)"
DVCQG = "Đăng nhập bằng tài khoản Cổng Dịch vụ công quốc gia"


@pytest.fixture
def idp(live_server, settings):
    sandbox_configure(settings, live_server.url)
    return live_server


def test_first_login_with_vneid_creates_the_account(idp, page, screenshot):
    page.goto("/tai-khoan/dang-nhap/")
    expect(page.get_by_role("link", name=DVCQG)).to_be_visible()
    screenshot(page, "1-login")
    page.get_by_role("link", name=VNEID).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập và đồng ý chia sẻ thông tin")
    expect(page.get_by_text("NHÀ CUNG CẤP ĐỊNH DANH THỬ NGHIỆM")).to_be_visible()
    page.get_by_label("Trần Thị Bình — 046185000456").check()
    screenshot(page, "2-consent")
    page.get_by_role("button", name="Đồng ý").click()

    expect(page.get_by_text("Đăng nhập bằng VNeID thành công.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/tai-khoan/$"))
    user = User.objects.get(national_id="046185000456")
    assert user.full_name == "Trần Thị Bình"
    page.get_by_role("link", name="Định danh điện tử").click()
    expect(page.get_by_role("cell", name="VNeID", exact=True)).to_be_visible()
    expect(page.get_by_text("Đây là cách đăng nhập duy nhất của tài khoản.")).to_be_visible()
    screenshot(page, "3-identities")


def test_refusing_on_the_consent_page_returns_to_the_login_page(idp, page):
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_role("link", name=DVCQG).click()
    page.get_by_role("button", name="Từ chối").click()
    expect(page.get_by_text("Bạn đã từ chối chia sẻ thông tin với Cổng.")).to_be_visible()
    assert not User.objects.exists()


def test_an_existing_account_must_prove_ownership_before_linking(idp, page, screenshot):
    an = UserFactory(
        username="046090001234",
        national_id="046090001234",
        full_name="Nguyễn Văn An",
        phone="+84905123456",
        phone_verified_at=timezone.now(),
    )
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_role("link", name=VNEID).click()
    page.get_by_label("Nguyễn Văn An — 046090001234").check()
    page.get_by_role("button", name="Đồng ý").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận chủ tài khoản")
    expect(page.get_by_text("Số CCCD 046******234 đã có tài khoản trên Cổng Dịch vụ công.")).to_be_visible()
    expect(page.get_by_role("button", name="Gửi mã OTP")).to_be_visible()
    screenshot(page, "1-proof")
    page.get_by_label("Mật khẩu của tài khoản trên Cổng").fill("sai-mat-khau")
    page.get_by_role("button", name="Xác nhận và liên kết").click()
    expect(page.get_by_text("Mật khẩu không đúng.")).to_be_visible()
    assert not OidcIdentity.objects.exists()

    page.get_by_label("Mật khẩu của tài khoản trên Cổng").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Xác nhận và liên kết").click()
    expect(page.get_by_text("Đã liên kết tài khoản VNeID và đăng nhập.")).to_be_visible()
    assert OidcIdentity.objects.get().user == an
    assert User.objects.filter(national_id="046090001234").count() == 1


def test_the_pages_at_360_px(idp, browser, live_server, screenshot):
    UserFactory(username="046090001234", national_id="046090001234", phone="+84905123456")
    context = _context(browser, MOBILE, base_url=live_server.url, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/tai-khoan/dang-nhap/")
    screenshot(page, "1-login-360")
    page.get_by_role("link", name=VNEID).click()
    screenshot(page, "2-consent-360")
    page.get_by_label("Nguyễn Văn An — 046090001234").check()
    page.get_by_role("button", name="Đồng ý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận chủ tài khoản")
    screenshot(page, "3-proof-360")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    context.close()


def test_login_consent_and_proof_pages_have_no_serious_accessibility_violation(idp, axe_page):
    from dichvucong.core.testing.browser import axe_violations

    UserFactory(username="046090001234", national_id="046090001234", phone="+84905123456")
    axe_page.set_default_timeout(15_000)
    axe_page.goto(f"{idp.url}/tai-khoan/dang-nhap/")
    assert axe_violations(axe_page) == []
    axe_page.get_by_role("link", name=VNEID).click()
    assert axe_violations(axe_page) == []
    axe_page.get_by_role("button", name="Đồng ý").click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Xác nhận chủ tài khoản")
    assert axe_violations(axe_page) == []
