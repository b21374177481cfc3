"""Registration, OTP and login through the real views, with the SMS read from the outbox."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from dichvucong.accounts.models import LoginSession, OneTimeCode, User
from dichvucong.core.testing.services import needs_redis
from dichvucong.notifications.models import Notification

pytestmark = pytest.mark.django_db

CITIZEN_URL = "/tai-khoan/dang-ky/?doi-tuong=cong-dan&xac-thuc=sdt"
ENTERPRISE_URL = "/tai-khoan/dang-ky/?doi-tuong=doanh-nghiep&xac-thuc=sdt"
PASSWORD = "Hue@2026-song"


def citizen_data(**overrides):
    data = {
        "full_name": "Trần Thị Mai",
        "national_id": "046195001122",
        "date_of_birth": "1995-03-08",
        "sex": "female",
        "phone": "0912 345 678",
        "email": "mai.tran@example.invalid",
        "province_code": "46",
        "ward_code": "19786",
        "street_address": "12 Lê Lợi",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **overrides}


def last_sms_code(phone: str) -> str:
    sms = Notification.objects.filter(channel="sms", recipient=phone).order_by("-pk").first()
    assert sms is not None, "an SMS was queued"
    return re.search(r"\b(\d{6})\b", sms.body_text).group(1)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def register(client, django_capture_on_commit_callbacks, url=CITIZEN_URL, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, citizen_data(**overrides) if url == CITIZEN_URL else overrides)


def test_citizen_registers_verifies_and_is_logged_in(client, django_capture_on_commit_callbacks):
    response = register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_verify")
    user = User.objects.get(national_id="046195001122")
    assert user.is_active is False
    assert user.phone == "+84912345678"
    assert identify_hasher(user.password).algorithm == "argon2"

    code = last_sms_code("+84912345678")
    otp = OneTimeCode.objects.get(user=user)
    assert code not in otp.code_hash, "the code is stored only as a keyed hash"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register_verify"), {"code": code})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert user.phone_verified_at is not None
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Đăng ký tài khoản thành công." in profile
    assert "Trần Thị Mai" in profile
    assert LoginSession.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"national_id": "04619500112"}, "Số CCCD phải gồm đúng 12 chữ số."),
        ({"national_id": "046185001122"}, "Số CCCD không khớp với năm sinh 1995"),
        ({"phone": "0123 456 789"}, "Số điện thoại di động không hợp lệ"),
        ({"password1": "matkhau123", "password2": "matkhau123"}, "Mật khẩu phải có cả chữ hoa và chữ thường."),
        ({"password2": "Khac@2026-song"}, "Hai mật khẩu không giống nhau."),
        ({"ward_code": "20242"}, "Xã/phường đã chọn không thuộc tỉnh/thành phố đã chọn."),
        ({"full_name": ""}, "Trường này là bắt buộc."),
    ],
)
def test_bad_registration_input_gets_a_vietnamese_message_and_keeps_what_was_typed(client, overrides, message):
    response = client.post(CITIZEN_URL, citizen_data(**overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Vui lòng kiểm tra lại thông tin" in html
    assert 'value="12 Lê Lợi"' in html, "what was typed is kept"
    assert not User.objects.exists()


def test_the_same_cccd_or_phone_cannot_register_twice(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    code = last_sms_code("+84912345678")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register_verify"), {"code": code})
    client.logout()

    response = client.post(CITIZEN_URL, citizen_data(email="other@example.invalid"))

    html = response.content.decode()
    assert "Số CCCD này đã được đăng ký tài khoản." in html
    assert "Số điện thoại này đã được đăng ký tài khoản." in html
    assert "Trần Thị Mai" not in html.split("<form", 1)[1].split('value="Trần Thị Mai"', 1)[-1]
    assert User.objects.count() == 1


def test_an_unverified_registration_does_not_block_the_real_owner(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks, full_name="Kẻ Mạo Danh")
    client.cookies.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        response = register(client, django_capture_on_commit_callbacks, phone="0987654321")
    assert response.status_code == 302
    assert User.objects.get(national_id="046195001122").full_name == "Trần Thị Mai"


def test_wrong_expired_and_reused_otp(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    code = last_sms_code("+84912345678")
    wrong = "000000" if code != "000000" else "111111"

    html = client.post(reverse("accounts:register_verify"), {"code": wrong}).content.decode()
    assert "Mã OTP không đúng. Bạn còn 4 lần thử." in html
    html = client.post(reverse("accounts:register_verify"), {"code": "12ab"}).content.decode()
    assert "Mã OTP gồm 6 chữ số." in html

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        html = client.post(reverse("accounts:register_verify"), {"code": code}).content.decode()
    assert "Mã xác thực đã hết hạn. Vui lòng bấm Gửi lại mã." in html
    assert User.objects.get().is_active is False


def test_five_wrong_entries_kill_the_code(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    code = last_sms_code("+84912345678")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        client.post(reverse("accounts:register_verify"), {"code": wrong})

    html = client.post(reverse("accounts:register_verify"), {"code": wrong}).content.decode()
    assert "Bạn đã nhập sai 5 lần, mã OTP đã bị hủy." in html
    html = client.post(reverse("accounts:register_verify"), {"code": code}).content.decode()
    assert "không đúng hoặc đã được sử dụng" in html


def test_resend_waits_60_seconds_and_allows_5_an_hour(client, django_capture_on_commit_callbacks):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        register(client, django_capture_on_commit_callbacks)
        response = client.post(reverse("accounts:register_resend"), follow=True)
    assert "Vui lòng đợi 60 giây rồi bấm Gửi lại mã." in response.content.decode()

    for minute in range(1, 5):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(reverse("accounts:register_resend"), follow=True)
            assert "Đã gửi lại mã xác thực." in response.content.decode()
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        response = client.post(reverse("accounts:register_resend"), follow=True)
    assert "đã nhận 5 mã trong một giờ" in response.content.decode()
    assert OneTimeCode.objects.count() == 5
    # only the newest code is alive
    assert OneTimeCode.objects.filter(invalidated_at__isnull=True).count() == 1


def test_enterprise_registers_by_tax_code(client, django_capture_on_commit_callbacks):
    data = {
        "full_name": "Công ty TNHH Sông Hương",
        "tax_code": "0100109106",
        "representative_name": "Lê Văn Hòa",
        "representative_national_id": "046080002233",
        "phone": "0935111222",
        "email": "songhuong@example.invalid",
        "province_code": "46",
        "ward_code": "19786",
        "street_address": "5 Hà Nội",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENTERPRISE_URL, data)
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register_verify"), {"code": last_sms_code("+84935111222")})
    user = User.objects.get(tax_code="0100109106")
    assert user.is_active
    assert user.kind == "enterprise"

    bad = client.post(ENTERPRISE_URL, {**data, "tax_code": "0100109107"}).content.decode()
    assert "Mã số thuế không hợp lệ (sai chữ số kiểm tra)." in bad


@pytest.fixture
def active_citizen(db):
    user = User.objects.create_user(
        username="046195001122",
        national_id="046195001122",
        phone="+84912345678",
        email="mai@example.invalid",
        password=PASSWORD,
        full_name="Trần Thị Mai",
    )
    return user


@pytest.mark.parametrize("identifier", ["046195001122", "0912345678", "+84912345678", "MAI@example.invalid"])
def test_login_by_cccd_phone_or_email(client, active_citizen, identifier):
    session_before = client.session.session_key
    response = client.post(reverse("accounts:login"), {"identifier": identifier, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != session_before, "the session key rotates on login"
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_login_throttling_locks_and_unlocks(client, active_citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(4):
            html = client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": "sai"}).content
            assert "Tài khoản hoặc mật khẩu không đúng." in html.decode()
        html = client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": "sai"}).content
        assert "Vui lòng thử lại sau 15 phút" in html.decode()
        # even the right password is refused while locked
        response = client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})
        assert response.status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        response = client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})
    assert response.status_code == 302


def test_password_reset_by_otp_says_the_same_for_unknown_numbers(
    client, active_citizen, django_capture_on_commit_callbacks
):
    unknown = client.post(reverse("accounts:password_reset"), {"phone": "0988000111"}, follow=True).content.decode()
    assert "Nếu số điện thoại 0988000111 đã đăng ký tài khoản" in unknown
    assert not Notification.objects.filter(recipient="+84988000111").exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"phone": "0912345678"})
    code = last_sms_code("+84912345678")
    response = client.post(
        reverse("accounts:password_reset_confirm"),
        {
            "code": code,
            "new_password1": "Moi@2026-Hue",
            "new_password2": "Moi@2026-Hue",
        },
    )
    assert response.status_code == 302
    assert (
        client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": "Moi@2026-Hue"}).status_code
        == 302
    )


def test_profile_update_phone_change_sessions_and_data(client, active_citizen, django_capture_on_commit_callbacks):
    client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})

    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Trần Thị Mai Anh",
            "email": "mai.anh@example.invalid",
            "province_code": "46",
            "ward_code": "19777",
            "street_address": "3 Nguyễn Sinh Cung",
        },
        follow=True,
    )
    assert "Đã cập nhật thông tin cá nhân." in response.content.decode()
    active_citizen.refresh_from_db()
    assert (active_citizen.full_name, active_citizen.ward_code) == ("Trần Thị Mai Anh", 19777)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:phone_change"), {"new_phone": "0905999888"})
    assert User.objects.get(pk=active_citizen.pk).phone == "+84912345678", "not changed before the OTP"
    client.post(reverse("accounts:phone_change"), {"code": last_sms_code("+84905999888")})
    assert User.objects.get(pk=active_citizen.pk).phone == "+84905999888"

    assert "Phiên hiện tại" in client.get(reverse("accounts:sessions")).content.decode()
    data = client.get(reverse("accounts:my_data")).json()
    assert data["tai_khoan"]["ho_ten"] == "Trần Thị Mai Anh"
    assert data["tai_khoan"]["so_dien_thoai"] == "+84905999888"


def test_personal_pages_need_a_login(client):
    for name in [
        "accounts:profile",
        "accounts:phone_change",
        "accounts:password_change",
        "accounts:sessions",
        "accounts:my_data",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def test_registration_verified_by_an_email_link(client, django_capture_on_commit_callbacks, mailoutbox):
    url = "/tai-khoan/dang-ky/?doi-tuong=cong-dan&xac-thuc=email"
    without_email = client.post(url, citizen_data(email="")).content.decode()
    assert "Trường này là bắt buộc." in without_email

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, citizen_data())
    assert mailoutbox[0].to == ["mai.tran@example.invalid"]
    path = re.search(r"/tai-khoan/xac-thuc-email/\d+/[\w-]+/", mailoutbox[0].body).group(0)
    stored = Notification.objects.get(channel="email", event="email_verification")
    assert path not in stored.body_text, "the link is wiped from the outbox once delivered"

    assert "Xác nhận" in client.get(path).content.decode()
    assert User.objects.get().is_active is False, "opening the link alone activates nothing"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.is_active
    assert user.email_verified_at is not None
    assert client.post(path).status_code == 400, "a link works once"


def test_a_used_code_cannot_be_used_again(client, active_citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"phone": "0912345678"})
    code = last_sms_code("+84912345678")
    data = {"code": code, "new_password1": "Moi@2026-Hue", "new_password2": "Moi@2026-Hue"}
    assert client.post(reverse("accounts:password_reset_confirm"), data).status_code == 302

    session = client.session
    session["password_reset_phone"] = "+84912345678"
    session.save()
    html = client.post(
        reverse("accounts:password_reset_confirm"),
        {**data, "new_password1": "Khac@2026-Hue", "new_password2": "Khac@2026-Hue"},
    ).content
    assert "không đúng hoặc đã được sử dụng" in html.decode()


def test_login_throttling_per_address(client, settings, db):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    for n in range(2):
        client.post(reverse("accounts:login"), {"identifier": f"khongco{n}", "password": "sai"})
    html = client.post(reverse("accounts:login"), {"identifier": "khongco9", "password": "sai"}).content.decode()
    assert "Bạn đã đăng nhập sai quá nhiều lần" in html
    # a different account from the same address is refused too while the address is locked
    html = client.post(reverse("accounts:login"), {"identifier": "khac", "password": "sai"}).content.decode()
    assert "Bạn đã đăng nhập sai quá nhiều lần" in html


def test_housekeeping_purges_expired_sessions_and_old_codes(client, active_citizen, django_capture_on_commit_callbacks):
    from dichvucong.accounts.services import housekeeping_purge

    client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:phone_change"), {"new_phone": "0905999888"})
    assert LoginSession.objects.count() == 1

    assert housekeeping_purge() == {"sessions": 0, "login_sessions": 0, "codes": 0}
    later = timezone.now() + dt.timedelta(days=2)
    with time_machine.travel(later):
        result = housekeeping_purge()
    assert result["login_sessions"] == 1
    assert result["codes"] == 1
    assert not LoginSession.objects.exists()


SESSION_ENGINES = [
    pytest.param({"SESSION_ENGINE": "django.contrib.sessions.backends.db"}, id="db"),
    pytest.param(
        {
            "SESSION_ENGINE": "dichvucong.core.sessions",
            "CACHES": {
                "default": {
                    "BACKEND": "dichvucong.core.cache.RedisCache",
                    "LOCATION": "redis://127.0.0.1:6379/9",
                    "KEY_PREFIX": "dvc-session-test",
                }
            },
        },
        id="cached_db-redis",
        marks=needs_redis,
    ),
]


@pytest.mark.parametrize("engine", SESSION_ENGINES)
def test_ending_sessions_logs_the_other_devices_out_whatever_the_session_engine(settings, active_citizen, engine):
    """With cached_db (production, REDIS_URL) a session lives in Redis too: ending it must remove both."""
    from django.test import Client

    for name, value in engine.items():
        setattr(settings, name, value)
    phone, laptop, tablet = Client(), Client(), Client()
    for device in (phone, laptop, tablet):
        device.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})
        assert device.get(reverse("accounts:sessions")).status_code == 200

    # From the laptop: end the phone's session only, then every other one.
    phone_key = phone.cookies[settings.SESSION_COOKIE_NAME].value
    login = LoginSession.objects.get(session_key=phone_key)
    laptop.post(reverse("accounts:sessions"), {"session": str(login.pk)})
    assert phone.get(reverse("accounts:sessions")).status_code == 302
    assert tablet.get(reverse("accounts:sessions")).status_code == 200
    laptop.post(reverse("accounts:sessions"), {"action": "others"})
    assert tablet.get(reverse("accounts:sessions")).status_code == 302
    assert laptop.get(reverse("accounts:sessions")).status_code == 200
    assert list(LoginSession.objects.values_list("session_key", flat=True)) == [
        laptop.cookies[settings.SESSION_COOKIE_NAME].value
    ]


UNREACHABLE_REDIS = {
    "SESSION_ENGINE": "dichvucong.core.sessions",
    "CACHES": {
        "default": {
            "BACKEND": "dichvucong.core.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    },
}


def test_with_redis_unreachable_a_logged_in_citizens_pages_run_on_the_database(settings, client, active_citizen):
    # (Logging in itself needs the cache: its failure throttle lives there.)
    from django.test import Client

    client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})
    for name, value in UNREACHABLE_REDIS.items():
        setattr(settings, name, value)
    # A new client: the session middleware picks its engine when the client builds its handler.
    client, cookies = Client(), client.cookies
    client.cookies = cookies

    assert client.get(reverse("accounts:sessions")).status_code == 200
    assert client.get(reverse("dossiers:folders")).status_code == 200
    client.get(reverse("dossiers:folders"), {"thu-muc": "da-gui"})  # a save: the database takes it
    assert client.get(reverse("accounts:sessions")).status_code == 200


def test_a_session_whose_cached_copy_cannot_be_removed_is_not_ended(settings, client, active_citizen):
    """Ending it in the database only would leave the copy in Redis logged in once Redis is back."""
    from importlib import import_module

    from django.contrib.sessions.models import Session

    client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    for name, value in UNREACHABLE_REDIS.items():
        setattr(settings, name, value)

    with pytest.raises(Exception, match=r"(?i)connect"):
        import_module(settings.SESSION_ENGINE).SessionStore().delete(key)
    assert Session.objects.filter(session_key=key).exists()


def test_the_login_session_follows_the_new_key_after_a_password_change(client, settings, active_citizen):
    """Changing the password gives the session a new key; "end this session" must still reach it."""
    client.post(reverse("accounts:login"), {"identifier": "0912345678", "password": PASSWORD})
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Hoi-An@2027-pho", "new_password2": "Hoi-An@2027-pho"},
    )

    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert list(LoginSession.objects.values_list("session_key", flat=True)) == [after]
    assert "Phiên hiện tại" in client.get(reverse("accounts:sessions")).content.decode()
