"""The registry of issued documents for signed PDFs: the signer, time and pyHanko's verdict are kept
at registration, and a visitor's copy is checked byte for byte and for its signature."""

from __future__ import annotations

import io

import pytest

from dichvucong.documents.constants import IssuedKind
from dichvucong.documents.pdf import html_to_pdf
from dichvucong.documents.signing import STATUS_VALID, sign_pdf
from dichvucong.documents.verification import (
    issued_document_check_copy,
    issued_document_get,
    issued_document_register_signed,
)

CODE, NAME = "000.00.01.H57", "Sở Tư pháp thành phố Huế"
PUBLIC_ID = "0f" * 16  # a signed result keeps its DossierDocument's UUID (hex)


@pytest.fixture
def signed(db) -> bytes:
    unsigned = html_to_pdf('<html lang="vi"><body><h1>TRÍCH LỤC KHAI SINH</h1></body></html>')
    return sign_pdf(unsigned, agency_code=CODE, agency_name=NAME, signer_name="Trần Thị Bình")


def register(pdf: bytes):
    return issued_document_register_signed(
        public_id=PUBLIC_ID, kind=IssuedKind.RESULT, agency_code=CODE, agency_name=NAME, pdf=pdf, reference="X-1"
    )


def test_a_signed_result_is_registered_with_its_signer_time_and_verdict(signed):
    issued = register(signed)
    assert issued.is_signed
    assert issued.signer_name == "Trần Thị Bình"
    assert issued.signed_at is not None
    assert issued.signature_status == STATUS_VALID
    assert issued.signature_summary
    assert register(signed).pk == issued.pk  # registering again changes nothing
    assert issued_document_get(public_id=PUBLIC_ID) == issued


def test_the_page_shows_the_signer_and_the_verdict(client, signed):
    issued = register(signed)
    page = client.get(f"/xac-thuc/{PUBLIC_ID}/").content.decode()
    assert "Kết quả giải quyết hồ sơ (đã ký số)" in page
    assert "Trần Thị Bình" in page
    assert f'data-signature-status="{STATUS_VALID}"' in page
    assert issued.signature_summary in page


def test_a_changed_or_extended_copy_is_not_the_issued_one_nor_intact(signed):
    issued = register(signed)
    same = issued_document_check_copy(document=issued, upload=io.BytesIO(signed))
    assert same.identical
    assert same.signature_intact is True
    changed = issued_document_check_copy(
        document=issued, upload=io.BytesIO(signed + b"\n% appended after the signature\n")
    )
    assert not changed.identical
    # A trailing comment is no new revision: pyHanko still finds the signature intact, which is
    # why the page's verdict is the byte-for-byte comparison and the signature check comes beside it.
    assert changed.signature_intact is True
    flipped = bytearray(signed)
    flipped[signed.index(b"/Type /Page") + 2] ^= 0x01  # inside the signed byte range
    broken = issued_document_check_copy(document=issued, upload=io.BytesIO(bytes(flipped)))
    assert not broken.identical
    assert broken.signature_intact is False
