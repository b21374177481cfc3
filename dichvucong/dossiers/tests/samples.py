"""Real sample files for upload tests, made at test time: each builder returns the file's bytes.

Made by the programs that make such files in the wild (WeasyPrint, pyHanko, pypdf, Pillow, openpyxl)
or, for the formats with no writer installed here (DOCX, ODT, the Office encryption container),
assembled by the book with the minimal parts that the real programs open. Cached: tests may call
them freely, and bytes are immutable.
"""

from __future__ import annotations

import datetime
import io
import struct
import zipfile
import zlib
from functools import lru_cache
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile


def as_upload(data: bytes, name: str, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """What a view receives for this file: the browser's name and content type are the citizen's."""
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- PDF -----------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def pdf_bytes(text: str = "Tờ khai thử nghiệm", pages: int = 1) -> bytes:
    from weasyprint import HTML

    body = "".join(
        f'<section style="page-break-after: always"><h1>{text}</h1><p>Trang {n}</p></section>'
        for n in range(1, pages + 1)
    )
    return HTML(string=f'<html lang="vi"><body>{body}</body></html>').write_pdf()


@lru_cache(maxsize=2)
def _self_signed(algorithm: str = "ec") -> tuple[object, object]:
    """A signer's certificate and key, made now: a citizen's USB token would hold the same kinds.

    EC is quick to make; pyHanko's test time-stamping authority signs with RSA only.
    """
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if algorithm == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Văn Thử"), x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # Also a time-stamping authority for timestamped_pdf_bytes(): a test TSA needs no other key.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (
        asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(der_key),
    )


@lru_cache(maxsize=4)
def signed_pdf_bytes(signatures: int = 1, text: str = "Đơn đề nghị đã ký số") -> bytes:
    """A PDF signed `signatures` times by pyHanko (PAdES baseline: /ByteRange + CMS /Contents),
    each signature an incremental update, as when a second person countersigns."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate, key = _self_signed()
    signer = signers.SimpleSigner(
        signing_cert=certificate, signing_key=key, cert_registry=SimpleCertificateStore.from_certs([certificate])
    )
    data = pdf_bytes(text)
    for number in range(1, signatures + 1):
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        metadata = signers.PdfSignatureMetadata(field_name=f"ChuKy{number}", subfilter=SigSeedSubFilter.PADES)
        data = _without_event_loop(lambda w=writer, m=metadata: signers.sign_pdf(w, m, signer=signer).getvalue())
    return data


def _without_event_loop(work: Any) -> Any:
    """Run pyHanko's signing, which calls asyncio.run(), in a thread of its own: after a browser
    test, Playwright's sync API leaves an event loop running in the test thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def broken_signature_pdf_bytes() -> bytes:
    """A signed PDF whose signature value (the CMS in /Contents) has been zeroed: the signature
    field, /ByteRange and /Contents are all there, the signature itself is garbage."""
    data = signed_pdf_bytes()
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    return data[:start] + b"0" * (end - start) + data[end:]


@lru_cache(maxsize=1)
def timestamped_pdf_bytes() -> bytes:
    """A PDF with a document timestamp (/DocTimeStamp) and no signature: it says when, not who."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    certificate, key = _self_signed("rsa")
    stamper = signers.PdfTimeStamper(DummyTimeStamper(tsa_cert=certificate, tsa_key=key))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes("Văn bản có dấu thời gian")))
    return _without_event_loop(lambda: stamper.timestamp_pdf(writer, md_algorithm="sha256").getvalue())


@lru_cache(maxsize=4)
def encrypted_pdf_bytes(user_password: str = "matkhau", owner_password: str = "chu-so-huu") -> bytes:  # noqa: S107
    """An AES-256 encrypted PDF. With user_password="" it opens without a question (restrictions only)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("Tài liệu được bảo vệ"))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf_bytes() -> bytes:
    """The first half of a real PDF: an upload or a download cut short."""
    data = pdf_bytes("Tờ khai bị cắt", pages=3)
    return data[: len(data) // 2]


def shifted_xref_pdf_bytes() -> bytes:
    """A real PDF whose cross-reference offsets are off by a few bytes, as some scanners write them:
    every viewer opens it by rebuilding the table."""
    data = pdf_bytes("Bản quét")
    first_line = data.index(b"\n") + 1
    return data[:first_line] + b"%scanner\n" + data[first_line:]


def junk_before_header_pdf_bytes() -> bytes:
    """A real PDF with bytes before %PDF- (some mail gateways and old generators add them)."""
    return b"\x00\x00JUNK-FROM-A-GATEWAY\r\n" + pdf_bytes("Bản quét")


def header_only_pdf_bytes() -> bytes:
    """ "%PDF-" and an end marker around garbage: the header a renamed file may fake."""
    return b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


# --- Images --------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def jpeg_bytes(width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG", quality=85)
    return out.getvalue()


@lru_cache(maxsize=8)
def png_bytes(width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 40, 180)).save(out, "PNG")
    return out.getvalue()


@lru_cache(maxsize=4)
def noisy_jpeg_bytes(side: int = 128, *, progressive: bool = False) -> bytes:
    """A JPEG with real entropy-coded data to cut (a flat colour compresses to almost nothing);
    side=512 makes one larger than the checker's 64 KB read chunk."""
    from PIL import Image

    pattern = bytes((x * 7 + y * 13 + (x * y) % 251) % 256 for y in range(side) for x in range(side * 3))
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pattern).save(out, "JPEG", quality=95, progressive=progressive)
    return out.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb_bytes(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid PNG header that declares width × height pixels over a few bytes of data: opening it
    costs nothing, decoding it costs gigabytes (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    data = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


# --- Office (ZIP-based) --------------------------------------------------------------------------

_DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def _docx_document(text: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )


def _zip(members: list[tuple[str, bytes | str]], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, content) in enumerate(members):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, content, compress_type=method)
    return out.getvalue()


@lru_cache(maxsize=4)
def docx_bytes(text: str = "Đơn đề nghị cấp bản sao", *, macros: bool = False) -> bytes:
    """The three parts Word needs to open a document. macros=True adds a VBA project (a .docm)."""
    members: list[tuple[str, bytes | str]] = [
        ("[Content_Types].xml", _DOCX_CONTENT_TYPES),
        ("_rels/.rels", _DOCX_RELS),
        ("word/document.xml", _docx_document(text)),
    ]
    if macros:
        members.append(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)))
    return _zip(members)


@lru_cache(maxsize=2)
def xlsx_bytes(title: str = "Bảng kê") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(["STT", "Họ và tên", "Số tiền"])
    sheet.append([1, "Trần Thị Bình", 150000])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def odf_bytes(mimetype: str, text: str = "Tờ trình") -> bytes:
    """An OpenDocument package: `mimetype` first and stored (the spec's rule), manifest, content."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text><text:p>{text}</text:p></office:text></office:body>"
        "</office:document-content>"
    )
    return _zip(
        [("mimetype", mimetype), ("META-INF/manifest.xml", manifest), ("content.xml", content)], stored_first=True
    )


@lru_cache(maxsize=2)
def odt_bytes(text: str = "Tờ trình") -> bytes:
    return odf_bytes("application/vnd.oasis.opendocument.text", text)


def broken_docx_bytes() -> bytes:
    """A DOCX whose archive index is intact but whose document part is garbled (a bad copy)."""
    data = bytearray(docx_bytes("Nội dung sẽ bị hỏng " * 50))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start : start + 32] = b"\xff" * 32
    return bytes(data)


def random_zip_bytes() -> bytes:
    return _zip([("readme.txt", "Không phải tài liệu văn phòng"), ("data/so-lieu.csv", "a,b\n1,2\n")])


def zip_bomb_bytes(megabytes: int = 64) -> bytes:
    """A DOCX-shaped ZIP whose document part inflates `megabytes` MB of zeros from a few tens of KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(zeros)
    return out.getvalue()


def many_members_zip_bytes(count: int) -> bytes:
    """A DOCX-shaped ZIP with `count` empty members: cheap to send, costly to index."""
    members: list[tuple[str, bytes | str]] = [
        ("[Content_Types].xml", _DOCX_CONTENT_TYPES),
        ("word/document.xml", _docx_document("x")),
    ]
    members += [(f"word/media/{n}.bin", b"") for n in range(count)]
    return _zip(members)


# --- Office encryption container (a password-protected DOCX/XLSX is not a ZIP) -------------------

_FREE, _END, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _cfb_entry(
    name: str, kind: int, *, right: int = _NO_STREAM, child: int = _NO_STREAM, start: int = 0, size: int = 0
):
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)  # length with terminator, type, black
        + struct.pack("<III", _NO_STREAM, right, child)
        + bytes(16 + 4 + 8 + 8)  # CLSID, state bits, creation and modification times
        + struct.pack("<IQ", start, size)
    )


def encrypted_office_bytes() -> bytes:
    """What Word writes for "Encrypt with password": a Compound File Binary (version 3) holding the
    streams EncryptionInfo and EncryptedPackage, laid out by [MS-CFB]. The encrypted bytes are
    random here; the container, which is what a checker sees, is the real one."""
    sector = 512
    info = (struct.pack("<HHI", 4, 4, 0x40) + b'<?xml version="1.0" encoding="UTF-8"?><encryption/>').ljust(4096, b"\0")
    package = struct.pack("<Q", 4096) + bytes((n * 37) % 256 for n in range(4096))
    info_sectors = -(-len(info) // sector)
    package_sectors = -(-len(package) // sector)
    fat = [_FAT_SECTOR, _END]  # sector 0: this FAT; sector 1: the directory
    first_info = len(fat)
    fat += [first_info + n + 1 for n in range(info_sectors - 1)] + [_END]
    first_package = len(fat)
    fat += [first_package + n + 1 for n in range(package_sectors - 1)] + [_END]
    fat += [_FREE] * (128 - len(fat))
    directory = (
        _cfb_entry("Root Entry", 5, child=1, start=_END)
        + _cfb_entry("EncryptionInfo", 2, right=2, start=first_info, size=len(info))
        + _cfb_entry("EncryptedPackage", 2, start=first_package, size=len(package))
        + _cfb_entry("", 0)
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)  # DIFAT[0]: the FAT is sector 0
        + struct.pack("<I", _FREE) * 108
    )
    return (
        header
        + struct.pack("<128I", *fat)
        + directory
        + info.ljust(info_sectors * sector, b"\0")
        + package.ljust(package_sectors * sector, b"\0")
    )


# --- Things that are not documents ---------------------------------------------------------------


def exe_bytes() -> bytes:
    """The start of a Windows program: the MZ header, the DOS stub, a PE header."""
    dos_header = b"MZ" + bytes(58) + struct.pack("<I", 0x80)
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    return (dos_header + stub).ljust(0x80, b"\0") + b"PE\0\0" + struct.pack("<HH", 0x8664, 1) + bytes(400)


def exe_with_pdf_marker_bytes() -> bytes:
    """A program that carries "%PDF-" in its first kilobyte, hoping to pass for a PDF."""
    return exe_bytes()[:200] + b"%PDF-1.7\n" + pdf_bytes()


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(9) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(200)


def script_bytes() -> bytes:
    return b"#!/bin/sh\nrm -rf --no-preserve-root /\n"


def html_bytes() -> bytes:
    return b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def svg_bytes() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>"
    )


def html_with_pdf_bytes() -> bytes:
    """A web page followed by a PDF: a browser that sniffs it runs the script."""
    return b"<html><script>alert(1)</script></html>\n" + pdf_bytes()
