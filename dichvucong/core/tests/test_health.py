from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from huey import RedisHuey, SqliteHuey
from huey.contrib import djhuey

from dichvucong.core import tasks
from dichvucong.core.models import WorkerHeartbeat
from dichvucong.core.services import heartbeat_record
from dichvucong.core.testing.services import needs_redis

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_queue_up(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["up"] is True
    assert body["queue"]["up"] is True
    assert body["queue"]["worker"] == {"alive": False, "last_heartbeat": None}
    assert "no-cache" in response["Cache-Control"]


def test_heartbeat_task_marks_the_worker_alive_then_stale(client):
    tasks.heartbeat()  # HUEY_IMMEDIATE in tests: runs now, in this process

    beat = WorkerHeartbeat.objects.get(name="huey")
    assert client.get("/healthz").json()["queue"]["worker"]["alive"] is True
    with time_machine.travel(beat.beat_at + dt.timedelta(minutes=4)):
        worker = client.get("/healthz").json()["queue"]["worker"]
    assert worker["alive"] is False
    assert worker["last_heartbeat"] == beat.beat_at.isoformat()


def test_heartbeat_is_one_row_updated_in_place():
    heartbeat_record(at=timezone.now() - dt.timedelta(minutes=10))
    heartbeat_record()
    assert WorkerHeartbeat.objects.count() == 1


def test_heartbeat_is_registered_as_a_periodic_task():
    periodic = [task.name for task in djhuey.HUEY._registry.periodic_tasks]
    assert any(name.endswith("heartbeat") for name in periodic)


def test_healthz_with_the_sqlite_queue_of_the_embedded_default(client, monkeypatch, tmp_path):
    queue = SqliteHuey("healthz-test", filename=str(tmp_path / "huey.sqlite3"))

    @queue.task()
    def waiting() -> None:
        pass

    waiting()
    monkeypatch.setattr(djhuey, "HUEY", queue)

    body = client.get("/healthz").json()

    assert body["queue"]["backend"] == "SqliteStorage"
    assert body["queue"]["up"] is True
    assert body["queue"]["pending"] == 1


@needs_redis
def test_healthz_with_the_redis_queue_of_production(client, monkeypatch):
    queue = RedisHuey("dichvucong-healthz-test", host="127.0.0.1", port=6379)
    queue.flush()
    monkeypatch.setattr(djhuey, "HUEY", queue)

    body = client.get("/healthz").json()

    assert body["queue"] | {"worker": None} == {"backend": "RedisStorage", "pending": 0, "up": True, "worker": None}


def test_healthz_answers_503_when_the_queue_is_unreachable(client, monkeypatch):
    # A real Redis client against a port where nothing listens: the failure is the real one.
    queue = RedisHuey("unreachable", host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    monkeypatch.setattr(djhuey, "HUEY", queue)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["queue"]["up"] is False
    assert response.json()["database"]["up"] is True


def test_a_plain_http_probe_of_healthz_is_answered_while_pages_redirect_to_https(client, settings):
    # A load balancer probes each process directly over HTTP; a 301 would read as "down".
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    page = client.get("/tra-cuu/")
    assert (page.status_code, page["Location"]) == (301, "https://testserver/tra-cuu/")
