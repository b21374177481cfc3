"""The PDF machinery every standard document shares: fonts, the motto header, the footer, the QR
code, dates, and the URL fetcher that keeps rendering off the network."""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.template import engines

from dichvucong.documents.pdf import (
    INTERNAL_BASE_URL,
    FetchRefusedError,
    LocalOnlyURLFetcher,
    html_to_pdf,
    place_date_text,
    qr_data_uri,
)
from dichvucong.documents.tests.reading import (
    body_text,
    characters_with_glyphs,
    data_uri_image,
    embedded_fonts,
    image_modules,
    images,
    page_texts,
    qr_modules,
    reader,
)

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"
VIETNAMESE_FONTS = ("DejaVu", "Noto", "Liberation", "TimesNewRoman", "Times New Roman")
VN = ZoneInfo("Asia/Ho_Chi_Minh")

# A minimal document the way the slips will be written: the base template and the header include.
HEADER_DOCUMENT = """{% extends "documents/base.html" %}
{% block footer_note %}Ghi chú chân trang{% endblock %}
{% block content %}
{% include "documents/includes/national_header.html" %}
<h1 class="doc-title">GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>
<p>Bộ phận Một cửa tiếp nhận hồ sơ của ông Nguyễn Văn Ấn, bà Trần Thị Ửng.</p>
{% endblock %}"""


def render_string(source: str, context: dict) -> bytes:
    return html_to_pdf(engines["django"].from_string(source).render(context))


@pytest.fixture(scope="module")
def header_pdf() -> bytes:
    return render_string(
        HEADER_DOCUMENT,
        {
            "agency_name": "Sở Tư pháp",
            "parent_agency_name": "Ủy ban nhân dân thành phố Huế",
            "place_date": place_date_text("Huế", dt.date(2026, 2, 5)),
            "qr_text": "https://dichvucong.example/tra-cuu/?ma=000.00.19.H56-260205-0001",
            "qr_code": "000.00.19.H56-260205-0001",
        },
    )


def test_motto_and_slogan_extract_exactly_as_written(header_pdf):
    text = page_texts(header_pdf)[0]
    assert unicodedata.is_normalized("NFC", text)
    assert MOTTO in text
    assert SLOGAN in text
    assert "Hạnh phúc" in text


def test_fonts_are_embedded_and_draw_every_vietnamese_letter(header_pdf):
    fonts = embedded_fonts(header_pdf)
    assert fonts
    assert all(any(family in name for family in VIETNAMESE_FONTS) for name in fonts), list(fonts)
    # A missing font would print empty boxes (.notdef) while the text layer still reads right:
    # check the glyphs themselves, letter by letter.
    written = set(MOTTO + SLOGAN + "GIẤY TIẾP NHẬN HỒ SƠ Nguyễn Văn Ấn Trần Thị Ửng Ủy ban nhân dân Huế") - {" "}
    assert written <= characters_with_glyphs(header_pdf), written - characters_with_glyphs(header_pdf)


def test_header_shows_agency_in_capitals_under_its_parent_and_the_place_and_date(header_pdf):
    text = body_text(header_pdf)  # the agency column is narrow: long names wrap
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ" in text
    assert "SỞ TƯ PHÁP" in text
    assert text.index("ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ") < text.index("SỞ TƯ PHÁP")
    # Decree 30/2020: a leading zero for days below 10 and for January and February.
    assert "Huế, ngày 05 tháng 02 năm 2026" in text
    assert "000.00.19.H56-260205-0001" in text


def test_footer_numbers_the_pages_and_carries_the_note(header_pdf):
    last_line = page_texts(header_pdf)[0].splitlines()[-1]
    assert "Trang 1/1" in last_line  # only there if print.css was served to WeasyPrint
    assert "Ghi chú chân trang" in page_texts(header_pdf)[0]


def test_page_is_a4(header_pdf):
    box = reader(header_pdf).pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)


def test_qr_code_in_the_pdf_reads_back_as_the_address_given(header_pdf):
    expected = qr_modules("https://dichvucong.example/tra-cuu/?ma=000.00.19.H56-260205-0001")
    (image,) = images(header_pdf)
    assert image_modules(image, len(expected)) == expected
    # and not by accident: another address gives another pattern
    assert (
        image_modules(image, len(expected))
        != qr_modules("https://dichvucong.example/tra-cuu/?ma=khac")[: len(expected)]
    )


def test_qr_data_uri_is_a_png_of_the_text():
    uri = qr_data_uri("000.00.19.H56-261122-0001")
    expected = qr_modules("000.00.19.H56-261122-0001")
    assert image_modules(data_uri_image(uri), len(expected)) == expected


def test_motto_only_header_when_nothing_goes_on_the_left():
    pdf = render_string(HEADER_DOCUMENT, {})
    text = body_text(pdf)
    assert MOTTO in text
    assert SLOGAN in text
    assert "Mã hồ sơ" not in text
    assert images(pdf) == []


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (dt.date(2026, 11, 22), "Huế, ngày 22 tháng 11 năm 2026"),
        (dt.date(2026, 1, 9), "Huế, ngày 09 tháng 01 năm 2026"),
        (dt.date(2026, 3, 1), "Huế, ngày 01 tháng 3 năm 2026"),
        # 17:30 UTC on 28 February is already 1 March in Vietnam (UTC+7)
        (dt.datetime(2026, 2, 28, 17, 30, tzinfo=dt.UTC), "Huế, ngày 01 tháng 3 năm 2026"),
        (dt.datetime(2026, 12, 31, 23, 0, tzinfo=VN), "Huế, ngày 31 tháng 12 năm 2026"),
        (None, "Huế, ngày …… tháng …… năm ……"),
    ],
)
def test_place_date_text(when, expected):
    assert place_date_text("Huế", when) == expected


# --- Nothing is fetched from outside -----------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def outside_server():
    """A real HTTP server on this machine: any request that reaches it is recorded."""
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_rendering_never_reaches_an_outside_address_nor_local_files(outside_server, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(qr_data_uri("x").encode())
    html = f"""<html><head>
      <link rel="stylesheet" href="{outside_server}/style.css">
      <style>@import url("{outside_server}/imported.css");</style>
    </head><body>
      <p style="background: url('{outside_server}/background.png')">Văn bản</p>
      <img src="{outside_server}/logo.png"><img src="file://{secret}"><img src="/static/../../../etc/passwd">
    </body></html>"""
    pdf = html_to_pdf(html, base_url=outside_server + "/")
    assert "Văn bản" in body_text(pdf)
    assert _Recorder.hits == []
    assert images(pdf) == []


def test_fetcher_serves_our_static_files_and_data_uris_only():
    fetcher = LocalOnlyURLFetcher(base_url=INTERNAL_BASE_URL)
    css = fetcher.fetch(INTERNAL_BASE_URL + "static/documents/print.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,WGluIGNow6Bv").read() == "Xin chào".encode()
    # the caller's own site is ours too
    site = LocalOnlyURLFetcher(base_url="https://dichvucong.hue.gov.vn/")
    assert b"@page" in site.fetch("https://dichvucong.hue.gov.vn/static/documents/print.css").read()
    refused = [
        "https://example.com/static/documents/print.css",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        INTERNAL_BASE_URL + "static/../../etc/passwd",
        INTERNAL_BASE_URL + "static/documents/%2e%2e/%2e%2e/settings.py",
        INTERNAL_BASE_URL + "static/khong-co-tep-nay.css",
        INTERNAL_BASE_URL + "media/ho-so/1.pdf",
        "ftp://example.com/x",
    ]
    for url in refused:
        with pytest.raises(FetchRefusedError):
            fetcher.fetch(url)
