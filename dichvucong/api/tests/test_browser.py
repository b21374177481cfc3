"""/api/v1/docs in Chromium under the portal's Content-Security-Policy: Swagger UI from our own static files."""

from __future__ import annotations

import pytest

from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.dossiers.tests.test_browser import log_in

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


def test_a_citizen_creates_a_token_and_uses_it_in_the_docs(page, personas, screenshot):
    log_in(page, personas.citizen.username)
    page.goto("/tai-khoan/ma-truy-cap/")
    page.get_by_label("Tên gợi nhớ").fill("Phần mềm của hộ kinh doanh")
    page.get_by_label("Thời hạn").select_option("30")
    page.get_by_role("button", name="Tạo mã truy cập").click()
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("dvc_")
    assert page.get_by_text("Còn hiệu lực").is_visible()
    screenshot(page, "token-created")

    page.goto("/api/v1/docs")
    page.get_by_role("button", name="Authorize").first.click()
    page.locator(".auth-container input").first.fill(secret)
    page.locator("button.modal-btn.auth.authorize").first.click()
    page.locator("button.modal-btn.btn-done").first.click()
    page.get_by_text("/api/v1/dossiers/folders", exact=True).first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.locator(".live-responses-table .response-col_status").filter(has_text="200").first.wait_for()
    assert "Hồ sơ chưa gửi" in page.locator(".live-responses-table").inner_text()
