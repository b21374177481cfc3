"""Rate limits of the API, per token (or per client address without one), counted in Django's cache.

The cache is the shared one (the database table, or Redis in production), so the limit holds across
all the processes that serve the API. Rates are read from the settings at each request, so changing
API_RATE_* needs no code and tests can lower them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from dichvucong.accounts.views import client_address
from dichvucong.api.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self) -> None:
        # The rate is decided per request (see allow_request), not once at import.
        self.rate = None
        self.num_requests, self.duration = None, None

    def get_cache_key(self, request: HttpRequest) -> str:
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            ident = f"token-{token.pk}"
        else:
            # Hashed: an IPv6 address is not a safe cache key everywhere, and need not be kept in clear.
            ident = "ip-" + hashlib.sha256((client_address(request) or "unknown").encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        self.rate = settings.API_RATE_TOKEN if isinstance(token, ApiToken) else settings.API_RATE_ANONYMOUS
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.num_requests is None:
            return True
        return super().allow_request(request)
