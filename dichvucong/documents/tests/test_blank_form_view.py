"""Downloading the blank declaration of a procedure as PDF ("Tải tờ khai (PDF)")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from dichvucong.agencies.tests.factories import AgencyFactory
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.documents.http import pdf_response
from dichvucong.documents.tests.reading import body_text, page_texts

EFORMS_DIR = Path(__file__).resolve().parents[2] / "catalog" / "demo_data" / "eforms"
BIRTH = json.loads((EFORMS_DIR / "dang_ky_khai_sinh.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth_registration():
    ward = AgencyFactory(code="000.19.15.H56", name="Ủy ban nhân dân phường An Cựu", commune=True)
    return make_procedure("1.001193", "Đăng ký khai sinh", eform=BIRTH, agencies=[ward.code])


def test_blank_declaration_downloads_as_pdf(client, birth_registration):
    response = client.get(reverse("catalog:blank_form_pdf", args=["1.001193"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"to-khai-1.001193.pdf\"; filename*=UTF-8''to-khai-1.001193.pdf"
    )
    assert int(response["Content-Length"]) == len(response.content)
    text = body_text(response.content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text
    assert "Kính gửi: Ủy ban nhân dân phường An Cựu" in text
    assert BIRTH["sections"][0]["fields"][0]["label"] in text
    assert "Đăng ký khai sinh (mã 1.001193)" in page_texts(response.content)[0]


def test_blank_form_page_links_to_the_pdf_and_keeps_its_print_hint(client, birth_registration):
    html = client.get(reverse("catalog:blank_form", args=["1.001193"])).content.decode()
    url = reverse("catalog:blank_form_pdf", args=["1.001193"])
    assert url == "/thu-tuc-hanh-chinh/1.001193/to-khai.pdf"
    assert f'href="{url}"' in html
    assert "Tải tờ khai (PDF)" in html
    assert "Dùng chức năng in của trình duyệt (Ctrl+P) để in hoặc lưu thành PDF." in html


def test_procedure_without_declaration_has_no_pdf(client):
    make_procedure("1.000656", "Đăng ký khai tử")
    response = client.get(reverse("catalog:blank_form_pdf", args=["1.000656"]))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Không tìm thấy trang" in response.content.decode()


def test_unknown_procedure_has_no_pdf(client):
    response = client.get(reverse("catalog:blank_form_pdf", args=["9.999999"]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_declaration_that_no_longer_validates_is_not_found_rather_than_an_error(client):
    procedure = make_procedure("1.001193", "Đăng ký khai sinh", eform=BIRTH)
    version = procedure.current_version
    version.eform = {"version": 1, "title": "Hỏng", "sections": [{"title": "Phần", "fields": "x"}]}
    version.save(update_fields=["eform"])
    assert client.get(reverse("catalog:blank_form_pdf", args=["1.001193"])).status_code == 404


def test_pdf_response_names_the_file_safely_for_every_client():
    response = pdf_response(b"%PDF-1.7", filename='Tờ khai đăng ký/"x";.pdf')
    assert response["Content-Disposition"] == (
        'attachment; filename="To-khai-dang-ky-x-.pdf"; '
        "filename*=UTF-8''T%E1%BB%9D%20khai%20%C4%91%C4%83ng%20k%C3%BD%2F%22x%22%3B.pdf"
    )
    inline = pdf_response(b"%PDF-1.7", filename="bien-lai.pdf", inline=True)
    assert inline["Content-Disposition"].startswith('inline; filename="bien-lai.pdf"')
