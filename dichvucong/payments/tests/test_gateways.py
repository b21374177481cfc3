"""The gateway protocols, against hashes computed once outside this code and written out here.

The expected hex digests below were computed with `openssl dgst -sha512 -hmac SECRET` (VNPay) and
`sha256sum` (PayGov) over the hand-written strings next to them, not with the module under test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict

from dichvucong.payments.gateways import vnpay
from dichvucong.payments.gateways.base import GatewayError, PaymentOrder, whole_dong
from dichvucong.payments.gateways.paygov import PayGovGateway
from dichvucong.payments.gateways.registry import (
    available_gateways,
    check_gateways,
    gateway,
    gateway_for_callback,
)
from dichvucong.payments.gateways.vnpay import VNPayGateway

TMN = "DVCTEST1"
SECRET = "SECRETKEYFORTESTS0123456789ABCDE"
PAY_ENDPOINT = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
GMT7 = timezone(timedelta(hours=7))

# --- The payment URL ------------------------------------------------------------------------------
PAYMENT_HASH_DATA = (
    "vnp_Amount=15000000&vnp_Command=pay&vnp_CreateDate=20250301083000&vnp_CurrCode=VND"
    "&vnp_ExpireDate=20250301084500&vnp_IpAddr=203.113.131.5&vnp_Locale=vn"
    "&vnp_OrderInfo=Le+phi+cap+ban+sao+trich+luc+khai+sinh&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdichvucong.example.gov.vn%2Fthanh-toan%2Fket-qua%2F"
    "&vnp_TmnCode=DVCTEST1&vnp_TxnRef=DVC20250301-0001&vnp_Version=2.1.0"
)
PAYMENT_HASH = (
    "7ac6fa05742c1ed37d620c97bbfba21f246e7cacd79d1a2231df4f52432a206e"
    "ad2536846892b533f19d680b0d2938e30040a5e750e77a03c4b259ed95c1a103"
)

# --- A callback (return URL / IPN) with Vietnamese in vnp_OrderInfo ------------------------------
CALLBACK = {
    "vnp_Amount": "15000000",
    "vnp_BankCode": "NCB",
    "vnp_BankTranNo": "VNP14422574",
    "vnp_CardType": "ATM",
    "vnp_OrderInfo": "Lệ phí hộ tịch: bản sao",
    "vnp_PayDate": "20250301084012",
    "vnp_ResponseCode": "00",
    "vnp_TmnCode": "DVCTEST1",
    "vnp_TransactionNo": "14422574",
    "vnp_TransactionStatus": "00",
    "vnp_TxnRef": "DVC20250301-0001",
}
CALLBACK_HASH_DATA = (
    "vnp_Amount=15000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14422574&vnp_CardType=ATM"
    "&vnp_OrderInfo=L%E1%BB%87+ph%C3%AD+h%E1%BB%99+t%E1%BB%8Bch%3A+b%E1%BA%A3n+sao"
    "&vnp_PayDate=20250301084012&vnp_ResponseCode=00&vnp_TmnCode=DVCTEST1&vnp_TransactionNo=14422574"
    "&vnp_TransactionStatus=00&vnp_TxnRef=DVC20250301-0001"
)
CALLBACK_HASH = (
    "855e5dc3a36c524030ca3c54464712fb1dda4307218ac55fca82560006fc0a58"
    "4c6d069b22c4547c6270c14739f7c70ed29dc90ddc61c130955df59ebd22548c"
)

# --- querydr --------------------------------------------------------------------------------------
QUERY_REQUEST_DATA = (
    "a1b2c3d4e5f60718293a4b5c6d7e8f90|2.1.0|querydr|DVCTEST1|DVC20250301-0001|20250301083000"
    "|20250301100000|10.0.0.5|Truy van giao dich DVC20250301-0001"
)
QUERY_REQUEST_HASH = (
    "b687d40bdb1904beef664c3bf00605a6c4a2732265ef9c8e76c3522f83611182"
    "e411cdc8aaaf3f0ef5c78b07da2c854dbb568d5cf55a80dfd76918e4e3369a3d"
)
QUERY_ANSWER = {
    "vnp_ResponseId": "5d2c0e1f9a8b7c6d5e4f3a2b1c0d9e8f",
    "vnp_Command": "querydr",
    "vnp_ResponseCode": "00",
    "vnp_Message": "QueryDR Success",
    "vnp_TmnCode": "DVCTEST1",
    "vnp_TxnRef": "DVC20250301-0001",
    "vnp_Amount": "15000000",
    "vnp_BankCode": "NCB",
    "vnp_PayDate": "20250301084012",
    "vnp_TransactionNo": "14422574",
    "vnp_TransactionType": "01",
    "vnp_TransactionStatus": "00",
    "vnp_OrderInfo": "Le phi cap ban sao trich luc khai sinh",
    # ResponseId|Command|ResponseCode|Message|TmnCode|TxnRef|Amount|BankCode|PayDate|TransactionNo|
    # TransactionType|TransactionStatus|OrderInfo|PromotionCode|PromotionAmount (the last two absent)
    "vnp_SecureHash": (
        "10339d6cebc73702bbbfe875e1428a363740c7f9f7e2749883dfec482c58a3b8"
        "32390b3218027b41cec2c8ee757e4003fa948ead88a62beab86877db12513683"
    ),
}

# --- PayGov ---------------------------------------------------------------------------------------
PAYGOV_SECRET = "paygov-test-secret"
PAYGOV_PAYMENT_CHECKSUM = "6764f50acb5d4776759a25bd1a548fa61c7ab9c42a8b5b1fcaf0d7b98e51a4f4"
# sha256("1.0|pay|PGVHUE01|DVC20250301-0001|150000|VND|Le phi cap ban sao trich luc khai sinh|"
#        "https://dichvucong.example.gov.vn/thanh-toan/ket-qua/|203.113.131.5|20250301083000|"
#        "20250301084500|vn||paygov-test-secret")
PAYGOV_CALLBACK_CHECKSUM = "199bb4c4022a4f4c49d96faa16cd91b4a8f90d3b9e165a9a4232f2e1351746c6"
# sha256("PGVHUE01|DVC20250301-0001|150000|VND|00|00|PG778899|VCB|20250301084012|paygov-test-secret")


def make_gateway(**overrides: Any) -> VNPayGateway:
    options: dict[str, Any] = {
        "tmn_code": TMN,
        "hash_secret": SECRET,
        "pay_endpoint": PAY_ENDPOINT,
        "api_endpoint": "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        **overrides,
    }
    return VNPayGateway(**options)


def make_order(**overrides: Any) -> PaymentOrder:
    created_at = datetime(2025, 3, 1, 1, 30, tzinfo=UTC)  # 08:30 in Việt Nam
    options: dict[str, Any] = {
        "order_id": "DVC20250301-0001",
        "amount": 150_000,
        "description": "Lệ phí cấp bản sao trích lục khai sinh",
        "return_url": "https://dichvucong.example.gov.vn/thanh-toan/ket-qua/",
        "client_ip": "203.113.131.5",
        "created_at": created_at,
        "expires_at": created_at + timedelta(minutes=15),
        "locale": "vn",
        **overrides,
    }
    return PaymentOrder(**options)


def signed(params: dict[str, str]) -> dict[str, str]:
    return {**params, "vnp_SecureHash": vnpay.sign(params, SECRET)}


# --- The payment URL ------------------------------------------------------------------------------
def test_payment_url_is_the_sorted_encoded_query_string_with_its_hmac_sha512():
    url = make_gateway().payment_url(make_order())

    assert url == f"{PAY_ENDPOINT}?{PAYMENT_HASH_DATA}&vnp_SecureHash={PAYMENT_HASH}"


def test_payment_url_folds_the_vietnamese_description_and_adds_the_bank_only_when_chosen():
    params = make_gateway().payment_params(make_order(bank_code="VNPAYQR"))

    assert params["vnp_OrderInfo"] == "Le phi cap ban sao trich luc khai sinh"
    assert params["vnp_BankCode"] == "VNPAYQR"
    assert "vnp_BankCode" not in make_gateway().payment_params(make_order())
    assert vnpay.verify(params, SECRET)


def test_payment_url_without_an_expiry_expires_after_fifteen_minutes_and_uses_the_order_type():
    params = make_gateway(order_type="billpayment").payment_params(make_order(expires_at=None))

    assert params["vnp_ExpireDate"] == "20250301084500"
    assert params["vnp_OrderType"] == "billpayment"


def test_dates_are_gmt_plus_7_whatever_the_zone_given():
    new_year_utc = datetime(2025, 12, 31, 17, 30, 5, tzinfo=UTC)

    assert vnpay.format_date(new_year_utc) == "20260101003005"
    assert vnpay.format_date(new_year_utc.astimezone(ZoneInfo("Asia/Tokyo"))) == "20260101003005"
    assert vnpay.format_date(new_year_utc.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))) == "20260101003005"
    with pytest.raises(ValueError, match="aware"):
        vnpay.format_date(datetime(2025, 12, 31, 17, 30))
    assert vnpay.parse_date("20260101003005") == new_year_utc
    assert vnpay.parse_date("2026-01-01") is None
    assert vnpay.parse_date("20261301003005") is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": 150_000.0}, "integer"),
        ({"amount": True}, "integer"),
        ({"amount": 0}, "integer"),
        ({"amount": -5}, "integer"),
        ({"created_at": datetime(2025, 3, 1, 8, 30)}, "aware"),
        ({"locale": "vi"}, "locale"),
        ({"client_ip": ""}, "client_ip"),
    ],
)
def test_an_order_refuses_floats_naive_times_and_unknown_locales(overrides, message):
    with pytest.raises(ValueError, match=message):
        make_order(**overrides)


def test_an_order_id_or_return_url_vnpay_cannot_carry_is_refused():
    with pytest.raises(ValueError, match="vnp_TxnRef"):
        make_gateway().payment_url(make_order(order_id="HS 2025/01"))
    with pytest.raises(ValueError, match="vnp_ReturnUrl"):
        make_gateway().payment_url(make_order(return_url="/thanh-toan/ket-qua/"))


# --- Encoding -------------------------------------------------------------------------------------
def test_hash_data_sorts_keys_drops_empty_values_and_encodes_spaces_as_plus():
    params = {"vnp_TxnRef": "A1", "vnp_BankCode": "", "vnp_Amount": "100", "vnp_Locale": None, "vnp_OrderInfo": "a b/c"}

    assert vnpay.hash_data(params) == "vnp_Amount=100&vnp_OrderInfo=a+b%2Fc&vnp_TxnRef=A1"


def test_vietnamese_with_diacritics_is_percent_encoded_as_utf8():
    assert vnpay.hash_data(CALLBACK) == CALLBACK_HASH_DATA
    assert vnpay.sign(CALLBACK, SECRET) == CALLBACK_HASH


def test_order_info_is_folded_to_plain_ascii_without_special_characters():
    assert vnpay.ascii_order_info("Đăng ký khai sinh (lần đầu) — Phường Thuận Hóa!") == (
        "Dang ky khai sinh lan dau Phuong Thuan Hoa"
    )
    assert vnpay.ascii_order_info("漢字", fallback="Thanh toan X") == "Thanh toan X"
    assert len(vnpay.ascii_order_info("a" * 300)) == 255


# --- Callbacks ------------------------------------------------------------------------------------
def test_a_signed_callback_is_read():
    result = make_gateway().parse_callback({**CALLBACK, "vnp_SecureHash": CALLBACK_HASH})

    assert result.signature_valid
    assert result.paid
    assert result.order_id == "DVC20250301-0001"
    assert result.amount == 150_000
    assert result.response_code == "00"
    assert result.transaction_status == "00"
    assert result.transaction_no == "14422574"
    assert result.bank_code == "NCB"
    assert result.paid_at == datetime(2025, 3, 1, 1, 40, 12, tzinfo=UTC)
    assert result.raw["vnp_OrderInfo"] == "Lệ phí hộ tịch: bản sao"


def test_vnp_securehashtype_is_not_hashed_and_an_upper_case_hash_is_accepted():
    params = {**CALLBACK, "vnp_SecureHashType": "HmacSHA512", "vnp_SecureHash": CALLBACK_HASH.upper()}

    assert make_gateway().parse_callback(params).signature_valid


def test_parameters_that_are_not_vnpays_are_not_hashed():
    # The return URL may carry the portal's own query parameters before VNPay's.
    params = {**CALLBACK, "vnp_SecureHash": CALLBACK_HASH, "lang": "vi"}

    assert make_gateway().parse_callback(params).signature_valid


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("vnp_Amount", "15000001"),
        ("vnp_Amount", "150000000"),
        ("vnp_OrderInfo", "Lệ phí hộ tịch: bản sáo"),
        ("vnp_ResponseCode", "01"),
        ("vnp_TxnRef", "DVC20250301-0002"),
        ("vnp_SecureHash", CALLBACK_HASH[:-1] + "d"),
        ("vnp_SecureHash", ""),
        ("vnp_SecureHash", "không phải hash"),
    ],
)
def test_a_single_changed_character_is_refused(name, value):
    result = make_gateway().parse_callback({**CALLBACK, "vnp_SecureHash": CALLBACK_HASH, name: value})

    assert not result.signature_valid
    assert not result.paid


def test_a_callback_without_hash_is_not_paid_even_with_success_codes():
    result = make_gateway().parse_callback(CALLBACK)

    assert not result.signature_valid
    assert not result.paid
    assert result.amount == 150_000  # still read, for the log


def test_another_merchants_callback_is_refused_even_when_signed_with_our_secret():
    params = signed({**CALLBACK, "vnp_TmnCode": "OTHER001"})

    assert not make_gateway().parse_callback(params).signature_valid


def test_a_repeated_vnp_parameter_is_refused():
    query = QueryDict(mutable=True)
    query.update({**CALLBACK, "vnp_SecureHash": CALLBACK_HASH})
    query.appendlist("vnp_Amount", "100")

    assert not make_gateway().parse_callback(query).signature_valid


def test_a_query_dict_from_a_real_request_verifies():
    query = QueryDict(vnpay.hash_data(CALLBACK) + "&vnp_SecureHash=" + CALLBACK_HASH)

    assert make_gateway().parse_callback(query).signature_valid


@pytest.mark.parametrize(
    ("vnp_amount", "expected"),
    [
        ("15000000", 150_000),
        ("0", 0),
        ("15000050", None),
        ("15000001", None),
        ("-15000000", None),
        ("+15000000", None),
        ("150000.00", None),
        ("1.5e7", None),
        (" ", None),
        ("", None),
        (None, None),
        ("１５０００００", None),  # full-width digits are not the gateway's
    ],
)
def test_amounts_that_are_not_whole_dong_are_refused(vnp_amount, expected):
    assert vnpay.from_vnp_amount(vnp_amount) == expected


def test_a_callback_whose_amount_is_not_whole_dong_has_no_amount():
    params = signed({**CALLBACK, "vnp_Amount": "15000050"})

    result = make_gateway().parse_callback(params)

    assert result.signature_valid
    assert result.amount is None


@pytest.mark.parametrize(
    ("response_code", "transaction_status", "paid"),
    [("00", "00", True), ("00", "01", False), ("24", "02", False), ("51", "02", False), ("00", "", False)],
)
def test_paid_needs_both_codes(response_code, transaction_status, paid):
    params = signed({**CALLBACK, "vnp_ResponseCode": response_code, "vnp_TransactionStatus": transaction_status})

    assert make_gateway().parse_callback(params).paid is paid


def test_the_ipn_answers_with_vnpays_messages():
    gw = make_gateway()

    assert gw.ipn_response("00") == {"RspCode": "00", "Message": "Confirm Success"}
    assert gw.ipn_response("01") == {"RspCode": "01", "Message": "Order not found"}
    assert gw.ipn_response("02") == {"RspCode": "02", "Message": "Order already confirmed"}
    assert gw.ipn_response("04") == {"RspCode": "04", "Message": "Invalid amount"}
    assert gw.ipn_response("97") == {"RspCode": "97", "Message": "Invalid signature"}
    assert gw.ipn_response("99") == {"RspCode": "99", "Message": "Unknown error"}
    with pytest.raises(ValueError, match="IPN"):
        gw.ipn_response("05")


# --- querydr --------------------------------------------------------------------------------------
def test_querydr_request_is_signed_over_the_documented_fields_joined_with_bars():
    body = make_gateway().querydr_request(
        "DVC20250301-0001",
        datetime(2025, 3, 1, 1, 30, tzinfo=UTC),
        client_ip="10.0.0.5",
        now=datetime(2025, 3, 1, 3, 0, tzinfo=UTC),
        request_id="a1b2c3d4e5f60718293a4b5c6d7e8f90",
    )

    assert "|".join(body[name] for name in vnpay.QUERY_REQUEST_FIELDS) == QUERY_REQUEST_DATA
    assert body["vnp_SecureHash"] == QUERY_REQUEST_HASH


def test_a_querydr_answer_is_checked_and_read():
    result = make_gateway().read_query_answer(QUERY_ANSWER, order_id="DVC20250301-0001")

    assert result.found
    assert result.paid
    assert result.amount == 150_000
    assert result.transaction_no == "14422574"
    assert result.transaction_status == "00"
    assert result.response_code == "00"
    assert result.bank_code == "NCB"
    assert result.paid_at == datetime(2025, 3, 1, 8, 40, 12, tzinfo=GMT7)


@pytest.mark.parametrize(
    "change",
    [
        {"vnp_Amount": "150000000"},
        {"vnp_TransactionStatus": "02"},
        {"vnp_PromotionAmount": "1000"},
        {"vnp_SecureHash": ""},
    ],
)
def test_a_querydr_answer_that_does_not_match_its_checksum_raises(change):
    with pytest.raises(GatewayError):
        make_gateway().read_query_answer({**QUERY_ANSWER, **change}, order_id="DVC20250301-0001")


def test_a_querydr_answer_about_another_merchant_or_order_raises():
    with pytest.raises(GatewayError):
        make_gateway(tmn_code="OTHER001").read_query_answer(QUERY_ANSWER, order_id="DVC20250301-0001")
    with pytest.raises(GatewayError, match="khác"):
        make_gateway().read_query_answer(QUERY_ANSWER, order_id="DVC20250301-0002")


class QueryServer(ThreadingHTTPServer):
    """A stand-in for VNPay's merchant_webapi: records the requests, answers what it is told to."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), QueryHandler)
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        self.answer: Any = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/merchant_webapi/api/transaction"


class QueryHandler(BaseHTTPRequestHandler):
    server: QueryServer

    def do_POST(self) -> None:
        self.server.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        payload = (
            self.server.answer if isinstance(self.server.answer, bytes) else json.dumps(self.server.answer).encode()
        )
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def query_server() -> Iterator[QueryServer]:
    server = QueryServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def query(gw: VNPayGateway) -> Any:
    return gw.query(
        "DVC20250301-0001",
        datetime(2025, 3, 1, 1, 30, tzinfo=UTC),
        client_ip="10.0.0.5",
        now=datetime(2025, 3, 1, 3, 0, tzinfo=UTC),
    )


def test_query_posts_json_and_reads_the_answer(query_server):
    query_server.answer = QUERY_ANSWER

    result = query(make_gateway(api_endpoint=query_server.url))

    assert result.found
    assert result.paid
    assert result.amount == 150_000
    [body] = query_server.bodies
    assert body["vnp_Command"] == "querydr"
    assert body["vnp_TransactionDate"] == "20250301083000"
    assert body["vnp_CreateDate"] == "20250301100000"
    assert len(body["vnp_RequestId"]) == 32
    assert (
        vnpay.hmac_sha512(SECRET, "|".join(body[name] for name in vnpay.QUERY_REQUEST_FIELDS))
        == (body["vnp_SecureHash"])
    )


def test_query_of_an_unknown_transaction_is_not_found(query_server):
    answer = {"vnp_ResponseId": "1", "vnp_Command": "querydr", "vnp_ResponseCode": "91", "vnp_Message": "Not found"}
    answer["vnp_SecureHash"] = vnpay.field_checksum({**answer, "vnp_TmnCode": TMN}, vnpay.QUERY_RESPONSE_FIELDS, SECRET)
    query_server.answer = answer

    result = query(make_gateway(api_endpoint=query_server.url))

    assert not result.found
    assert not result.paid
    assert result.response_code == "91"


@pytest.mark.parametrize(
    ("status", "answer", "message"),
    [
        (500, {"error": "down"}, "HTTP 500"),
        (200, b"<html>maintenance</html>", "định dạng"),
        (200, [], "định dạng"),
        (200, {"vnp_ResponseCode": "97", "vnp_Message": "Invalid checksum"}, "97"),
        (200, {"vnp_ResponseCode": "94", "vnp_Message": "Duplicate request"}, "94"),
        (200, {**QUERY_ANSWER, "vnp_SecureHash": ""}, "chữ ký"),
    ],
)
def test_query_failures_raise_gateway_error(query_server, status, answer, message):
    query_server.status = status
    query_server.answer = answer

    with pytest.raises(GatewayError, match=message):
        query(make_gateway(api_endpoint=query_server.url))


def test_query_to_nowhere_raises_gateway_error():
    with pytest.raises(GatewayError, match="kết nối"):
        query(make_gateway(api_endpoint="http://127.0.0.1:9/api", timeout=2))


# --- PayGov ---------------------------------------------------------------------------------------
def make_paygov() -> PayGovGateway:
    return PayGovGateway(
        merchant_code="PGVHUE01", secret=PAYGOV_SECRET, pay_endpoint="https://paygov.example.gov.vn/pay"
    )


PAYGOV_CALLBACK = {
    "merchant_code": "PGVHUE01",
    "order_id": "DVC20250301-0001",
    "amount": "150000",
    "currency": "VND",
    "response_code": "00",
    "transaction_status": "00",
    "transaction_no": "PG778899",
    "bank_code": "VCB",
    "pay_date": "20250301084012",
}


def test_paygov_payment_checksum_is_sha256_of_the_fields_and_the_secret_joined_with_bars():
    params = make_paygov().payment_params(make_order())

    assert params["amount"] == "150000"  # whole đồng, not × 100
    assert params["order_info"] == "Le phi cap ban sao trich luc khai sinh"
    assert params["checksum"] == PAYGOV_PAYMENT_CHECKSUM
    assert make_paygov().payment_url(make_order()).startswith("https://paygov.example.gov.vn/pay?version=1.0&")


def test_paygov_callback_is_verified():
    result = make_paygov().parse_callback({**PAYGOV_CALLBACK, "checksum": PAYGOV_CALLBACK_CHECKSUM})

    assert result.signature_valid
    assert result.paid
    assert result.amount == 150_000
    assert result.transaction_no == "PG778899"
    assert result.paid_at == datetime(2025, 3, 1, 1, 40, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "150001"},
        {"response_code": "00|"},
        {"checksum": PAYGOV_CALLBACK_CHECKSUM[:-1] + "5"},
        {"merchant_code": "PGVHUE02"},
    ],
)
def test_paygov_callback_with_a_changed_field_is_refused(change):
    result = make_paygov().parse_callback({**PAYGOV_CALLBACK, "checksum": PAYGOV_CALLBACK_CHECKSUM, **change})

    assert not result.signature_valid
    assert not result.paid


def test_paygov_has_no_transaction_query():
    gw = make_paygov()

    assert gw.supports_query is False
    with pytest.raises(NotImplementedError, match="PayGov"):
        gw.query("X", datetime(2025, 3, 1, tzinfo=UTC), client_ip="10.0.0.5", now=datetime(2025, 3, 1, tzinfo=UTC))


def test_whole_dong():
    assert whole_dong("150000") == 150_000
    assert whole_dong(150_000) == 150_000
    assert whole_dong("150.000") is None
    assert whole_dong("-1") is None


# --- Registry -------------------------------------------------------------------------------------
@pytest.fixture
def configured(settings):
    settings.VNPAY_TMN_CODE = TMN
    settings.VNPAY_HASH_SECRET = SECRET
    settings.VNPAY_PAYMENT_URL = PAY_ENDPOINT
    settings.VNPAY_API_URL = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
    settings.VNPAY_ORDER_TYPE = "billpayment"
    settings.PAYGOV_MERCHANT_CODE = "PGVHUE01"
    settings.PAYGOV_SECRET = PAYGOV_SECRET
    settings.PAYGOV_PAYMENT_URL = "https://paygov.example.gov.vn/pay"
    settings.PAYMENT_SANDBOX_ENABLED = True
    settings.PAYMENT_SANDBOX_TMN_CODE = "DVCSBX01"
    settings.PAYMENT_SANDBOX_SECRET = "sandbox-secret-0123456789"
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"
    settings.PAYMENT_GATEWAYS = ["vnpay", "sandbox", "paygov"]
    return settings


def test_available_gateways_follow_the_setting_with_vietnamese_labels(configured):
    gateways = available_gateways()

    assert [gw.code for gw in gateways] == ["vnpay", "sandbox", "paygov"]
    assert [str(gw.label) for gw in gateways] == [
        "Ngân hàng / ví điện tử qua VNPay",
        "Ngân hàng thử nghiệm (không có giao dịch thật)",
        "Nền tảng thanh toán quốc gia (PayGov)",
    ]
    assert gateways[0].order_type == "billpayment"


def test_the_sandbox_speaks_vnpay_to_this_apps_own_pages(configured):
    sandbox = gateway("sandbox")

    url = sandbox.payment_url(make_order())

    assert url.startswith("/ngan-hang-thu-nghiem/thanh-toan/?vnp_Amount=15000000&")
    assert "vnp_TmnCode=DVCSBX01" in url
    assert sandbox.api_endpoint == "http://127.0.0.1:8000/ngan-hang-thu-nghiem/api/"


def test_the_sandbox_is_unusable_when_off(configured):
    configured.PAYMENT_SANDBOX_ENABLED = False

    assert [gw.code for gw in available_gateways()] == ["vnpay", "paygov"]
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_SANDBOX_ENABLED"):
        gateway("sandbox")
    assert [message.id for message in check_gateways()] == ["payments.W001"]


def test_unknown_or_unconfigured_gateways_are_refused_clearly(configured):
    with pytest.raises(ImproperlyConfigured, match="No payment gateway 'momo'"):
        gateway("momo")

    configured.VNPAY_HASH_SECRET = ""
    configured.VNPAY_API_URL = ""
    with pytest.raises(ImproperlyConfigured, match="VNPAY_HASH_SECRET, VNPAY_API_URL"):
        gateway("vnpay")
    with pytest.raises(ImproperlyConfigured):
        available_gateways()
    assert [message.id for message in check_gateways()] == ["payments.E001"]


def test_no_gateways_by_default_outside_debug(settings):
    settings.PAYMENT_GATEWAYS = []

    assert available_gateways() == []
    assert check_gateways() == []


def test_a_callback_finds_its_gateway_by_merchant_code(configured):
    assert gateway_for_callback({"vnp_TmnCode": TMN}).code == "vnpay"
    assert gateway_for_callback({"vnp_TmnCode": "DVCSBX01"}).code == "sandbox"
    assert gateway_for_callback({"merchant_code": "PGVHUE01"}).code == "paygov"
    assert gateway_for_callback({"vnp_TmnCode": "NOBODY01"}) is None
