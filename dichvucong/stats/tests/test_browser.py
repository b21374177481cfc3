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
        table = shown.get_by_role("table", name="Bảng 1. Tiếp nhận và giải quyết hồ sơ trong kỳ")
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


def _log_in(page, live_server, user) -> None:
    from django.test import Client

    from dichvucong.core.testing.personas import force_login_verified

    client = Client()
    force_login_verified(client, user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


OFFICER_NOVEMBER = "/mot-cua/thong-ke/?tu_ngay=2026-11-01&den_ngay=2026-11-30"


def test_officers_dashboard_at_desktop_and_360_px(page, mobile_page, axe_page, live_server, november, screenshot):
    from dichvucong.agencies.tests.factories import AgencyFactory
    from dichvucong.dossiers.tests.factories import desk_officer

    other = AgencyFactory(name="Cơ quan khác không được xem")
    officer = desk_officer(november.agency)
    for shown, name, width in ((page, "desktop", 1280), (mobile_page, "360", 360)):
        _log_in(shown, live_server, officer)
        shown.goto(OFFICER_NOVEMBER)
        expect(shown.get_by_role("heading", level=1)).to_have_text("Thống kê của cơ quan")
        expect(shown.get_by_role("heading", level=2, name=november.agency.name)).to_be_visible()
        options = shown.locator("#id_co_quan option").all_inner_texts()
        assert options == ["Tất cả", november.agency.name]
        assert other.name not in shown.content()
        first = shown.get_by_role("table", name="Bảng 1. Tiếp nhận và giải quyết hồ sơ trong kỳ")
        second = shown.get_by_role(
            "table", name="Bảng 2. Hồ sơ đang giải quyết cuối kỳ, từ chối, rút hồ sơ và các tỷ lệ"
        )
        expect(first.locator("tfoot")).to_contain_text("Tổng cộng")
        expect(second.locator("tfoot")).to_contain_text("Tổng cộng")
        # November's 8 received dossiers, in the total row after the carried-over column.
        expect(first.locator("tfoot td").nth(1)).to_have_text("8")
        screenshot(shown, name)
        assert shown.evaluate("document.documentElement.scrollWidth") <= width
        if width == 1280:
            # Both tables fit the desktop screen: nothing to scroll sideways inside their wrappers.
            overflow = shown.evaluate(
                "[...document.querySelectorAll('.stats-table-wrap')].map(w => w.scrollWidth - w.clientWidth)"
            )
            assert overflow == [0, 0]
    _log_in(axe_page, live_server, officer)
    axe_page.goto(OFFICER_NOVEMBER)
    assert axe_violations(axe_page) == []
