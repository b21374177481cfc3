"""Digital signatures of PDFs (PAdES, with pyHanko): the agency signs what it issues, and any PDF's
signatures can be checked, including the ones citizens send (DESIGN §10).

Plain arguments only: callers pass the agency's code and name as strings, and get bytes or
`SignatureReport`s back. Nothing here knows about dossiers.

Settings (CONVENTIONS #6: providers behind a registry, each runs offline):
  SIGNING_PROVIDER          "demo"  "demo": this installation's own test certificate authority issues
                                    one key and certificate per agency, made on first use (or by
                                    `manage.py signing_setup`) and kept in the database, the private
                                    keys encrypted with a key derived from SECRET_KEY. Signatures are
                                    real PAdES, trusted here and nowhere else.
                                    "pkcs12": the agency certificate issued by a real CA, in a PKCS#12
                                    file (.p12/.pfx): one certificate for the whole deployment.
  SIGNING_PKCS12_PATH       ""      the PKCS#12 file (with "pkcs12")
  SIGNING_PKCS12_PASSWORD   ""      its password
  SIGNING_TRUST_ROOTS       []      PEM (or DER) files of further root certificates whose signatures
                                    verify as trusted, e.g. the national root CA, so that the citizens'
                                    signatures made with public CA certificates are recognised

A signature verifies as trusted when its certificate chains to a root we know: the demo CA (while
SIGNING_PROVIDER is "demo"), the chain in the PKCS#12 file (while it is "pkcs12"), or a file of
SIGNING_TRUST_ROOTS. Nothing is ever fetched over the network while verifying (no AIA, CRL or OCSP
download): the file to check comes from a citizen, and must not make the server call an address.

pyHanko's synchronous API calls asyncio.run(), which fails in a thread whose event loop is running
(Playwright's sync API leaves one in the test thread; an async view would have one too). Its work
therefore always runs in a short-lived thread of its own; the database reads (keys, trust roots)
stay in the caller's thread, inside the caller's transaction.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dichvucong.core.errors import ApplicationError

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEMO_CA_NAME = "Cổng Dịch vụ công — CA thử nghiệm (demo)"
DEMO_CA_ORGANISATION = "Cổng Dịch vụ công (thử nghiệm)"
DEMO_CA_YEARS = 20
DEMO_AGENCY_YEARS = 5
# A demo certificate this close to its end is issued again (same key) before it signs anything.
DEMO_RENEW_BEFORE = dt.timedelta(days=30)
# RFC 9336 id-kp-documentSigning, and Microsoft's document signing purpose that Adobe Reader knows.
EKU_DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"
EKU_MS_DOCUMENT_SIGNING = "1.3.6.1.4.1.311.10.3.12"
SIGNATURE_FIELD_PREFIX = "ChuKyCoQuan"

# Verification limits. Uploads are at most ATTACHMENT_MAX_FILE_MB (20 MB) when they get here; the
# limits stop a file that slipped past that from costing more than a few seconds.
VERIFY_MAX_BYTES = 64 * 1024 * 1024
VERIFY_MAX_SIGNATURES = 20
VERIFY_MAX_REVISIONS = 200  # past this many incremental updates, no difference analysis

_FERNET_SALT = b"dichvucong.documents.signing"
_FERNET_INFO = b"SigningCredential.private_key_encrypted v1"


class SigningError(ApplicationError):
    """A document could not be signed: the signing key is missing or unusable, or the PDF unreadable."""


# --- Reports --------------------------------------------------------------------------------------

STATUS_VALID = "valid"  # intact, valid, trusted, nothing added after it
STATUS_UNTRUSTED = "untrusted"  # intact and valid, but the certificate does not chain to a root we know
STATUS_MODIFIED = "modified"  # the signed bytes changed, or content was added after the signature
STATUS_INVALID = "invalid"  # the bytes are as signed, but the signature value is wrong
STATUS_UNVERIFIABLE = "unverifiable"  # the file or the signature could not be read


@dataclass(frozen=True)
class SignatureReport:
    signer_common_name: str
    organisation: str
    signing_time: dt.datetime | None  # aware; the time the signer's software wrote (PAdES /M)
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature value is cryptographically valid
    trusted: bool  # the certificate chains to a trust root we know
    covers_whole_document: bool  # nothing added after the signature, or only later signatures/DSS
    summary: str  # one short Vietnamese sentence for the officer or the public page
    status: str = STATUS_UNVERIFIABLE  # one of the STATUS_* codes, for the program
    field_name: str = ""
    signer_name: str = ""  # /Name of the signature dictionary (who signed for the agency), if given
    reason: str = ""
    location: str = ""
    issuer_common_name: str = ""
    certificate_sha256: str = ""  # hex, of the signer's certificate (DER)
    organisation_identifier: str = ""  # the agency code in the demo certificates


# --- Public API -----------------------------------------------------------------------------------


def sign_pdf(
    pdf: bytes,
    *,
    agency_code: str,
    agency_name: str,
    signer_name: str = "",
    reason: str = "",
    location: str = "",
) -> bytes:
    """`pdf` with one more PAdES signature (SHA-256, signing time) by the agency, as an incremental update.

    The key is the configured provider's (SIGNING_PROVIDER): the agency's own demo key, or the
    deployment's PKCS#12 certificate. `signer_name` (the officer who signs for the agency), `reason`
    and `location` go into the signature dictionary, where PDF readers show them. Raises
    SigningError when there is no usable key or the PDF cannot be read.
    """
    agency_code, agency_name = (agency_code or "").strip(), (agency_name or "").strip()
    if not agency_code or not agency_name:
        raise ValueError("sign_pdf() needs the agency's code and name.")
    credential = signing_provider().credential_for(agency_code=agency_code, agency_name=agency_name)
    try:
        return _in_own_thread(
            lambda: _sign(
                bytes(pdf),
                credential=credential,
                field_prefix=SIGNATURE_FIELD_PREFIX,
                signer_name=signer_name,
                reason=reason,
                location=location,
            )
        )
    except SigningError:
        raise
    except Exception as exc:
        logger.exception("Signing a PDF for %s failed", agency_code)
        raise SigningError(
            _("Không ký số được văn bản: lỗi khi tạo chữ ký số (chi tiết trong nhật ký máy chủ)."),
            code="signing_failed",
        ) from exc


def verify_pdf(pdf: bytes) -> list[SignatureReport]:
    """One report per signature (/Sig; document timestamps are left out), in signing order.

    [] for a file with no signature, including bytes that are not a PDF at all. Never raises: a
    file that looks signed but cannot be read gives one report with status "unverifiable".
    """
    try:
        data = bytes(pdf)
    except Exception:
        return []
    try:
        roots = trust_roots()
    except Exception:  # a misconfigured provider must not stop the citizens' files being checked
        logger.exception("Cannot load the signature trust roots; verifying without them")
        roots = []
    try:
        return _in_own_thread(lambda: _verify(data, roots=roots))
    except Exception as exc:  # a parser fed hostile bytes can raise anything
        logger.info("Cannot verify the signatures of a PDF: %s: %s", type(exc).__name__, exc)
        return [_unverifiable()] if _looks_signed(data) else []


def trust_roots() -> list[Any]:
    """The root certificates (asn1crypto) that make a signature "trusted" here, as configured now."""
    roots: list[Any] = []
    try:
        roots += signing_provider().trust_roots()
    except (SigningError, ImproperlyConfigured) as exc:
        logger.warning("Signing provider trust roots unavailable: %s", exc)
    for path in getattr(settings, "SIGNING_TRUST_ROOTS", []) or []:
        try:
            roots += _certificates_in_file(str(path))
        except (OSError, ValueError) as exc:
            logger.warning("Cannot read the trust root file %s: %s", path, exc)
    unique: dict[bytes, Any] = {}
    for root in roots:
        unique.setdefault(root.dump(), root)
    return list(unique.values())


# --- Registry -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignerCredential:
    """What signs: a certificate, its private key, and the certificates above it (asn1crypto)."""

    certificate: Any  # asn1crypto.x509.Certificate
    private_key: Any = field(repr=False)  # asn1crypto.keys.PrivateKeyInfo
    chain: tuple[Any, ...] = ()


class SigningProvider:
    name = ""

    def credential_for(self, *, agency_code: str, agency_name: str) -> SignerCredential:
        raise NotImplementedError

    def trust_roots(self) -> list[Any]:
        raise NotImplementedError


class DemoSigningProvider(SigningProvider):
    """The installation's own CA and one credential per agency, kept in SigningCredential."""

    name = "demo"

    def credential_for(self, *, agency_code: str, agency_name: str) -> SignerCredential:
        ca_row, row = _demo_rows(agency_code=agency_code, agency_name=agency_name)
        return SignerCredential(
            certificate=_asn1_certificate(_load_pem_certificate(row.certificate_pem)),
            private_key=_asn1_private_key(_decrypt_private_key(row)),
            chain=(_asn1_certificate(_load_pem_certificate(ca_row.certificate_pem)),),
        )

    def trust_roots(self) -> list[Any]:
        from dichvucong.documents.models import SigningCredential

        # Read, never create: nothing can have been signed by a CA that does not exist yet.
        ca_row = SigningCredential.objects.filter(is_ca=True).first()
        return [_asn1_certificate(_load_pem_certificate(ca_row.certificate_pem))] if ca_row else []


class Pkcs12SigningProvider(SigningProvider):
    """The deployment's certificate from a real CA in a PKCS#12 file; the agency arguments only
    name the signature field, the certificate says who signs."""

    name = "pkcs12"

    def __init__(self, *, path: str, password: str) -> None:
        self.path = path
        self.password = password

    def credential_for(self, *, agency_code: str, agency_name: str) -> SignerCredential:
        return self.credential()

    def credential(self) -> SignerCredential:
        if not self.path:
            raise SigningError(
                _("Chưa cấu hình chứng thư số để ký: đặt SIGNING_PKCS12_PATH (tệp .p12/.pfx)."),
                code="signing_not_configured",
            )
        try:
            stat = os.stat(self.path)
        except OSError as exc:
            raise SigningError(
                _("Không mở được tệp chứng thư số %(path)s (SIGNING_PKCS12_PATH): %(error)s.")
                % {"path": self.path, "error": exc.strerror or type(exc).__name__},
                code="signing_pkcs12_missing",
            ) from exc
        return _load_pkcs12(self.path, stat.st_mtime_ns, stat.st_size, self.password)

    def trust_roots(self) -> list[Any]:
        credential = self.credential()
        certificates = [credential.certificate, *credential.chain]
        subjects = {certificate.subject.dump() for certificate in certificates}
        # The roots in the file; when it carries no root, the top certificate it has (an
        # intermediate CA, or the agency's own certificate) stands as the anchor.
        roots = [c for c in certificates if c.self_signed in ("maybe", "yes")]
        return roots or [c for c in certificates if c.issuer.dump() not in subjects] or [credential.certificate]


def _pkcs12_provider() -> Pkcs12SigningProvider:
    return Pkcs12SigningProvider(
        path=str(getattr(settings, "SIGNING_PKCS12_PATH", "") or ""),
        password=str(getattr(settings, "SIGNING_PKCS12_PASSWORD", "") or ""),
    )


SIGNING_PROVIDERS: dict[str, Callable[[], SigningProvider]] = {
    "demo": DemoSigningProvider,
    "pkcs12": _pkcs12_provider,
}


def signing_provider_name() -> str:
    return str(getattr(settings, "SIGNING_PROVIDER", "demo") or "demo").strip().lower()


def signing_provider() -> SigningProvider:
    """The provider chosen by the settings as they are now (tests change them)."""
    name = signing_provider_name()
    try:
        return SIGNING_PROVIDERS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"SIGNING_PROVIDER={name!r} is not one of {', '.join(sorted(SIGNING_PROVIDERS))}."
        ) from None


# --- Demo certificate authority (database) --------------------------------------------------------


def demo_ca_ensure() -> Any:
    """The demo CA's SigningCredential row, made once per installation (whoever comes first)."""
    from dichvucong.documents.models import SigningCredential

    row = SigningCredential.objects.filter(is_ca=True).first()
    if row is not None:
        return row
    key = _new_key()
    certificate = _demo_ca_certificate(key)
    try:
        with transaction.atomic():
            return SigningCredential.objects.create(
                agency_code="",
                agency_name=DEMO_CA_NAME,
                is_ca=True,
                **_stored_fields(certificate, key),
            )
    except IntegrityError:
        # Another process made it between our read and our write: theirs is the CA.
        return SigningCredential.objects.get(is_ca=True)


def demo_credential_ensure(*, agency_code: str, agency_name: str) -> Any:
    """The agency's demo SigningCredential row: made on first use, kept afterwards.

    Issued again, for the same key, when the agency's name changed (the certificate names the
    signer), when it nears its end, or when the CA that issued it is no longer this installation's.
    """
    return _demo_rows(agency_code=agency_code, agency_name=agency_name)[1]


def demo_setup(agencies: Iterable[tuple[str, str]] = ()) -> list[Any]:
    """The demo CA and the given agencies' credentials, made if missing: [CA row, agency rows…]."""
    rows = [demo_ca_ensure()]
    rows += [demo_credential_ensure(agency_code=code, agency_name=name) for code, name in agencies]
    return rows


def _demo_rows(*, agency_code: str, agency_name: str) -> tuple[Any, Any]:
    """(CA row, agency row) for demo_credential_ensure()."""
    from dichvucong.documents.models import SigningCredential

    agency_code, agency_name = agency_code.strip(), agency_name.strip()
    if not agency_code or not agency_name:
        raise ValueError("A demo signing credential needs the agency's code and name.")
    ca_row = demo_ca_ensure()
    row = SigningCredential.objects.filter(agency_code=agency_code, is_ca=False).first()
    ca_certificate = _load_pem_certificate(ca_row.certificate_pem)
    if row is not None and not _needs_reissue(row, agency_name=agency_name, ca_certificate=ca_certificate):
        return ca_row, row
    ca_key = _decrypt_private_key(ca_row)
    if row is None:
        key = _new_key()
        certificate = _demo_agency_certificate(
            key, agency_code=agency_code, agency_name=agency_name, ca_key=ca_key, ca_certificate=ca_certificate
        )
        try:
            with transaction.atomic():
                row = SigningCredential.objects.create(
                    agency_code=agency_code, agency_name=agency_name, **_stored_fields(certificate, key)
                )
        except IntegrityError:
            row = SigningCredential.objects.get(agency_code=agency_code, is_ca=False)
        return ca_row, row
    key = _decrypt_private_key(row)
    certificate = _demo_agency_certificate(
        key, agency_code=agency_code, agency_name=agency_name, ca_key=ca_key, ca_certificate=ca_certificate
    )
    logger.info("Demo signing certificate of %s issued again (%s)", agency_code, agency_name)
    for name, value in _stored_fields(certificate, key).items():
        setattr(row, name, value)
    row.agency_name = agency_name
    row.save(
        update_fields=[
            "agency_name",
            "certificate_pem",
            "private_key_encrypted",
            "certificate_sha256",
            "not_valid_after",
            "updated_at",
        ]
    )
    return ca_row, row


def _needs_reissue(row: Any, *, agency_name: str, ca_certificate: Any) -> bool:
    if row.agency_name != agency_name:
        return True
    if row.not_valid_after - DEMO_RENEW_BEFORE <= timezone.now():
        return True
    certificate = _load_pem_certificate(row.certificate_pem)
    try:
        certificate.verify_directly_issued_by(ca_certificate)
    except Exception:  # the CA row was replaced (signing_setup --reset): this certificate is orphaned
        return True
    return False


def _stored_fields(certificate: Any, key: Any) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization

    return {
        "certificate_pem": certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        "private_key_encrypted": _encrypt_private_key(key),
        "certificate_sha256": hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest(),
        "not_valid_after": certificate.not_valid_after_utc,
    }


def _new_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    # P-256 ECDSA: as strong as RSA-3072 for a fraction of the time to make and to sign.
    return ec.generate_private_key(ec.SECP256R1())


def _demo_ca_certificate(key: Any) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_CA_ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CA_NAME),
        ]
    )
    now = timezone.now()
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * DEMO_CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _demo_agency_certificate(key: Any, *, agency_code: str, agency_name: str, ca_key: Any, ca_certificate: Any) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, agency_code),
            x509.NameAttribute(NameOID.COMMON_NAME, agency_name[:64]),
        ]
    )
    now = timezone.now()
    ski = ca_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(min(now + dt.timedelta(days=365 * DEMO_AGENCY_YEARS), ca_certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [x509.ObjectIdentifier(EKU_DOCUMENT_SIGNING), x509.ObjectIdentifier(EKU_MS_DOCUMENT_SIGNING)]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )


def _key_usage(**usages: bool) -> Any:
    from cryptography import x509

    flags = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    flags.update(usages)
    return x509.KeyUsage(**flags)


# --- Private keys at rest -------------------------------------------------------------------------


def _fernet_for(secret: str) -> Any:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    # HKDF, not the raw SECRET_KEY: this key serves one purpose only, and SECRET_KEY's other uses
    # (sessions, password reset tokens) learn nothing from it.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_FERNET_SALT, info=_FERNET_INFO).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _encrypt_private_key(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return _fernet_for(settings.SECRET_KEY).encrypt(pem).decode("ascii")


def _decrypt_private_key(row: Any) -> Any:
    """The row's private key. One encrypted under a key in SECRET_KEY_FALLBACKS (SECRET_KEY was
    rotated) is read with it and stored again under the current SECRET_KEY."""
    from cryptography.fernet import InvalidToken
    from cryptography.hazmat.primitives import serialization

    token = row.private_key_encrypted.encode("ascii")
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    for index, secret in enumerate(secrets):
        try:
            pem = _fernet_for(secret).decrypt(token)
        except InvalidToken:
            continue
        key = serialization.load_pem_private_key(pem, password=None)
        if index > 0:
            row.private_key_encrypted = _encrypt_private_key(key)
            row.save(update_fields=["private_key_encrypted", "updated_at"])
        return key
    raise SigningError(
        _(
            "Không giải mã được khóa ký số thử nghiệm của “%(name)s”: SECRET_KEY đã đổi. Đặt lại SECRET_KEY cũ "
            "(hoặc thêm vào SECRET_KEY_FALLBACKS), hoặc chạy “manage.py signing_setup --reset” để tạo khóa mới."
        )
        % {"name": row.agency_name},
        code="signing_key_undecryptable",
    )


# --- Certificates and PKCS#12 files ---------------------------------------------------------------


def _load_pem_certificate(pem: str) -> Any:
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def _asn1_certificate(certificate: Any) -> Any:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_private_key(key: Any) -> Any:
    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import serialization

    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return asn1_keys.PrivateKeyInfo.load(der)


@lru_cache(maxsize=4)
def _load_pkcs12(path: str, mtime_ns: int, size: int, password: str) -> SignerCredential:
    """The PKCS#12 file's credential; cached while the file (its time and size) and password are the same."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    data = Path(path).read_bytes()
    try:
        key, certificate, additional = pkcs12.load_key_and_certificates(data, password.encode("utf-8") or None)
    except (ValueError, TypeError) as exc:
        # cryptography cannot tell a wrong password from a damaged file: both fail the MAC.
        raise SigningError(
            _(
                "Không mở được tệp chứng thư số %(path)s: mật khẩu (SIGNING_PKCS12_PASSWORD) không đúng "
                "hoặc tệp không phải PKCS#12."
            )
            % {"path": path},
            code="signing_pkcs12_password",
        ) from exc
    if key is None or certificate is None:
        raise SigningError(
            _("Tệp chứng thư số %(path)s không chứa khóa bí mật và chứng thư của người ký.") % {"path": path},
            code="signing_pkcs12_incomplete",
        )
    return SignerCredential(
        certificate=_asn1_certificate(certificate),
        private_key=_asn1_private_key(key),
        chain=tuple(_asn1_certificate(extra) for extra in additional or ()),
    )


def _certificates_in_file(path: str) -> list[Any]:
    return list(_certificates_in_file_cached(path, os.stat(path).st_mtime_ns))


@lru_cache(maxsize=16)
def _certificates_in_file_cached(path: str, mtime_ns: int) -> tuple[Any, ...]:
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    data = Path(path).read_bytes()
    if pem.detect(data):
        return tuple(
            asn1_x509.Certificate.load(der)
            for kind, _headers, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        )
    return (asn1_x509.Certificate.load(data),)


# --- pyHanko, in a thread of its own ---------------------------------------------------------------


def _in_own_thread(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end in a fresh thread with its own event loop; return its result."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


async def _sign(
    pdf: bytes, *, credential: SignerCredential, field_prefix: str, signer_name: str, reason: str, location: str
) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        encrypted = writer.prev.encrypted
        taken = {name for name, _value, _ref in fields.enumerate_sig_fields(writer.prev)}
    except Exception as exc:
        logger.info("Cannot sign an unreadable PDF: %s: %s", type(exc).__name__, exc)
        raise SigningError(
            _("Không ký số được văn bản: tệp PDF không đọc được."), code="signing_unreadable_pdf"
        ) from exc
    if encrypted:
        raise SigningError(_("Không ký số được văn bản: tệp PDF đã được mã hóa."), code="signing_encrypted_pdf")
    number = 1
    while f"{field_prefix}{number}" in taken:
        number += 1
    metadata = signers.PdfSignatureMetadata(
        field_name=f"{field_prefix}{number}",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name or None,
        reason=reason or None,
        location=location or None,
    )
    signer = signers.SimpleSigner(
        signing_cert=credential.certificate,
        signing_key=credential.private_key,
        cert_registry=SimpleCertificateStore.from_certs([credential.certificate, *credential.chain]),
    )
    output = await signers.PdfSigner(metadata, signer=signer).async_sign_pdf(writer)
    return output.getvalue()


async def _verify(pdf: bytes, *, roots: list[Any]) -> list[SignatureReport]:
    from pyhanko.pdf_utils.crypt import AuthStatus
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    if len(pdf) > VERIFY_MAX_BYTES:
        logger.info("Not verifying a PDF of %d bytes (limit %d)", len(pdf), VERIFY_MAX_BYTES)
        return [_unverifiable()] if _looks_signed(pdf) else []
    if b"%PDF-" not in pdf[:1024]:
        return []
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    if reader.encrypted and reader.decrypt("").status == AuthStatus.FAILED:
        return [_unverifiable()] if _looks_signed(pdf) else []
    found = []
    for index, (name, value, field_ref) in enumerate(enumerate_sig_fields(reader, filled_status=True)):
        if index >= VERIFY_MAX_SIGNATURES:
            logger.info("Only the first %d signatures of a PDF are verified", VERIFY_MAX_SIGNATURES)
            break
        embedded = _embedded(reader, name, field_ref)
        if isinstance(embedded, SignatureReport) and _is_timestamp(value):
            continue  # a broken document timestamp: no signer to report on
        found.append(embedded)
    readable = sorted((s for s in found if not isinstance(s, SignatureReport)), key=lambda s: s.signed_revision)
    skip_diff = reader.xrefs.total_revisions > VERIFY_MAX_REVISIONS
    context = _validation_context(roots)
    reports: list[SignatureReport] = [s for s in found if isinstance(s, SignatureReport)]
    regular = []
    for position, signature in enumerate(readable):
        if signature.sig_object_type != "/Sig":
            continue  # a document timestamp: when, not who
        later_fields = {str(s.field_name) for s in readable[position + 1 :]}
        regular.append(await _report(signature, context=context, later_fields=later_fields, skip_diff=skip_diff))
    return regular + reports


def _is_timestamp(value: Any) -> bool:
    try:
        return value.get_object().get("/Type") == "/DocTimeStamp"
    except Exception:
        return False


def _embedded(reader: Any, name: str, field_ref: Any) -> Any:
    """pyHanko's view of one signature, or an "unverifiable" report when its dictionary or CMS is broken."""
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.validation import EmbeddedPdfSignature

    try:
        signature = EmbeddedPdfSignature(reader, field_ref, name)
        subfilter = signature.sig_object.get("/SubFilter")
        if subfilter not in {s.value for s in SigSeedSubFilter}:
            raise ValueError(f"unsupported /SubFilter {subfilter}")
        signature.signer_cert  # noqa: B018  (parses the certificates now, inside this try)
        return signature
    except Exception as exc:
        logger.info("Signature %r cannot be read: %s: %s", name, type(exc).__name__, exc)
        return _unverifiable(field_name=str(name))


def _validation_context(roots: list[Any]) -> Any:
    from pyhanko_certvalidator import ValidationContext

    # An explicit, possibly empty, list: never the operating system's trust store, never a download.
    return ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")


async def _report(signature: Any, *, context: Any, later_fields: set[str], skip_diff: bool) -> SignatureReport:
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    try:
        status = await async_validate_pdf_signature(
            signature,
            signer_validation_context=context,
            # Citizens' certificates carry digitalSignature, nonRepudiation or both: either will do.
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}),
            skip_diff=skip_diff,
        )
    except Exception as exc:
        logger.info("Signature %r cannot be validated: %s: %s", signature.field_name, type(exc).__name__, exc)
        return _unverifiable(field_name=str(signature.field_name), **_certificate_fields(signature))
    covers = _covers_whole_document(status, later_fields=later_fields)
    code, summary = _verdict(status, covers=covers)
    return SignatureReport(
        **_certificate_fields(signature),
        signing_time=_aware(status.signer_reported_dt),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_document=covers,
        summary=summary,
        status=code,
        field_name=str(signature.field_name),
        signer_name=_text(signature.sig_object.get("/Name")),
        reason=_text(signature.sig_object.get("/Reason")),
        location=_text(signature.sig_object.get("/Location")),
    )


def _covers_whole_document(status: Any, *, later_fields: set[str]) -> bool:
    """True when nothing but later signatures, timestamps or validation data follow the signature."""
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION or not isinstance(status.diff_result, DiffResult):
        return False
    level = status.diff_result.modification_level
    if level <= ModificationLevel.LTA_UPDATES:
        return True  # a document security store, a document timestamp
    # Form filling: allowed only when the fields filled are the later signatures themselves.
    return level == ModificationLevel.FORM_FILLING and set(status.diff_result.changed_form_fields) <= later_fields


def _verdict(status: Any, *, covers: bool) -> tuple[str, str]:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

    if not status.intact:
        return STATUS_MODIFIED, _("Tài liệu đã bị sửa sau khi ký")
    if not status.valid:
        return STATUS_INVALID, _("Chữ ký không hợp lệ")
    if not covers:
        return STATUS_MODIFIED, _("Tài liệu đã bị sửa sau khi ký (có nội dung thêm vào sau chữ ký)")
    if status.trusted:
        return STATUS_VALID, _("Chữ ký hợp lệ, tài liệu nguyên vẹn")
    problem = status.trust_problem_indic
    if status.revoked or problem in {
        AdESFailure.REVOKED,
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    }:
        return STATUS_UNTRUSTED, _("Tài liệu nguyên vẹn, nhưng chứng thư số của người ký đã bị thu hồi")
    if problem in {
        AdESIndeterminate.EXPIRED,
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    }:
        return STATUS_UNTRUSTED, _("Tài liệu nguyên vẹn, nhưng chứng thư số của người ký đã hết hạn")
    return STATUS_UNTRUSTED, _("Tài liệu nguyên vẹn, nhưng chữ ký không chứa chứng thư tin cậy")


def _unverifiable(*, field_name: str = "", **certificate: str) -> SignatureReport:
    values = {
        "signer_common_name": "",
        "organisation": "",
        "issuer_common_name": "",
        "certificate_sha256": "",
        "organisation_identifier": "",
    }
    values.update(certificate)
    return SignatureReport(
        **values,
        signing_time=None,
        intact=False,
        valid=False,
        trusted=False,
        covers_whole_document=False,
        summary=_("Không kiểm tra được chữ ký: tệp hoặc chữ ký bị hỏng, hoặc không được hỗ trợ"),
        status=STATUS_UNVERIFIABLE,
        field_name=field_name,
    )


def _certificate_fields(signature: Any) -> dict[str, str]:
    try:
        certificate = signature.signer_cert
        subject, issuer = certificate.subject.native, certificate.issuer.native
        return {
            "signer_common_name": _first(subject.get("common_name")),
            "organisation": _first(subject.get("organization_name")),
            "organisation_identifier": _first(subject.get("organization_identifier")),
            "issuer_common_name": _first(issuer.get("common_name")),
            "certificate_sha256": hashlib.sha256(certificate.dump()).hexdigest(),
        }
    except Exception:
        return {}


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "")


def _text(value: Any) -> str:
    try:
        return str(value)[:500] if value is not None else ""
    except Exception:
        return ""


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


def _looks_signed(pdf: bytes) -> bool:
    # A signature dictionary cannot sit in a compressed object stream (its /ByteRange counts file
    # bytes), so a signed PDF always shows this name in clear.
    return b"/ByteRange" in pdf
