"""Redis down: the pages whose throttles count there answer 503 with Retry-After, not a bug's 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "dichvucong.core.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = UNREACHABLE_CACHE


def _assert_unavailable(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    return response.content.decode()


def test_the_public_look_up_answers_503_in_vietnamese(client, redis_down):
    html = _assert_unavailable(client.get("/tra-cuu/", {"ma": "000.00.71.T01-250716-0001"}))

    assert '<html lang="vi">' in html
    assert "Dịch vụ tạm thời gián đoạn" in html
    assert "Dữ liệu bạn đã lưu trước đó không bị mất. Vui lòng thử lại sau 30 giây." in html
    assert "000.00.71.T01-250716-0001" not in html


def test_the_503_page_speaks_english_to_who_chose_it(client, settings, redis_down):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = _assert_unavailable(client.get("/tra-cuu/", {"ma": "000.00.71.T01-250716-0001"}))

    assert '<html lang="en">' in html
    assert "Service temporarily unavailable" in html
    assert "Dịch vụ" not in html


def test_a_login_attempt_answers_503_and_the_account_is_untouched(client, personas, redis_down):
    response = client.post(reverse("accounts:login"), {"identifier": personas.citizen.username, "password": "sai"})

    assert "Dịch vụ tạm thời gián đoạn" in _assert_unavailable(response)
    personas.citizen.refresh_from_db()
    assert personas.citizen.is_active


def test_logging_out_answers_503_and_the_session_stays_logged_in(settings, client, personas):
    # A session whose Redis copy cannot be removed must not be ended in the database alone (core/sessions.py).
    from django.contrib.sessions.models import Session
    from django.test import Client

    client.force_login(personas.citizen)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    settings.SESSION_ENGINE = "dichvucong.core.sessions"
    settings.CACHES = UNREACHABLE_CACHE
    client, cookies = Client(), client.cookies  # the session engine is picked when a handler is built
    client.cookies = cookies

    assert "Dịch vụ tạm thời gián đoạn" in _assert_unavailable(client.post(reverse("accounts:logout")))
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("dossiers:folders")).status_code == 200


def test_the_api_answers_503_in_its_error_format(client, redis_down):
    response = client.get("/api/v1/lookup/000.00.71.T01-250716-0001", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    error = response.json()["error"]
    assert error["code"] == "unavailable"
    assert "30 seconds" in error["message"]


def test_inside_an_api_operation_the_same_answer_comes_from_the_api_handler(client, monkeypatch, redis_down):
    # Past the throttle, the look-up's own hourly counter is what fails: ninja's handlers catch it.
    from dichvucong.api.throttling import ApiRateThrottle

    monkeypatch.setattr(ApiRateThrottle, "allow_request", lambda self, request: True)

    response = client.get("/api/v1/lookup/000.00.71.T01-250716-0001")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": {
            "code": "unavailable",
            "message": "Dịch vụ tạm thời gián đoạn; yêu cầu chưa được thực hiện. Vui lòng thử lại sau 30 giây.",
            "fields": {},
        }
    }


def test_other_errors_still_take_the_500_path(rf):
    from dichvucong.core.middleware import ServiceUnavailableMiddleware

    middleware = ServiceUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(rf.get("/"), ValueError("a bug")) is None
