"""Nhận bổ sung tại quầy (/mot-cua/ho-so/<mã>/bo-sung-tai-quay/) and the "Bản số hóa" mark on both dossier pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.core.testing.personas import force_login_verified, make_officer
from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier, DossierEvent, DossierFile
from dichvucong.dossiers.services import DeskOwner, dossier_register_at_desk, dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory, desk_officer, procedure_for
from dichvucong.dossiers.tests.samples import as_upload, pdf_bytes

pytestmark = pytest.mark.django_db

OWNER = DeskOwner(full_name="Trần Văn Phúc", national_id="046190000777", phone="0912000777")


@pytest.fixture
def desk(personas):
    return make_officer(
        UserFactory(officer=True, username="motcua.a", full_name="Đỗ Thị Hoa"), personas.agency_a, OfficerRole.ONE_STOP
    )


@pytest.fixture
def procedure(personas):
    return procedure_for(
        personas.agency_a,
        components=[{"name": "Tờ khai đăng ký", "required": True}, {"name": "Sổ hộ khẩu", "required": False}],
    )


def scan(text: str = "Bản quét") -> object:
    return as_upload(pdf_bytes(text), "ban-quet.pdf", "application/pdf")


def declaration(procedure):
    return procedure.current_version.components.get(name="Tờ khai đăng ký")


@pytest.fixture
def asked(desk, procedure):
    """A desk dossier of an owner without account, a supplement of the declaration asked in processing."""
    dossier = dossier_register_at_desk(
        officer=desk,
        procedure=procedure,
        channel=IntakeChannel.IN_PERSON,
        owner=OWNER,
        files=[(declaration(procedure).pk, scan())],
    )
    return dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.REQUEST_SUPPLEMENT,
        actor=desk_officer(dossier.agency),
        data={"items": [{"component": declaration(procedure).pk, "reason": "Bản quét mờ, đề nghị nộp lại."}]},
    )


def url(dossier):
    return reverse("backoffice:desk_supplement", args=[dossier.code])


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_desk_scans_the_papers_and_sends_the_supplement(client, desk, procedure, asked):
    force_login_verified(client, desk)
    page = client.get(reverse("backoffice:dossier", args=[asked.code]))
    assert "Nhận bổ sung tại quầy" in text(page)
    assert "Bản số hóa" in text(page)  # the papers scanned at reception
    assert "Bạn không có thao tác nào" not in text(page)

    form = client.get(url(asked))
    assert form.status_code == 200
    assert "Bản quét mờ, đề nghị nộp lại." in text(form)
    assert f'name="tep-{declaration(procedure).pk}"' in form.content.decode()
    assert "Sổ hộ khẩu" not in text(form)  # not asked

    saved = client.post(url(asked), {"action": "luu", f"tep-{declaration(procedure).pk}": scan("Bản rõ")})
    assert saved.status_code == 302
    assert Dossier.objects.get(pk=asked.pk).status == DossierStatus.SUPPLEMENT_REQUESTED
    new = DossierFile.objects.get(dossier=asked, round=1)
    assert new.digitised is True

    sent = client.post(url(asked), {"action": "gui"}, follow=True)
    assert sent.redirect_chain[-1][0] == reverse("backoffice:dossier", args=[asked.code])
    assert f"Đã tiếp nhận hồ sơ bổ sung {asked.code} tại Bộ phận Một cửa." in text(sent)
    assert "Nhận giấy tờ bổ sung trực tiếp tại Bộ phận Một cửa, cán bộ tiếp nhận: Đỗ Thị Hoa." in text(sent)
    dossier = Dossier.objects.get(pk=asked.pk)
    assert dossier.status == DossierStatus.PROCESSING
    event = DossierEvent.objects.get(dossier=dossier, action=DossierAction.SUBMIT_SUPPLEMENT)
    assert (event.actor_id, event.data["at_desk"], event.data["files"]) == (desk.pk, True, [new.pk])

    # Answered: the page sends the officer back to the dossier instead of offering the form again.
    again = client.get(url(asked), follow=True)
    assert "Hồ sơ này hiện không có yêu cầu bổ sung." in text(again)


def test_a_wrong_scan_is_refused_by_content_and_nothing_is_sent(client, desk, procedure, asked):
    force_login_verified(client, desk)
    fake = as_upload(b"MZ\x90\x00 not a pdf", "to-khai.pdf", "application/pdf")
    response = client.post(url(asked), {"action": "gui", f"tep-{declaration(procedure).pk}": fake})
    assert response.status_code == 400
    assert "Chưa tiếp nhận được hồ sơ bổ sung" in text(response)
    assert "to-khai.pdf:" in text(response)
    assert Dossier.objects.get(pk=asked.pk).status == DossierStatus.SUPPLEMENT_REQUESTED
    assert not DossierFile.objects.filter(dossier=asked, round=1).exists()


def test_sending_without_the_requested_paper_says_what_is_missing(client, desk, procedure, asked):
    force_login_verified(client, desk)
    first = DossierFile.objects.get(dossier=asked)
    response = client.post(url(asked), {"action": "gui", "bo-tep": str(first.pk)})
    assert response.status_code == 400
    assert "Chưa đính kèm thành phần bắt buộc: Tờ khai đăng ký." in text(response)
    assert Dossier.objects.get(pk=asked.pk).status == DossierStatus.SUPPLEMENT_REQUESTED


@pytest.mark.parametrize("who", ["officer_b", "officer_a", "citizen"])
def test_others_get_404_or_403(client, personas, asked, who):
    force_login_verified(client, getattr(personas, who))
    assert client.get(url(asked)).status_code in (403, 404)
    assert client.post(url(asked), {"action": "gui"}).status_code in (403, 404)
    assert Dossier.objects.get(pk=asked.pk).status == DossierStatus.SUPPLEMENT_REQUESTED


def test_an_online_dossier_has_no_desk_supplement(client, personas, desk):
    online = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, supplement_in_processing=True)
    force_login_verified(client, desk)
    assert client.get(url(online)).status_code == 404
    assert "Nhận bổ sung tại quầy" not in text(client.get(reverse("backoffice:dossier", args=[online.code])))


def test_the_citizen_sees_the_digitised_mark_and_keeps_the_online_path(client, personas, desk, procedure):
    dossier = dossier_register_at_desk(
        officer=desk,
        procedure=procedure,
        channel=IntakeChannel.IN_PERSON,
        applicant=personas.citizen,
        files=[(declaration(procedure).pk, scan())],
    )
    dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.REQUEST_SUPPLEMENT,
        actor=desk_officer(dossier.agency),
        data={"items": [{"component": declaration(procedure).pk, "reason": "Nộp lại."}]},
    )
    force_login_verified(client, personas.citizen)
    page = client.get(reverse("dossiers:detail", args=[dossier.code]))
    assert "Bản số hóa" in text(page)
    supplement = client.get(reverse("dossiers:supplement", args=[dossier.code]))
    assert supplement.status_code == 200
    assert "Gửi bổ sung" in text(supplement)
