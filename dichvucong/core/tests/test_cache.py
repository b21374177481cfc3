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


REDIS_CACHES = {
    "default": {
        "BACKEND": "dichvucong.core.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/9",
        "KEY_PREFIX": "dvc-count-test",
    }
}


@needs_redis
def test_count_hit_on_redis_is_atomic_and_sets_the_timeout(settings):
    import threading

    from django.core.cache import caches

    from dichvucong.core.cache import count_hit

    settings.CACHES = REDIS_CACHES
    cache = caches["default"]
    cache.delete("hits")
    results: list[int] = []

    def hit() -> None:
        results.extend(count_hit("hits", timeout=120) for _ in range(50))

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Every hit counted once, each caller told a different count: no two threads read the same value.
    assert sorted(results) == list(range(1, 401))
    assert cache.get("hits") == 400  # the plain cache API reads what INCR wrote
    client = cache._cache.get_client(write=True)
    assert 110 < client.ttl(cache.make_and_validate_key("hits")) <= 120
    assert count_hit("hits", timeout=5) == 401
    assert client.ttl(cache.make_and_validate_key("hits")) <= 5  # each hit sets the timeout again
    cache.delete("hits")


def test_count_hit_on_another_cache_counts_with_a_get_and_a_set(settings):
    from django.core.cache import caches

    from dichvucong.core.cache import count_hit

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "count"}}
    assert [count_hit("k", timeout=60) for _ in range(3)] == [1, 2, 3]
    assert caches["default"].get("k") == 3
