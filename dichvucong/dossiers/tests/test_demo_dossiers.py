"""The demo dossiers: the demo citizen has dossiers in every folder, made through the real services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dichvucong.dossiers import demo
from dichvucong.dossiers.constants import CitizenFolder, DossierStatus
from dichvucong.dossiers.models import Dossier, DossierEvent, DossierFile
from dichvucong.dossiers.selectors import folder_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings) -> str:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_every_folder_of_the_demo_citizen_has_dossiers(loaded):
    dossiers = Dossier.objects.filter(applicant__national_id=demo.CITIZEN)
    assert dossiers.count() == len(demo.SCENARIOS)
    statuses = set(dossiers.values_list("status", flat=True))
    assert {
        DossierStatus.DRAFT,
        DossierStatus.SUBMITTED,
        DossierStatus.SUPPLEMENT_REQUESTED,
        DossierStatus.PAYMENT_REQUESTED,
        DossierStatus.PROCESSING,
        DossierStatus.SUSPENDED,
        DossierStatus.RESULT_READY,
        DossierStatus.RETURNED,
        DossierStatus.REFUSED,
        DossierStatus.WITHDRAWN,
    } <= statuses
    counts = folder_counts(user=dossiers.first().applicant)
    assert all(counts[folder] > 0 for folder in CitizenFolder), counts
    assert "Hồ sơ mẫu của công dân 046090001234" in loaded


def test_sent_demo_dossiers_have_codes_history_and_checked_files(loaded):
    sent = Dossier.objects.exclude(status=DossierStatus.DRAFT).filter(applicant__national_id=demo.CITIZEN)
    codes = list(sent.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(codes)
    assert all(code.startswith(demo.THUAN_HOA + "-") for code in codes)
    for dossier in sent:
        assert DossierEvent.objects.filter(dossier=dossier).exists()
    files = DossierFile.objects.filter(dossier__applicant__national_id=demo.CITIZEN)
    assert files.exists()
    assert set(files.values_list("content_type", flat=True)) <= {"application/pdf", "image/jpeg"}
    assert all(len(sha) == 64 for sha in files.values_list("sha256", flat=True))
    refused = sent.get(status=DossierStatus.REFUSED)
    assert DossierEvent.objects.filter(dossier=refused, comment__contains="không thuộc địa bàn").exists()


def test_loading_again_adds_nothing(loaded, settings):
    before = Dossier.objects.count(), DossierEvent.objects.count(), DossierFile.objects.count()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert (Dossier.objects.count(), DossierEvent.objects.count(), DossierFile.objects.count()) == before
    assert "không tạo thêm" in out.getvalue()


def test_the_demo_citizens_pages_show_every_dossier(loaded, client):
    from dichvucong.accounts.models import User

    citizen = User.objects.get(national_id=demo.CITIZEN)
    client.force_login(citizen)
    assert client.get("/ho-so/").status_code == 200
    for dossier in Dossier.objects.filter(applicant=citizen).select_related("procedure_version__procedure"):
        page = client.get(f"/ho-so/{dossier.code or dossier.pk}/")
        assert page.status_code == 200, dossier
        if dossier.procedure_version.procedure.code == demo.BIRTH:
            # The e-form component is declared online, not missing.
            assert "Khai trực tuyến, xem mục" in page.content.decode()


def test_returned_demo_dossiers_carry_a_signed_result_the_citizen_can_download(loaded, client):
    from dichvucong.documents.signing import verify_pdf
    from dichvucong.dossiers.models import DossierDocument

    returned = Dossier.objects.filter(applicant__national_id=demo.CITIZEN, status=DossierStatus.RETURNED)
    assert returned.count() == 2
    client.force_login(returned.first().applicant)
    for dossier in returned:
        result = DossierDocument.objects.get(dossier=dossier, is_signed=True)
        report = verify_pdf(result.file.read())[0]
        assert report.intact
        assert report.valid
        assert report.trusted
        response = client.get(f"/ho-so/ket-qua/{result.pk}/")
        assert response.status_code == 200


def test_demo_has_dossiers_received_at_the_desk_once(loaded, settings):
    desk = Dossier.objects.exclude(channel="online")
    assert sorted(desk.values_list("channel", flat=True)) == ["in_person", "post"]
    assert set(desk.values_list("status", flat=True)) == {DossierStatus.PROCESSING}
    assert DossierFile.objects.filter(dossier__in=desk, digitised=True).exists()
    call_command("demo", stdout=io.StringIO())
    assert Dossier.objects.exclude(channel="online").count() == 2
