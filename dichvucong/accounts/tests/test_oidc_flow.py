"""The single sign-on flow through the real views, against the sandbox identity provider over real HTTP.

The browser side (button, consent page, callback) goes through Django's test client; the back channel
(discovery, JWKS, token, userinfo) is real HTTP to the live server's sandbox.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from dichvucong.accounts import oidc
from dichvucong.accounts.models import OidcIdentity, User
from dichvucong.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from dichvucong.idp_sandbox.services import signing_key_rotate
from dichvucong.idp_sandbox.testing import provider_settings, sandbox_configure
from dichvucong.notifications.models import Notification

BINH = "046185000456"  # a sandbox test person with no account here
AN = "046090001234"


@pytest.fixture
def idp(live_server, settings):
    sandbox_configure(settings, live_server.url, browser_urls=("http://testserver",))
    return live_server


def _start(client: Client, slug: str = "vneid", **params: str):
    response = client.get(reverse("accounts:oidc_start", args=[slug]), params)
    assert response.status_code == 302
    return response["Location"]


def _consent(client: Client, authorize_url: str, *, action: str = "allow", **form: str) -> str:
    """The tester's answer on the sandbox consent page; the redirect back to the portal."""
    parts = urlsplit(authorize_url)
    path = f"{parts.path}?{parts.query}"
    page = client.get(path)
    assert page.status_code == 200
    assert "Đồng ý" in page.content.decode()
    answer = client.post(path, {"action": action, **form})
    assert answer.status_code == 302
    return answer["Location"]


def _callback(client: Client, location: str):
    parts = urlsplit(location)
    assert parts.netloc == "testserver"
    return client.get(f"{parts.path}?{parts.query}")


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _login(client: Client, slug: str = "vneid", *, person: str = BINH, **form: str):
    back = _consent(client, _start(client, slug), person=person, **form)
    return _callback(client, back)


def test_first_login_creates_an_account_from_the_verified_claims_and_logs_in(idp, client):
    response = _login(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(national_id=BINH)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert user.is_active
    assert not user.has_usable_password()
    assert user.full_name == "Trần Thị Bình"
    assert user.date_of_birth.isoformat() == "1985-11-03"
    identity = OidcIdentity.objects.get(user=user)
    assert identity.issuer == f"{idp.url}/idp-thu-nghiem/vneid"
    assert identity.assurance_level == "2"
    assert identity.last_used_at is not None
    assert user.login_sessions.count() == 1


def test_the_same_identity_logs_in_to_the_same_account_again(idp, client):
    _login(client)
    client.post(reverse("accounts:logout"))
    response = _login(client)

    assert response.status_code == 302
    assert User.objects.filter(national_id=BINH).count() == 1
    assert OidcIdentity.objects.count() == 1


def test_a_person_typed_on_the_consent_page_gets_an_account(idp, client):
    response = _login(client, person="", national_id="046300000321", full_name="Võ Thị Hạnh", birthdate="2000-01-31")
    assert response.status_code == 302
    assert User.objects.get(national_id="046300000321").full_name == "Võ Thị Hạnh"


def test_next_is_kept_through_the_provider(idp, client):
    back = _consent(client, _start(client, next="/ho-so/"), person=BINH)
    assert _callback(client, back)["Location"] == "/ho-so/"


def test_both_providers_are_distinct_issuers_and_link_to_one_account(idp, client):
    _login(client, "vneid")
    client.post(reverse("accounts:logout"))
    response = _login(client, "dvcqg")

    # Same CCCD, other issuer, not linked: the account exists, so the person must prove it is theirs.
    assert response["Location"] == reverse("accounts:oidc_link_proof")
    assert OidcIdentity.objects.count() == 1


def test_login_page_shows_the_buttons_of_configured_providers_only(idp, client, settings):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Đăng nhập bằng tài khoản định danh điện tử (VNeID)" in page
    assert "Đăng nhập bằng tài khoản Cổng Dịch vụ công quốc gia" in page

    settings.OIDC_PROVIDERS = {"vneid": settings.OIDC_PROVIDERS["vneid"], "dvcqg": {"label": "x", "client_id": ""}}
    page = client.get(reverse("accounts:login")).content.decode()
    assert "(VNeID)" in page
    assert "Cổng Dịch vụ công quốc gia</a>" not in page


# --- An existing account: proof of ownership before any link ---------------------------------------


@pytest.fixture
def an(db) -> User:
    """The citizen who registered with a password and a verified phone, before SSO existed."""
    from django.utils import timezone

    return UserFactory(
        username=AN, national_id=AN, full_name="Nguyễn Văn An", phone="+84905123456", phone_verified_at=timezone.now()
    )


def test_an_existing_account_is_never_linked_on_the_cccd_alone(idp, client, an):
    response = _login(client, person=AN)

    assert response["Location"] == reverse("accounts:oidc_link_proof")
    assert SESSION_KEY not in client.session
    assert not OidcIdentity.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "046******234" in page
    assert "xác nhận bạn là chủ tài khoản" in page


def test_the_wrong_password_does_not_link(idp, client, an):
    proof = _login(client, person=AN)["Location"]
    response = client.post(proof, {"action": "password", "password": "not-the-password"})

    assert response.status_code == 200
    assert "Mật khẩu không đúng." in response.content.decode()
    assert not OidcIdentity.objects.exists()
    assert SESSION_KEY not in client.session


def test_the_password_proves_ownership_then_links_and_logs_in(idp, client, an):
    proof = _login(client, person=AN)["Location"]
    response = client.post(proof, {"action": "password", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(an.pk)
    assert OidcIdentity.objects.get().user == an
    assert User.objects.filter(national_id=AN).count() == 1
    # Next time the identity logs in directly.
    client.post(reverse("accounts:logout"))
    assert _login(client, person=AN)["Location"] == reverse("accounts:profile")


def test_an_otp_to_the_accounts_phone_proves_ownership(idp, client, an, django_capture_on_commit_callbacks):
    proof = _login(client, person=AN)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(proof, {"action": "send_otp"})
    sms = Notification.objects.filter(channel="sms", recipient=an.phone).latest("pk")
    assert "liên kết định danh điện tử" in sms.body_text
    code = re.search(r"\b(\d{6})\b", sms.body_text).group(1)

    wrong = client.post(proof, {"action": "otp", "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 200
    assert not OidcIdentity.objects.exists()
    response = client.post(proof, {"action": "otp", "code": code})

    assert response.status_code == 302
    assert OidcIdentity.objects.get().user == an
    assert client.session[SESSION_KEY] == str(an.pk)


def test_cancelling_the_proof_links_nothing(idp, client, an):
    _login(client, person=AN)
    response = client.post(reverse("accounts:oidc_link_cancel"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:oidc_link_proof"))["Location"] == reverse("accounts:login")
    assert not OidcIdentity.objects.exists()


def test_an_officer_with_that_cccd_is_refused(idp, client):
    UserFactory(officer=True, username="canbo.an", national_id=AN)
    response = _login(client, person=AN)

    assert response["Location"] == reverse("accounts:login")
    assert "Tài khoản cán bộ đăng nhập bằng mật khẩu" in _messages(client.get(response["Location"]))
    assert not OidcIdentity.objects.exists()


# --- The citizen's identities page ----------------------------------------------------------------


def test_a_logged_in_citizen_links_then_unlinks_an_identity(idp, client, an):
    client.force_login(an)
    start = client.post(reverse("accounts:oidc_link_start", args=["dvcqg"]))
    back = _consent(client, start["Location"], person=AN)
    response = _callback(client, back)

    assert response["Location"] == reverse("accounts:identities")
    identity = OidcIdentity.objects.get(user=an)
    page = client.get(reverse("accounts:identities")).content.decode()
    assert "Cổng Dịch vụ công quốc gia" in page
    assert "Mức 2" in page

    client.post(reverse("accounts:identity_unlink", args=[identity.pk]))
    assert not OidcIdentity.objects.exists()


def test_linking_another_persons_identity_is_refused(idp, client, an):
    client.force_login(an)
    start = client.post(reverse("accounts:oidc_link_start", args=["vneid"]))
    response = _callback(client, _consent(client, start["Location"], person=BINH))

    assert response["Location"] == reverse("accounts:identities")
    assert "không khớp với số CCCD" in _messages(client.get(response["Location"]))
    assert not OidcIdentity.objects.exists()


def test_the_last_way_in_of_an_account_without_password_cannot_be_unlinked(idp, client):
    _login(client)
    identity = OidcIdentity.objects.get()
    response = client.post(reverse("accounts:identity_unlink", args=[identity.pk]))

    assert "Hãy đặt mật khẩu trước khi hủy liên kết" in _messages(client.get(response["Location"]))
    assert OidcIdentity.objects.count() == 1
    # Once a password is set (no old one asked: there is none), unlinking is allowed.
    new_password = "Hue@2026-moi-mat-khau"
    client.post(reverse("accounts:password_change"), {"new_password1": new_password, "new_password2": new_password})
    assert User.objects.get(pk=identity.user_id).has_usable_password()
    client.post(reverse("accounts:identity_unlink", args=[identity.pk]))
    assert not OidcIdentity.objects.exists()


def test_another_persons_identity_cannot_be_unlinked(idp, client, an):
    _login(client)
    identity = OidcIdentity.objects.get()
    other = Client()
    other.force_login(an)
    other.post(reverse("accounts:identity_unlink", args=[identity.pk]))
    assert OidcIdentity.objects.filter(pk=identity.pk).exists()


# --- Errors end on the login page with a message, never a 500 -------------------------------------


def test_refusing_on_the_consent_page(idp, client):
    back = _consent(client, _start(client), action="deny")
    response = _callback(client, back)

    assert response["Location"] == reverse("accounts:login")
    assert "Bạn đã từ chối chia sẻ thông tin" in _messages(client.get(response["Location"]))
    assert not User.objects.exists()


def test_a_callback_with_an_unknown_state_is_refused(idp, client):
    _start(client)
    response = client.get(reverse("accounts:oidc_callback", args=["vneid"]), {"code": "x", "state": "forged"})
    assert response["Location"] == reverse("accounts:login")
    assert "Phiên đăng nhập đã hết hạn hoặc không hợp lệ" in _messages(client.get(response["Location"]))


def test_a_callback_replayed_is_refused(idp, client):
    back = _consent(client, _start(client), person=BINH)
    assert _callback(client, back)["Location"] == reverse("accounts:profile")
    client.post(reverse("accounts:logout"))

    again = _callback(client, back)
    assert again["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_a_flow_older_than_its_max_age_is_refused(idp, client, settings):
    back = _consent(client, _start(client), person=BINH)
    settings.OIDC_FLOW_MAX_AGE_SECONDS = -1
    assert _callback(client, back)["Location"] == reverse("accounts:login")
    assert not User.objects.exists()


def test_a_code_already_exchanged_elsewhere_is_refused(idp, client):
    """The code leaked and was redeemed first: the sandbox refuses the second use and the login fails."""
    back = _consent(client, _start(client), person=BINH)
    query = parse_qs(urlsplit(back).query)
    flow = client.session["oidc_flows"][query["state"][0]]
    thief = Client()
    stolen = thief.post(
        reverse("idp_sandbox:token", args=["vneid"]),
        {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": flow["redirect_uri"],
            "code_verifier": flow["verifier"],
            "client_id": "dichvucong-vneid-test",
            "client_secret": "test-only-vneid-client-secret-0123456789",
        },
    )
    assert stolen.status_code == 200

    response = _callback(client, back)
    assert response["Location"] == reverse("accounts:login")
    assert "không xác nhận phiên đăng nhập" in _messages(client.get(response["Location"]))
    assert not User.objects.exists()


def test_a_provider_that_cannot_be_reached(idp, client, settings):
    settings.OIDC_PROVIDERS = {"vneid": provider_settings("http://127.0.0.1:9", "vneid")}
    response = client.get(reverse("accounts:oidc_start", args=["vneid"]))

    assert response["Location"] == reverse("accounts:login")
    assert "Không kết nối được với VNeID" in _messages(client.get(response["Location"]))


def test_an_unknown_provider_slug(idp, client):
    response = client.get(reverse("accounts:oidc_start", args=["zalo"]))
    assert response["Location"] == reverse("accounts:login")
    assert "không được cấu hình" in _messages(client.get(response["Location"]))


def test_a_rotated_signing_key_is_fetched_again_once(idp, client, caplog):
    _login(client)  # the JWKS is now cached with the first key
    client.post(reverse("accounts:logout"))
    signing_key_rotate()

    with caplog.at_level("INFO", logger="dichvucong.accounts.oidc"):
        response = _login(client)

    assert response["Location"] == reverse("accounts:profile")
    assert sum("unknown key id" in r.getMessage() for r in caplog.records) == 1


def test_discovery_and_jwks_are_cached_after_a_login(idp, client):
    provider = oidc.provider_get(slug="vneid")
    assert cache.get(oidc._cache_key("discovery", provider)) is None
    _login(client)
    assert cache.get(oidc._cache_key("discovery", provider))["issuer"] == provider.issuer
    assert cache.get(oidc._cache_key("jwks", provider))["keys"]
