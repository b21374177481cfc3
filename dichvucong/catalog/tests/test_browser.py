"""The catalogue as a citizen uses it, in Debian's Chromium, at desktop and 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dichvucong.agencies.tests.factories import AgencyFactory
from dichvucong.catalog.tests.factories import BIRTH_FAMILY, make_procedure
from dichvucong.core.testing.browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    commune = AgencyFactory(code="000.60.01.H57", name="Ủy ban nhân dân phường Thuận Hóa", commune=True)
    for code, name, popularity in BIRTH_FAMILY:
        make_procedure(
            code,
            name,
            popularity=popularity,
            agencies=[commune.code],
            processing_time=0,
            same_day_cutoff="15:00" if code == "1.001193" else None,
            fees=[
                {
                    "fee_type": "le_phi",
                    "name": "Lệ phí đăng ký",
                    "amount": 0,
                    "exemption": "Miễn lệ phí đăng ký khai sinh đúng hạn",
                }
            ],
            components=[
                {"name": "Tờ khai đăng ký khai sinh", "originals": 1},
                {"name": "Giấy chứng sinh", "originals": 1, "document_type": "giay_chung_sinh"},
            ],
        )


def test_search_then_detail(page, catalogue, screenshot):
    page.goto("/")
    page.get_by_label("Tên thủ tục hoặc từ khóa").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục hành chính")
    results = page.locator(".result__title")
    expect(results.first).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_text("Tìm thấy")).to_be_visible()
    screenshot(page, "search-desktop")

    results.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_text("Trong ngày (hồ sơ nhận sau 15:00 trả vào ngày làm việc tiếp theo)")).to_be_visible()
    expect(page.get_by_role("cell", name="Giấy chứng sinh")).to_be_visible()
    expect(page.get_by_text("Miễn lệ phí đăng ký khai sinh đúng hạn")).to_be_visible()
    screenshot(page, "detail-desktop")

    page.get_by_role("link", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")  # log in first


def test_agency_filter_in_the_left_column(page, catalogue):
    page.goto("/thu-tuc-hanh-chinh/")
    page.get_by_role("navigation", name="Cơ quan tiếp nhận").get_by_role(
        "link", name="Ủy ban nhân dân phường Thuận Hóa"
    ).click()
    expect(page.get_by_text("Tìm thấy 7 thủ tục")).to_be_visible()


def test_search_and_detail_at_360_px(mobile_page, catalogue, screenshot):
    mobile_page.goto("/thu-tuc-hanh-chinh/?q=khai+sinh")
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(mobile_page, "search-360")
    mobile_page.goto("/thu-tuc-hanh-chinh/1.001193/")
    screenshot(mobile_page, "detail-360")
    wide = mobile_page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360, wide


@pytest.mark.parametrize("path", ["/thu-tuc-hanh-chinh/?q=khai+sinh", "/thu-tuc-hanh-chinh/1.001193/"])
def test_catalogue_pages_have_no_serious_accessibility_violations(axe_page, catalogue, path):
    axe_page.goto(path)
    assert axe_violations(axe_page) == []
