"""A picture of the declaration for people to look at: Chromium draws the same HTML and stylesheet
WeasyPrint prints (there is no PDF rasteriser here, and WeasyPrint no longer writes PNG)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from dichvucong.catalog.eforms import display_rows
from dichvucong.documents.declaration import DECLARATION_TEMPLATE, declaration_context
from dichvucong.documents.pdf import INTERNAL_BASE_URL, FetchRefusedError, LocalOnlyURLFetcher
from dichvucong.documents.tests.test_declaration import (
    BIRTH,
    BIRTH_PAYLOAD,
    CODE,
    COMPONENTS,
    OWNER,
    PRINTED_AT,
    QR_URL,
    SUBMITTED_AT,
)

PAGE_URL = INTERNAL_BASE_URL + "to-khai.html"


@pytest.mark.browser
def test_declaration_of_a_birth_registration_as_a_picture(browser, screenshot):
    html = render_to_string(
        DECLARATION_TEMPLATE,
        declaration_context(
            title=BIRTH["title"],
            procedure_name="Đăng ký khai sinh",
            procedure_code="1.001193",
            agency_name="Ủy ban nhân dân phường An Cựu",
            rows=display_rows(BIRTH, BIRTH_PAYLOAD),
            owner=OWNER,
            dossier_code=CODE,
            qr_url=QR_URL,
            submitted_at=SUBMITTED_AT,
            place="Huế",
            printed_at=PRINTED_AT,
            components=COMPONENTS,
        ),
    )
    fetcher = LocalOnlyURLFetcher(base_url=INTERNAL_BASE_URL)
    requested: list[str] = []

    def serve(route) -> None:
        # The browser gets exactly what WeasyPrint would: our files, nothing from outside.
        url = route.request.url
        requested.append(url)
        if url == PAGE_URL:
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
            return
        try:
            response = fetcher.fetch(url)
        except FetchRefusedError:
            route.abort()
            return
        route.fulfill(body=response.read(), content_type=response.content_type)

    context = browser.new_context(viewport={"width": 900, "height": 1200}, locale="vi-VN")
    try:
        page = context.new_page()
        page.route("**/*", serve)
        page.goto(PAGE_URL)
        assert page.locator("h1").inner_text() == "TỜ KHAI ĐĂNG KÝ KHAI SINH"
        assert page.locator(".doc-qr__code").inner_text() == CODE
        assert page.locator(".doc-qr__image").evaluate("image => image.naturalWidth") > 0
        # the print stylesheet was applied: the serif face and the underlined slogan
        slogan = page.locator(".doc-motto__slogan")
        assert slogan.evaluate("e => getComputedStyle(e).borderBottomStyle") == "solid"
        assert INTERNAL_BASE_URL + "static/documents/print.css" in requested
        path = screenshot(page, "to-khai-dang-ky-khai-sinh")
        assert path.stat().st_size > 10_000
    finally:
        context.close()
