"""/api/v1/docs in Chromium under the portal's Content-Security-Policy: Swagger UI from our own static files."""

from __future__ import annotations

import pytest

from dichvucong.catalog.tests.factories import make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_work_under_the_csp_and_try_a_request(page, live_server, screenshot):
    make_procedure("1.001193", "Đăng ký khai sinh")
    violations: list[str] = []
    external: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("request", lambda req: None if req.url.startswith(live_server.url) else external.append(req.url))
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").filter(has_text="API Cổng Dịch vụ công").wait_for()
    page.get_by_text("/api/v1/procedures", exact=True).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".live-responses-table .response-col_status").filter(has_text="200").first.wait_for()
    assert "Đăng ký khai sinh" in page.locator(".live-responses-table").inner_text()
    screenshot(page, "swagger")
    assert violations == []
    assert external == []
