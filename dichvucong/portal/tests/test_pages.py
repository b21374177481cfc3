from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dichvucong.agencies.demo import load as load_demo_agencies

pytestmark = pytest.mark.django_db

MENU = [
    "Trang chủ",
    "Thủ tục hành chính",
    "Dịch vụ công trực tuyến",
    "Tra cứu hồ sơ",
    "Thanh toán",
    "Thống kê",
    "Hỗ trợ",
]
MENU_EN = [
    "Home",
    "Administrative procedures",
    "Online public services",
    "Look up a dossier",
    "Payment",
    "Statistics",
    "Support",
]
PAGES = [
    "portal:home",
    "portal:support",
    "catalog:search",
    "catalog:online_services",
    "portal:lookup",
    "payments:start",
    "portal:statistics",
    "accounts:register",
    "accounts:login",
]


def _menu_labels(html: str) -> list[str]:
    nav = html.split('id="main-menu"', 1)[1].split("</ul>", 1)[0]
    return [re.sub(r"\s+", " ", label).strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav)]


def test_home_page_is_vietnamese_with_the_layout_of_the_seeds(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # the browser's language is not enough
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert _menu_labels(html) == MENU
    assert ">Đăng ký</a>" in html
    assert ">Đăng nhập</a>" in html
    assert "CỔNG DỊCH VỤ CÔNG" in html.upper()
    assert "Thành phố Huế" in html
    assert "Đường dây nóng" in html
    assert "0234 3 822 222" in html
    assert response["Content-Language"] == "vi"


def test_home_page_has_landmarks_and_a_skip_link(client):
    html = client.get("/").content.decode()

    assert '<a class="skip-link" href="#noi-dung">' in html
    assert '<main id="noi-dung"' in html
    assert "<header" in html
    assert "<footer" in html
    assert 'aria-label="Menu chính"' in html
    assert 'aria-current="page"' in html
    # every input of the page has a label
    for input_id in re.findall(r'<input [^>]*id="([^"]+)"', html):
        assert f'for="{input_id}"' in html


def test_no_external_url_for_scripts_styles_or_fonts(client):
    html = client.get("/").content.decode()

    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html) + re.findall(r'<link[^>]*\shref="([^"]+)"', html)
    assert sources, "the page loads its assets"
    assert all(src.startswith("/static/") for src in sources), sources
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "no inline script (the CSP forbids it)"
    assert "@import" not in html
    assert "fonts.googleapis" not in html


def test_security_headers(client):
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", PAGES)
def test_every_menu_and_account_address_answers(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_public_addresses_of_the_design(client):
    assert reverse("catalog:search") == "/thu-tuc-hanh-chinh/"
    assert reverse("portal:lookup") == "/tra-cuu/"
    assert reverse("payments:start") == "/thanh-toan/"
    assert reverse("portal:statistics") == "/thong-ke/"
    assert reverse("accounts:register") == "/tai-khoan/dang-ky/"
    assert reverse("accounts:login") == "/tai-khoan/dang-nhap/"
    assert reverse("accounts:profile") == "/tai-khoan/"


def test_language_switch_to_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/ho-tro/"})
    assert response.status_code == 302
    assert response["Location"] == "/ho-tro/"

    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert _menu_labels(html) == MENU_EN
    assert ">Register</a>" in html
    assert ">Log in</a>" in html

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert _menu_labels(client.get("/").content.decode()) == MENU


def test_language_switch_ignores_an_unknown_language_and_a_foreign_next(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})

    assert response["Location"] == "/"
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_home_lists_the_current_agencies_as_a_tree(client, django_assert_max_num_queries):
    load_demo_agencies(open("/dev/null", "w"))  # noqa: SIM115 - discard the loader's report

    with django_assert_max_num_queries(3):
        html = client.get("/").content.decode()

    assert "Trung tâm Phục vụ hành chính công thành phố Huế" in html
    assert "Ủy ban nhân dân phường Thuận Hóa" in html
    assert "quận Thuận Hóa" not in html, "an agency dissolved in 2025 is not offered any more"
    assert html.index("Trung tâm Phục vụ hành chính công") < html.index("Sở Tư pháp")


def test_error_pages_are_vietnamese_in_the_portal_layout(client):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'aria-label="Menu chính"' in html


def test_server_error_page_needs_no_context():
    from django.template.loader import render_to_string

    assert "Hệ thống đang gặp sự cố" in render_to_string("500.html")


def test_an_expired_form_token_gets_the_portal_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/tai-khoan/dang-nhap/", {"identifier": "x", "password": "y"})

    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()
    assert "tải lại trang" in response.content.decode()
