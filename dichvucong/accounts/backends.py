from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest

from dichvucong.accounts.models import User
from dichvucong.accounts.validators import normalize_phone
from dichvucong.notifications.selectors import UNREAD_WITH_USER, notification_unread_subquery


def users_matching_identifier(identifier: str) -> list[User]:
    """Accounts an identifier can name: CCCD, tax code, mobile number, e-mail, or a username.

    A 10-digit number may be a phone number or a tax code (both can start with 0), so several
    accounts can match; the password decides which one is meant.
    """
    value = (identifier or "").strip()
    if not value or len(value) > 254:
        return []
    query = Q(username=value) | Q(national_id=value) | Q(tax_code=value)
    if "@" in value:
        query |= Q(email__iexact=value)
    with contextlib.suppress(ValidationError):
        query |= Q(phone=normalize_phone(value))
    return list(User.objects.filter(query)[:5])


class IdentifierBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        candidates = users_matching_identifier(username)
        if not candidates:
            # Spend the same time as a real check so response times don't reveal unknown accounts.
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The logged-in user of each request, with the bell's unread count in the same query
        (notifications.selectors.UNREAD_WITH_USER)."""
        try:
            user = User._default_manager.annotate(**{UNREAD_WITH_USER: notification_unread_subquery()}).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
