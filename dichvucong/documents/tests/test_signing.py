"""Signing PDFs with the agency's key and verifying any PDF's signatures (DESIGN §10).

The PDFs are real (WeasyPrint through documents.pdf), the signatures real PAdES made by pyHanko,
the keys made here: EC P-256, which takes a millisecond, so every test can have its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from dichvucong.documents import signing
from dichvucong.documents.models import SigningCredential
from dichvucong.documents.pdf import html_to_pdf
from dichvucong.documents.signing import SignatureReport, SigningError, sign_pdf, verify_pdf

BASE_DIR = Path(__file__).resolve().parents[3]
CODE, NAME = "000.00.01.H57", "Sở Tư pháp thành phố Huế"
OTHER_CODE, OTHER_NAME = "000.00.02.H57", "Ủy ban nhân dân phường Thuận Hóa"
P12_PASSWORD = "mat-khau-chung-thu"


@pytest.fixture(scope="module")
def document() -> bytes:
    return html_to_pdf(
        '<html lang="vi"><body><h1>GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ</h1>'
        "<p>Mã hồ sơ: H57.01-260301-0001. Ông Nguyễn Văn Ấn.</p></body></html>"
    )


@pytest.fixture
def signed(db, document) -> bytes:
    return sign_pdf(
        document,
        agency_code=CODE,
        agency_name=NAME,
        signer_name="Trần Thị Bình",
        reason="Trả kết quả giải quyết thủ tục hành chính",
        location="Huế",
    )


def the_report(data: bytes) -> SignatureReport:
    reports = verify_pdf(data)
    assert len(reports) == 1, reports
    return reports[0]


# --- Signing and verifying ------------------------------------------------------------------------


def test_a_signed_document_verifies_as_the_agencys_intact_and_trusted(document, signed):
    report = the_report(signed)

    assert report.intact
    assert report.valid
    assert report.trusted
    assert report.covers_whole_document
    assert report.status == signing.STATUS_VALID
    assert report.summary == "Chữ ký hợp lệ, tài liệu nguyên vẹn"
    assert report.signer_common_name == NAME
    assert report.organisation == NAME
    assert report.organisation_identifier == CODE
    assert report.issuer_common_name == signing.DEMO_CA_NAME
    assert (report.signer_name, report.reason, report.location) == (
        "Trần Thị Bình",
        "Trả kết quả giải quyết thủ tục hành chính",
        "Huế",
    )
    assert timezone.is_aware(report.signing_time)
    assert abs(timezone.now() - report.signing_time) < dt.timedelta(minutes=2)
    # An incremental update: the document as rendered is untouched, the signature follows it.
    assert signed.startswith(document)


def test_the_signature_is_pades_with_sha256(signed):
    from pyhanko.pdf_utils.reader import PdfFileReader

    (embedded,) = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.md_algorithm == "sha256"
    assert "/M" in embedded.sig_object  # the signing time, where PAdES puts it


def test_a_one_byte_change_inside_the_signed_range_is_detected(signed):
    # The binary comment on the header's second line: any reader still opens the file, but the
    # bytes are no longer those that were signed.
    at = signed.index(b"\n") + 2
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]

    report = the_report(tampered)

    assert report.intact is False
    assert report.trusted is False
    assert report.status == signing.STATUS_MODIFIED
    assert report.summary == "Tài liệu đã bị sửa sau khi ký"


def test_a_changed_byte_anywhere_in_the_signed_bytes_is_never_reported_valid(signed):
    # /ByteRange [start length start length]: the two stretches around the signature value.
    ranges = signed[signed.rindex(b"/ByteRange") :].split(b"[", 1)[1].split(b"]", 1)[0].split()
    first_start, first_length, second_start, second_length = (int(n) for n in ranges)
    for at in (
        first_start + first_length // 2,  # the document itself
        first_start + first_length - 40,  # the signature dictionary, before the value
        second_start + second_length // 2,  # after the value: the dictionary's end, the cross-reference
    ):
        tampered = signed[:at] + bytes([signed[at] ^ 0x20]) + signed[at + 1 :]
        reports = verify_pdf(tampered)
        assert all(not r.intact and r.status != signing.STATUS_VALID for r in reports), (at, reports)


def test_content_appended_after_the_signature_is_reported(signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    stamp = generic.StreamObject(stream_data=b"q 1 0 0 rg 50 50 200 40 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stamp))
    out = io.BytesIO()
    writer.write(out)

    report = the_report(out.getvalue())

    # The signed revision itself is untouched…
    assert report.intact
    assert report.valid
    assert report.covers_whole_document is False  # …but the page shown is no longer the one signed
    assert report.status == signing.STATUS_MODIFIED
    assert report.summary.startswith("Tài liệu đã bị sửa sau khi ký")


def test_a_later_signature_does_not_spoil_an_earlier_one(signed):
    countersigned = sign_pdf(signed, agency_code=OTHER_CODE, agency_name=OTHER_NAME)

    first, second = verify_pdf(countersigned)

    assert (first.signer_common_name, second.signer_common_name) == (NAME, OTHER_NAME)
    assert first.field_name != second.field_name
    for report in (first, second):
        assert report.status == signing.STATUS_VALID, report
        assert report.covers_whole_document


def test_an_unsigned_pdf_has_no_signature(db, document):
    assert verify_pdf(document) == []


def test_a_document_timestamp_alone_is_no_signature(db):
    from dichvucong.dossiers.tests.samples import timestamped_pdf_bytes

    assert verify_pdf(timestamped_pdf_bytes()) == []


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        bytes(range(256)) * 64,
        b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n",
        b"%PDF-1.7\n1 0 obj << /ByteRange [0 10 20 30] /Contents <00> >> endobj\n%%EOF\n",
        b"%PDF-1.7\n" + b"[" * 100_000 + b"\n%%EOF\n",
    ],
    ids=["empty", "text", "binary", "header-only", "fake-signature", "deep-nesting"],
)
def test_garbage_never_raises(db, data):
    reports = verify_pdf(data)

    assert isinstance(reports, list)
    assert all(not r.intact and r.status == signing.STATUS_UNVERIFIABLE for r in reports)


def test_a_signed_pdf_cut_short_is_unverifiable_not_an_error(signed):
    reports = verify_pdf(signed[: len(signed) * 2 // 3])

    assert all(not r.intact and not r.trusted for r in reports)


def test_a_broken_signature_value_is_reported_as_unverifiable(db):
    from dichvucong.dossiers.tests.samples import broken_signature_pdf_bytes

    report = the_report(broken_signature_pdf_bytes())

    assert report.status == signing.STATUS_UNVERIFIABLE
    assert not report.intact
    assert not report.valid
    assert not report.trusted
    assert report.summary.startswith("Không kiểm tra được chữ ký")


def test_a_file_over_the_size_limit_is_not_parsed(db, signed, monkeypatch):
    monkeypatch.setattr(signing, "VERIFY_MAX_BYTES", len(signed) - 1)

    assert the_report(signed).status == signing.STATUS_UNVERIFIABLE


def test_a_citizens_self_signed_signature_is_valid_but_not_trusted(db):
    from dichvucong.dossiers.tests.samples import signed_pdf_bytes

    report = the_report(signed_pdf_bytes())

    assert report.intact
    assert report.valid
    assert report.covers_whole_document
    assert report.trusted is False
    assert report.status == signing.STATUS_UNTRUSTED
    assert report.summary == "Tài liệu nguyên vẹn, nhưng chữ ký không chứa chứng thư tin cậy"
    assert report.signer_common_name == "Nguyễn Văn Thử"


def test_roots_in_signing_trust_roots_are_trusted(db, settings, tmp_path):
    from asn1crypto import pem

    from dichvucong.dossiers.tests.samples import _self_signed, signed_pdf_bytes

    certificate, _key = _self_signed()
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pem.armor("CERTIFICATE", certificate.dump()))
    settings.SIGNING_TRUST_ROOTS = [str(tmp_path / "missing.pem"), str(roots)]  # a missing file is skipped

    report = the_report(signed_pdf_bytes())

    assert report.trusted
    assert report.status == signing.STATUS_VALID


def test_signing_and_verifying_inside_a_running_event_loop(transactional_db, document):
    # What a browser test does: Playwright's sync API keeps an event loop running in the test thread.
    # (Committed rows: code running in a coroutine may get a database connection of its own.)
    async def in_the_loop() -> list[SignatureReport]:
        try:
            return verify_pdf(sign_pdf(document, agency_code=CODE, agency_name=NAME))
        finally:
            connections.close_all()  # the connection this coroutine's context opened

    # A thread of its own: in the whole suite, Playwright's loop may already be running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        (report,) = pool.submit(asyncio.run, in_the_loop()).result()

    assert report.status == signing.STATUS_VALID


def test_signing_and_verifying_from_other_threads(settings, document, pkcs12_file):
    # The pkcs12 provider reads no database, so the threads need no connection of their own.
    settings.SIGNING_PROVIDER = "pkcs12"
    settings.SIGNING_PKCS12_PATH = str(pkcs12_file)
    settings.SIGNING_PKCS12_PASSWORD = P12_PASSWORD
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _n: verify_pdf(sign_pdf(document, agency_code=CODE, agency_name=NAME)), range(4))
        )

    assert [[r.status for r in reports] for reports in results] == [[signing.STATUS_VALID]] * 4


def test_a_pdf_that_cannot_be_read_is_refused_when_signing(db):
    with pytest.raises(SigningError) as refused:
        sign_pdf(b"not a pdf", agency_code=CODE, agency_name=NAME)

    assert "không đọc được" in refused.value.message


def test_an_encrypted_pdf_is_refused_when_signing(db):
    from dichvucong.dossiers.tests.samples import encrypted_pdf_bytes

    with pytest.raises(SigningError) as refused:
        sign_pdf(encrypted_pdf_bytes(user_password=""), agency_code=CODE, agency_name=NAME)

    assert refused.value.code == "signing_encrypted_pdf"


# --- Demo credentials -----------------------------------------------------------------------------


def test_demo_credentials_are_made_once_and_reused(db, document):
    first = the_report(sign_pdf(document, agency_code=CODE, agency_name=NAME))
    second = the_report(sign_pdf(document, agency_code=CODE, agency_name=NAME))

    assert first.certificate_sha256 == second.certificate_sha256
    assert SigningCredential.objects.filter(is_ca=True).count() == 1
    assert SigningCredential.objects.filter(is_ca=False).count() == 1
    row = SigningCredential.objects.get(agency_code=CODE)
    assert row.certificate_sha256 == first.certificate_sha256
    assert row.agency_name == NAME


def test_each_agency_has_its_own_key_under_the_one_ca(db):
    ca, first, second = signing.demo_setup([(CODE, NAME), (OTHER_CODE, OTHER_NAME)])

    assert ca.is_ca
    assert ca.agency_code == ""
    assert first.certificate_sha256 != second.certificate_sha256
    assert len({first.private_key_encrypted, second.private_key_encrypted}) == 2


def test_the_private_keys_are_not_stored_in_clear(db):
    signing.demo_setup([(CODE, NAME)])

    for row in SigningCredential.objects.all():
        assert "PRIVATE KEY" not in row.private_key_encrypted
        assert "-----BEGIN" not in row.private_key_encrypted
        assert row.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")


def test_keys_survive_a_new_process_through_the_database(db, document):
    # No process memory holds a demo key: a fresh provider object (what a new process builds) finds
    # the same credential in the database.
    made = signing.demo_setup([(CODE, NAME)])[1]

    credential = signing.DemoSigningProvider().credential_for(agency_code=CODE, agency_name=NAME)

    assert credential.certificate.sha256.hex() == made.certificate_sha256


def test_processes_share_the_keys_through_the_database(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "PYTHONPATH"}},
        "READ_DOTENV": "0",
        "DEBUG": "1",
        "SECRET_KEY": "a-secret-key-of-this-test-only-4f8e2a9c1b7d3e5f6a0b9c8d7e6f5a4b",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=BASE_DIR,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    # Two processes (each start costs a second or so): the first makes the table and the keys…
    first = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.core.management import call_command as c; "
        f"c('migrate', 'documents', verbosity=0); c('signing_setup', agency=['{CODE}={NAME}'])",
    )
    # …the second finds them.
    second = manage("signing_setup", "--agency", CODE)

    assert "created" in first
    assert "kept" not in first
    assert "created" not in second
    assert first.replace("created", "kept   ") == second


def test_a_changed_secret_key_is_told_clearly_and_fallbacks_still_work(db, settings, document):
    signing.demo_setup([(CODE, NAME)])
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

    with pytest.raises(SigningError) as refused:
        sign_pdf(document, agency_code=CODE, agency_name=NAME)
    assert "SECRET_KEY" in refused.value.message

    settings.SECRET_KEY_FALLBACKS = [old_key]
    report = the_report(sign_pdf(document, agency_code=CODE, agency_name=NAME))
    assert report.status == signing.STATUS_VALID
    # Read with the old key, stored again under the new one.
    settings.SECRET_KEY_FALLBACKS = []
    assert the_report(sign_pdf(document, agency_code=CODE, agency_name=NAME)).trusted


def test_a_renamed_agency_gets_a_certificate_with_its_new_name(db, document):
    before = sign_pdf(document, agency_code=CODE, agency_name=NAME)
    after = sign_pdf(document, agency_code=CODE, agency_name="Sở Tư pháp tỉnh Thừa Thiên Huế")

    assert the_report(after).signer_common_name == "Sở Tư pháp tỉnh Thừa Thiên Huế"
    assert the_report(before).status == signing.STATUS_VALID  # documents signed earlier stay valid
    assert SigningCredential.objects.filter(is_ca=False).count() == 1


def test_a_certificate_near_its_end_is_issued_again(db):
    _ca, row = signing.demo_setup([(CODE, NAME)])
    SigningCredential.objects.filter(pk=row.pk).update(not_valid_after=timezone.now() + dt.timedelta(days=3))

    renewed = signing.demo_credential_ensure(agency_code=CODE, agency_name=NAME)

    assert renewed.certificate_sha256 != row.certificate_sha256
    assert renewed.not_valid_after > timezone.now() + dt.timedelta(days=365)


def test_verifying_creates_no_credentials(db, document):
    verify_pdf(document)

    assert not SigningCredential.objects.exists()


# --- signing_setup --------------------------------------------------------------------------------


def test_signing_setup_is_idempotent(db):
    out = io.StringIO()
    call_command("signing_setup", "--agency", f"{CODE}={NAME}", f"{OTHER_CODE}={OTHER_NAME}", stdout=out)
    rows = dict(SigningCredential.objects.values_list("agency_code", "certificate_sha256"))
    assert out.getvalue().count("created") == 3  # the CA and two agencies

    again = io.StringIO()
    call_command("signing_setup", "--agency", CODE, OTHER_CODE, stdout=again)

    assert dict(SigningCredential.objects.values_list("agency_code", "certificate_sha256")) == rows
    assert "created" not in again.getvalue()
    assert again.getvalue().count("kept") == 3


def test_signing_setup_takes_a_known_agencys_name_from_the_agencies_table(db):
    # Through the app registry, as the command does: the documents app does not import agencies.
    agency_model = apps.get_model("agencies", "Agency")
    agency_model.objects.create(code="000.00.03.H57", name="Sở Xây dựng thành phố Huế", kind="so_nganh")

    call_command("signing_setup", "--agency", "000.00.03.H57", stdout=io.StringIO())

    assert SigningCredential.objects.get(agency_code="000.00.03.H57").agency_name == "Sở Xây dựng thành phố Huế"


def test_signing_setup_asks_for_the_name_of_an_unknown_agency(db):
    with pytest.raises(CommandError, match="=NAME"):
        call_command("signing_setup", "--agency", "999.99.99.Z99", stdout=io.StringIO())


def test_signing_setup_reset_makes_a_new_ca(db, signed):
    call_command("signing_setup", "--reset", "--agency", CODE, stdout=io.StringIO())

    assert the_report(signed).trusted is False  # signed under the CA that was deleted
    assert SigningCredential.objects.filter(agency_code=CODE).exists()


# --- PKCS#12 --------------------------------------------------------------------------------------


def _certificate(*, subject, issuer, public_key, signing_key, ca: bool):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.UTC)
    usage = {"key_cert_sign": True, "crl_sign": True} if ca else {"digital_signature": True, "content_commitment": True}
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(signing._key_usage(**usage), critical=True)
        .sign(signing_key, hashes.SHA256())
    )


@pytest.fixture(scope="session")
def pkcs12_file(tmp_path_factory) -> Path:
    """What a licensed CA hands an agency: its key and certificate, with the CA's root, in a .p12."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA thử nghiệm quốc gia")])
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Ủy ban nhân dân thành phố Huế"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ủy ban nhân dân thành phố Huế"),
        ]
    )
    root = _certificate(
        subject=root_name, issuer=root_name, public_key=root_key.public_key(), signing_key=root_key, ca=True
    )
    certificate = _certificate(
        subject=name, issuer=root_name, public_key=key.public_key(), signing_key=root_key, ca=False
    )
    path = tmp_path_factory.mktemp("pkcs12") / "co-quan.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"co-quan", key, certificate, [root], BestAvailableEncryption(P12_PASSWORD.encode())
        )
    )
    return path


@pytest.fixture
def with_pkcs12(settings, pkcs12_file):
    settings.SIGNING_PROVIDER = "pkcs12"
    settings.SIGNING_PKCS12_PATH = str(pkcs12_file)
    settings.SIGNING_PKCS12_PASSWORD = P12_PASSWORD
    return settings


def test_the_pkcs12_provider_signs_with_the_certificate_in_the_file(db, document, with_pkcs12):
    report = the_report(sign_pdf(document, agency_code=CODE, agency_name=NAME))

    assert report.status == signing.STATUS_VALID  # the file's root CA is trusted
    assert report.signer_common_name == "Ủy ban nhân dân thành phố Huế"  # the certificate says who signs
    assert report.issuer_common_name == "CA thử nghiệm quốc gia"
    assert not SigningCredential.objects.exists()


def test_the_pkcs12_provider_refuses_a_wrong_password(db, document, with_pkcs12):
    with_pkcs12.SIGNING_PKCS12_PASSWORD = "sai-mat-khau"

    with pytest.raises(SigningError) as refused:
        sign_pdf(document, agency_code=CODE, agency_name=NAME)

    assert "SIGNING_PKCS12_PASSWORD" in refused.value.message
    assert "mật khẩu" in refused.value.message


@pytest.mark.parametrize("path", ["", "/nonexistent/co-quan.p12"])
def test_the_pkcs12_provider_refuses_a_missing_file(db, document, with_pkcs12, path):
    with_pkcs12.SIGNING_PKCS12_PATH = path

    with pytest.raises(SigningError) as refused:
        sign_pdf(document, agency_code=CODE, agency_name=NAME)

    assert "SIGNING_PKCS12_PATH" in refused.value.message


def test_signing_setup_shows_the_pkcs12_certificate(db, with_pkcs12):
    out = io.StringIO()
    call_command("signing_setup", stdout=out)

    assert "Ủy ban nhân dân thành phố Huế" in out.getvalue()
    with_pkcs12.SIGNING_PKCS12_PASSWORD = "sai-mat-khau"
    with pytest.raises(CommandError, match="mật khẩu"):
        call_command("signing_setup", stdout=io.StringIO())


def test_the_demo_ca_is_not_trusted_once_a_real_certificate_is_configured(signed, with_pkcs12):
    report = the_report(signed)

    assert report.intact
    assert report.valid
    assert not report.trusted


def test_verifying_still_works_when_the_pkcs12_file_is_broken(signed, with_pkcs12, tmp_path):
    with_pkcs12.SIGNING_PKCS12_PATH = str(tmp_path / "gone.p12")

    assert the_report(signed).status == signing.STATUS_UNTRUSTED


def test_an_unknown_provider_is_a_configuration_error(db, document, settings):
    settings.SIGNING_PROVIDER = "usb-token"

    with pytest.raises(ImproperlyConfigured, match="usb-token"):
        sign_pdf(document, agency_code=CODE, agency_name=NAME)
