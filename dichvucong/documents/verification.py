"""The registry of issued PDFs and the public check of a copy (/xac-thuc/<id>/, DESIGN §10, §14).

"The issued one" is the exact bytes the portal handed out: the caller asks for an id first (it goes
into the QR code), renders with the verification address, and the SHA-256 of what it renders is
recorded. A visitor's copy is the issued one when its SHA-256 is the recorded one, byte for byte.
Documents take plain arguments: the dossiers and payments pass the agency, the code and the
already-masked holder's name.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dichvucong.core.cache import count_hit
from dichvucong.core.errors import ApplicationError
from dichvucong.documents.models import IssuedDocument, _public_token
from dichvucong.documents.signing import STATUS_VALID, SignatureReport, verify_pdf

# token_urlsafe(16) gives 22 characters of [A-Za-z0-9_-]; a signed result keeps its document's
# UUID (32 hex digits). Anything else is not an id of ours and is answered without a query.
_PUBLIC_ID_RE = re.compile(r"[A-Za-z0-9_-]{22}|[0-9a-f]{32}")
PDF_MAGIC = b"%PDF-"
_CHUNK = 64 * 1024


def verification_url(public_id: str) -> str:
    """The full address the QR code of a document carries."""
    return f"{settings.PORTAL_BASE_URL}/xac-thuc/{public_id}/"


def issued_document_render(
    *,
    kind: str,
    agency_code: str,
    agency_name: str,
    render: Callable[[str], bytes],
    reference: str = "",
    holder_masked: str = "",
    source: str = "",
) -> tuple[IssuedDocument, bytes]:
    """Render a PDF whose QR code leads to its own verification page, and record what was rendered.

    `render` receives the verification address and returns the PDF bytes.
    """
    public_id = _public_token()
    pdf = render(verification_url(public_id))
    record = IssuedDocument.objects.create(
        public_id=public_id,
        kind=kind,
        agency_code=agency_code[:32],
        agency_name=agency_name[:255],
        reference=reference[:64],
        holder_masked=holder_masked[:255],
        source=source[:64],
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
    )
    return record, pdf


def issued_document_register_signed(
    *,
    public_id: str,
    kind: str,
    agency_code: str,
    agency_name: str,
    pdf: bytes,
    reference: str = "",
    holder_masked: str = "",
    source: str = "",
) -> IssuedDocument:
    """Record a signed PDF (a result signed with PAdES) under an id its owner already has.

    The signature is verified once here with pyHanko, so that the public page shows the signer,
    the time and the verdict without re-reading the file. Registering the same id again returns
    the existing row.
    """
    existing = IssuedDocument.objects.filter(public_id=public_id).first()
    if existing is not None:
        return existing
    report = _last_signature(verify_pdf(pdf))
    return IssuedDocument.objects.create(
        public_id=public_id,
        kind=kind,
        agency_code=agency_code[:32],
        agency_name=agency_name[:255],
        reference=reference[:64],
        holder_masked=holder_masked[:255],
        source=source[:64],
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        is_signed=report is not None,
        signer_name=(report.signer_name or report.signer_common_name)[:255] if report else "",
        signer_organisation=report.organisation[:255] if report else "",
        signed_at=report.signing_time if report else None,
        signature_status=report.status if report else "",
        signature_summary=report.summary[:255] if report else "",
    )


def _last_signature(reports: list[SignatureReport]) -> SignatureReport | None:
    return reports[-1] if reports else None


def issued_document_get(*, public_id: Any) -> IssuedDocument | None:
    """The registered document, or None for an unknown or malformed id (the page answers 404 alike)."""
    if not isinstance(public_id, str) or not _PUBLIC_ID_RE.fullmatch(public_id):
        return None
    return IssuedDocument.objects.filter(public_id=public_id).first()


# --- A visitor's copy -----------------------------------------------------------------------------
@dataclass(frozen=True)
class CopyCheck:
    sha256: str
    size: int
    identical: bool  # byte for byte the issued document
    signatures: list[SignatureReport]

    @property
    def signature_intact(self) -> bool | None:
        """None when the copy carries no signature."""
        if not self.signatures:
            return None
        return all(report.status == STATUS_VALID for report in self.signatures)


def upload_max_bytes() -> int:
    return settings.VERIFY_UPLOAD_MAX_MB * 1024 * 1024


def issued_document_check_copy(*, document: IssuedDocument, upload: Any) -> CopyCheck:
    """Compare an uploaded file with the issued document; the file is read, never stored.

    Raises ApplicationError (a Vietnamese message) for a missing, empty, oversized or non-PDF file.
    """
    if upload is None:
        raise ApplicationError(_("Vui lòng chọn tệp PDF cần kiểm tra."), code="missing")
    limit = upload_max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise _too_large()
    digest = hashlib.sha256()
    content = bytearray()
    upload.seek(0)
    while chunk := upload.read(_CHUNK):
        content += chunk
        if len(content) > limit:
            raise _too_large()
        digest.update(chunk)
    if not content:
        raise ApplicationError(_("Tệp đã chọn trống."), code="empty")
    # By content, not by name or declared type: a PDF starts with %PDF- (within its first 1 KiB).
    if PDF_MAGIC not in bytes(content[:1024]):
        raise ApplicationError(_("Tệp đã chọn không phải là tệp PDF."), code="not_pdf")
    sha256 = digest.hexdigest()
    identical = sha256 == document.sha256 and len(content) == document.size
    return CopyCheck(sha256=sha256, size=len(content), identical=identical, signatures=verify_pdf(bytes(content)))


def _too_large() -> ApplicationError:
    return ApplicationError(
        _("Tệp vượt quá dung lượng cho phép (%(size)s MB).") % {"size": settings.VERIFY_UPLOAD_MAX_MB},
        code="too_large",
    )


# --- Throttling uploads ---------------------------------------------------------------------------
# As the public look-up (dossiers.lookup): a count per client address per clock hour, one cache key
# per hour, nothing to clean up. Checking a copy costs a hash and a signature validation.
UPLOAD_WINDOW_SECONDS = 3600


def _upload_key(address: str | None) -> str:
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    return f"document-verify:{digest}:{int(time.time()) // UPLOAD_WINDOW_SECONDS}"


def upload_window_remaining() -> int:
    return UPLOAD_WINDOW_SECONDS - int(time.time()) % UPLOAD_WINDOW_SECONDS


def upload_attempt_record(*, address: str | None) -> int:
    """Count one more upload from `address`; the count including it (core.cache.count_hit)."""
    return count_hit(_upload_key(address), timeout=upload_window_remaining() + 60)
