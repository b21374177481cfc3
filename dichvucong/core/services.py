from __future__ import annotations

import os
import socket
from datetime import datetime

from django.utils import timezone

from dichvucong.core.models import WorkerHeartbeat


def heartbeat_record(*, name: str = "huey", at: datetime | None = None) -> WorkerHeartbeat:
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"beat_at": at or timezone.now(), "hostname": socket.gethostname()[:255], "pid": os.getpid()},
    )
    return beat
