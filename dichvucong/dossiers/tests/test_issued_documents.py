"""The slips and declarations a citizen downloads are registered as issued, and /xac-thuc/<id>/ tells
anyone holding one what it is and whether their copy is byte for byte the issued one (DESIGN §10, §14)."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.urls import reverse

from dichvucong.documents.constants import IssuedKind
from dichvucong.documents.models import IssuedDocument
from dichvucong.dossiers.tests import samples
from dichvucong.dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(personas):
    return DossierFactory(
        applicant=personas.citizen,
        agency=personas.agency_a,
        received=True,
        owner_name="Nguyễn Văn An",
        owner_national_id="001090012345",
    )


def download_receipt(client, personas, dossier) -> tuple[bytes, IssuedDocument]:
    client.force_login(personas.citizen)
    response = client.get(reverse("dossiers:slip", args=[dossier.code, "receipt"]))
    assert response.status_code == 200
    client.logout()
    return response.content, IssuedDocument.objects.latest("pk")


def test_each_download_is_registered_for_the_bytes_handed_out(client, personas, received):
    pdf, issued = download_receipt(client, personas, received)
    again, second = download_receipt(client, personas, received)
    assert issued.public_id != second.public_id
    assert (issued.kind, issued.reference, issued.agency_code) == (
        IssuedKind.RECEIPT,
        received.code,
        personas.agency_a.code,
    )
    assert issued.sha256 == hashlib.sha256(pdf).hexdigest()
    assert issued.size == len(pdf)
    assert second.sha256 == hashlib.sha256(again).hexdigest()
    assert len(issued.public_id) == 22  # 128 random bits, not a number anyone can count through


def test_the_page_says_what_the_document_is_without_personal_data(client, personas, received):
    _pdf, issued = download_receipt(client, personas, received)
    response = client.get(f"/xac-thuc/{issued.public_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page
    assert personas.agency_a.name in page
    assert issued.sha256 in page
    assert received.code in page
    assert "Nguyễn V*** A" in page
    assert "Nguyễn Văn An" not in page
    assert "001090012345" not in page
    assert response["Cache-Control"] == "private, no-store"


def test_the_same_pdf_is_confirmed_and_a_changed_one_is_not(client, personas, received):
    pdf, issued = download_receipt(client, personas, received)
    url = f"/xac-thuc/{issued.public_id}/"
    same = client.post(url, {"tep": samples.as_upload(pdf, "giay-tiep-nhan.pdf")}).content.decode()
    assert 'data-verdict="identical"' in same
    assert "trùng khớp từng byte" in same
    changed = bytearray(pdf)
    changed[len(pdf) // 2] ^= 0x01
    different = client.post(url, {"tep": samples.as_upload(bytes(changed), "giay-tiep-nhan.pdf")}).content.decode()
    assert 'data-verdict="different"' in different
    assert hashlib.sha256(bytes(changed)).hexdigest() in different


def test_the_declaration_of_a_sent_dossier_is_registered(client, personas, received):
    client.force_login(personas.citizen)
    response = client.get(reverse("dossiers:print", args=[received.code]))
    assert response.status_code == 200
    issued = IssuedDocument.objects.get(kind=IssuedKind.DECLARATION)
    assert issued.sha256 == hashlib.sha256(response.content).hexdigest()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Vui lòng chọn tệp PDF cần kiểm tra."),
        (samples.as_upload(b"", "rong.pdf"), "Tệp đã chọn trống."),
        (samples.as_upload(b"MZ\x90\x00 not a pdf at all", "gia.pdf"), "không phải là tệp PDF"),
    ],
)
def test_missing_empty_and_non_pdf_uploads_are_refused_in_vietnamese(client, personas, received, upload, message):
    _pdf, issued = download_receipt(client, personas, received)
    data = {"tep": upload} if upload is not None else {}
    response = client.post(f"/xac-thuc/{issued.public_id}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_oversized_upload_is_refused_and_uploads_are_limited_per_address(client, personas, received, settings):
    _pdf, issued = download_receipt(client, personas, received)
    settings.VERIFY_UPLOAD_MAX_MB = 1
    settings.VERIFY_UPLOADS_PER_HOUR = 2
    url = f"/xac-thuc/{issued.public_id}/"
    big = samples.as_upload(b"%PDF-1.7\n" + b"0" * (1024 * 1024), "lon.pdf")
    response = client.post(url, {"tep": big})
    assert response.status_code == 400
    assert "vượt quá dung lượng cho phép (1 MB)" in response.content.decode()
    assert client.post(url, {}).status_code == 400
    limited = client.post(url, {})
    assert limited.status_code == 429
    assert "quá nhiều tệp trong một giờ" in limited.content.decode()
    assert int(limited["Retry-After"]) > 0
    assert client.get(url).status_code == 200  # reading the page is not limited


@pytest.mark.parametrize(
    "public_id",
    ["AAAAAAAAAAAAAAAAAAAAAA", "123", "%2E%2E%2Fetc", "x" * 300, "Nguyễn", "00000000000000000000000000000000"],
)
def test_unknown_or_malformed_ids_get_the_portals_not_found_page(client, public_id):
    response = client.get(f"/xac-thuc/{public_id}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Không tìm thấy văn bản" in page
    assert "Tra cứu hồ sơ" in page


def test_the_page_in_english(client, personas, received):
    _pdf, issued = download_receipt(client, personas, received)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/xac-thuc/{issued.public_id}/").content.decode()
    assert "Document verification" in page
    assert "Issuing agency" in page
    assert "Xác thực văn bản" not in page
