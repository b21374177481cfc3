"""Fees and payments of a dossier: the request, the IPN's answers, concurrency, reconciliation, access."""

from __future__ import annotations

import hashlib
import threading
from io import BytesIO

import pytest
from django.db import connection, connections
from django.urls import reverse
from pypdf import PdfReader

from dichvucong.accounts.constants import OfficerRole
from dichvucong.accounts.tests.factories import UserFactory
from dichvucong.catalog.tests.factories import make_procedure
from dichvucong.core.errors import ApplicationError
from dichvucong.core.testing.personas import force_login_verified, make_officer
from dichvucong.dossiers.constants import DossierAction, DossierStatus
from dichvucong.dossiers.models import Dossier, DossierEvent
from dichvucong.dossiers.services import dossier_transition
from dichvucong.dossiers.tests.factories import DossierFactory
from dichvucong.payments.constants import RequestStatus, TransactionStatus
from dichvucong.payments.gateways.registry import gateway
from dichvucong.payments.models import PaymentRequest, PaymentTransaction
from dichvucong.payments.services import (
    dossier_fees,
    payment_confirm,
    payment_exempt,
    payment_ipn,
    payment_request_create,
    payment_start,
)

pytestmark = pytest.mark.django_db

CRIMINAL_RECORD_FEES = [
    # Circular 244/2016: 200,000đ for up to two certificates, 5,000đ each from the third.
    {
        "fee_type": "le_phi",
        "name": "Lệ phí cấp Phiếu lý lịch tư pháp",
        "kind": "per_unit",
        "amount": 0,
        "first_unit_amount": 100_000,
        "first_units": 2,
        "next_unit_amount": 5_000,
        "unit_label": "phiếu",
        "quantity_field": "so_phieu",
    },
    {"fee_type": "phi", "name": "Phí chuyển phát", "kind": "fixed", "amount": 25_000},
]


@pytest.fixture
def desk(personas):
    return make_officer(UserFactory(officer=True, username="motcua.a"), personas.agency_a, OfficerRole.ONE_STOP)


@pytest.fixture
def procedure(personas):
    return make_procedure(
        "2.000488", "Cấp Phiếu lý lịch tư pháp", agencies=[personas.agency_a.code], fees=CRIMINAL_RECORD_FEES
    )


@pytest.fixture
def sent(personas, procedure):
    dossier = DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen)
    Dossier.objects.filter(pk=dossier.pk).update(eform_data={"so_phieu": 4})
    return dossier_transition(dossier_id=dossier.pk, action=DossierAction.SUBMIT, actor=personas.citizen)


def callback(attempt: PaymentTransaction, *, code: str = "00", status: str = "00", amount: int | None = None) -> dict:
    """What the bank sends back (VNPay's return/IPN parameters), signed with the sandbox's secret."""
    from dichvucong.payments.gateways import vnpay
    from dichvucong.payments.gateways.registry import sandbox_credentials

    tmn_code, secret = sandbox_credentials()
    params = {
        "vnp_Amount": str((attempt.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Thanh toan ho so",
        "vnp_PayDate": "20261201103000",
        "vnp_ResponseCode": code,
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": attempt.order_id,
    }
    return {**params, "vnp_SecureHash": vnpay.sign(params, secret)}


def start(request: PaymentRequest) -> PaymentTransaction:
    attempt, url = payment_start(
        request=request,
        gateway_code="sandbox",
        client_ip="127.0.0.1",
        return_url="http://testserver/thanh-toan/ket-qua/",
    )
    assert "vnp_SecureHash=" in url
    return attempt


def test_fees_come_from_the_procedures_lines_with_quantities_from_the_declaration(sent):
    lines = dossier_fees(dossier=sent)
    assert [(line.name, line.quantity, line.amount) for line in lines] == [
        ("Lệ phí cấp Phiếu lý lịch tư pháp", 4, 210_000),  # 2 × 100,000 + 2 × 5,000
        ("Phí chuyển phát", 1, 25_000),
    ]
    assert all(isinstance(line.amount, int) for line in lines)


def test_a_request_before_reception_sends_the_dossier_to_cho_thanh_toan(sent, desk):
    request = payment_request_create(dossier=sent, actor=desk, note="Nộp lệ phí trước khi tiếp nhận.")
    assert request.amount == 235_000
    assert request.stage == "before_reception"
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.PAYMENT_REQUESTED
    with pytest.raises(ApplicationError):
        payment_request_create(dossier=Dossier.objects.get(pk=sent.pk), actor=desk)  # already waiting


def test_a_free_procedure_has_nothing_to_request(personas, desk):
    free = DossierFactory(agency=personas.agency_a, submitted=True)
    with pytest.raises(ApplicationError) as error:
        payment_request_create(dossier=free, actor=desk)
    assert error.value.code == "nothing_to_pay"
    assert Dossier.objects.get(pk=free.pk).status == DossierStatus.SUBMITTED


def test_the_ipn_checks_signature_order_amount_and_replays_then_moves_the_dossier_back(sent, desk):
    request = payment_request_create(dossier=sent, actor=desk)
    attempt = start(request)
    params = callback(attempt)
    forged = {**params, "vnp_Amount": "100"}
    assert payment_ipn(params=forged)["RspCode"] == "97"
    unknown = callback(PaymentTransaction(order_id="khong-co-don-nay", amount=attempt.amount))
    assert payment_ipn(params=unknown)["RspCode"] == "01"
    assert payment_ipn(params=callback(attempt, amount=attempt.amount - 1000))["RspCode"] == "04"
    answer = payment_ipn(params=params)
    assert answer == {"RspCode": "00", "Message": "Confirm Success"}
    assert payment_ipn(params=params)["RspCode"] == "02"  # replay
    request.refresh_from_db()
    assert request.status == RequestStatus.PAID
    assert request.receipt_number.endswith("-000001")
    dossier = Dossier.objects.get(pk=sent.pk)
    assert dossier.status == DossierStatus.SUBMITTED  # back in the reception queue
    assert dossier.events.filter(action=DossierAction.PAYMENT_RECEIVED).count() == 1


@pytest.mark.parametrize(("code", "status", "expected"), [("24", "02", "cancelled"), ("51", "02", "failed")])
def test_a_declined_or_cancelled_payment_leaves_the_request_payable(sent, desk, code, status, expected):
    request = payment_request_create(dossier=sent, actor=desk)
    attempt = start(request)
    assert payment_ipn(params=callback(attempt, code=code, status=status))["RspCode"] == "00"
    attempt.refresh_from_db()
    assert attempt.status == expected
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.PAYMENT_REQUESTED
    again = start(request)  # the citizen can pay again
    assert payment_ipn(params=callback(again))["RspCode"] == "00"
    request.refresh_from_db()
    assert request.status == RequestStatus.PAID


def test_an_exemption_needs_a_reason_and_moves_the_dossier_back(sent, desk, personas):
    request = payment_request_create(dossier=sent, actor=desk)
    with pytest.raises(ApplicationError):
        payment_exempt(request=request, actor=desk, reason=" ")
    with pytest.raises(ApplicationError):
        payment_exempt(request=request, actor=personas.officer_b, reason="Người có công")
    payment_exempt(request=request, actor=desk, reason="Người có công với cách mạng.")
    request.refresh_from_db()
    assert request.status == RequestStatus.EXEMPTED
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.SUBMITTED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_copies_of_the_same_ipn_make_one_payment(personas, procedure):
    desk = make_officer(UserFactory(officer=True, password=None), personas.agency_a, OfficerRole.ONE_STOP)
    dossier = DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, submitted=True)
    request = payment_request_create(dossier=dossier, actor=desk)
    attempt = start(request)
    params = callback(attempt)
    barrier = threading.Barrier(20)
    answers: list[str] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=30)
            answers.append(payment_ipn(params=params)["RspCode"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == ["00"] + ["02"] * 19
    assert PaymentTransaction.objects.filter(status=TransactionStatus.PAID).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action=DossierAction.PAYMENT_RECEIVED).count() == 1
    assert PaymentRequest.objects.get(pk=request.pk).receipt_number


def test_the_ipn_endpoint_accepts_only_signed_calls(client, sent, desk):
    request = payment_request_create(dossier=sent, actor=desk)
    attempt = start(request)
    params = callback(attempt)
    unsigned = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
    response = client.get(reverse("payments:vnpay_ipn"), unsigned)
    assert response.json()["RspCode"] == "97"
    assert PaymentRequest.objects.get(pk=request.pk).status == RequestStatus.PENDING
    response = client.get(reverse("payments:vnpay_ipn"), params)
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}


def test_only_the_owner_and_the_agency_see_the_payment_and_the_receipt(client, sent, desk, personas):
    request = payment_request_create(dossier=sent, actor=desk)
    client.force_login(personas.other_citizen)
    page = client.get(reverse("payments:start"), {"ma": sent.code}).content.decode()
    assert "Không tìm thấy hồ sơ" in page
    assert "235.000" not in page
    client.force_login(personas.citizen)
    page = client.get(reverse("payments:start"), {"ma": sent.code.lower()}).content.decode()
    assert "235.000 đ" in page
    assert "Phí chuyển phát" in page
    attempt = start(request)
    payment_confirm(result=gateway("sandbox").parse_callback(callback(attempt)), source="ipn")
    receipt = client.get(reverse("payments:receipt", args=[request.pk]))
    assert receipt.status_code == 200
    text = " ".join(page.extract_text() or "" for page in PdfReader(BytesIO(receipt.content)).pages)
    for expected in ("BIÊN LAI THANH TOÁN", sent.code, "235.000", "Hai trăm ba mươi lăm nghìn đồng", "Nguyễn Văn An"):
        assert expected in text, expected
    # Registered as issued (its QR code leads to /xac-thuc/<id>/) for the very bytes downloaded.
    from dichvucong.documents.models import IssuedDocument

    issued = IssuedDocument.objects.get(kind="payment_receipt", reference=sent.code)
    assert issued.sha256 == hashlib.sha256(receipt.content).hexdigest()
    client.force_login(personas.other_citizen)
    assert client.get(reverse("payments:receipt", args=[request.pk])).status_code == 404
    force_login_verified(client, personas.officer_b)
    assert client.get(reverse("payments:receipt", args=[request.pk])).status_code == 404
    force_login_verified(client, personas.officer_a)
    assert client.get(reverse("payments:receipt", args=[request.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_dropped_ipn_is_recovered_by_the_reconciliation_job(live_server, settings, personas, procedure):
    """The bank took the money but its IPN never arrived: the periodic job asks the bank and catches up."""
    import datetime as dt
    from urllib.parse import urlsplit

    from django.test import Client

    from dichvucong.payments.services import payment_reconcile

    settings.PORTAL_BASE_URL = live_server.url  # where the gateway's transaction query goes
    settings.PAYMENT_SANDBOX_DROP_IPN = True
    desk = make_officer(UserFactory(officer=True, password=None), personas.agency_a, OfficerRole.ONE_STOP)
    dossier = DossierFactory(agency=personas.agency_a, procedure=procedure, applicant=personas.citizen, submitted=True)
    request = payment_request_create(dossier=dossier, actor=desk)
    attempt, url = payment_start(
        request=request,
        gateway_code="sandbox",
        client_ip="127.0.0.1",
        return_url=f"{live_server.url}/thanh-toan/ket-qua/",
    )
    bank = Client()
    page = bank.get(url)
    assert page.status_code == 200
    assert "NGÂN HÀNG THỬ NGHIỆM" in page.content.decode()
    approved = bank.post(url, {"action": "approve"})
    assert approved.status_code == 302
    assert urlsplit(approved["Location"]).path == "/thanh-toan/ket-qua/"
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING  # no IPN arrived
    # Not yet: the attempt is younger than the job's patience.
    assert payment_reconcile() == {}
    outcome = payment_reconcile(now=attempt.created_at + dt.timedelta(minutes=6))
    assert outcome == {"paid": 1}
    request.refresh_from_db()
    assert request.status == RequestStatus.PAID
    attempt.refresh_from_db()
    assert attempt.confirmed_by == "query"
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.SUBMITTED


def test_the_demo_dossier_waiting_for_payment_can_be_paid(settings, client):
    import io as _io

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("demo", stdout=_io.StringIO())
    waiting = Dossier.objects.get(applicant__national_id="046090001234", status=DossierStatus.PAYMENT_REQUESTED)
    request = waiting.payment_requests.get()
    assert request.amount == 15_000  # Lệ phí đăng ký tạm trú
    client.force_login(waiting.applicant)
    assert "15.000 đ" in client.get(reverse("payments:start"), {"ma": waiting.code}).content.decode()
    call_command("demo", stdout=_io.StringIO())
    assert waiting.payment_requests.count() == 1


def test_a_dossier_waiting_for_the_fee_before_reception_is_withdrawn_at_once_and_cannot_be_paid(
    client, sent, desk, personas
):
    request = payment_request_create(dossier=sent, actor=desk)
    client.force_login(personas.citizen)
    page = client.get(reverse("dossiers:detail", args=[sent.code])).content.decode()
    assert "Rút hồ sơ" in page
    assert "Đề nghị rút hồ sơ" not in page
    dossier_transition(dossier_id=sent.pk, action=DossierAction.WITHDRAW, actor=personas.citizen)
    assert Dossier.objects.get(pk=sent.pk).status == DossierStatus.WITHDRAWN
    page = client.get(reverse("payments:start"), {"ma": sent.code}).content.decode()
    assert "không có khoản phí, lệ phí nào đang chờ thanh toán" in page
    with pytest.raises(ApplicationError):
        start(request)
