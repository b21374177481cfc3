from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# What every personal access token starts with: a leaked token is recognisable (secret scanners,
# logs), and the portal can refuse anything else without a database query.
TOKEN_PREFIX = "dvc_"  # noqa: S105 - a public marker, not a secret
# The part after the prefix shown in the list, so the owner can tell tokens apart; not secret.
TOKEN_HINT_LENGTH = 6
MAX_ACTIVE_TOKENS = 10
NAME_MAX_LENGTH = 100


class TokenLifetime(models.IntegerChoices):
    """How long a token lives, in days: always an end, so a forgotten token dies by itself."""

    MONTH = 30, _("30 ngày")
    QUARTER = 90, _("90 ngày")
    YEAR = 365, _("1 năm")


# A text field of a request may hold anything but NUL: PostgreSQL cannot store or compare it, and the pages'
# forms refuse it (Django's null-character validator). As a JSON Schema pattern, the document says so too.
NO_NUL_PATTERN = r"^[^\x00]*$"
