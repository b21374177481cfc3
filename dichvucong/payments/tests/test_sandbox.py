"""The sandbox bank at /ngan-hang-thu-nghiem/: the bank's side of VNPay, with a real merchant IPN server."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dichvucong.payments.gateways import sandbox as bank
from dichvucong.payments.gateways import vnpay
from dichvucong.payments.gateways.base import GatewayError, PaymentOrder
from dichvucong.payments.gateways.registry import gateway
from dichvucong.payments.gateways.vnpay import VNPayGateway

pytestmark = pytest.mark.django_db

SANDBOX_TMN = "DVCSBX01"
SANDBOX_SECRET = "sandbox-secret-for-tests-0123456789"
RETURN_URL = "http://testserver/thanh-toan/ket-qua/"


class MerchantServer(ThreadingHTTPServer):
    """The merchant's IPN endpoint: records each GET, answers the RspCodes it is given (then 00)."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), MerchantHandler)
        self.calls: list[dict[str, str]] = []
        self.answers: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/ipn/vnpay"


class MerchantHandler(BaseHTTPRequestHandler):
    server: MerchantServer

    def do_GET(self) -> None:
        self.server.calls.append(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))
        code = self.server.answers.pop(0) if self.server.answers else "00"
        payload = json.dumps({"RspCode": code, "Message": "ok" if code == "00" else "Unknown error"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def sandbox(settings) -> VNPayGateway:
    settings.PAYMENT_SANDBOX_ENABLED = True
    settings.PAYMENT_SANDBOX_TMN_CODE = SANDBOX_TMN
    settings.PAYMENT_SANDBOX_SECRET = SANDBOX_SECRET
    settings.PAYMENT_SANDBOX_DROP_IPN = False
    settings.PAYMENT_SANDBOX_IPN_URL = ""
    settings.PAYMENT_GATEWAYS = ["sandbox"]
    settings.PORTAL_NAME = "Cổng Dịch vụ công"
    return gateway("sandbox")


@pytest.fixture
def merchant(settings, sandbox) -> Iterator[MerchantServer]:
    server = MerchantServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.PAYMENT_SANDBOX_IPN_URL = server.url
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def make_order(**overrides: Any) -> PaymentOrder:
    now = timezone.now()
    options: dict[str, Any] = {
        "order_id": uuid.uuid4().hex,
        "amount": 150_000,
        "description": "Lệ phí cấp bản sao trích lục khai sinh",
        "return_url": RETURN_URL,
        "client_ip": "203.113.131.5",
        "created_at": now,
        "expires_at": now + timedelta(minutes=15),
        **overrides,
    }
    return PaymentOrder(**options)


def returned(response) -> dict[str, str]:
    """The parameters the bank sent the browser back with."""
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(RETURN_URL + "?")
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


# --- The payment page -----------------------------------------------------------------------------
def test_a_signed_payment_url_shows_the_bank_page_with_the_amount_in_dong(client, sandbox):
    order = make_order()

    response = client.get(sandbox.payment_url(order))

    assert response.status_code == 200
    page = response.content.decode()
    assert "NGÂN HÀNG THỬ NGHIỆM — không có giao dịch thật" in page
    assert "150.000 đ" in page
    assert "Le phi cap ban sao trich luc khai sinh" in page
    assert order.order_id in page
    assert "Cổng Dịch vụ công (DVCSBX01)" in page
    for label in ("Xác nhận thanh toán", "Từ chối: tài khoản không đủ số dư", "Hủy giao dịch"):
        assert label in page
    # Its own look is one inline style sheet, let in by a nonce; scripts stay forbidden.
    policy = response["Content-Security-Policy"]
    assert "style-src 'nonce-" in policy
    assert "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "form-action 'self' http://testserver" in policy
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda url: url.replace("vnp_Amount=15000000", "vnp_Amount=1500000"), "97"),
        (lambda url: url.replace("vnp_OrderInfo=Le+phi", "vnp_OrderInfo=Le+phj"), "97"),
        (lambda url: url[:-1] + ("0" if url[-1] != "0" else "1"), "97"),
        (lambda url: url.replace("&vnp_SecureHash=", "&vnp_Foo="), "97"),
        (lambda url: url.replace("vnp_TmnCode=DVCSBX01", "vnp_TmnCode=OTHER001"), "02"),
    ],
)
def test_a_tampered_payment_url_gets_the_banks_error_page(client, sandbox, tamper, code):
    response = client.get(tamper(sandbox.payment_url(make_order())))

    assert response.status_code == 400
    page = response.content.decode()
    assert f"Mã lỗi: {code}" in page
    assert "Xác nhận thanh toán" not in page


def test_a_payment_url_past_its_expiry_is_refused_with_code_11(client, sandbox):
    created = timezone.now() - timedelta(minutes=30)
    order = make_order(created_at=created, expires_at=created + timedelta(minutes=15))

    response = client.get(sandbox.payment_url(order))

    assert response.status_code == 400
    assert "Mã lỗi: 11" in response.content.decode()


def test_a_payment_url_signed_but_malformed_is_refused_with_code_03(client, sandbox):
    params = sandbox.payment_params(make_order())
    params.pop(vnpay.HASH_PARAM)
    params["vnp_CurrCode"] = "USD"
    params[vnpay.HASH_PARAM] = vnpay.sign(params, SANDBOX_SECRET)

    response = client.get(reverse("payments_sandbox:pay"), params)

    assert response.status_code == 400
    assert "Mã lỗi: 03" in response.content.decode()


# --- The tester's choice --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "response_code", "transaction_status", "paid"),
    [("approve", "00", "00", True), ("decline", "51", "02", False), ("cancel", "24", "02", False)],
)
def test_each_choice_redirects_and_sends_a_signed_ipn(
    client, sandbox, merchant, action, response_code, transaction_status, paid
):
    order = make_order()
    url = sandbox.payment_url(order)
    client.get(url)

    response = client.post(url, {"action": action})

    params = returned(response)
    assert params["vnp_ResponseCode"] == response_code
    assert params["vnp_TransactionStatus"] == transaction_status
    assert params["vnp_TxnRef"] == order.order_id
    assert params["vnp_Amount"] == "15000000"
    assert params["vnp_TmnCode"] == SANDBOX_TMN
    assert params["vnp_BankCode"] == "NCB"
    assert params["vnp_OrderInfo"] == "Le phi cap ban sao trich luc khai sinh"
    assert params["vnp_TransactionNo"].isdigit()
    assert vnpay.parse_date(params["vnp_PayDate"]) is not None
    result = sandbox.parse_callback(params)
    assert result.signature_valid
    assert result.paid is paid
    assert result.amount == 150_000
    # The IPN carried exactly what the browser did, and verifies on its own.
    [ipn] = merchant.calls
    assert ipn == params
    assert sandbox.parse_callback(ipn).signature_valid


def test_transaction_numbers_are_unique(client, sandbox, merchant):
    numbers = set()
    for _ in range(3):
        url = sandbox.payment_url(make_order())
        numbers.add(returned(client.post(url, {"action": "approve"}))["vnp_TransactionNo"])

    assert len(numbers) == 3


def test_pressing_twice_pays_once(client, sandbox, merchant):
    url = sandbox.payment_url(make_order())

    first = returned(client.post(url, {"action": "approve"}))
    second = returned(client.post(url, {"action": "decline"}))

    assert second == first
    assert len(merchant.calls) == 1


def test_a_decided_payment_cannot_be_opened_again(client, sandbox, merchant):
    url = sandbox.payment_url(make_order())
    client.post(url, {"action": "decline"})

    response = client.get(url)

    assert response.status_code == 400
    assert "Mã lỗi: 01" in response.content.decode()


def test_the_drop_ipn_setting_skips_the_ipn_but_not_the_redirect(client, settings, sandbox, merchant):
    settings.PAYMENT_SANDBOX_DROP_IPN = True
    url = sandbox.payment_url(make_order())

    assert "IPN sẽ không được gửi" in client.get(url).content.decode()
    params = returned(client.post(url, {"action": "approve"}))

    assert params["vnp_ResponseCode"] == "00"
    assert merchant.calls == []


def test_an_ipn_answered_99_is_sent_again_until_a_final_answer(client, sandbox, merchant):
    merchant.answers = ["99"]
    url = sandbox.payment_url(make_order())

    client.post(url, {"action": "approve"})

    assert len(merchant.calls) == 2
    assert merchant.calls[0] == merchant.calls[1]


def test_the_ipn_goes_to_the_payments_apps_route_by_default(client, sandbox, monkeypatch):
    sent: list[str] = []

    def deliver(url: str, callback: dict[str, str]) -> bank.IpnDelivery:
        sent.append(url)
        return bank.IpnDelivery(url=url, attempts=1, answer={"RspCode": "00"})

    monkeypatch.setattr(bank, "deliver_ipn", deliver)
    url = sandbox.payment_url(make_order())

    client.post(url, {"action": "approve"})

    assert sent == ["http://testserver" + reverse("payments:vnpay_ipn")]


def test_an_unknown_choice_is_refused(client, sandbox, merchant):
    url = sandbox.payment_url(make_order())

    response = client.post(url, {"action": "refund"})

    assert response.status_code == 400
    assert merchant.calls == []


def test_the_choice_needs_the_csrf_token(sandbox, merchant):
    csrf_client = Client(enforce_csrf_checks=True)
    url = sandbox.payment_url(make_order())
    assert csrf_client.get(url).status_code == 200

    assert csrf_client.post(url, {"action": "approve"}).status_code == 403
    assert merchant.calls == []


# --- querydr --------------------------------------------------------------------------------------
def querydr(client: Client, sandbox: VNPayGateway, order: PaymentOrder, **changes: Any) -> dict[str, str]:
    body = sandbox.querydr_request(
        order.order_id,
        order.created_at,
        client_ip="127.0.0.1",
        now=timezone.now(),
        request_id=uuid.uuid4().hex,
    )
    body.update(changes)
    response = client.post(reverse("payments_sandbox:api"), json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    return response.json()


def test_querydr_answers_from_what_the_bank_recorded(client, sandbox, merchant):
    order = make_order()
    url = sandbox.payment_url(order)
    params = returned(client.post(url, {"action": "approve"}))

    answer = querydr(client, sandbox, order)

    assert answer["vnp_ResponseCode"] == "00"
    # The answer's checksum, recomputed by hand over VNPay's documented order of fields.
    data = "|".join(answer.get(name, "") for name in vnpay.QUERY_RESPONSE_FIELDS)
    assert vnpay.hmac_sha512(SANDBOX_SECRET, data) == answer["vnp_SecureHash"]
    result = sandbox.read_query_answer(answer, order_id=order.order_id)
    assert result.found
    assert result.paid
    assert result.amount == 150_000
    assert result.transaction_no == params["vnp_TransactionNo"]
    assert result.transaction_status == "00"
    assert answer["vnp_PayDate"] == params["vnp_PayDate"]


def test_querydr_tells_a_declined_payment(client, sandbox, merchant):
    order = make_order()
    client.post(sandbox.payment_url(order), {"action": "decline"})

    result = sandbox.read_query_answer(querydr(client, sandbox, order), order_id=order.order_id)

    assert result.found
    assert not result.paid
    assert result.transaction_status == "02"
    assert not result.in_progress


def test_querydr_of_a_payment_opened_but_not_decided_is_not_completed(client, sandbox):
    order = make_order()
    client.get(sandbox.payment_url(order))

    result = sandbox.read_query_answer(querydr(client, sandbox, order), order_id=order.order_id)

    assert result.found
    assert not result.paid
    assert result.transaction_status == "01"
    assert result.in_progress


def test_querydr_of_an_unknown_order_or_another_date_is_91(client, sandbox, merchant):
    order = make_order()
    client.post(sandbox.payment_url(order), {"action": "approve"})

    assert querydr(client, sandbox, make_order())["vnp_ResponseCode"] == "91"
    wrong_date = vnpay.format_date(order.created_at - timedelta(days=1))
    body = sandbox.querydr_request(
        order.order_id, order.created_at - timedelta(days=1), client_ip="127.0.0.1", now=timezone.now(), request_id="r1"
    )
    assert body["vnp_TransactionDate"] == wrong_date
    response = client.post(reverse("payments_sandbox:api"), json.dumps(body), content_type="application/json")
    assert response.json()["vnp_ResponseCode"] == "91"
    assert not sandbox.read_query_answer(response.json(), order_id=order.order_id).found


def test_querydr_refuses_a_bad_checksum_a_repeat_and_nonsense(client, sandbox, merchant):
    order = make_order()
    client.post(sandbox.payment_url(order), {"action": "approve"})

    answer = querydr(client, sandbox, order, vnp_TxnRef=make_order().order_id)  # hash no longer matches
    assert answer["vnp_ResponseCode"] == "97"
    with pytest.raises(GatewayError, match="97"):
        sandbox.read_query_answer(answer, order_id=order.order_id)

    body = sandbox.querydr_request(
        order.order_id, order.created_at, client_ip="127.0.0.1", now=timezone.now(), request_id="same-request"
    )
    api = reverse("payments_sandbox:api")
    assert client.post(api, json.dumps(body), content_type="application/json").json()["vnp_ResponseCode"] == "00"
    assert client.post(api, json.dumps(body), content_type="application/json").json()["vnp_ResponseCode"] == "94"

    assert client.post(api, "not json", content_type="application/json").json()["vnp_ResponseCode"] == "03"
    assert querydr(client, sandbox, order, vnp_TmnCode="OTHER001")["vnp_ResponseCode"] == "02"


@pytest.mark.django_db(transaction=True)
def test_the_gateway_queries_the_sandbox_over_http(live_server, settings, sandbox, merchant):
    settings.PORTAL_BASE_URL = live_server.url
    live = gateway("sandbox")
    order = make_order()
    client = Client()
    params = returned(client.post(live.payment_url(order), {"action": "approve"}))

    result = live.query(order.order_id, order.created_at, client_ip="127.0.0.1", now=timezone.now())

    assert result.found
    assert result.paid
    assert result.amount == 150_000
    assert result.transaction_no == params["vnp_TransactionNo"]


# --- Off ------------------------------------------------------------------------------------------
def test_the_sandbox_answers_404_when_disabled(client, settings, sandbox):
    url = sandbox.payment_url(make_order())
    settings.PAYMENT_SANDBOX_ENABLED = False

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approve"}).status_code == 404
    api = reverse("payments_sandbox:api")
    assert client.post(api, "{}", content_type="application/json").status_code == 404
    with pytest.raises(ImproperlyConfigured):
        gateway("sandbox")
