"""The portal in Debian's Chromium: what a citizen sees, at desktop and at 360 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dichvucong.core.testing.browser import axe_violations
from dichvucong.portal.tests.test_pages import MENU

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_in_vietnamese(page, screenshot):
    page.goto("/")

    expect(page).to_have_title("Trang chủ — Cổng Dịch vụ công Thành phố Huế")
    assert page.locator("html").get_attribute("lang") == "vi"
    menu = page.get_by_role("navigation", name="Menu chính")
    assert [label.strip() for label in menu.get_by_role("link").all_inner_texts()] == MENU
    expect(page.get_by_role("link", name="Đăng ký", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Đăng nhập", exact=True)).to_be_visible()
    expect(page.get_by_role("contentinfo")).to_contain_text("Đường dây nóng")
    # the page's own stylesheet and scripts loaded (nothing blocked by the CSP)
    assert page.evaluate("getComputedStyle(document.querySelector('.banner')).backgroundColor") == "rgb(165, 27, 27)"
    screenshot(page, "home-desktop")


def test_skip_link_is_the_first_focus_and_leads_to_the_content(page):
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "noi-dung"


def test_language_switch(page, screenshot):
    page.goto("/ho-tro/")

    page.get_by_role("button", name="English").click()

    expect(page).to_have_url(page.url)  # stays on the same page
    assert page.url.endswith("/ho-tro/")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Support")).to_be_visible()
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    screenshot(page, "support-english")

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("navigation", name="Menu chính")).to_be_visible()


def test_menu_at_360_px(mobile_page, screenshot):
    page = mobile_page
    page.goto("/")
    toggle = page.get_by_role("button", name="Menu")
    menu_list = page.locator("#main-menu")

    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu_list).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "no horizontal scrolling"
    screenshot(page, "home-360-closed")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu_list).to_be_visible()
    screenshot(page, "home-360-open")

    page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Tra cứu hồ sơ").click()
    page.wait_for_url("**/tra-cuu/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu hồ sơ")


def test_menu_without_javascript_stays_usable(browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, java_script_enabled=False, base_url=live_server.url
    )
    page = context.new_page()
    page.goto("/")

    expect(page.locator("#main-menu")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    page.get_by_role("button", name="English").click()  # a plain form post: no script needed
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


@pytest.mark.parametrize("path", ["/", "/ho-tro/", "/tra-cuu/"])
def test_no_serious_accessibility_violations(axe_page, path):
    axe_page.goto(path)

    assert axe_violations(axe_page) == []
