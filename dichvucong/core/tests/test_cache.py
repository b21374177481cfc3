"""The Redis cache of production keeps one redis client per connection pool."""

from __future__ import annotations

from dichvucong.core.cache import RedisCache
from dichvucong.core.testing.services import needs_redis


@needs_redis
def test_the_redis_cache_reuses_its_client_and_works_against_a_real_server():
    cache = RedisCache("redis://127.0.0.1:6379/9", {"KEY_PREFIX": "dvc-cache-test"})
    client = cache._cache.get_client(write=True)

    cache.set("k", {"n": 1}, timeout=30)
    assert cache.get("k") == {"n": 1}
    assert cache.add("k2", 1, timeout=30)
    assert cache.incr("k2") == 2
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is cache._cache.get_client()
    cache.delete_many(["k", "k2"])
    assert cache.get("k") is None


def test_each_replica_keeps_its_own_client():
    # Several servers: writes go to the first, reads to a random other; nothing is contacted here.
    cache = RedisCache("redis://127.0.0.1:6379/9,redis://127.0.0.2:6379/9,redis://127.0.0.3:6379/9", {})
    for _ in range(30):
        cache._cache.get_client()
        cache._cache.get_client(write=True)
    clients = cache._cache._clients
    assert set(clients) == {0, 1, 2}
    for index, client in clients.items():
        assert client.connection_pool is cache._cache._pools[index]
        assert client.connection_pool.connection_kwargs["host"] == f"127.0.0.{index + 1}"
