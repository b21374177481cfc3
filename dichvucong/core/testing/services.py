"""Markers for tests that talk to a real local service (Redis on 127.0.0.1:6379 in development and CI)."""

from __future__ import annotations

import pytest


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason="no Redis server on 127.0.0.1:6379")
