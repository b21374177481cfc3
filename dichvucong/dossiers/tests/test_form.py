"""The dossier form through HTTP: Nộp hồ sơ → Lưu lại → attachments → Gửi đi (review) → sent; bad input."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from dichvucong.catalog.tests.test_eforms import khai_sinh_data
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.services import dossier_file_add
from dichvucong.dossiers.tests import samples
from dichvucong.dossiers.tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


def owner_data(**overrides: str) -> dict[str, str]:
    data = {
        "chu-owner_name": "Nguyễn Văn An",
        "chu-owner_national_id": "046090001234",
        "chu-owner_phone": "0912345678",
        "chu-owner_email": "an@example.vn",
        "chu-province_code": "46",
        "chu-ward_code": "",
        "chu-street_address": "12 Lê Lợi",
        "chu-notify_by_sms": "on",
        "nhan-result_delivery": "at_desk",
        "action": "luu",
    }
    data.update(overrides)
    return data


@pytest.fixture
def citizen_client(client, personas):
    client.force_login(personas.citizen)
    return client


def components_of(dossier: Dossier) -> list:
    return list(dossier.procedure_version.components.all())


def draft_with_files(personas, procedure) -> Dossier:
    """A draft of An's with everything needed to send: owner, both required files, a valid e-form."""
    from dichvucong.catalog.eforms import build_form
    from dichvucong.dossiers.services import dossier_create_draft, dossier_update_draft

    dossier = dossier_create_draft(procedure=procedure, applicant=personas.citizen, agency=personas.agency_a)
    form = build_form(procedure.current_version.eform, data=khai_sinh_data())
    assert form.is_valid(), form.errors
    dossier = dossier_update_draft(
        dossier=dossier,
        actor=personas.citizen,
        owner_name="Nguyễn Văn An",
        owner_phone="+84912345678",
        notify_by_sms=True,
        eform_data=form.cleaned_payload(),
    )
    first, second, _optional = components_of(dossier)
    dossier_file_add(
        dossier=dossier,
        component_id=first.pk,
        upload=samples.as_upload(samples.pdf_bytes(), "chung-sinh.pdf"),
        actor=personas.citizen,
    )
    dossier_file_add(
        dossier=dossier,
        component_id=second.pk,
        upload=samples.as_upload(samples.jpeg_bytes(), "cccd.jpg"),
        actor=personas.citizen,
    )
    return Dossier.objects.get(pk=dossier.pk)


# --- Creating and saving -------------------------------------------------------------------------


def test_the_form_opens_prefilled_from_the_account_and_nothing_is_created_before_saving(
    citizen_client, personas, birth_procedure
):
    response = citizen_client.get(reverse("dossiers:create", args=["1.001193"]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Thông tin chung", "Hình thức nhận kết quả", "Thành phần hồ sơ", "Tờ khai", "Lưu lại", "Gửi đi"):
        assert text in html
    assert personas.citizen.full_name in html
    assert "Giấy chứng sinh" in html
    assert not Dossier.objects.exists()


def test_save_a_partial_draft_then_find_it_and_edit_it(citizen_client, personas, birth_procedure):
    data = {**owner_data(), "tk-quan_he_voi_nguoi_duoc_khai_sinh": "Cha"}
    response = citizen_client.post(reverse("dossiers:create", args=["1.001193"]), data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:edit", args=[dossier.pk])
    assert dossier.status == DossierStatus.DRAFT
    assert dossier.owner_name == "Nguyễn Văn An"
    assert dossier.owner_phone == "+84912345678"
    assert dossier.eform_data["quan_he_voi_nguoi_duoc_khai_sinh"] == "Cha"
    page = citizen_client.get(response["Location"]).content.decode()
    assert 'value="Cha"' in page
    assert "Đã lưu hồ sơ" in page


def test_an_invalid_value_is_not_saved_and_the_rest_is(citizen_client, personas, birth_procedure):
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    dossier = Dossier.objects.get()
    data = owner_data(**{"chu-owner_national_id": "12345", "chu-street_address": "34 Trần Hưng Đạo"})
    data["phien-ban"] = str(dossier.version)
    data["tk-loai_giay_to_nguoi_yeu_cau"] = "cccd"
    data["tk-so_dinh_danh_nguoi_yeu_cau"] = "999"
    data["tk-quan_he_voi_nguoi_duoc_khai_sinh"] = "Mẹ"
    response = citizen_client.post(reverse("dossiers:edit", args=[dossier.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Đã lưu những thông tin hợp lệ" in html
    assert "chưa được lưu" in html
    dossier.refresh_from_db()
    assert dossier.owner_national_id == "046090001234"  # the saved value is kept
    assert dossier.owner_street_address == "34 Trần Hưng Đạo"
    assert dossier.eform_data["quan_he_voi_nguoi_duoc_khai_sinh"] == "Mẹ"
    assert (
        "so_dinh_danh_nguoi_yeu_cau" not in dossier.eform_data or not dossier.eform_data["so_dinh_danh_nguoi_yeu_cau"]
    )
    assert 'value="12345"' in html  # shown again for correction


def test_a_stale_form_is_refused_without_losing_what_was_typed(citizen_client, personas, birth_procedure):
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    dossier = Dossier.objects.get()
    data = owner_data(**{"chu-owner_name": "Tên mới"}, **{"phien-ban": str(dossier.version - 0 + 5)})
    response = citizen_client.post(reverse("dossiers:edit", args=[dossier.pk]), data)
    assert response.status_code == 400
    assert "Hồ sơ đã thay đổi" in response.content.decode()
    assert 'value="Tên mới"' in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.owner_name == "Nguyễn Văn An"


# --- Attachments ---------------------------------------------------------------------------------


def test_attach_a_pdf_and_a_jpeg_with_the_form(citizen_client, personas, birth_procedure):
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    dossier = Dossier.objects.get()
    first, second, _optional = components_of(dossier)
    data = {
        **owner_data(),
        "phien-ban": str(dossier.version),
        f"tep-{first.pk}": samples.as_upload(samples.pdf_bytes(), "giay chung sinh.pdf"),
        f"tep-{second.pk}": samples.as_upload(samples.jpeg_bytes(), "cccd.JPG"),
    }
    response = citizen_client.post(reverse("dossiers:edit", args=[dossier.pk]), data)
    assert response.status_code == 302
    files = {f.component_id: f for f in DossierFile.objects.filter(dossier=dossier)}
    assert files[first.pk].kind == "pdf"
    assert files[first.pk].name == "giay chung sinh.pdf"
    assert files[second.pk].kind == "jpeg"
    assert files[second.pk].name == "cccd.jpg"
    assert default_storage.exists(files[first.pk].file.name)
    assert "giay chung sinh" not in files[first.pk].file.name  # stored under a random name


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (samples.exe_bytes(), "to-khai.pdf", "“to-khai.pdf” không được chấp nhận"),
        (b"", "rong.pdf", "rỗng"),
        (samples.html_bytes(), "anh.jpg", "PDF, JPG"),
    ],
    ids=["executable-renamed-pdf", "zero-bytes", "html-renamed-jpg"],
)
def test_a_refused_file_gets_a_clear_message_and_the_rest_is_saved(
    citizen_client, personas, birth_procedure, content, name, message
):
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    dossier = Dossier.objects.get()
    first = components_of(dossier)[0]
    data = {
        **owner_data(**{"chu-owner_name": "Nguyễn Văn Bình"}),
        "phien-ban": str(dossier.version),
        f"tep-{first.pk}": samples.as_upload(content, name, "application/pdf"),
    }
    response = citizen_client.post(reverse("dossiers:edit", args=[dossier.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DossierFile.objects.exists()
    dossier.refresh_from_db()
    assert dossier.owner_name == "Nguyễn Văn Bình"


def test_an_oversized_file_and_too_many_files_are_refused(citizen_client, personas, birth_procedure, settings):
    settings.ATTACHMENT_MAX_FILE_MB = 1
    settings.ATTACHMENT_MAX_FILES_PER_COMPONENT = 2
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    dossier = Dossier.objects.get()
    first = components_of(dossier)[0]
    big = samples.pdf_bytes() + b"%" + b"0" * (1024 * 1024 + 10)
    response = citizen_client.post(
        reverse("dossiers:edit", args=[dossier.pk]),
        {**owner_data(), "phien-ban": str(dossier.version), f"tep-{first.pk}": samples.as_upload(big, "lon.pdf")},
    )
    assert "vượt quá giới hạn 1 MB" in response.content.decode()
    dossier.refresh_from_db()
    uploads = [samples.as_upload(samples.png_bytes(), f"anh-{i}.png") for i in range(3)]
    response = citizen_client.post(
        reverse("dossiers:edit", args=[dossier.pk]),
        {**owner_data(), "phien-ban": str(dossier.version), f"tep-{first.pk}": uploads},
    )
    assert response.status_code == 400
    assert "tối đa 2 tệp" in response.content.decode()
    assert DossierFile.objects.filter(dossier=dossier).count() == 2


def test_the_upload_endpoint_answers_with_the_component_block(citizen_client, personas, birth_procedure):
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    dossier = Dossier.objects.get()
    first = components_of(dossier)[0]
    url = reverse("dossiers:file_add", args=[dossier.pk])
    response = citizen_client.post(
        url, {"component": first.pk, "file": samples.as_upload(samples.pdf_bytes(), "a.pdf")}
    )
    assert response.status_code == 200
    assert f'id="thanh-phan-{first.pk}"' in response.content.decode()
    assert "a.pdf" in response.content.decode()
    refused = citizen_client.post(url, {"component": first.pk, "file": samples.as_upload(samples.exe_bytes(), "b.pdf")})
    assert refused.status_code == 400
    assert "b.pdf" not in [f.name for f in DossierFile.objects.all()]


def test_remove_a_file_from_a_draft_deletes_it(
    citizen_client, personas, birth_procedure, django_capture_on_commit_callbacks
):
    dossier = draft_with_files(personas, birth_procedure)
    record = DossierFile.objects.filter(dossier=dossier).first()
    stored = record.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(
            reverse("dossiers:edit", args=[dossier.pk]),
            {**owner_data(), "phien-ban": str(dossier.version), "xoa-tep": str(record.pk)},
        )
    assert response.status_code == 302
    assert not DossierFile.objects.filter(pk=record.pk).exists()
    assert not default_storage.exists(stored)


def test_tampered_fields_cannot_reach_another_citizens_dossier_or_files(citizen_client, personas, birth_procedure):
    mine = draft_with_files(personas, birth_procedure)
    theirs = DossierFactory(applicant=personas.other_citizen, agency=personas.agency_a, procedure=birth_procedure)
    their_file = dossier_file_add(
        dossier=theirs,
        component_id=components_of(theirs)[0].pk,
        upload=samples.as_upload(samples.pdf_bytes(), "cua-binh.pdf"),
        actor=personas.other_citizen,
    )
    other_version = DossierFactory(applicant=personas.citizen)  # a component of another procedure
    foreign_component = make_component_of(other_version)
    data = {
        **owner_data(),
        "phien-ban": str(mine.version),
        "xoa-tep": str(their_file.pk),
        f"dung-lai-{components_of(mine)[0].pk}": str(their_file.pk),
        f"tep-{foreign_component}": samples.as_upload(samples.pdf_bytes(), "x.pdf"),
    }
    response = citizen_client.post(reverse("dossiers:edit", args=[mine.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Không tìm thấy tệp đính kèm" in html
    assert "Không dùng lại được" in html
    assert "không thuộc hồ sơ này" in html
    assert DossierFile.objects.filter(pk=their_file.pk, dossier=theirs).exists()
    assert DossierFile.objects.filter(dossier=mine).count() == 2
    # Their draft by number, through my session: 404, as if it did not exist.
    assert citizen_client.get(reverse("dossiers:edit", args=[theirs.pk])).status_code == 404
    assert citizen_client.post(reverse("dossiers:review", args=[theirs.pk])).status_code == 404


def make_component_of(dossier: Dossier) -> int:
    from dichvucong.catalog.models import DossierComponent

    return DossierComponent.objects.create(version=dossier.procedure_version, name="Khác", required=False).pk


def test_a_document_from_an_accepted_dossier_is_offered_and_reused(citizen_client, personas, birth_procedure):
    from dichvucong.dossiers.constants import DossierAction
    from dichvucong.dossiers.services import dossier_transition
    from dichvucong.dossiers.tests.factories import desk_officer

    earlier = draft_with_files(personas, birth_procedure)
    dossier_transition(dossier_id=earlier.pk, action=DossierAction.SUBMIT, actor=personas.citizen)
    dossier_transition(dossier_id=earlier.pk, action=DossierAction.RECEIVE, actor=desk_officer(personas.agency_a))
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    draft = Dossier.objects.filter(status=DossierStatus.DRAFT).get()
    page = citizen_client.get(reverse("dossiers:edit", args=[draft.pk])).content.decode()
    assert "Dùng lại giấy tờ đã cung cấp" in page
    source = DossierFile.objects.get(dossier=earlier, component__document_type="cccd")
    target = DossierFile.objects.get(pk=source.pk).component_id
    response = citizen_client.post(
        reverse("dossiers:edit", args=[draft.pk]),
        {**owner_data(), "phien-ban": str(draft.version), f"dung-lai-{target}": str(source.pk)},
    )
    assert response.status_code == 302
    reused = DossierFile.objects.get(dossier=draft)
    assert reused.reused_from_id == source.pk
    assert reused.file.name == source.file.name
    assert reused.sha256 == source.sha256


def test_prefill_fills_only_empty_fields_from_the_account(citizen_client, personas, birth_procedure):
    personas.citizen.national_id = "046090001234"
    personas.citizen.save(update_fields=["national_id"])
    citizen_client.post(
        reverse("dossiers:create", args=["1.001193"]),
        {**owner_data(), "tk-ho_ten_nguoi_yeu_cau": "Tên tự nhập", "tk-loai_giay_to_nguoi_yeu_cau": "cccd"},
    )
    dossier = Dossier.objects.get()
    response = citizen_client.post(
        reverse("dossiers:edit", args=[dossier.pk]),
        {
            **owner_data(),
            "phien-ban": str(dossier.version),
            "tk-ho_ten_nguoi_yeu_cau": "Tên tự nhập",
            "tk-loai_giay_to_nguoi_yeu_cau": "cccd",
            "action": "dien-san",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.eform_data["ho_ten_nguoi_yeu_cau"] == "Tên tự nhập"  # typed: not overwritten
    assert dossier.eform_data["so_dinh_danh_nguoi_yeu_cau"] == "046090001234"


# --- Sending -------------------------------------------------------------------------------------


def test_review_lists_what_is_missing_and_sending_is_refused(citizen_client, personas, birth_procedure):
    citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data())
    dossier = Dossier.objects.get()
    page = citizen_client.get(reverse("dossiers:review", args=[dossier.pk])).content.decode()
    assert "Hồ sơ chưa đủ để gửi" in page
    assert "Chưa đính kèm thành phần bắt buộc: Giấy chứng sinh" in page
    assert "Tờ khai —" in page
    response = citizen_client.post(
        reverse("dossiers:review", args=[dossier.pk]),
        {"pledge": "on", "version": dossier.version, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert response.status_code == 400
    assert "Hồ sơ chưa đủ để gửi" in response.content.decode()
    assert Dossier.objects.get().status == DossierStatus.DRAFT


def test_sms_without_a_phone_is_saved_in_a_draft_and_stops_only_the_sending(citizen_client, personas, birth_procedure):
    # An's account has no phone: SMS starts unticked; ticking it without a number is fine for a draft.
    page = citizen_client.get(reverse("dossiers:create", args=["1.001193"])).content.decode()
    checkbox = re.search(r'<input[^>]*name="chu-notify_by_sms"[^>]*>', page)
    assert checkbox is not None
    assert "checked" not in checkbox.group(0)
    response = citizen_client.post(reverse("dossiers:create", args=["1.001193"]), owner_data(**{"chu-owner_phone": ""}))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.notify_by_sms is True
    assert dossier.owner_phone == ""
    review = citizen_client.get(reverse("dossiers:review", args=[dossier.pk])).content.decode()
    assert "Chưa nhập số điện thoại để nhận thông báo qua SMS." in review


def test_sending_needs_the_pledge_and_the_captcha(citizen_client, personas, birth_procedure, settings):
    dossier = draft_with_files(personas, birth_procedure)
    url = reverse("dossiers:review", args=[dossier.pk])
    response = citizen_client.post(url, {"version": dossier.version, "captcha_0": "x", "captcha_1": "PASSED"})
    assert "Vui lòng đánh dấu cam kết" in response.content.decode()
    response = citizen_client.post(
        url, {"pledge": "on", "version": dossier.version, "captcha_0": "x", "captcha_1": "sai"}
    )
    assert "Mã xác nhận không đúng" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.DRAFT


def test_send_then_a_double_click_gives_one_dossier_and_one_code(
    citizen_client, personas, birth_procedure, django_capture_on_commit_callbacks
):
    dossier = draft_with_files(personas, birth_procedure)
    url = reverse("dossiers:review", args=[dossier.pk])
    page = citizen_client.get(url).content.decode()
    assert "Tôi xin chịu trách nhiệm trước pháp luật về lời khai trên" in page
    data = {"pledge": "on", "version": dossier.version, "captcha_0": "x", "captcha_1": "PASSED"}
    with django_capture_on_commit_callbacks(execute=True):
        first = citizen_client.post(url, data)
    second = citizen_client.post(url, data)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("dossiers:success", args=[dossier.code])
    assert dossier.events.filter(action="submit").count() == 1
    success = citizen_client.get(first["Location"]).content.decode()
    assert "Nộp hồ sơ thành công" in success
    assert dossier.code in success
    from dichvucong.notifications.models import Notification

    assert Notification.objects.filter(event="dossier_submitted", user=personas.citizen).count() == 3


# --- Supplement ----------------------------------------------------------------------------------


def sent_and_asked(personas, procedure, *, items: list[dict]) -> Dossier:
    from dichvucong.dossiers.constants import DossierAction
    from dichvucong.dossiers.services import dossier_transition
    from dichvucong.dossiers.tests.factories import desk_officer

    dossier = draft_with_files(personas, procedure)
    dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=personas.citizen)
    return dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.REQUEST_SUPPLEMENT,
        actor=desk_officer(personas.agency_a),
        comment="Đề nghị nộp lại bản chụp rõ nét.",
        data={"items": items},
    )


def test_supplement_reopens_only_what_was_asked_and_keeps_both_versions(citizen_client, personas, birth_procedure):
    first, second, _optional = list(birth_procedure.current_version.components.all())
    dossier = sent_and_asked(personas, birth_procedure, items=[{"component": first.pk, "reason": "Ảnh mờ"}])
    url = reverse("dossiers:supplement", args=[dossier.code])
    page = citizen_client.get(url).content.decode()
    assert "Nội dung yêu cầu bổ sung" in page
    assert "Ảnh mờ" in page
    assert "Đề nghị nộp lại bản chụp rõ nét." in page
    assert f'id="thanh-phan-{first.pk}"' in page
    assert f'id="thanh-phan-{second.pk}"' not in page
    old = DossierFile.objects.get(dossier=dossier, component=first)
    # A file for a component that was not asked for is refused.
    response = citizen_client.post(url, {f"tep-{second.pk}": samples.as_upload(samples.pdf_bytes(), "khac.pdf")})
    assert "không nằm trong nội dung yêu cầu bổ sung" in response.content.decode()
    response = citizen_client.post(
        url,
        {
            "xoa-tep": str(old.pk),
            f"tep-{first.pk}": samples.as_upload(samples.pdf_bytes("Bản rõ nét"), "chung-sinh-moi.pdf"),
            "action": "gui",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED  # asked at reception: back to the desk
    old.refresh_from_db()
    assert old.replaced_at is not None  # kept as evidence, marked replaced
    new = DossierFile.objects.get(dossier=dossier, component=first, replaced_at__isnull=True)
    assert new.round == 1
    assert dossier.events.get(action="submit_supplement").data["files"] == [new.pk]


def test_supplement_of_the_declaration_keeps_the_before_and_after(citizen_client, personas, birth_procedure):
    dossier = sent_and_asked(personas, birth_procedure, items=[{"component": "eform", "reason": "Sai tên mẹ"}])
    data = {**khai_sinh_data(), "tk-ho_ten_me": "Trần Thị Lành", "action": "gui"}
    response = citizen_client.post(reverse("dossiers:supplement", args=[dossier.code]), data)
    assert response.status_code == 302
    answer = dossier.events.get(action="submit_supplement")
    request = dossier.events.get(action="request_supplement")
    assert request.data["eform_before"]["ho_ten_me"] == "Trần Thị Lan"
    assert answer.data["eform_after"]["ho_ten_me"] == "Trần Thị Lành"
