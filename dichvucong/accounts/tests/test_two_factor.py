"""Officers' two-factor authentication: TOTP after the password, enforced by the middleware."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dichvucong.accounts import two_factor
from dichvucong.accounts.models import LoginSession
from dichvucong.accounts.tests.factories import UserFactory

MIDDLEWARE = "dichvucong.accounts.middleware.OfficerTwoFactorMiddleware"
SETUP = "/tai-khoan/xac-thuc-hai-lop/cai-dat/"
VERIFY = "/tai-khoan/xac-thuc-hai-lop/"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def two_factor_on(settings):
    if MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index("django_otp.middleware.OTPMiddleware") + 1, MIDDLEWARE)
        settings.MIDDLEWARE = middleware
    settings.OFFICER_2FA_REQUIRED = True
    return settings


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def token_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


def location(response) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(response["Location"])
    return parts.path, parse_qs(parts.query)


def log_in(client, user, password) -> None:
    assert client.login(username=user.username, password=password)


def test_officer_is_blocked_from_the_admin_until_verified(client, personas, two_factor_on):
    log_in(client, personas.agency_admin_a, personas.password)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert location(response) == (SETUP, {"next": ["/admin/"]})
    assert client.get("/admin/accounts/officerprofile/").status_code == 302


def test_the_whole_flow_with_the_test_client(client, personas, two_factor_on, clock):
    officer = personas.agency_admin_a
    log_in(client, officer, personas.password)

    # First login: set up the authenticator.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{SETUP}?next=%2Fadmin%2F"
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert "data:image/svg+xml" in page
    assert two_factor.grouped(two_factor.base32_secret(device)) in page

    response = client.post(SETUP, {"token": "000000", "next": "/admin/"})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    clock.shift(dt.timedelta(seconds=5))  # past the one-second wait after a wrong code
    response = client.post(SETUP, {"token": token_for(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200

    # Next login: only the code.
    client.post("/tai-khoan/dang-xuat/")
    clock.shift(dt.timedelta(minutes=5))
    log_in(client, officer, personas.password)
    response = client.get("/admin/accounts/officerprofile/")
    assert location(response) == (VERIFY, {"next": ["/admin/accounts/officerprofile/"]})
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # no second authenticator with a password alone

    response = client.post(VERIFY, {"token": token_for(device), "next": "/admin/accounts/officerprofile/"})
    assert response["Location"] == "/admin/accounts/officerprofile/"
    assert client.get("/admin/accounts/officerprofile/").status_code == 200


def test_wrong_codes_are_throttled(client, personas, two_factor_on, clock):
    device = TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    log_in(client, personas.officer_a, personas.password)

    first = client.post(VERIFY, {"token": "000000"})
    second = client.post(VERIFY, {"token": token_for(device)})  # right code, but too soon

    assert "Mã xác thực không đúng" in first.content.decode()
    assert "Vui lòng đợi 1 giây rồi thử lại" in second.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    clock.shift(dt.timedelta(seconds=2))
    assert client.post(VERIFY, {"token": token_for(device)})["Location"] == django_settings.LOGIN_REDIRECT_URL


def test_wait_grows_with_each_wrong_code(client, personas, two_factor_on, clock):
    TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    log_in(client, personas.officer_a, personas.password)

    for _ in range(3):
        clock.shift(dt.timedelta(seconds=10))  # longer than any wait so far: each guess is checked
        client.post(VERIFY, {"token": "000000"})
    response = client.post(VERIFY, {"token": "000000"})

    # Waits double: 1, 2, then 4 seconds after the third wrong code.
    assert "Vui lòng đợi 4 giây rồi thử lại" in response.content.decode()


def test_a_long_wait_is_told_in_minutes(client, personas, two_factor_on, clock):
    TOTPDevice.objects.create(
        user=personas.officer_a,
        name="Điện thoại",
        confirmed=True,
        throttling_failure_count=10,  # 2⁹ = 512 s after the tenth wrong code
        throttling_failure_timestamp=START,
    )
    log_in(client, personas.officer_a, personas.password)

    response = client.post(VERIFY, {"token": "000000"})

    assert "Vui lòng đợi 9 phút rồi thử lại" in response.content.decode()


def test_a_code_works_only_once(client, personas, two_factor_on, clock):
    device = TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    token = token_for(device)
    log_in(client, personas.officer_a, personas.password)
    assert client.post(VERIFY, {"token": token}).status_code == 302

    client.post("/tai-khoan/dang-xuat/")
    log_in(client, personas.officer_a, personas.password)
    response = client.post(VERIFY, {"token": token})

    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()


def test_badly_typed_code_gets_a_format_error_and_spaces_are_accepted(client, personas, two_factor_on, clock):
    device = TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    log_in(client, personas.officer_a, personas.password)

    response = client.post(VERIFY, {"token": "12ab"})
    assert "Mã xác thực gồm đúng 6 chữ số" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 0  # not a guess: nothing was checked

    token = token_for(device)
    assert client.post(VERIFY, {"token": f"{token[:3]} {token[3:]}"}).status_code == 302


def test_the_code_form_is_accessible_and_keeps_to_the_csp(client, personas, two_factor_on, clock):
    TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    log_in(client, personas.officer_a, personas.password)

    page = client.post(VERIFY, {"token": "000000"}).content.decode()
    field = re.search(r"<input[^>]*name=\"token\"[^>]*>", page, re.S).group(0)

    assert '<label for="id_token">' in page
    assert 'autocomplete="one-time-code"' in field
    assert 'inputmode="numeric"' in field
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="token-hint token-error"' in field
    assert 'id="token-error"' in page
    assert 'role="alert"' in page  # the error summary, linking to the field
    assert 'href="#id_token"' in page
    assert "style=" not in page
    assert "<script>" not in page


def test_setup_page_keeps_to_the_csp(client, personas, two_factor_on):
    log_in(client, personas.officer_a, personas.password)

    response = client.get(SETUP)
    page = response.content.decode()

    assert response.status_code == 200
    assert "style=" not in page
    assert "<script>" not in page
    assert "class='segno'" not in page  # the QR is not inline SVG but an <img> with a data: URI,
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="[^"]+">', page)  # which img-src allows


def test_reloading_the_setup_page_keeps_the_same_secret(client, personas, two_factor_on):
    log_in(client, personas.officer_a, personas.password)
    client.get(SETUP)
    client.get(SETUP)

    assert TOTPDevice.objects.filter(user=personas.officer_a).count() == 1


def test_next_must_stay_on_the_site(client, personas, two_factor_on, clock):
    device = TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    log_in(client, personas.officer_a, personas.password)

    response = client.post(VERIFY, {"token": token_for(device), "next": "https://evil.example/"})

    assert response["Location"] == django_settings.LOGIN_REDIRECT_URL


def test_not_required_when_the_setting_is_off(client, personas, two_factor_on):
    two_factor_on.OFFICER_2FA_REQUIRED = False
    log_in(client, personas.agency_admin_a, personas.password)

    assert client.get("/admin/").status_code == 200
    assert client.get(SETUP)["Location"] == django_settings.LOGIN_REDIRECT_URL
    assert not TOTPDevice.objects.exists()


def test_citizens_are_never_asked(client, personas, two_factor_on):
    log_in(client, personas.citizen, personas.password)

    assert client.get("/").status_code == 200
    assert client.get("/ho-tro/").status_code == 200
    assert client.get(SETUP)["Location"] == django_settings.LOGIN_REDIRECT_URL
    assert client.get(VERIFY)["Location"] == django_settings.LOGIN_REDIRECT_URL
    assert not TOTPDevice.objects.exists()


def test_staff_accounts_are_asked_whatever_their_kind(db, client, two_factor_on):
    staff = UserFactory(is_staff=True)  # a citizen-kind account with admin access
    client.force_login(staff)

    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_pages_open_before_the_code(client, personas, two_factor_on):
    log_in(client, personas.officer_a, personas.password)

    assert client.get("/healthz").status_code in (200, 503)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"})["Location"] == "/"
    static = client.get("/static/core/css/portal.css")
    assert not (static.status_code == 302 and static["Location"].startswith(SETUP))
    assert client.get(SETUP).status_code == 200
    assert client.get("/")["Location"].startswith(SETUP)

    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_post_is_redirected_without_next(client, personas, two_factor_on):
    log_in(client, personas.officer_a, personas.password)

    response = client.post("/admin/accounts/officerprofile/add/", {})

    assert response["Location"] == SETUP


def test_htmx_requests_get_a_client_redirect(client, personas, two_factor_on):
    log_in(client, personas.officer_a, personas.password)

    response = client.get("/ho-tro/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(SETUP)


def test_anonymous_visitors_go_to_login_not_to_the_code_pages(db, client, two_factor_on):
    assert client.get("/").status_code == 200
    assert client.get(VERIFY)["Location"].startswith(django_settings.LOGIN_URL)


# --- login_redirect, for the login view --------------------------------------------------------


@pytest.fixture
def login_request(client):
    def make(user, *, verified_device: TOTPDevice | None = None):
        client.force_login(user)
        request = RequestFactory().get("/tai-khoan/dang-nhap/")
        request.session = client.session
        if verified_device is not None:
            request.session[DEVICE_ID_SESSION_KEY] = verified_device.persistent_id
        return request

    return make


def test_login_redirect_sends_a_new_officer_to_setup(personas, login_request, two_factor_on):
    request = login_request(personas.officer_a)

    assert two_factor.login_redirect(request, personas.officer_a, "/can-bo/") == f"{SETUP}?next=%2Fcan-bo%2F"


def test_login_redirect_sends_an_enrolled_officer_to_verify(personas, login_request, two_factor_on):
    TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    request = login_request(personas.officer_a)

    assert two_factor.login_redirect(request, personas.officer_a, "/can-bo/") == f"{VERIFY}?next=%2Fcan-bo%2F"


def test_login_redirect_lets_verified_sessions_citizens_and_optional_setups_through(
    personas, login_request, two_factor_on
):
    device = TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    other = TOTPDevice.objects.create(user=personas.officer_b, name="Điện thoại", confirmed=True)

    verified = login_request(personas.officer_a, verified_device=device)
    assert two_factor.login_redirect(verified, personas.officer_a, "/can-bo/") == "/can-bo/"
    # A device id left in the session by someone else does not count.
    foreign = login_request(personas.officer_a, verified_device=other)
    assert two_factor.login_redirect(foreign, personas.officer_a, "/can-bo/").startswith(VERIFY)
    citizen = login_request(personas.citizen)
    assert two_factor.login_redirect(citizen, personas.citizen, "/tai-khoan/") == "/tai-khoan/"

    two_factor_on.OFFICER_2FA_REQUIRED = False
    assert two_factor.login_redirect(login_request(personas.officer_b), personas.officer_b, "/x/") == "/x/"


# --- in the browser -------------------------------------------------------------------------


def _browser_login(client, page, live_server, user) -> None:
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_setup_page_in_the_browser(client, personas, page, live_server, screenshot):
    _browser_login(client, page, live_server, personas.officer_a)

    page.goto(SETUP)

    assert page.title().startswith("Cài đặt xác thực hai lớp")
    qr = page.get_by_role("img", name="Mã QR để thêm tài khoản vào ứng dụng xác thực")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: URI is allowed by the CSP
    page.get_by_label("Mã xác thực (6 chữ số)").fill("000000")
    page.get_by_role("button", name="Xác nhận và bật xác thực hai lớp").click()
    assert page.get_by_role("alert").inner_text().count("Mã xác thực không đúng") == 1
    screenshot(page, "setup-wrong-code")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_device", [False, True], ids=["setup", "verify"])
def test_code_pages_have_no_serious_accessibility_violations(client, personas, axe_page, live_server, with_device):
    from dichvucong.core.testing.browser import axe_violations

    if with_device:
        TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    _browser_login(client, axe_page, live_server, personas.officer_a)

    axe_page.goto(VERIFY if with_device else SETUP)
    assert axe_violations(axe_page) == []
    axe_page.get_by_label("Mã xác thực (6 chữ số)").fill("12")
    axe_page.get_by_role("button", name="Xác nhận").first.click()
    assert axe_violations(axe_page) == []


def test_the_login_page_sends_officers_to_the_code_and_citizens_on(client, personas, two_factor_on, clock):
    device = TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)

    response = client.post(
        "/tai-khoan/dang-nhap/?next=/admin/", {"identifier": "canbo.a", "password": personas.password}
    )
    assert location(response) == (VERIFY, {"next": ["/admin/"]})
    response = client.post(VERIFY, {"token": token_for(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"

    client.post("/tai-khoan/dang-xuat/")
    response = client.post("/tai-khoan/dang-nhap/", {"identifier": "an.nguyen", "password": personas.password})
    assert response["Location"] == django_settings.LOGIN_REDIRECT_URL


def test_the_login_session_follows_the_new_key_after_the_code(client, personas, two_factor_on, clock):
    """The key changes at verification (session fixation); "end this session" must still reach it."""
    device = TOTPDevice.objects.create(user=personas.officer_a, name="Điện thoại", confirmed=True)
    client.post(reverse("accounts:login"), {"identifier": personas.officer_a.username, "password": personas.password})
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert list(LoginSession.objects.values_list("session_key", flat=True)) == [before]

    assert client.post(VERIFY, {"token": token_for(device)}).status_code == 302

    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert list(LoginSession.objects.values_list("session_key", flat=True)) == [after]
