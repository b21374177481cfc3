"""Django's cached_db sessions, kept working while the cache (Redis) is unreachable.

With REDIS_URL the sessions are read from Redis and written to PostgreSQL too (config/settings.py).
Django's store already survives a failed cache read or write on save, but not a failed write after
reading from the database, nor a failed existence check when a new key is drawn (a visitor's first
session, the second factor's new key): with Redis down, every logged-in page would answer 500.
Here each cache call that is only an optimisation is guarded (logged, then the database answers),
and a session is deleted from the cache before the database: if the cached copy cannot be removed,
the session is not ended (the caller gets the error) rather than ended in the database and still
alive in Redis. The cache's own socket timeouts (settings.CACHES) bound how long a hung Redis can
hold a request. Logging in still needs Redis, for its throttle (docs/operations.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("session cache unreachable on read; reading the database", exc_info=True)
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("session cache unreachable on write; the database keeps the session", exc_info=True)
        return data

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("session cache unreachable; asking the database", exc_info=True)
        return DBStore.exists(self, session_key)

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache.delete(self.cache_key_prefix + session_key)  # first, and unguarded: see the module
        DBStore.delete(self, session_key)
