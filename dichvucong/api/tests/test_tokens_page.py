"""/tai-khoan/ma-truy-cap/: a logged-in user creates a token (shown once), lists and revokes their own."""

from __future__ import annotations

import pytest

from dichvucong.api.models import ApiToken
from dichvucong.api.services import api_token_create, token_digest

pytestmark = pytest.mark.django_db
PAGE = "/tai-khoan/ma-truy-cap/"


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


def test_create_shows_the_secret_once_and_stores_its_hash(client, personas):
    client.force_login(personas.citizen)
    response = client.post(PAGE, {"name": "Phần mềm kế toán", "lifetime": 90})
    assert response.status_code == 201
    assert response["Cache-Control"] == "private, no-store"
    secret = response.context["secret"]
    assert secret.startswith("dvc_")
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=personas.citizen)
    assert token.token_hash == token_digest(secret)
    page = client.get(PAGE).content.decode()
    assert secret not in page
    assert "Phần mềm kế toán" in page
    assert "Còn hiệu lực" in page
    api = client.get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "lifetime": 30}, "Vui lòng đặt tên gợi nhớ cho mã truy cập."),
        ({"name": "A", "lifetime": 7}, "Thời hạn của mã truy cập không hợp lệ."),
        ({"name": "A" * 500, "lifetime": 30}, "100"),
    ],
)
def test_bad_input_gets_a_vietnamese_message(client, personas, data, message):
    client.force_login(personas.citizen)
    response = client.post(PAGE, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_own_token_only(client, personas):
    mine = api_token_create(user=personas.citizen, name="Của tôi", lifetime_days=30).token
    theirs = api_token_create(user=personas.other_citizen, name="Của người khác", lifetime_days=30).token
    client.force_login(personas.citizen)
    assert "Của người khác" not in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"action": "revoke", "token": theirs.pk}, follow=True)
    assert "Không tìm thấy mã truy cập." in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    response = client.post(PAGE, {"action": "revoke", "token": mine.pk}, follow=True)
    assert "Đã thu hồi mã truy cập." in response.content.decode()
    mine.refresh_from_db()
    assert mine.revoked_at is not None
