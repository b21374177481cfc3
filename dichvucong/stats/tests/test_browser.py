"""/thong-ke/ in Debian's Chromium at 1280 and 360 px: the chart, its table, no CSP breakage."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from dichvucong.core.testing.browser import axe_violations
from dichvucong.stats.services import snapshot_store_range
from dichvucong.stats.tests.month import build_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOVEMBER = "/thong-ke/?tu_ngay=2026-11-01&den_ngay=2026-11-30"


@pytest.fixture
def november():
    month = build_month()
    snapshot_store_range(first=dt.date(2026, 10, 26), last=dt.date(2026, 11, 30))
    return month


def test_statistics_at_desktop_and_360_px(page, mobile_page, november, screenshot):
    url = f"{NOVEMBER}&co_quan={november.agency.code}"
    for shown, name in ((page, "desktop"), (mobile_page, "360")):
        shown.goto(url)
        expect(shown.get_by_role("heading", level=1)).to_have_text("Thống kê tình hình tiếp nhận, giải quyết hồ sơ")
        expect(shown.get_by_role("img", name="Số hồ sơ theo từng loại trong kỳ")).to_be_visible()
        table = shown.get_by_role("table", name="Số hồ sơ theo từng loại, tỷ lệ trong kỳ")
        expect(table).to_contain_text("Tổng cộng")
        # The stylesheet loaded under the CSP: the late bar is red.
        fill = shown.evaluate("getComputedStyle(document.querySelector('.stats-chart__bar--bad')).fill")
        assert fill == "rgb(185, 28, 28)"
        screenshot(shown, name)
    # At 360 px the wide table scrolls inside its wrapper instead of widening the page.
    assert mobile_page.evaluate("document.documentElement.scrollWidth") <= 360


def test_statistics_page_has_no_serious_accessibility_violations(axe_page, november):
    axe_page.goto(NOVEMBER)
    assert axe_violations(axe_page) == []
