"""The REST API: tokens, the error format, the catalogue, the look-up, the citizen's dossiers, the officers' reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dichvucong.api.models import ApiToken
from dichvucong.api.services import api_token_create, api_token_revoke, token_digest
from dichvucong.api.tests.conftest import bearer
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.core.constants import AuditAction
from dichvucong.core.models import AuditEntry
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier
from dichvucong.dossiers.tests.factories import DossierFactory, procedure_for
from dichvucong.dossiers.tests.samples import pdf_bytes

pytestmark = pytest.mark.django_db
API = "/api/v1"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


# --- Tokens ----------------------------------------------------------------------------------------
def test_only_the_hash_of_a_token_is_stored(personas):
    issued = api_token_create(user=personas.citizen, name="Phần mềm của tôi", lifetime_days=30)
    assert issued.secret.startswith("dvc_")
    stored = ApiToken.objects.get()
    assert stored.token_hash == token_digest(issued.secret)
    assert issued.secret not in {stored.token_hash, stored.hint, stored.name}
    assert stored.expires_at - stored.created_at == dt.timedelta(days=30)


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer dvc_khong-ton-tai", "Basic YWJjOmRlZg==", "Bearer abc"])
def test_missing_or_unknown_token_is_401_in_the_error_format(client, header):
    response = client.get(f"{API}/dossiers", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = error_of(response)
    assert error["code"] == "unauthenticated"
    assert "mã truy cập" in error["message"]


def test_expired_revoked_and_deactivated_tokens_are_refused(client, personas, time_machine):
    headers = bearer(personas.citizen, days=30)
    assert client.get(f"{API}/dossiers", **headers).status_code == 200
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    assert client.get(f"{API}/dossiers", **headers).status_code == 401

    headers = bearer(personas.citizen)
    api_token_revoke(user=personas.citizen, token_id=ApiToken.objects.latest("pk").pk)
    assert client.get(f"{API}/dossiers", **headers).status_code == 401

    headers = bearer(personas.other_citizen)
    personas.other_citizen.is_active = False
    personas.other_citizen.save(update_fields=["is_active"])
    assert client.get(f"{API}/dossiers", **headers).status_code == 401


def test_a_token_cannot_be_revoked_by_someone_else(personas):
    issued = api_token_create(user=personas.citizen, name="A", lifetime_days=30)
    with pytest.raises(Exception, match="Không tìm thấy mã truy cập"):
        api_token_revoke(user=personas.other_citizen, token_id=issued.token.pk)
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_errors_speak_english_when_asked(client):
    vietnamese = error_of(client.get(f"{API}/dossiers"))
    english = error_of(client.get(f"{API}/dossiers", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert vietnamese["message"] != english["message"]
    assert "access token" in english["message"].lower()
    assert client.get(f"{API}/khong-co", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["code"] == "not_found"


# --- Catalogue -------------------------------------------------------------------------------------
def test_catalogue_search_detail_fees_and_components(client, birth_procedure):
    make_procedure("2.000815", "Chứng thực bản sao từ bản chính", field="CT")
    page = client.get(f"{API}/procedures", {"q": "dang ky khai sinh"}).json()
    assert page["count"] == 1
    assert page["items"][0]["code"] == "1.001193"
    assert page["items"][0]["name"] == "Đăng ký khai sinh"

    detail = client.get(f"{API}/procedures/1.001193").json()
    assert detail["has_eform"] is True
    assert [c["name"] for c in detail["components"]][:2] == ["Giấy chứng sinh", "Giấy tờ tùy thân của người yêu cầu"]
    assert client.get(f"{API}/procedures/1.001193/components").json() == detail["components"]
    assert client.get(f"{API}/procedures/1.001193/fees").json() == detail["fees"]

    missing = client.get(f"{API}/procedures/9.999999")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"


def test_bad_query_parameters_are_422_with_the_field_named(client):
    response = client.get(f"{API}/procedures", {"limit": 1000, "level": "mars"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"limit", "level"}


def test_a_nul_character_in_the_catalogue_search_is_422_not_a_crash(client):
    # PostgreSQL cannot compare text with NUL: found by schemathesis with more examples.
    response = client.get(f"{API}/procedures", {"q": "khai\x00sinh", "agency": "\r\x00"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"q": ["Chứa ký tự không hợp lệ."], "agency": ["Chứa ký tự không hợp lệ."]}


def test_a_nul_character_in_a_path_or_a_new_draft_is_refused_not_a_crash(client, personas):
    citizen, officer = bearer(personas.citizen), bearer(personas.officer_a)
    for path, headers in (
        ("/dossiers/a%00b", citizen),
        ("/dossiers/a%00b/history", citizen),
        ("/dossiers/a%00b/payments", citizen),
        ("/procedures/a%00b", {}),
        ("/officer/dossiers/a%00b", officer),
    ):
        response = client.get(f"{API}{path}", **headers)
        assert response.status_code == 404, (path, response.content)
        assert error_of(response)["code"] == "not_found"
    created = client.post(f"{API}/dossiers", {"procedure": "1.0\x00", "agency": "A\x00"}, "application/json", **citizen)
    assert created.status_code == 422
    assert set(error_of(created)["fields"]) == {"procedure", "agency"}


def test_catalogue_search_costs_the_same_queries_whatever_the_size(client, django_assert_max_num_queries):
    for n in range(3):
        make_procedure(f"9.1000{n:02d}", f"Thủ tục thử nghiệm số {n}")
    with django_assert_max_num_queries(15) as few:
        assert client.get(f"{API}/procedures", {"q": "thu nghiem"}).json()["count"] == 3
    for n in range(3, 30):
        make_procedure(f"9.1000{n:02d}", f"Thủ tục thử nghiệm số {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{API}/procedures", {"q": "thu nghiem", "limit": 25}).json()["count"] == 30


# --- Look-up ---------------------------------------------------------------------------------------
def test_lookup_masks_personal_data_and_checks_the_national_id(client, personas):
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    found = client.get(f"{API}/lookup/{dossier.code}").json()
    assert found["code"] == dossier.code
    assert found["owner_name"] != personas.citizen.full_name
    assert found["is_owner"] is False
    wrong = client.post(f"{API}/lookup", {"code": dossier.code, "national_id": "001090000000"}, "application/json")
    assert wrong.status_code == 404
    assert client.post(f"{API}/lookup", {"code": "<script>"}, "application/json").status_code == 422


def test_lookup_keeps_the_pages_hourly_cap(client, personas, settings):
    settings.LOOKUP_MAX_PER_HOUR = 2
    for _ in range(2):
        assert client.get(f"{API}/lookup/000.00.71.T01-260101-0001").status_code == 404
    limited = client.get(f"{API}/lookup/000.00.71.T01-260101-0001")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert error_of(limited)["code"] == "rate_limited"


def test_rate_limit_per_address_then_per_token(client, personas, settings):
    settings.API_RATE_ANONYMOUS = "2/m"
    settings.API_RATE_TOKEN = "3/m"
    assert [client.get(f"{API}/procedures").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get(f"{API}/procedures")
    assert int(response["Retry-After"]) >= 1
    assert error_of(response)["code"] == "rate_limited"
    headers = bearer(personas.citizen)
    assert [client.get(f"{API}/dossiers", **headers).status_code for _ in range(4)] == [200, 200, 200, 429]


# --- The citizen's dossiers ------------------------------------------------------------------------
def test_draft_edit_upload_send_and_history(client, personas):
    procedure = make_procedure(
        "9.200001",
        "Thủ tục thử nghiệm có thành phần",
        agencies=[personas.agency_a.code],
        components=[{"name": "Đơn đề nghị", "required": True}],
    )
    headers = bearer(personas.citizen)
    created = client.post(f"{API}/dossiers", {"procedure": procedure.code}, "application/json", **headers)
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft"
    assert draft["folder"] == "chua-gui"
    assert draft["owner"]["name"] == personas.citizen.full_name
    ref = draft["id"]

    bad = client.patch(
        f"{API}/dossiers/{ref}", {"owner_national_id": "123", "owner_name": "Tên mới"}, "application/json", **headers
    )
    assert bad.status_code == 422
    assert "owner_national_id" in error_of(bad)["fields"]
    assert Dossier.objects.get(pk=ref).owner_name == personas.citizen.full_name  # nothing saved

    edited = client.patch(
        f"{API}/dossiers/{ref}",
        {"version": draft["version"], "result_delivery": "online", "notify_by_sms": False},
        "application/json",
        **headers,
    ).json()
    assert edited["delivery"]["method"] == "online"
    stale = client.patch(
        f"{API}/dossiers/{ref}", {"version": draft["version"], "owner_name": "X"}, "application/json", **headers
    )
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "stale"

    incomplete = client.post(f"{API}/dossiers/{ref}/send", {"pledge": True}, "application/json", **headers)
    assert incomplete.status_code == 422
    assert any("Đơn đề nghị" in m for m in error_of(incomplete)["fields"]["__all__"])

    component = edited["components"][0]["id"]
    fake = SimpleUploadedFile("don.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = client.post(f"{API}/dossiers/{ref}/files", {"component": component, "file": fake}, **headers)
    assert refused.status_code == 422
    upload = SimpleUploadedFile("Đơn đề nghị.pdf", pdf_bytes(), content_type="application/pdf")
    added = client.post(f"{API}/dossiers/{ref}/files", {"component": component, "file": upload}, **headers)
    assert added.status_code == 201, added.content
    assert added.json()["kind"] == "pdf"

    no_pledge = client.post(f"{API}/dossiers/{ref}/send", {"pledge": False}, "application/json", **headers)
    assert error_of(no_pledge)["fields"] == {"pledge": ["Vui lòng đánh dấu cam kết trước khi gửi hồ sơ."]}
    sent = client.post(f"{API}/dossiers/{ref}/send", {"pledge": True}, "application/json", **headers)
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "submitted"
    code = sent.json()["code"]
    assert code.startswith(personas.agency_a.code)

    history = client.get(f"{API}/dossiers/{code}/history", **headers).json()
    assert [e["action"] for e in history] == ["submit"]
    assert history[0]["who"] == "Bạn"
    listing = client.get(f"{API}/dossiers", {"folder": "da-gui"}, **headers).json()
    assert [d["code"] for d in listing["items"]] == [code]
    folders = {f["folder"]: f["count"] for f in client.get(f"{API}/dossiers/folders", **headers).json()}
    assert folders["da-gui"] == 1
    assert folders["chua-gui"] == 0


def test_declaration_is_validated_by_the_eform_engine(client, personas, birth_procedure):
    headers = bearer(personas.citizen)
    ref = client.post(f"{API}/dossiers", {"procedure": "1.001193"}, "application/json", **headers).json()["id"]
    bad = client.patch(
        f"{API}/dossiers/{ref}",
        {"eform_data": {"ho_ten_tre": "Nguyễn Văn Bé", "so_dinh_danh_nguoi_yeu_cau": "12345"}},
        "application/json",
        **headers,
    )
    assert bad.status_code == 422
    assert "eform_data" in error_of(bad)["fields"]
    good = client.patch(
        f"{API}/dossiers/{ref}", {"eform_data": {"ho_ten_tre": "Nguyễn Văn Bé"}}, "application/json", **headers
    )
    assert good.status_code == 200
    assert good.json()["eform_data"]["ho_ten_tre"] == "Nguyễn Văn Bé"
    assert any(p["section"] == "to-khai" for p in good.json()["problems"])


def test_answering_a_supplement(client, personas):
    procedure = make_procedure(
        "9.200002",
        "Thủ tục có bổ sung",
        agencies=[personas.agency_a.code],
        components=[{"name": "Bản chụp", "required": False}],
    )
    dossier = DossierFactory(
        applicant=personas.citizen, agency=personas.agency_a, procedure=procedure, supplement_requested=True
    )
    headers = bearer(personas.citizen)
    detail = client.get(f"{API}/dossiers/{dossier.code}", **headers).json()
    assert detail["folder"] == "yeu-cau-bo-sung"
    assert detail["supplement"]["items"][0]["reason"] == "Bản chụp không rõ nét, đề nghị chụp lại."
    component = int(detail["supplement"]["items"][0]["component"])
    upload = SimpleUploadedFile("ban-chup.pdf", pdf_bytes(), content_type="application/pdf")
    assert (
        client.post(
            f"{API}/dossiers/{dossier.code}/files", {"component": component, "file": upload}, **headers
        ).status_code
        == 201
    )
    answered = client.post(f"{API}/dossiers/{dossier.code}/supplement", {}, "application/json", **headers)
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == DossierStatus.SUBMITTED
    assert [e["action"] for e in client.get(f"{API}/dossiers/{dossier.code}/history", **headers).json()][-1] == (
        "submit_supplement"
    )
    again = client.post(f"{API}/dossiers/{dossier.code}/supplement", {}, "application/json", **headers)
    assert again.status_code == 409


def test_folder_list_has_a_fixed_number_of_queries(client, personas, django_assert_max_num_queries):
    headers = bearer(personas.citizen)
    DossierFactory.create_batch(2, applicant=personas.citizen, agency=personas.agency_a)
    with django_assert_max_num_queries(15) as few:
        assert client.get(f"{API}/dossiers", **headers).json()["count"] == 2
    DossierFactory.create_batch(20, applicant=personas.citizen, agency=personas.agency_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"{API}/dossiers", {"limit": 100}, **headers).json()
    assert page["count"] == 22
    assert len(page["items"]) == 22


# --- Nobody sees another's dossier -----------------------------------------------------------------
def test_another_citizens_dossier_is_404_everywhere(client, personas):
    draft = DossierFactory(applicant=personas.citizen, agency=personas.agency_a)
    sent = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, supplement_requested=True)
    intruder = bearer(personas.other_citizen)
    upload = SimpleUploadedFile("x.pdf", pdf_bytes(), content_type="application/pdf")
    component = sent.procedure_version.components.first()
    for ref in (draft.pk, sent.code):
        for response in (
            client.get(f"{API}/dossiers/{ref}", **intruder),
            client.get(f"{API}/dossiers/{ref}/history", **intruder),
            client.patch(f"{API}/dossiers/{ref}", {"owner_name": "Kẻ lạ"}, "application/json", **intruder),
            client.post(f"{API}/dossiers/{ref}/send", {"pledge": True}, "application/json", **intruder),
            client.post(f"{API}/dossiers/{ref}/supplement", {}, "application/json", **intruder),
            client.post(
                f"{API}/dossiers/{ref}/files", {"component": getattr(component, "pk", 1), "file": upload}, **intruder
            ),
            client.delete(f"{API}/dossiers/{ref}/files/1", **intruder),
        ):
            assert response.status_code == 404, (ref, response.content)
            assert error_of(response)["message"] == "Không tìm thấy."
    assert client.get(f"{API}/dossiers", **intruder).json()["count"] == 0
    draft.refresh_from_db()
    assert draft.owner_name == personas.citizen.full_name


def test_officers_read_their_agency_only(client, personas):
    mine = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    theirs = DossierFactory(applicant=personas.citizen, agency=personas.agency_b, submitted=True)
    officer_a = bearer(personas.officer_a)
    queues = {q["slug"]: q["count"] for q in client.get(f"{API}/officer/queues", **officer_a).json()}
    assert queues["cho-tiep-nhan"] == 1
    rows = client.get(f"{API}/officer/queues/cho-tiep-nhan", **officer_a).json()
    assert [r["code"] for r in rows["items"]] == [mine.code]
    detail = client.get(f"{API}/officer/dossiers/{mine.code}", **officer_a).json()
    assert detail["owner"]["name"] == personas.citizen.full_name
    assert [e["action"] for e in detail["history"]] == ["submit"]
    assert client.get(f"{API}/officer/dossiers/{theirs.code}", **officer_a).status_code == 404
    assert client.get(f"{API}/officer/queues/khong-co", **officer_a).status_code == 404
    # The read through the API is audited like the dossier page; the 404 is not a read.
    reads = AuditEntry.objects.filter(action=AuditAction.DOSSIER_VIEW)
    assert [(r.dossier_id, r.actor_id, r.data) for r in reads] == [(mine.pk, personas.officer_a.pk, {"via": "api"})]

    citizen = bearer(personas.citizen)
    forbidden = client.get(f"{API}/officer/queues", **citizen)
    assert forbidden.status_code == 403
    assert error_of(forbidden)["code"] == "forbidden"
    everything = client.get(f"{API}/officer/queues/tat-ca", **bearer(personas.sysadmin)).json()
    assert everything["count"] == 2


def test_the_officers_queue_has_a_fixed_number_of_queries(client, personas, django_assert_max_num_queries):
    officer_a = bearer(personas.officer_a)
    procedure = procedure_for(personas.agency_a)
    DossierFactory.create_batch(
        2, applicant=personas.citizen, agency=personas.agency_a, procedure=procedure, submitted=True
    )
    with django_assert_max_num_queries(15) as few:
        assert client.get(f"{API}/officer/queues/tat-ca", **officer_a).json()["count"] == 2
    DossierFactory.create_batch(
        15, applicant=personas.citizen, agency=personas.agency_a, procedure=procedure, submitted=True
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(f"{API}/officer/queues/tat-ca", {"limit": 50}, **officer_a).json()["items"]) == 17


def test_an_oversized_upload_is_413_and_domain_messages_follow_the_language(client, personas, settings):
    settings.ATTACHMENT_MAX_FILE_MB = 0
    procedure = make_procedure(
        "9.200003", "Thủ tục có tệp", agencies=[personas.agency_a.code], components=[{"name": "Đơn", "required": True}]
    )
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, procedure=procedure)
    headers = bearer(personas.citizen)
    upload = SimpleUploadedFile("don.pdf", pdf_bytes(), content_type="application/pdf")
    component = procedure.current_version.components.get().pk
    response = client.post(f"{API}/dossiers/{dossier.pk}/files", {"component": component, "file": upload}, **headers)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    stale = client.patch(
        f"{API}/dossiers/{dossier.pk}",
        {"version": 999, "owner_name": "X"},
        "application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )
    assert stale.status_code == 409
    assert stale["Content-Language"] == "en"
    assert error_of(stale)["message"] != "Hồ sơ đã thay đổi, vui lòng tải lại trang."


@pytest.mark.parametrize(
    "eform_data",
    [
        {"ho_ten_tre": {"x": [1]}, "ngay_sinh": "không phải ngày", "noi_sinh": "chuỗi thay cho địa chỉ"},
        {"so_ban_sao": "1e309", "gioi_tinh": ["nam", "nu"], "co_thong_tin_cha": "có lẽ", "nam_sinh_me": -5},
        {"noi_cu_tru_me": {"province_code": "x", "ward_code": None, "street": 5}, "khong_co_truong_nay": 1},
        {"ho_ten_tre": "\x00<script>alert(1)</script>" * 50},
    ],
)
def test_hostile_declarations_are_refused_or_cleaned_never_a_crash(client, personas, birth_procedure, eform_data):
    headers = bearer(personas.citizen)
    ref = client.post(f"{API}/dossiers", {"procedure": "1.001193"}, "application/json", **headers).json()["id"]
    response = client.patch(f"{API}/dossiers/{ref}", {"eform_data": eform_data}, "application/json", **headers)
    assert response.status_code in (200, 422), response.content
    stored = Dossier.objects.get(pk=ref).eform_data
    assert "khong_co_truong_nay" not in stored
    if response.status_code == 422:
        assert error_of(response)["fields"]["eform_data"]


@pytest.mark.parametrize("ref", ["³", "١٢", "12³"])
def test_unicode_digits_in_a_ref_are_404_not_a_crash(client, personas, ref):
    # Found by schemathesis: "³".isdigit() is true, int("³") fails.
    response = client.get(f"{API}/dossiers/{ref}", **bearer(personas.citizen))
    assert response.status_code == 404


def test_unicode_digits_in_a_declared_address_are_refused_not_a_crash(client, personas, birth_procedure):
    headers = bearer(personas.citizen)
    ref = client.post(f"{API}/dossiers", {"procedure": "1.001193"}, "application/json", **headers).json()["id"]
    address = {"province_code": "⁴⁶", "ward_code": "²", "street": "1 Lê Lợi"}
    response = client.patch(
        f"{API}/dossiers/{ref}", {"eform_data": {"noi_sinh": address}}, "application/json", **headers
    )
    assert response.status_code in (200, 422)
