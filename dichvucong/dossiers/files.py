"""Checks a dossier attachment by its content before anything stores it.

Pure: no models, no settings. The caller passes the limits and the allowed kinds, and gets back a
`FileCheck` (what the file really is, its size, its SHA-256, whether it is a signed PDF) or an
`ApplicationError` with a Vietnamese message for the citizen and a `code` for the program.

The type is told from the bytes only. A browser's content type and the file's extension are what
the citizen's computer guessed, and both are trivially forged; the stored name gets the extension
of the detected kind, so what an officer downloads opens in the program that the content needs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
import struct
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dichvucong.core.errors import ApplicationError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileCheck:
    kind: str  # one of KINDS
    content_type: str  # canonical MIME type of the kind
    extension: str  # canonical extension with its dot
    size: int
    sha256: str  # hex
    is_signed_pdf: bool  # a PDF with at least one signature (/ByteRange + /Contents, CMS)
    signature_count: int
    pdf_encrypted: bool  # encrypted, but opens without a password (see _check_pdf)


@dataclass(frozen=True)
class Kind:
    label: str  # what a citizen calls it
    content_type: str
    extension: str


# The kinds this module can accept, in the order they are listed to a citizen.
KINDS: dict[str, Kind] = {
    "pdf": Kind("PDF", "application/pdf", ".pdf"),
    "jpeg": Kind("JPG", "image/jpeg", ".jpg"),
    "png": Kind("PNG", "image/png", ".png"),
    "docx": Kind("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "xlsx": Kind("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "odt": Kind("ODT", "application/vnd.oasis.opendocument.text", ".odt"),
}
# Settings written by people say "jpg"; the detector says "jpeg".
_KIND_ALIASES = {"jpg": "jpeg"}

CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 1024  # %PDF- may sit anywhere in the first 1024 bytes (what Acrobat accepts)
PDF_TAIL_SIZE = 32 * 1024  # a complete PDF has %%EOF this close to its end, whatever trails it
PDF_MAX_PAGES = 100_000  # page-tree nodes walked before a tree is called malformed
PDF_MAX_FIELDS = 10_000  # form-field nodes walked when counting signatures by hand
# ZIP limits: far above what a real DOCX/XLSX/ODT of 20 MB holds, far below what hurts the officer's
# office suite or any later preview. Declared sizes are checked; nothing is ever extracted.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNCOMPRESSED = 512 * 1024 * 1024
ZIP_MAX_RATIO = 200  # declared uncompressed size / file size, once past ZIP_RATIO_FROM bytes
ZIP_RATIO_FROM = 32 * 1024 * 1024
ZIP_PEEK_BYTES = 4096  # read (decompressed) from the main part to see that it really inflates
NAME_MAX_CHARS = 120
NAME_MAX_BYTES = 240  # UTF-8 bytes: most file systems stop at 255 per name
DISPLAY_MAX_CHARS = 60
FALLBACK_STEM = "tep-dinh-kem"

_EXECUTABLE_MAGIC = {
    b"MZ": "exe",
    b"\x7fELF": "elf",
    b"#!": "script",
    b"\xfe\xed\xfa\xce": "macho",
    b"\xfe\xed\xfa\xcf": "macho",
    b"\xce\xfa\xed\xfe": "macho",
    b"\xcf\xfa\xed\xfe": "macho",
    b"\xca\xfe\xba\xbe": "macho",  # also Java classes
    b"\x00asm": "wasm",
}
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls, and password-protected DOCX/XLSX
_OLE_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_MARKUP = re.compile(rb"<\s*(?:[a-z!?/])", re.IGNORECASE)
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"


# --- Public API ----------------------------------------------------------------------------------


def file_check(upload: Any, *, allowed_kinds: Iterable[str], max_bytes: int) -> FileCheck:
    """What `upload` really is, or ApplicationError. Leaves the file rewound for the caller to save.

    `upload` is a Django UploadedFile or any file-like with read/seek (and .name, .size if known).
    """
    allowed = _normalise_kinds(allowed_kinds)
    name = _display_name(getattr(upload, "name", "") or "")
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        # Django already has it on disk, but nothing is gained by hashing what is refused anyway.
        raise _too_large(name, declared, max_bytes)
    try:
        digest, size, head, ole_encrypted = _scan(upload, max_bytes=max_bytes)
        if size > max_bytes:
            raise _too_large(name, max(size, declared or 0), max_bytes)
        if size == 0:
            raise ApplicationError(_("Tệp “%(name)s” rỗng (0 byte).") % {"name": name}, code="empty")
        kind = _sniff(head)
        if kind == "zip":
            kind = _zip_kind(upload, size=size, name=name)
        if kind == "ole" and ole_encrypted:
            raise _encrypted(name)  # an Office file saved with "Encrypt with password"
        if kind not in allowed:
            raise ApplicationError(
                _("Định dạng của tệp “%(name)s” không được chấp nhận. Chỉ nhận tệp %(allowed)s.")
                % {"name": name, "allowed": kinds_label(allowed)},
                code="type_not_allowed",
                extra={"kind": kind},
            )
        signatures, encrypted = 0, False
        if kind == "pdf":
            signatures, encrypted = _check_pdf(upload, name=name, size=size, pdf_offset=head.find(b"%PDF-"))
        elif kind in ("jpeg", "png"):
            _check_image(upload, kind=kind, name=name)
        else:
            _check_office(upload, kind=kind, name=name)
    finally:
        upload.seek(0)
    info = KINDS[kind]
    return FileCheck(
        kind=kind,
        content_type=info.content_type,
        extension=info.extension,
        size=size,
        sha256=digest,
        is_signed_pdf=signatures > 0,
        signature_count=signatures,
        pdf_encrypted=encrypted,
    )


def safe_filename(name: str, *, extension: str) -> str:
    """The name to store and to offer on download: a plain base name that ends with `extension`.

    Keeps Vietnamese letters; drops paths, control and bidi characters (a right-to-left override
    makes "gpj.exe" read as "exe.jpg"), characters Windows refuses, leading dots, and the
    extension the citizen's computer gave it, which the detected one replaces.
    """
    ext = extension.strip().lower()
    if ext and not ext.startswith("."):
        ext = "." + ext
    stem = _strip_extension(_clean_basename(name))  # anh.exe → anh
    max_chars, max_bytes = NAME_MAX_CHARS - len(ext), NAME_MAX_BYTES - len(ext)
    # Each rule can undo another's work (a cut leaves a trailing dot, stripping it shows ".pdf"
    # again…), so they run until nothing changes; every step but the one-off "_" shortens the name.
    for _round in range(10):
        before = stem
        stem = _tidy_stem(_truncate(stem, max_chars=max_chars, max_bytes=max_bytes))
        if ext and _ext_of(stem) in _same_extensions(ext):
            stem = _strip_extension(stem)  # x.pdf.exe → x.pdf → x: never "x.pdf.pdf", nor ".jpeg.jpg"
        first, dot, rest = stem.partition(".")
        if first.rstrip().upper() in _WINDOWS_RESERVED:
            stem = first + "_" + dot + rest  # "CON.pdf" cannot be saved on Windows, "CON_.pdf" can
        if stem == before:
            break
    return (stem or FALLBACK_STEM) + ext


def human_size(n: int) -> str:
    """Vietnamese style, in binary units as the limits are: "820 KB", "1,5 MB", "20 MB", "512 byte"."""
    if n < 1000:
        return f"{n} byte"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if round(value, 1) < 1000 or unit == "TB":
            break
    text = f"{value:.1f}".removesuffix(".0").replace(".", ",")
    return f"{text} {unit}"


def kinds_label(kinds: Iterable[str]) -> str:
    """ "PDF, JPG, PNG" for a list of kinds, in the usual order; for messages and help texts."""
    wanted = _normalise_kinds(kinds)
    return ", ".join(info.label for kind, info in KINDS.items() if kind in wanted)


def accept_attribute(kinds: Iterable[str]) -> str:
    """The `accept` attribute of a file input: a hint for the browser's file picker, never a check."""
    wanted = _normalise_kinds(kinds)
    extensions = []
    for kind, info in KINDS.items():
        if kind in wanted:
            extensions += [info.extension, ".jpeg"] if kind == "jpeg" else [info.extension]
    return ",".join(extensions)


# --- Reading -------------------------------------------------------------------------------------


def _normalise_kinds(kinds: Iterable[str]) -> frozenset[str]:
    if isinstance(kinds, str):
        kinds = [kinds]  # one kind given bare would otherwise be read letter by letter
    result = set()
    for raw in kinds:
        kind = _KIND_ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if kind not in KINDS:
            # A typo in ATTACHMENT_ALLOWED_TYPES must fail loudly, not refuse every upload politely.
            raise ValueError(f"Unknown attachment kind {raw!r}; known: {', '.join(KINDS)}")
        result.add(kind)
    return frozenset(result)


def _chunks(upload: Any) -> Iterator[bytes]:
    upload.seek(0)
    while True:
        chunk = upload.read(CHUNK_SIZE)
        if not chunk:
            return
        yield chunk


def _scan(upload: Any, *, max_bytes: int) -> tuple[str, int, bytes, bool]:
    """One pass over the file: SHA-256, size, the first bytes, and a look for an OLE encrypted package.

    Stops reading past `max_bytes` (the size then only says "too large"), so a file whose
    declared size lies cannot make this read without end.
    """
    digest = hashlib.sha256()
    size = 0
    head = b""
    is_ole = None
    ole_encrypted = False
    tail = b""  # the end of the previous chunk, so a name split between two chunks is still found
    for chunk in _chunks(upload):
        size += len(chunk)
        if size > max_bytes:
            break
        digest.update(chunk)
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        if is_ole is None and len(head) >= len(_OLE_MAGIC):
            is_ole = head.startswith(_OLE_MAGIC)
        if is_ole and not ole_encrypted:
            ole_encrypted = _OLE_ENCRYPTED_PACKAGE in tail + chunk
            tail = chunk[-len(_OLE_ENCRYPTED_PACKAGE) :]
    return digest.hexdigest(), size, head, ole_encrypted


def _sniff(head: bytes) -> str:
    """The kind the first bytes say. Executables and markup are named first, so a polyglot that
    starts as an executable or a web page and hides "%PDF-" a few bytes later is not a PDF."""
    for magic, kind in _EXECUTABLE_MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith(_JPEG_MAGIC):
        return "jpeg"
    if head.startswith(_PNG_MAGIC):
        return "png"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    pdf_at = head.find(b"%PDF-")
    if pdf_at == 0 or (pdf_at > 0 and not _MARKUP.search(head[:pdf_at])):
        return "pdf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return "svg" if b"<svg" in text else "html"
    return "unknown"


# --- PDF -----------------------------------------------------------------------------------------


def _check_pdf(upload: Any, *, name: str, size: int, pdf_offset: int) -> tuple[int, bool]:
    """(signature count, encrypted) of a PDF that opens; ApplicationError otherwise.

    Encrypted PDFs: one that needs a password to open is refused, since the officer cannot read it
    and the citizen would be asked to send it again anyway. One encrypted with an empty user
    password (an "owner password" that only restricts printing or copying, common on documents
    issued by software and on some signed PDFs) opens in every viewer without a question, so it
    is accepted and reported with pdf_encrypted=True.
    """
    upload.seek(max(0, size - PDF_TAIL_SIZE))
    if b"%%EOF" not in upload.read(PDF_TAIL_SIZE):
        # A download or upload cut short: the end of the file, with its cross-reference, is gone.
        raise _corrupt(name, "pdf")
    upload.seek(0)
    try:
        return _check_pdf_pyhanko(upload, name=name, pdf_offset=pdf_offset)
    except _UnreadableError as first:
        # pyHanko reads only well-formed files (it must, to verify signatures); viewers also open
        # files with a shifted cross-reference or bytes before the header, which pypdf rebuilds.
        if importlib.util.find_spec("pypdf") is None:
            raise _corrupt(name, "pdf") from first
        upload.seek(0)
        return _check_pdf_pypdf(upload, name=name)


class _UnreadableError(Exception):
    """The PDF reader could not make sense of the file."""


def _check_pdf_pyhanko(upload: Any, *, name: str, pdf_offset: int) -> tuple[int, bool]:
    from pyhanko.pdf_utils.crypt import AuthStatus, StandardSecurityHandler
    from pyhanko.pdf_utils.reader import PdfFileReader

    if pdf_offset != 0:
        raise _UnreadableError("header not at the start")  # pyHanko wants %PDF- at byte 0
    try:
        reader = PdfFileReader(upload, strict=False)
        encrypted = reader.encrypted
        if encrypted:
            handler = reader.security_handler
            # Certificate-encrypted files need the recipient's private key: nobody here has it.
            if not isinstance(handler, StandardSecurityHandler) or reader.decrypt("").status == AuthStatus.FAILED:
                raise _encrypted(name)
        _walk_pages(reader.root)
    except ApplicationError:
        raise
    except Exception as exc:  # a parser fed hostile bytes can raise anything; all mean "unreadable"
        logger.info("pyHanko cannot read %r: %s", name, type(exc).__name__)
        raise _UnreadableError(str(exc)) from exc
    try:
        # The reference reader. Document timestamps (/DocTimeStamp) say when, not who: they do not
        # make a PDF "signed" for the officer, so only /Sig signatures are counted.
        signatures = len(reader.embedded_regular_signatures)
    except Exception as exc:  # one malformed signature makes pyHanko give up on all of them
        logger.info("pyHanko cannot list the signatures of %r: %s", name, type(exc).__name__)
        signatures = _count_signature_fields(reader.root, name=name)
    return signatures, encrypted


def _check_pdf_pypdf(upload: Any, *, name: str) -> tuple[int, bool]:
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(upload, strict=False)
        encrypted = reader.is_encrypted
        if encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise _encrypted(name)
        if len(reader.pages) < 1:
            raise _UnreadableError("no pages")
        for page in reader.pages:
            page.mediabox  # noqa: B018  (resolves each page, as a viewer would)
    except ApplicationError:
        raise
    except Exception as exc:  # as above: any failure of the parser means the file does not open
        logger.info("pypdf cannot read %r either: %s", name, type(exc).__name__)
        raise _corrupt(name, "pdf") from exc
    return _count_signature_fields(reader.root_object, name=name), encrypted


def _resolve(obj: Any) -> Any:
    return obj.get_object() if hasattr(obj, "get_object") else obj


def _walk_pages(root: Any) -> int:
    """Count the pages by walking the whole page tree, as a viewer does before it shows page one."""
    count = visited = 0
    stack = [_resolve(root["/Pages"])]
    while stack:
        node = stack.pop()
        visited += 1
        if visited > PDF_MAX_PAGES:
            raise _UnreadableError("page tree too large or cyclic")
        if "/Kids" in node:
            stack.extend(_resolve(kid) for kid in _resolve(node["/Kids"]))
        elif _resolve(node.get("/Type")) == "/Page":
            count += 1
        else:
            raise _UnreadableError("page tree node that is neither a page nor has kids")
    if count == 0:
        raise _UnreadableError("no pages")
    return count


def _count_signature_fields(root: Any, *, name: str) -> int:
    """Filled /Sig fields with /ByteRange and /Contents, read from the dictionaries themselves.

    Used where the reference reader cannot list the signatures (one of them is malformed, or the
    file needed pypdf to open). A signature counted here may be broken: the verification at
    reception says so, which tells the officer more than a PDF shown as never signed.
    """
    try:
        return _signature_fields_in(root)
    except Exception as exc:  # a form that cannot be walked does not make the pages unreadable
        logger.info("Cannot walk the form fields of %r: %s", name, type(exc).__name__)
        return 0


def _signature_fields_in(root: Any) -> int:
    if "/AcroForm" not in root:
        return 0
    form = _resolve(root["/AcroForm"])
    if "/Fields" not in form:
        return 0
    count = visited = 0
    stack: list[tuple[Any, Any]] = [(_resolve(field), None) for field in _resolve(form["/Fields"])]
    while stack and visited < PDF_MAX_FIELDS:
        field, inherited_type = stack.pop()
        visited += 1
        field_type = _resolve(field.get("/FT", inherited_type))  # a widget inherits its parent's type
        if "/Kids" in field:
            stack.extend((_resolve(kid), field_type) for kid in _resolve(field["/Kids"]))
        if field_type != "/Sig" or "/V" not in field:
            continue
        value = _resolve(field["/V"])
        if "/ByteRange" in value and "/Contents" in value and _resolve(value.get("/Type")) != "/DocTimeStamp":
            count += 1
    return count


# --- Images --------------------------------------------------------------------------------------


def _check_image(upload: Any, *, kind: str, name: str) -> None:
    from PIL import Image

    pillow_format = {"jpeg": "JPEG", "png": "PNG"}[kind]
    try:
        # `formats` keeps Pillow to the one decoder the magic bytes named, never another plugin.
        with Image.open(upload, formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > Image.MAX_IMAGE_PIXELS:
                raise _too_many_pixels(name, width, height)
            # PNG: verify() checks every chunk's CRC to the end, which catches truncation.
            image.verify()
        if kind == "jpeg":
            # Pillow forgives a cut JPEG whenever ImageFile.LOAD_TRUNCATED_IMAGES is set, and
            # WeasyPrint sets it for the whole process on import: walk the markers to the end.
            upload.seek(0)
            if not _jpeg_is_complete(upload):
                raise _corrupt(name, kind)
            # verify() does little for JPEG; decoding at 1/8 scale reads all the entropy-coded data
            # (so garbled data fails, where Pillow is strict) for a 64th of a full decode's memory.
            upload.seek(0)
            with Image.open(upload, formats=[pillow_format]) as image:
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ApplicationError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(name, *_declared_dimensions(exc)) from exc
    except Exception as exc:  # Pillow's decoders raise OSError, SyntaxError, ValueError… on bad data
        logger.info("Pillow cannot read %r as %s: %s", name, pillow_format, type(exc).__name__)
        raise _corrupt(name, kind) from exc


class _Reader:
    """Sequential reads over a file in chunks, for walking a format without loading it whole."""

    def __init__(self, upload: Any) -> None:
        self.upload = upload
        self.buffer = b""
        self.pos = 0

    def _fill(self) -> bool:
        chunk = self.upload.read(CHUNK_SIZE)
        if not chunk:
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def take(self, count: int) -> bytes | None:
        while len(self.buffer) - self.pos < count:
            if not self._fill():
                return None
        data = self.buffer[self.pos : self.pos + count]
        self.pos += count
        return data

    def skip(self, count: int) -> bool:
        while len(self.buffer) - self.pos < count:
            count -= len(self.buffer) - self.pos
            self.buffer, self.pos = b"", 0
            if not self._fill():
                return False
        self.pos += count
        return True

    def skip_entropy_coded(self) -> bool:
        """Past a scan's data, up to (not over) the next marker: 0xFF followed by neither 0x00
        (a stuffed 0xFF byte) nor a restart marker 0xD0-0xD7."""
        while True:
            at = self.buffer.find(b"\xff", self.pos)
            if at < 0 or at + 1 >= len(self.buffer):
                self.pos = len(self.buffer) if at < 0 else at
                if not self._fill():
                    return False
                continue
            following = self.buffer[at + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7:
                self.pos = at + 2
                continue
            self.pos = at
            return True


def _jpeg_is_complete(upload: Any) -> bool:
    """True when the markers lead from the start of image to an end-of-image marker (FF D9)."""
    reader = _Reader(upload)
    if reader.take(2) != b"\xff\xd8":
        return False
    while True:
        byte = reader.take(1)
        if byte is None:
            return False
        if byte != b"\xff":
            return False  # where a marker must start, something else: a damaged file
        marker = reader.take(1)
        while marker == b"\xff":  # fill bytes before a marker are allowed
            marker = reader.take(1)
        if marker is None:
            return False
        code = marker[0]
        if code == 0xD9:
            return True
        if code == 0x01 or 0xD0 <= code <= 0xD7:
            continue  # markers without a length
        length = reader.take(2)
        if length is None or int.from_bytes(length, "big") < 2:
            return False
        if not reader.skip(int.from_bytes(length, "big") - 2):
            return False
        if code == 0xDA and not reader.skip_entropy_coded():  # start of scan: the image data follows
            return False


def _declared_dimensions(exc: Exception) -> tuple[int, int]:
    # Pillow's message is "Image size (W pixels) exceeds…"; only the product is known, so show it.
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return (int(match.group(1)), 1) if match else (0, 0)


# --- ZIP-based office formats --------------------------------------------------------------------


def _zip_kind(upload: Any, *, size: int, name: str) -> str:
    """docx / xlsx / odt, or the name of what else the ZIP holds (refused later)."""
    entries = _zip_declared_entries(upload, size=size)
    if entries is not None and entries > ZIP_MAX_MEMBERS:
        raise _zip_too_big(name)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise _zip_too_big(name)
            uncompressed = sum(member.file_size for member in members)
            if uncompressed > ZIP_MAX_UNCOMPRESSED or (
                uncompressed > ZIP_RATIO_FROM and uncompressed > size * ZIP_MAX_RATIO
            ):
                raise _zip_too_big(name)
            names = {member.filename for member in members}
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docm" if "word/vbaProject.bin" in names else "docx"
                if "xl/workbook.xml" in names:
                    return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
                if "ppt/presentation.xml" in names:
                    return "pptx"
                return "zip"
            if "mimetype" in names:
                mimetype = _read_member(archive, "mimetype", limit=100).strip()
                if mimetype == _ODF_TEXT:
                    return "odt"
                return "odf" if mimetype.startswith(b"application/vnd.oasis.opendocument.") else "zip"
            return "zip"
    except ApplicationError:
        raise
    except Exception as exc:  # zipfile raises BadZipFile, but also ValueError, EOFError, zlib.error…
        logger.info("Cannot read %r as a ZIP: %s", name, type(exc).__name__)
        raise _corrupt(name, "zip") from exc


def _zip_declared_entries(upload: Any, *, size: int) -> int | None:
    """The member count of the end-of-central-directory record, read before zipfile builds one
    object per member: a 20 MB file can declare hundreds of thousands of empty members."""
    tail_size = min(size, 22 + 65535)  # the record, plus the longest possible archive comment
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None  # zipfile will say what is wrong
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    return None if entries == 0xFFFF else entries  # 0xFFFF: ZIP64, counted by zipfile instead


def _read_member(archive: zipfile.ZipFile, member: str, *, limit: int) -> bytes:
    """At most `limit` bytes of a member, decompressed as they are read: never the whole member."""
    with archive.open(member) as stream:
        return stream.read(limit)


_OFFICE_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}


def _check_office(upload: Any, *, kind: str, name: str) -> None:
    """The main part must inflate and look like XML: the archive is not a torn download."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo(_OFFICE_MAIN_PART[kind])
            if info.flag_bits & 0x1:
                raise _encrypted(name)
            start = _read_member(archive, info.filename, limit=ZIP_PEEK_BYTES).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not start.startswith(b"<"):
            raise _corrupt(name, kind)
    except ApplicationError:
        raise
    except Exception as exc:  # a missing main part, bad deflate data, a bad header: all mean broken
        logger.info("Cannot read the main part of %r: %s", name, type(exc).__name__)
        raise _corrupt(name, kind) from exc


# --- Names ---------------------------------------------------------------------------------------

# Characters Windows refuses in a name; / and \ are gone already with the path.
_WINDOWS_ILLEGAL = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
# An extension is a dot and 1-5 ASCII letters or digits with at least one letter ("v1.2" keeps ".2").
_EXTENSION = re.compile(r"\.(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{1,5}$")


def _clean_basename(name: str) -> str:
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split())  # tabs and line breaks are controls too: make them spaces first
    # Cc (controls), Cf (format: bidi overrides, zero-width), Cs/Co/Cn (surrogates, private, unassigned).
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    name = _WINDOWS_ILLEGAL.sub(" ", name)
    # Every run of (Unicode) white space becomes one space; NFC again, as a dropped character may
    # have left a letter and its combining mark side by side.
    return unicodedata.normalize("NFC", " ".join(name.split()))


def _strip_extension(stem: str) -> str:
    return _EXTENSION.sub("", stem)


def _ext_of(stem: str) -> str:
    match = _EXTENSION.search(stem)
    return match.group(0).lower() if match else ""


def _same_extensions(ext: str) -> set[str]:
    return {".jpg", ".jpeg", ".jpe", ".jfif"} if ext in (".jpg", ".jpeg") else {ext}


def _tidy_stem(stem: str) -> str:
    # No dotfile (".htaccess"), and no trailing dot or space, which Windows silently drops.
    return stem.lstrip(". ").rstrip(". ")


def _truncate(text: str, *, max_chars: int, max_bytes: int) -> str:
    text = text[: max(0, max_chars)]
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text


def _display_name(name: str) -> str:
    """The name a message shows: cleaned as the stored one, shortened in the middle so that its end
    (the extension the citizen knows it by) stays visible."""
    shown = _tidy_stem(_clean_basename(name)) or FALLBACK_STEM
    if len(shown) > DISPLAY_MAX_CHARS:
        keep_end = 16
        shown = shown[: DISPLAY_MAX_CHARS - keep_end - 1].rstrip() + "…" + shown[-keep_end:]
    return shown


# --- Refusals ------------------------------------------------------------------------------------


def _too_large(name: str, size: int, limit: int) -> ApplicationError:
    shown, shown_limit = human_size(size), human_size(limit)
    if shown == shown_limit:
        shown = f"{size:,} byte".replace(",", ".")  # "20 MB, vượt quá 20 MB" would read as a mistake
    return ApplicationError(
        _("Tệp “%(name)s” dung lượng %(size)s, vượt quá giới hạn %(limit)s.")
        % {"name": name, "size": shown, "limit": shown_limit},
        code="too_large",
        extra={"size": size, "limit": limit},
    )


def _too_many_pixels(name: str, width: int, height: int) -> ApplicationError:
    return ApplicationError(
        _("Ảnh “%(name)s” có kích thước quá lớn (%(pixels)s điểm ảnh). Vui lòng thu nhỏ ảnh rồi tải lên lại.")
        % {"name": name, "pixels": f"{width * height:,}".replace(",", ".")},
        code="too_large",
        extra={"width": width, "height": height},
    )


def _zip_too_big(name: str) -> ApplicationError:
    return ApplicationError(
        _("Tệp “%(name)s” chứa quá nhiều thành phần hoặc quá lớn khi giải nén, không được chấp nhận.") % {"name": name},
        code="too_large",
    )


def _corrupt(name: str, kind: str) -> ApplicationError:
    if kind in KINDS:
        message = _(
            "Tệp “%(name)s” bị hỏng hoặc không phải tệp %(kind)s hợp lệ nên không mở được. "
            "Vui lòng kiểm tra rồi tải lên lại."
        ) % {"name": name, "kind": KINDS[kind].label}
    else:
        # A ZIP that does not open: naming "ZIP" would puzzle someone who chose a .docx.
        message = _("Tệp “%(name)s” bị hỏng nên không mở được. Vui lòng kiểm tra rồi tải lên lại.") % {"name": name}
    return ApplicationError(message, code="corrupt", extra={"kind": kind})


def _encrypted(name: str) -> ApplicationError:
    return ApplicationError(
        _("Tệp “%(name)s” được đặt mật khẩu nên cán bộ không mở được. Vui lòng gỡ mật khẩu rồi tải lên lại.")
        % {"name": name},
        code="encrypted",
    )
