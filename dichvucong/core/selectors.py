from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dichvucong.core.models import WorkerHeartbeat


def database_status() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"up": False, "engine": connection.vendor, "error": exc.__class__.__name__}
    return {"up": True, "engine": connection.vendor}


def queue_status() -> dict[str, Any]:
    """Whether the task queue's storage answers, how many tasks wait, and when the worker last beat."""
    from huey.contrib.djhuey import HUEY

    status: dict[str, Any] = {"backend": HUEY.storage.__class__.__name__}
    try:
        status["pending"] = HUEY.pending_count()
        status["up"] = True
    except Exception as exc:
        status["up"] = False
        status["error"] = exc.__class__.__name__
    status["worker"] = worker_status()
    return status


def worker_status(*, name: str = "huey") -> dict[str, Any]:
    beat = WorkerHeartbeat.objects.filter(name=name).only("beat_at").first()
    if beat is None:
        return {"alive": False, "last_heartbeat": None}
    stale_after = timedelta(minutes=3 * settings.HEARTBEAT_INTERVAL_MINUTES)
    return {"alive": timezone.now() - beat.beat_at <= stale_after, "last_heartbeat": beat.beat_at.isoformat()}
