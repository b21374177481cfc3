"""Bearer authentication with personal access tokens, and the two kinds of callers it admits."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from dichvucong.api.selectors import api_token_find
from dichvucong.api.services import api_token_touch
from dichvucong.core.permissions import is_system_admin, officer_agency_id


class TokenAuth(HttpBearer):
    """`Authorization: Bearer dvc_…`: the request acts as the token's owner (request.user), nobody else.

    Returning None makes ninja answer 401 in the API's error format; the same for a missing,
    unknown, expired or revoked token and for a deactivated owner, so a caller learns nothing more.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_find(raw=token)
        if found is None:
            return None
        api_token_touch(token=found)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


class OfficerTokenAuth(TokenAuth):
    """A token of an active officer (or a system administrator): the officers' read endpoints."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = super().authenticate(request, token)
        if found is not None and officer_agency_id(found.user) is None and not is_system_admin(found.user):
            raise AuthorizationError
        return found


token_auth = TokenAuth()
officer_auth = OfficerTokenAuth()
