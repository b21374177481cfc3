"""The one error type of the domain layer.

Services raise ApplicationError (or a subclass) with a message meant for the user; views and the
API turn it into one clear message format, so the same rule gives the same sentence everywhere.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    def __init__(self, message: str, *, code: str = "error", extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)
