"""The desk reception pages: open, scan, receive, slip; wrong input answered in Vietnamese, papers kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.testing.personas import force_login_verified, make_officer
from dichvucong.dossiers.constants import DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.tests.factories import procedure_for
from dichvucong.dossiers.tests.samples import as_upload, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(personas):
    return make_officer(
        UserFactory(officer=True, username="motcua.a", full_name="Đỗ Thị Hoa"), personas.agency_a, OfficerRole.ONE_STOP
    )


@pytest.fixture
def procedure(personas):
    return procedure_for(
        personas.agency_a,
        components=[{"name": "Tờ khai đăng ký", "required": True}, {"name": "Giấy ủy quyền", "required": False}],
    )


def open_form(client, procedure, /, **fields):
    data = {
        "procedure": procedure.pk,
        "channel": IntakeChannel.IN_PERSON,
        "result_delivery": "at_desk",
        "full_name": "Trần Văn Phúc",
        "national_id": "046190000777",
        "phone": "0912000777",
        **fields,
    }
    return client.post(reverse("backoffice:desk_open"), data)


def test_whole_desk_reception_then_receipt_slip(client, desk, procedure):
    force_login_verified(client, desk)
    page = client.get(reverse("backoffice:desk_open"), {"tim": procedure.code})
    assert page.status_code == 200
    assert procedure.code in page.content.decode()
    response = open_form(client, procedure)
    dossier = Dossier.objects.get()
    assert response.url == reverse("backoffice:desk_complete", args=[dossier.pk])
    required, _optional = procedure.current_version.components.all()
    # Receiving with the required paper missing: refused in Vietnamese, the optional scan kept.
    scan = as_upload(pdf_bytes("Giấy ủy quyền"), "uy-quyen.pdf", "application/pdf")
    refused = client.post(response.url, {"action": "tiep-nhan", f"tep-{_optional.pk}": scan})
    assert refused.status_code == 400
    assert "Chưa đính kèm thành phần bắt buộc: Tờ khai đăng ký." in refused.content.decode()
    assert DossierFile.objects.filter(dossier=dossier, digitised=True).count() == 1
    scan = as_upload(pdf_bytes("Tờ khai"), "to-khai.pdf", "application/pdf")
    done = client.post(response.url, {"action": "tiep-nhan", f"tep-{required.pk}": scan}, follow=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    body = done.content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in body
    slip = client.get(reverse("backoffice:slip", args=[dossier.code, "receipt"]))
    assert slip.status_code == 200
    assert slip["Content-Type"] == "application/pdf"


def test_bad_input_is_answered_in_vietnamese(client, desk, procedure):
    force_login_verified(client, desk)
    response = open_form(client, procedure, national_id="12ab", phone="abc", full_name="")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Số CCCD phải gồm đúng 12 chữ số." in body
    assert "Số điện thoại di động không hợp lệ. Nhập 10 số, ví dụ 0905123456." in body
    response = open_form(client, procedure, procedure="999999")
    assert response.status_code == 400
    response = open_form(client, procedure, account="0999999999")
    assert "Không tìm thấy đúng một tài khoản với thông tin này." in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_fake_scan_is_refused_by_content(client, desk, procedure):
    force_login_verified(client, desk)
    url = open_form(client, procedure).url
    required = procedure.current_version.components.first()
    fake = as_upload(b"MZ\x90\x00 not a pdf", "to-khai.pdf", "application/pdf")
    response = client.post(url, {"action": "luu", f"tep-{required.pk}": fake})
    assert response.status_code == 400
    assert not DossierFile.objects.exists()


def test_found_account_owns_the_dossier(client, personas, desk, procedure):
    personas.citizen.national_id = "046190000888"
    personas.citizen.save()
    force_login_verified(client, desk)
    open_form(client, procedure, account="046190000888", full_name="", national_id="")
    assert Dossier.objects.get().applicant == personas.citizen


@pytest.mark.parametrize("who", ["officer_b", "officer_a", "citizen"])
def test_others_get_404_or_403(client, personas, desk, procedure, who):
    """The desk of agency B opens its own desk page, never A's dossier; others get neither."""
    force_login_verified(client, desk)
    url = open_form(client, procedure).url
    client.logout()
    user = getattr(personas, who)
    force_login_verified(client, user)
    assert client.get(url).status_code in (403, 404)
    expected = (200,) if who == "officer_b" else (403, 404)
    assert client.get(reverse("backoffice:desk_open")).status_code in expected
