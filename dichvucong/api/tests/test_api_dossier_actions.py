"""The REST API's dossier actions beyond sending: delete a draft, withdraw, reuse a document, the fees.

Each goes through the service the page uses; another citizen's dossier answers 404 on each of them.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from dichvucong.api.tests.conftest import bearer
from dichvucong.api.tests.test_api import API, error_of
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.dossiers.constants import DossierAction, DossierStatus, IntakeChannel
from dichvucong.dossiers.models import Dossier, DossierFile
from dichvucong.dossiers.services import dossier_file_add, dossier_register_at_desk, dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory, desk_officer
from dichvucong.dossiers.tests.samples import pdf_bytes
from dichvucong.payments.constants import RequestStatus
from dichvucong.payments.services import payment_record_at_desk, payment_request_create

pytestmark = pytest.mark.django_db

FEES = [{"fee_type": "le_phi", "name": "Lệ phí cấp bản sao", "kind": "fixed", "amount": 30_000}]


def _post(client, path, body, headers):
    return client.post(f"{API}{path}", body, "application/json", **headers)


# --- Xóa hồ sơ chưa gửi ------------------------------------------------------------------------------
def test_a_draft_is_deleted_with_its_files_and_a_sent_dossier_is_not(client, personas):
    procedure = make_procedure(
        "9.300001", "Thủ tục xóa thử", agencies=[personas.agency_a.code], components=[{"name": "Đơn", "required": True}]
    )
    draft = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, procedure=procedure)
    upload = SimpleUploadedFile("don.pdf", pdf_bytes(), content_type="application/pdf")
    dossier_file_add(
        dossier=draft, component_id=procedure.current_version.components.get().pk, upload=upload, actor=personas.citizen
    )
    sent = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    headers = bearer(personas.citizen)

    refused = client.delete(f"{API}/dossiers/{sent.code}", **headers)
    assert refused.status_code == 409
    assert error_of(refused) == {"code": "not_draft", "message": "Chỉ xóa được hồ sơ chưa gửi.", "fields": {}}
    assert Dossier.objects.filter(pk=sent.pk).exists()

    deleted = client.delete(f"{API}/dossiers/{draft.pk}", **headers)
    assert deleted.status_code == 204
    assert not Dossier.objects.filter(pk=draft.pk).exists()
    assert not DossierFile.objects.filter(dossier_id=draft.pk).exists()
    assert client.get(f"{API}/dossiers/{draft.pk}", **headers).status_code == 404
    assert client.delete(f"{API}/dossiers/{draft.pk}", **headers).status_code == 404


# --- Rút hồ sơ -------------------------------------------------------------------------------------
def test_withdraw_is_immediate_before_reception(client, personas):
    sent = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    headers = bearer(personas.citizen)
    detail = client.get(f"{API}/dossiers/{sent.code}", **headers).json()
    assert detail["withdraw"] == "withdraw"
    stale = _post(client, f"/dossiers/{sent.code}/withdraw", {"version": detail["version"] + 5}, headers)
    assert stale.status_code == 409
    assert error_of(stale)["code"] == "stale"

    done = _post(client, f"/dossiers/{sent.code}/withdraw", {"version": detail["version"]}, headers)
    assert done.status_code == 200, done.content
    assert done.json()["status"] == DossierStatus.WITHDRAWN
    assert done.json()["withdraw"] is None
    history = client.get(f"{API}/dossiers/{sent.code}/history", **headers).json()
    assert history[-1]["action"] == DossierAction.WITHDRAW

    again = _post(client, f"/dossiers/{sent.code}/withdraw", {}, headers)
    assert again.status_code == 409
    assert error_of(again) == {
        "code": "invalid_transition",
        "message": "Hồ sơ đang ở trạng thái “Đã rút”, không thể rút.",
        "fields": {},
    }


def test_after_reception_withdrawing_is_a_request_with_a_reason(client, personas):
    received = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, received=True)
    headers = bearer(personas.citizen)
    assert client.get(f"{API}/dossiers/{received.code}", **headers).json()["withdraw"] == "request"

    no_reason = _post(client, f"/dossiers/{received.code}/withdraw", {"reason": "   "}, headers)
    assert no_reason.status_code == 422
    assert error_of(no_reason)["fields"] == {"reason": ["Vui lòng nhập lý do đề nghị rút hồ sơ."]}
    too_long = _post(client, f"/dossiers/{received.code}/withdraw", {"reason": "x" * 2001}, headers)
    assert too_long.status_code == 422
    assert "reason" in error_of(too_long)["fields"]

    nul = _post(client, f"/dossiers/{received.code}/withdraw", {"reason": "Đổi ý\x00"}, headers)
    assert nul.status_code == 422
    assert error_of(nul)["fields"] == {"reason": ["Chứa ký tự không hợp lệ."]}

    asked = _post(client, f"/dossiers/{received.code}/withdraw", {"reason": "Tôi đã đổi ý."}, headers)
    assert asked.status_code == 200, asked.content
    body = asked.json()
    assert body["status"] == DossierStatus.PROCESSING  # the agency answers the request
    assert body["withdrawal_requested_at"] is not None
    assert body["withdraw"] is None
    event = client.get(f"{API}/dossiers/{received.code}/history", **headers).json()[-1]
    assert (event["action"], event["comment"]) == (DossierAction.REQUEST_WITHDRAWAL, "Tôi đã đổi ý.")

    twice = _post(client, f"/dossiers/{received.code}/withdraw", {"reason": "Lần nữa"}, headers)
    assert twice.status_code == 409
    assert error_of(twice)["message"] == "Bạn đã đề nghị rút hồ sơ này; vui lòng chờ cơ quan trả lời."


# --- Dùng lại giấy tờ đã cung cấp --------------------------------------------------------------------
@pytest.fixture
def id_procedure(personas):
    return make_procedure(
        "9.300002",
        "Thủ tục có giấy tờ tùy thân",
        agencies=[personas.agency_a.code],
        components=[
            {"name": "Căn cước công dân", "required": True, "document_type": "cccd"},
            {"name": "Đơn đề nghị", "required": False},
        ],
    )


def _accepted_with_id_card(personas, procedure, owner=None) -> DossierFile:
    owner = owner or personas.citizen
    earlier = DossierFactory(applicant=owner, agency=personas.agency_a, procedure=procedure)
    component = procedure.current_version.components.get(document_type="cccd")
    upload = SimpleUploadedFile("cccd.pdf", pdf_bytes("CCCD"), content_type="application/pdf")
    given = dossier_file_add(dossier=earlier, component_id=component.pk, upload=upload, actor=owner)
    dossier_transition(dossier_id=earlier.pk, action=DossierAction.SUBMIT, actor=owner)
    dossier_transition(dossier_id=earlier.pk, action=DossierAction.RECEIVE, actor=desk_officer(personas.agency_a))
    return DossierFile.objects.select_related("dossier").get(pk=given.pk)


def test_documents_already_given_are_offered_and_attached_by_reuse(client, personas, id_procedure):
    given = _accepted_with_id_card(personas, id_procedure)
    _accepted_with_id_card(personas, id_procedure, owner=personas.other_citizen)  # never offered to the citizen
    draft = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, procedure=id_procedure)
    headers = bearer(personas.citizen)

    offered = client.get(f"{API}/dossiers/{draft.pk}/reusable", **headers)
    assert offered.status_code == 200
    [entry] = offered.json()  # only the component with a document type
    assert entry["component_name"] == "Căn cước công dân"
    assert [(f["id"], f["dossier_code"], f["sha256"]) for f in entry["files"]] == [
        (given.pk, given.dossier.code, given.sha256)
    ]

    body = {"component": entry["component_id"], "file_id": given.pk}
    attached = _post(client, f"/dossiers/{draft.pk}/reuse", body, headers)
    assert attached.status_code == 201, attached.content
    assert attached.json()["reused"] is True
    assert attached.json()["sha256"] == given.sha256
    reused = DossierFile.objects.get(dossier=draft)
    assert (reused.reused_from_id, reused.file.name) == (given.pk, given.file.name)

    duplicate = _post(client, f"/dossiers/{draft.pk}/reuse", body, headers)
    assert duplicate.status_code == 409
    assert error_of(duplicate)["message"] == "Giấy tờ này đã có trong hồ sơ."
    other_component = id_procedure.current_version.components.get(document_type="").pk
    wrong = _post(client, f"/dossiers/{draft.pk}/reuse", {"component": other_component, "file_id": given.pk}, headers)
    assert wrong.status_code == 422
    assert error_of(wrong)["code"] == "not_reusable"
    bad = _post(client, f"/dossiers/{draft.pk}/reuse", {"component": "một", "file_id": 0}, headers)
    assert bad.status_code == 422
    assert set(error_of(bad)["fields"]) == {"component", "file_id"}

    # Sent: nothing is editable, so nothing is offered and nothing can be attached.
    sent = given.dossier
    assert client.get(f"{API}/dossiers/{sent.code}/reusable", **headers).json() == []
    closed = _post(client, f"/dossiers/{sent.code}/reuse", body, headers)
    assert closed.status_code == 409
    assert error_of(closed)["message"] == "Hồ sơ đã gửi không thể sửa."


def test_another_citizens_document_cannot_be_reused(client, personas, id_procedure):
    theirs = _accepted_with_id_card(personas, id_procedure, owner=personas.other_citizen)
    draft = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, procedure=id_procedure)
    component = id_procedure.current_version.components.get(document_type="cccd").pk
    response = _post(
        client, f"/dossiers/{draft.pk}/reuse", {"component": component, "file_id": theirs.pk}, bearer(personas.citizen)
    )
    assert response.status_code == 422
    assert error_of(response)["message"] == "Không dùng lại được giấy tờ đã chọn cho thành phần này."
    assert not DossierFile.objects.filter(dossier=draft).exists()


# --- Phí, lệ phí -----------------------------------------------------------------------------------
@pytest.fixture
def paid(personas):
    procedure = make_procedure("9.300003", "Thủ tục có lệ phí", agencies=[personas.agency_a.code], fees=FEES)
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, procedure=procedure, submitted=True)
    desk = desk_officer(personas.agency_a)
    request = payment_request_create(dossier=dossier, actor=desk)
    payment_record_at_desk(request=request, actor=desk)
    request.refresh_from_db()
    return request


def test_payment_status_and_receipt(client, personas, paid):
    headers = bearer(personas.citizen)
    code = paid.dossier.code
    listing = client.get(f"{API}/dossiers/{code}/payments", **headers)
    assert listing.status_code == 200
    [item] = listing.json()
    assert (item["status"], item["status_label"], item["amount"]) == (RequestStatus.PAID, "Đã thanh toán", 30_000)
    assert item["lines"] == [{"name": "Lệ phí cấp bản sao", "quantity": 1, "unit_label": "", "amount": 30_000}]
    assert item["receipt_number"] == paid.receipt_number
    assert item["receipt_url"] == f"{API}/dossiers/{code}/payments/{paid.pk}/receipt"

    pdf = client.get(item["receipt_url"], **headers)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(pdf.content)).pages[0].extract_text()
    assert paid.receipt_number in text
    assert code in text


def test_a_pending_payment_has_no_receipt(client, personas):
    procedure = make_procedure("9.300004", "Thủ tục chờ thanh toán", agencies=[personas.agency_a.code], fees=FEES)
    dossier = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, procedure=procedure, submitted=True)
    pending = payment_request_create(dossier=dossier, actor=desk_officer(personas.agency_a))
    headers = bearer(personas.citizen)
    [item] = client.get(f"{API}/dossiers/{dossier.code}/payments", **headers).json()
    assert (item["status"], item["receipt_url"], item["receipt_number"]) == (RequestStatus.PENDING, None, "")
    response = client.get(f"{API}/dossiers/{dossier.code}/payments/{pending.pk}/receipt", **headers)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert client.get(f"{API}/dossiers/{dossier.code}/payments/{2**62}/receipt", **headers).status_code == 404


# --- Nobody else: each new endpoint answers 404 for another owner's dossier -------------------------
def test_another_owner_gets_404_on_every_new_endpoint(client, personas, paid, id_procedure):
    given = _accepted_with_id_card(personas, id_procedure)
    draft = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, procedure=id_procedure)
    sent = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    reuse = {"component": id_procedure.current_version.components.get(document_type="cccd").pk, "file_id": given.pk}
    intruders = {
        "another citizen": bearer(personas.other_citizen),
        # An officer's token acts as that officer, not as the agency: a citizen's dossier is not theirs either.
        "an officer of the agency": bearer(personas.officer_a),
    }
    for who, headers in intruders.items():
        for ref in (draft.pk, sent.code, paid.dossier.code):
            responses = {
                "delete": client.delete(f"{API}/dossiers/{ref}", **headers),
                "withdraw": _post(client, f"/dossiers/{ref}/withdraw", {"reason": "Kẻ lạ"}, headers),
                "reusable": client.get(f"{API}/dossiers/{ref}/reusable", **headers),
                "reuse": _post(client, f"/dossiers/{ref}/reuse", reuse, headers),
                "payments": client.get(f"{API}/dossiers/{ref}/payments", **headers),
                "receipt": client.get(f"{API}/dossiers/{ref}/payments/{paid.pk}/receipt", **headers),
            }
            for name, response in responses.items():
                assert response.status_code == 404, (who, ref, name, response.content)
                assert error_of(response) == {"code": "not_found", "message": "Không tìm thấy.", "fields": {}}
    # The owner's receipt stays out of reach through the intruder's own dossier too.
    own = DossierFactory(applicant=personas.other_citizen, agency=personas.agency_a, submitted=True)
    stolen = client.get(f"{API}/dossiers/{own.code}/payments/{paid.pk}/receipt", **intruders["another citizen"])
    assert stolen.status_code == 404
    assert Dossier.objects.filter(pk=draft.pk).exists()
    sent.refresh_from_db()
    assert sent.status == DossierStatus.SUBMITTED
    assert not DossierFile.objects.filter(dossier=draft).exists()


def test_new_endpoints_need_a_token(client, personas):
    sent = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, submitted=True)
    for response in (
        client.delete(f"{API}/dossiers/{sent.code}"),
        client.post(f"{API}/dossiers/{sent.code}/withdraw", {}, "application/json"),
        client.get(f"{API}/dossiers/{sent.code}/reusable"),
        client.get(f"{API}/dossiers/{sent.code}/payments"),
    ):
        assert response.status_code == 401
        assert error_of(response)["code"] == "unauthenticated"
    sent.refresh_from_db()
    assert sent.status == DossierStatus.SUBMITTED


def test_withdraw_messages_follow_the_language(client, personas):
    received = DossierFactory(applicant=personas.citizen, agency=personas.agency_a, received=True)
    response = client.post(
        f"{API}/dossiers/{received.code}/withdraw",
        {},
        "application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(personas.citizen),
    )
    assert response.status_code == 422
    [message] = error_of(response)["fields"]["reason"]
    assert message != "Vui lòng nhập lý do đề nghị rút hồ sơ."


def test_a_supplement_received_at_the_desk_shows_in_the_owners_history(client, personas):
    procedure = make_procedure(
        "9.300005",
        "Thủ tục tại quầy",
        agencies=[personas.agency_a.code],
        components=[{"name": "Đơn", "required": True}],
    )
    component = procedure.current_version.components.get().pk
    desk = desk_officer(personas.agency_a)
    dossier = dossier_register_at_desk(
        officer=desk,
        procedure=procedure,
        channel=IntakeChannel.IN_PERSON,
        applicant=personas.citizen,
        files=[(component, SimpleUploadedFile("don.pdf", pdf_bytes(), content_type="application/pdf"))],
    )
    dossier_transition(
        dossier_id=dossier.pk,
        action=DossierAction.REQUEST_SUPPLEMENT,
        actor=desk,
        data={"items": [{"component": component, "reason": "Nộp lại bản rõ."}]},
    )
    scan = SimpleUploadedFile("don-moi.pdf", pdf_bytes("Bản rõ"), content_type="application/pdf")
    dossier_file_add(dossier=dossier, component_id=component, upload=scan, actor=desk)
    dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT_SUPPLEMENT, actor=desk)

    headers = bearer(personas.citizen)
    last = client.get(f"{API}/dossiers/{dossier.code}/history", **headers).json()[-1]
    assert (last["action"], last["at_desk"], last["by_officer"], last["who"]) == (
        DossierAction.SUBMIT_SUPPLEMENT,
        True,
        True,
        str(desk),
    )
    files = client.get(f"{API}/dossiers/{dossier.code}", **headers).json()["components"][0]["files"]
    assert all(f["digitised"] for f in files)
