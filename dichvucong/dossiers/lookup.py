"""The public look-up (Tra cứu hồ sơ, DESIGN §2 journey 9): what anyone may learn from a dossier code.

Anyone holding a code may see where the dossier stands, never who the owner is in full: the owner's
name and CCCD are masked unless the viewer is the dossier's applicant (DESIGN §12). `dossier_lookup`
answers "not found" alike for an unknown code, a draft, and a code whose owner's CCCD does not match
the one given, so the page never confirms that a code exists to someone who guessed it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from dichvucong.core.cache import count_hit
from dichvucong.core.compiled import CompiledQuery
from dichvucong.dossiers.constants import DossierStatus
from dichvucong.dossiers.models import Dossier

# Codes are `{agency code}-{YYMMDD}-{NNNN}` (DESIGN §5), e.g. 000.00.71.H57-250716-0001: ASCII
# letters, digits, dots and hyphens; 40 is the column's length.
CODE_MAX_LENGTH = 40
_CODE_RE = re.compile(r"[A-Z0-9.\-]+")
# Characters nobody can see, which copying a code out of an SMS, Zalo or a PDF sometimes brings along.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)
# Dashes a phone or a word processor puts where the slip printed "-".
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
# Beyond this the input is not a mistyped code but junk: refuse it before normalising megabytes.
_RAW_MAX_LENGTH = 4 * CODE_MAX_LENGTH
# CCCD: 12 digits; the old CMND (9 digits) still appears on dossiers filed with it.
_NATIONAL_ID_LENGTHS = (9, 12)


def normalize_dossier_code(raw: Any) -> str | None:
    """The code as stored (upper-case ASCII), or None if `raw` cannot be a dossier code.

    Anything outside ASCII (a Cyrillic "Н" that looks like "H", full-width digits, direction
    marks) makes the input invalid rather than being mapped: a look-alike must not find a code.
    """
    if not isinstance(raw, str) or len(raw) > _RAW_MAX_LENGTH:
        return None
    value = unicodedata.normalize("NFC", raw).translate(_INVISIBLE).translate(_DASHES).strip()
    # isascii() before upper(): "ı".upper() is "I", which would turn a look-alike into a valid code.
    if not value or not value.isascii():
        return None
    value = value.upper()
    if len(value) > CODE_MAX_LENGTH or not _CODE_RE.fullmatch(value):
        return None
    return value


def normalize_national_id(raw: Any) -> str | None:
    """Digits only ("001 090 012 345" → "001090012345"), or None if it cannot be a CCCD/CMND number."""
    if not isinstance(raw, str) or len(raw) > _RAW_MAX_LENGTH:
        return None
    value = "".join(unicodedata.normalize("NFC", raw).translate(_INVISIBLE).split())
    if not (value.isascii() and value.isdigit() and len(value) in _NATIONAL_ID_LENGTHS):
        return None
    return value


# --- Masking --------------------------------------------------------------------------------------
def _initial(word: str) -> str:
    # The first letter with any combining mark NFC could not fold into it, so "Ừ" stays whole.
    end = 1
    while end < len(word) and unicodedata.combining(word[end]):
        end += 1
    return word[:end]


def mask_name(name: str | None) -> str:
    """ "Nguyễn Văn An" → "Nguyễn V*** A": the family name, then initials, the middle ones starred.

    The family name is shared by millions and says little; the given name identifies, so only its
    first letter shows. A one-word name shows its initial only ("An" → "A***"). Whitespace runs
    collapse to one space; the result is NFC.
    """
    words = unicodedata.normalize("NFC", name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{_initial(words[0])}***"
    family, *middle, given = words
    return " ".join([family, *(f"{_initial(word)}***" for word in middle), _initial(given)])


def mask_national_id(national_id: str | None) -> str:
    """ "001090012345" → "0010******45": the province and century/sex digits, then the last two."""
    value = "".join((national_id or "").split())
    if not value:
        return ""
    head = 4 if len(value) >= 12 else 2 if len(value) >= 8 else 0
    tail = 2 if len(value) >= 6 else 0
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


# --- The look-up ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LookupResult:
    """Everything the public page may show of a dossier, and nothing else (no phone, e-mail, address)."""

    code: str
    procedure_code: str
    procedure_name: str
    agency_name: str
    owner_name: str  # masked unless `is_owner`
    owner_national_id: str  # always masked; "" unless the CCCD was given or the owner is looking
    is_owner: bool
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    returned_at: dt.datetime | None

    @property
    def is_stopped(self) -> bool:
        """Refused or withdrawn: no appointment to show, and nothing more (never the officer's reason)."""
        return self.status in {DossierStatus.REFUSED, DossierStatus.WITHDRAWN}


_LOOKUP_FIELDS = (
    "code",
    "status",
    "applicant_id",
    "owner_name",
    "owner_national_id",
    "submitted_at",
    "received_at",
    "appointment_at",
    "returned_at",
    "procedure_version__name",
    "procedure_version__procedure__code",
    "agency__name",
)


def _lookup_rows(values: Mapping[str, Any]) -> QuerySet[Dossier]:
    queryset = Dossier.objects.filter(code=values["code"]).exclude(status=DossierStatus.DRAFT)
    if values["national_id"] is not None:
        queryset = queryset.filter(owner_national_id=values["national_id"])
    # Plain values, not model instances: the page shows columns, and building a dossier with its
    # procedure version and agency costs more than the query itself (1.6 ms instead of 2.3 here).
    # No ORDER BY: the code is unique, and first() would sort by the model's ordering for nothing.
    return queryset.values(*_LOOKUP_FIELDS).order_by()[:1]


# Built and compiled by the ORM once per process (with and without the CCCD), not on every look-up:
# 0.6 ms of the page's 3.2 (core/compiled.py).
_LOOKUP = CompiledQuery("public look-up")


def dossier_lookup(*, code: str, national_id: str | None = None, viewer: Any = None) -> LookupResult | None:
    """The dossier with this code, as the public may see it, or None ("not found").

    One query on the unique index of `code`. With `national_id`, the owner's CCCD must match too;
    a mismatch is "not found", not "wrong CCCD", which would confirm that the code exists.
    """
    normalized = normalize_dossier_code(code)
    if normalized is None:
        return None
    given_national_id = bool(national_id and national_id.strip())
    wanted = None
    if given_national_id:
        wanted = normalize_national_id(national_id)
        if wanted is None:
            return None
    rows = _LOOKUP.fetch_values({"code": normalized, "national_id": wanted}, _lookup_rows)
    if not rows:
        return None
    row = rows[0]
    is_owner = bool(getattr(viewer, "is_authenticated", False)) and viewer.pk == row["applicant_id"]
    show_national_id = given_national_id or is_owner
    owner_name = row["owner_name"]
    return LookupResult(
        code=row["code"],
        procedure_code=row["procedure_version__procedure__code"],
        procedure_name=row["procedure_version__name"],
        agency_name=row["agency__name"],
        owner_name=" ".join(owner_name.split()) if is_owner else mask_name(owner_name),
        owner_national_id=mask_national_id(row["owner_national_id"]) if show_national_id else "",
        is_owner=is_owner,
        status=row["status"],
        status_label=str(DossierStatus(row["status"]).label),
        submitted_at=row["submitted_at"],
        received_at=row["received_at"],
        appointment_at=row["appointment_at"],
        returned_at=row["returned_at"],
    )


# --- Throttling -----------------------------------------------------------------------------------
# Look-ups are counted per client address per clock hour (a fixed window: one cache key per hour,
# nothing to clean up). The caller decides what the count means (captcha, hard cap).
LOOKUP_WINDOW_SECONDS = 3600


def _window() -> int:
    return int(time.time()) // LOOKUP_WINDOW_SECONDS


def _attempts_key(address: str | None) -> str:
    # Hashed: an IPv6 address is not a safe cache key everywhere (memcached), and the key need not
    # keep the address in clear.
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    return f"dossier-lookup:{digest}:{_window()}"


def lookup_window_remaining() -> int:
    """Seconds until the counting window ends (for Retry-After)."""
    return LOOKUP_WINDOW_SECONDS - int(time.time()) % LOOKUP_WINDOW_SECONDS


def lookup_attempts(*, address: str | None) -> int:
    """Look-ups made from `address` in the current window (without counting one)."""
    return cache.get(_attempts_key(address)) or 0


def lookup_attempt_record(*, address: str | None) -> int:
    """Count one more look-up from `address`; returns the count including it (core.cache.count_hit)."""
    return count_hit(_attempts_key(address), timeout=lookup_window_remaining() + 60)
