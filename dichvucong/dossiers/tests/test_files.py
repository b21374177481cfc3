"""Attachments are judged by their bytes: real files made in samples.py, no mocks."""

from __future__ import annotations

import hashlib
import io
import unicodedata

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from dichvucong.core.errors import ApplicationError
from dichvucong.dossiers import files
from dichvucong.dossiers.files import FileCheck, file_check, human_size, safe_filename
from dichvucong.dossiers.tests import samples

ALL = ["pdf", "jpeg", "png", "docx", "xlsx", "odt"]
MB = 1024 * 1024


def check(data: bytes, name: str = "tep.bin", *, allowed=ALL, max_bytes: int = 20 * MB) -> FileCheck:
    return file_check(samples.as_upload(data, name), allowed_kinds=allowed, max_bytes=max_bytes)


def refusal(data: bytes, name: str = "tep.bin", *, allowed=ALL, max_bytes: int = 20 * MB) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        check(data, name, allowed=allowed, max_bytes=max_bytes)
    return caught.value


def outcome(data: bytes) -> FileCheck | ApplicationError:
    try:
        return check(data, "tep.bin")
    except ApplicationError as error:
        return error


# --- What is accepted ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "name", "kind", "content_type", "extension"),
    [
        (samples.pdf_bytes, "to khai.PDF", "pdf", "application/pdf", ".pdf"),
        (samples.jpeg_bytes, "anh.png", "jpeg", "image/jpeg", ".jpg"),
        (samples.png_bytes, "anh.jpg", "png", "image/png", ".png"),
        (
            samples.docx_bytes,
            "don.doc",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        (
            samples.xlsx_bytes,
            "bang ke.xls",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        (samples.odt_bytes, "to trinh", "odt", "application/vnd.oasis.opendocument.text", ".odt"),
    ],
)
def test_each_allowed_kind_is_detected_from_its_bytes_whatever_its_name(builder, name, kind, content_type, extension):
    data = builder()
    result = check(data, name)
    assert result == FileCheck(
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        is_signed_pdf=False,
        signature_count=0,
        pdf_encrypted=False,
    )


def test_the_file_is_rewound_and_whole_after_the_check():
    data = samples.pdf_bytes()
    upload = samples.as_upload(data, "to-khai.pdf")
    file_check(upload, allowed_kinds=ALL, max_bytes=20 * MB)
    assert upload.tell() == 0
    assert upload.read() == data


def test_a_file_django_spooled_to_disk_is_read_in_chunks_and_rewound():
    data = samples.noisy_jpeg_bytes(512)
    assert len(data) > 2 * files.CHUNK_SIZE  # several chunks, or this test proves little
    upload = TemporaryUploadedFile("anh-chup.jpg", "image/jpeg", len(data), None)
    upload.write(data)
    upload.seek(0)
    try:
        result = file_check(upload, allowed_kinds=ALL, max_bytes=20 * MB)
        assert upload.tell() == 0
    finally:
        upload.close()
    assert (result.kind, result.size, result.sha256) == ("jpeg", len(data), hashlib.sha256(data).hexdigest())


def test_any_file_like_object_without_name_or_size_is_accepted():
    data = samples.png_bytes()
    result = file_check(io.BytesIO(data), allowed_kinds=["png"], max_bytes=MB)
    assert (result.kind, result.size) == ("png", len(data))


def test_jpg_is_an_alias_of_jpeg_in_the_allowed_kinds():
    assert check(samples.jpeg_bytes(), allowed=["jpg"]).kind == "jpeg"


def test_an_unknown_allowed_kind_is_a_configuration_error():
    with pytest.raises(ValueError, match="exe"):
        check(samples.pdf_bytes(), allowed=["pdf", "exe"])


# --- PDF -----------------------------------------------------------------------------------------


def test_a_signed_pdf_is_detected_as_signed_once():
    result = check(samples.signed_pdf_bytes(), "don-da-ky.pdf")
    assert (result.kind, result.is_signed_pdf, result.signature_count, result.pdf_encrypted) == ("pdf", True, 1, False)


def test_a_countersigned_pdf_counts_both_signatures():
    result = check(samples.signed_pdf_bytes(signatures=2), "don-da-ky.pdf")
    assert (result.is_signed_pdf, result.signature_count) == (True, 2)


def test_a_pdf_with_a_garbled_signature_still_shows_as_signed_for_verification_to_judge():
    result = check(samples.broken_signature_pdf_bytes(), "chu-ky-hong.pdf")
    assert (result.kind, result.is_signed_pdf, result.signature_count) == ("pdf", True, 1)


def test_a_signed_pdf_that_only_the_tolerant_reader_opens_is_still_seen_as_signed():
    # Padding after the last %%EOF (some transfer tools add it) leaves the signature intact, but
    # pyHanko looks for the end marker in the last kilobyte only; pypdf opens it.
    result = check(samples.signed_pdf_bytes() + b"\x00" * 2048, "don-da-ky.pdf")
    assert (result.kind, result.is_signed_pdf, result.signature_count) == ("pdf", True, 1)


def test_a_document_timestamp_alone_does_not_make_a_pdf_signed():
    result = check(samples.timestamped_pdf_bytes(), "van-ban.pdf")
    assert (result.kind, result.is_signed_pdf, result.signature_count) == ("pdf", False, 0)


def test_a_pdf_that_needs_a_password_to_open_is_refused():
    error = refusal(samples.encrypted_pdf_bytes(), "bao-mat.pdf")
    assert error.code == "encrypted"
    assert "“bao-mat.pdf”" in error.message
    assert "mật khẩu" in error.message


def test_a_pdf_with_only_an_owner_password_opens_for_everyone_and_is_accepted():
    result = check(samples.encrypted_pdf_bytes(user_password=""), "han-che-in.pdf")
    assert (result.kind, result.pdf_encrypted, result.is_signed_pdf) == ("pdf", True, False)


def test_a_truncated_pdf_is_corrupt():
    error = refusal(samples.truncated_pdf_bytes(), "to-khai.pdf")
    assert (error.code, error.extra["kind"]) == ("corrupt", "pdf")
    assert "bị hỏng" in error.message
    assert "PDF" in error.message


def test_a_pdf_header_around_garbage_is_corrupt():
    assert refusal(samples.header_only_pdf_bytes(), "gia.pdf").code == "corrupt"


def test_a_pdf_with_shifted_cross_references_still_opens_as_in_any_viewer():
    assert check(samples.shifted_xref_pdf_bytes(), "ban-quet.pdf").kind == "pdf"


def test_bytes_before_the_pdf_header_are_tolerated_within_the_first_kilobyte():
    assert check(samples.junk_before_header_pdf_bytes(), "ban-quet.pdf").kind == "pdf"


def test_a_pdf_header_after_the_first_kilobyte_is_not_a_pdf():
    error = refusal(b"x" * 1100 + samples.pdf_bytes(), "tre.pdf")
    assert (error.code, error.extra["kind"]) == ("type_not_allowed", "unknown")


# --- Images --------------------------------------------------------------------------------------


# WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process when imported, which
# makes Pillow pad a cut image with grey instead of failing: the check must hold either way.
@pytest.fixture(params=[False, True], ids=["pillow-strict", "pillow-forgiving-as-after-weasyprint"])
def load_truncated_images(request, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", request.param)
    return request.param


@pytest.mark.parametrize("progressive", [False, True], ids=["baseline", "progressive"])
@pytest.mark.parametrize("kept", [0.25, 0.5, 0.75, 0.99])
def test_a_truncated_jpeg_is_corrupt(load_truncated_images, progressive, kept):
    data = samples.noisy_jpeg_bytes(512, progressive=progressive)
    assert check(data, "anh.jpg").kind == "jpeg"  # the whole file is fine
    error = refusal(data[: int(len(data) * kept)], "anh.jpg")
    assert (error.code, error.extra["kind"]) == ("corrupt", "jpeg")


def test_a_jpeg_missing_only_its_end_marker_is_corrupt(load_truncated_images):
    data = samples.noisy_jpeg_bytes()
    assert data.endswith(b"\xff\xd9")
    assert refusal(data[:-2], "anh.jpg").code == "corrupt"


def test_bytes_after_a_jpegs_end_marker_are_tolerated(load_truncated_images):
    # Cameras append data after the image (a second picture in MPO files, maker trailers).
    assert check(samples.noisy_jpeg_bytes() + b"\x00" * 300 + samples.jpeg_bytes(), "anh.jpg").kind == "jpeg"


@pytest.mark.parametrize("kept", [0.5, 0.9])
def test_a_truncated_png_is_corrupt(load_truncated_images, kept):
    data = samples.png_bytes(300, 300)
    assert refusal(data[: int(len(data) * kept)], "anh.png").code == "corrupt"


def test_a_png_with_a_damaged_chunk_is_corrupt(load_truncated_images):
    data = bytearray(samples.png_bytes(200, 200))
    data[-20] ^= 0xFF  # inside the image data: the chunk's checksum no longer matches
    assert refusal(bytes(data), "anh.png").code == "corrupt"


def test_an_image_that_declares_hundreds_of_millions_of_pixels_is_refused_before_decoding():
    error = refusal(samples.png_bomb_bytes(20_000, 20_000), "bom.png")
    assert error.code == "too_large"
    assert "điểm ảnh" in error.message


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_above_pillows_pixel_limit_is_refused_even_where_pillow_only_warns():
    side = int(Image.MAX_IMAGE_PIXELS**0.5) + 100  # above the limit, below twice the limit
    error = refusal(samples.png_bomb_bytes(side, side), "lon.png")
    assert (error.code, error.extra["width"], error.extra["height"]) == ("too_large", side, side)


# --- Office documents ----------------------------------------------------------------------------


def test_a_docx_with_macros_is_not_a_docx():
    error = refusal(samples.docx_bytes(macros=True), "don.docx")
    assert (error.code, error.extra["kind"]) == ("type_not_allowed", "docm")


def test_other_opendocument_types_are_refused():
    spreadsheet = samples.odf_bytes("application/vnd.oasis.opendocument.spreadsheet")
    error = refusal(spreadsheet, "bang.odt")
    assert (error.code, error.extra["kind"]) == ("type_not_allowed", "odf")


def test_a_zip_that_is_not_an_office_document_is_refused():
    error = refusal(samples.random_zip_bytes(), "ho-so.docx")
    assert (error.code, error.extra["kind"]) == ("type_not_allowed", "zip")


def test_a_docx_with_a_garbled_document_part_is_corrupt():
    error = refusal(samples.broken_docx_bytes(), "don.docx")
    assert (error.code, error.extra["kind"]) == ("corrupt", "docx")


def test_a_docx_cut_in_half_is_corrupt():
    data = samples.docx_bytes()
    error = refusal(data[: len(data) // 2], "don.docx")
    assert error.code == "corrupt"
    assert "ZIP" not in error.message  # the citizen chose a .docx, not a ZIP


def test_a_zip_bomb_is_refused_by_its_declared_sizes_without_extracting_it():
    data = samples.zip_bomb_bytes(megabytes=64)
    assert len(data) < MB  # 64 MB of content in well under 1 MB
    error = refusal(data, "don.docx")
    assert error.code == "too_large"
    assert "giải nén" in error.message


def test_a_zip_with_too_many_members_is_refused():
    error = refusal(samples.many_members_zip_bytes(files.ZIP_MAX_MEMBERS), "don.docx")
    assert error.code == "too_large"


def test_a_password_protected_word_or_excel_file_is_reported_as_encrypted():
    error = refusal(samples.encrypted_office_bytes(), "bao-mat.docx")
    assert error.code == "encrypted"


def test_a_legacy_office_file_is_not_allowed():
    legacy = samples.encrypted_office_bytes().replace(
        "EncryptedPackage".encode("utf-16-le"), "WordDocument\0\0\0\0".encode("utf-16-le")
    )
    error = refusal(legacy, "don.doc")
    assert (error.code, error.extra["kind"]) == ("type_not_allowed", "ole")


# --- What is refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "name", "kind"),
    [
        (samples.exe_bytes, "to-khai.pdf", "exe"),
        (samples.exe_with_pdf_marker_bytes, "to-khai.pdf", "exe"),
        (samples.elf_bytes, "to-khai.pdf", "elf"),
        (samples.script_bytes, "to-khai.pdf", "script"),
        (samples.html_bytes, "anh.jpg", "html"),
        (samples.html_with_pdf_bytes, "to-khai.pdf", "html"),
        (samples.svg_bytes, "anh.svg", "svg"),
        (lambda: "Chỉ là văn bản thường".encode(), "ghi-chu.txt", "unknown"),
    ],
)
def test_programs_pages_and_unknown_content_are_refused(builder, name, kind):
    error = refusal(builder(), name)
    assert (error.code, error.extra["kind"]) == ("type_not_allowed", kind)
    assert f"“{name}”" in error.message
    assert "PDF, JPG, PNG, DOCX, XLSX, ODT" in error.message


def test_a_real_document_of_a_kind_not_allowed_here_is_refused_naming_the_allowed_ones():
    error = refusal(samples.docx_bytes(), "don.docx", allowed=["pdf", "jpeg"])
    assert error.code == "type_not_allowed"
    assert "PDF, JPG." in error.message
    assert "DOCX" not in error.message


def test_an_empty_file_is_refused():
    error = refusal(b"", "trong.pdf")
    assert error.code == "empty"
    assert error.message == "Tệp “trong.pdf” rỗng (0 byte)."


def test_a_file_above_the_limit_is_refused_with_its_size_and_the_limit():
    error = refusal(samples.pdf_bytes() + b"\n" * 4096, "lon.pdf", max_bytes=4096)
    assert error.code == "too_large"
    assert "vượt quá giới hạn 4 KB" in error.message


def test_a_file_whose_declared_size_is_below_the_truth_is_still_stopped_at_the_limit():
    data = samples.jpeg_bytes(400, 300)
    upload = samples.as_upload(data, "anh.jpg")
    upload.size = 10  # what a client could claim; the check counts the bytes itself
    with pytest.raises(ApplicationError) as caught:
        file_check(upload, allowed_kinds=ALL, max_bytes=len(data) - 1)
    assert caught.value.code == "too_large"


def test_the_too_large_message_never_shows_the_size_equal_to_the_limit():
    upload = samples.as_upload(b"%PDF-1.7\n", "vua-qua.pdf")
    upload.size = 20 * MB + 1  # Django's size of the spooled file
    with pytest.raises(ApplicationError) as caught:
        file_check(upload, allowed_kinds=ALL, max_bytes=20 * MB)
    assert caught.value.message == "Tệp “vua-qua.pdf” dung lượng 20.971.521 byte, vượt quá giới hạn 20 MB."


def test_a_large_upload_is_reported_in_megabytes():
    upload = samples.as_upload(b"%PDF-1.7\n", "ban-quet.pdf")
    upload.size = int(25.3 * MB)
    with pytest.raises(ApplicationError) as caught:
        file_check(upload, allowed_kinds=ALL, max_bytes=20 * MB)
    assert caught.value.message == "Tệp “ban-quet.pdf” dung lượng 25,3 MB, vượt quá giới hạn 20 MB."


def test_messages_show_the_cleaned_and_shortened_name_never_the_raw_one():
    raw_name = "C:\\Users\\an\\" + "Giấy tờ rất dài " * 10 + "\x00\u202egpj.exe"
    error = refusal(samples.exe_bytes(), raw_name)
    shown = error.message.split("“")[1].split("”")[0]
    assert len(shown) <= files.DISPLAY_MAX_CHARS
    assert "…" in shown
    assert shown.endswith("gpj.exe")
    assert not any(unicodedata.category(char).startswith("C") for char in shown)
    assert "Users" not in error.message
    assert "MZ" not in error.message


# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("../../etc/passwd", ".pdf", "passwd.pdf"),
        ("C:\\x\\y.pdf", ".pdf", "y.pdf"),
        ("anh.exe", ".jpg", "anh.jpg"),
        ("to khai.PDF", ".pdf", "to khai.pdf"),
        ("Giấy khai sinh bản sao.pdf", ".pdf", "Giấy khai sinh bản sao.pdf"),
        ("Giay khai sinh ba\u0309n sao.pdf", ".pdf", "Giay khai sinh bản sao.pdf"),  # decomposed → NFC
        ("bao\tcao\x00\x1f\x7f  cuoi\r\nnam.docx", ".docx", "bao cao cuoi nam.docx"),
        ("anh\u202egpj.exe", ".jpg", "anhgpj.jpg"),  # the right-to-left override is dropped
        ('hop<dong>: "so" 1|2?*.pdf', ".pdf", "hop dong so 1 2.pdf"),
        ("...", ".pdf", "tep-dinh-kem.pdf"),
        (".htaccess", ".png", "htaccess.png"),
        (".pdf", ".pdf", "tep-dinh-kem.pdf"),
        ("", ".odt", "tep-dinh-kem.odt"),
        ("thu-muc/", ".pdf", "tep-dinh-kem.pdf"),
        ("scan.jpeg", ".jpg", "scan.jpg"),
        ("ho-so.pdf.exe", ".pdf", "ho-so.pdf"),
        ("bao-cao.docx.exe", ".pdf", "bao-cao.docx.pdf"),
        ("to khai v1.2", ".pdf", "to khai v1.2.pdf"),
        ("CON.pdf", ".pdf", "CON_.pdf"),
        ("nul.tar.gz", ".xlsx", "nul_.tar.xlsx"),
        ("ten. ", ".pdf", "ten.pdf"),
        ("bảng kê", "XLSX", "bảng kê.xlsx"),
    ],
)
def test_safe_filename(name, extension, expected):
    assert safe_filename(name, extension=extension) == expected


def test_a_very_long_name_is_cut_to_120_characters_keeping_the_extension():
    result = safe_filename("Đơn đề nghị " * 50 + ".docx", extension=".docx")
    assert len(result) <= files.NAME_MAX_CHARS
    assert len(result.encode()) <= files.NAME_MAX_BYTES
    assert result.startswith("Đơn đề nghị Đơn")
    assert result.endswith(".docx")
    assert not result[: -len(".docx")].endswith((" ", "."))


def test_a_500_character_name_fits_a_file_system_name():
    result = safe_filename("ệ" * 500 + ".pdf", extension=".pdf")
    assert result.endswith(".pdf")
    assert len(result.encode("utf-8")) <= files.NAME_MAX_BYTES
    assert set(result[:-4]) == {"ệ"}


EXTENSIONS = [kind.extension for kind in files.KINDS.values()]
NAME_CHARACTERS = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["/", "\\", ".", " ", "\x00", "\u202e", "\u0309", "ệ", ":", "*", ".pdf", ".jpeg", "CON"]),
)


@settings(max_examples=400, deadline=None)
@given(name=st.lists(NAME_CHARACTERS, max_size=150).map("".join), extension=st.sampled_from(EXTENSIONS))
def test_safe_filename_is_always_a_plain_name_with_the_extension(name, extension):
    result = safe_filename(name, extension=extension)
    assert "/" not in result
    assert "\\" not in result
    assert not result.startswith(".")
    assert result.endswith(extension)
    assert len(result) > len(extension)
    assert len(result) <= files.NAME_MAX_CHARS
    assert len(result.encode("utf-8")) <= files.NAME_MAX_BYTES
    assert not any(unicodedata.category(char).startswith("C") for char in result)
    assert unicodedata.is_normalized("NFC", result)
    assert safe_filename(result, extension=extension) == result  # stable: storing twice changes nothing


SAMPLE_BUILDERS = [
    samples.pdf_bytes,
    samples.signed_pdf_bytes,
    samples.jpeg_bytes,
    samples.noisy_jpeg_bytes,
    samples.png_bytes,
    samples.docx_bytes,
    samples.xlsx_bytes,
    samples.odt_bytes,
]


@settings(max_examples=300, deadline=None)
@given(
    builder=st.sampled_from(SAMPLE_BUILDERS),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
    keep=st.one_of(st.none(), st.floats(min_value=0, max_value=1)),
)
def test_damaged_real_files_are_accepted_or_refused_never_crash(builder, edits, keep):
    data = bytearray(builder())
    for position, value in edits:
        data[position % len(data)] = value
    if keep is not None:
        data = data[: int(len(data) * keep)]
    result = outcome(bytes(data))
    if isinstance(result, ApplicationError):
        assert result.code in {"empty", "too_large", "type_not_allowed", "corrupt", "encrypted"}
        assert result.message
    else:
        assert result.kind in files.KINDS
        assert result.size == len(data)


# --- Sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0 byte"),
        (512, "512 byte"),
        (1000, "1 KB"),
        (820 * 1024, "820 KB"),
        (int(1.5 * MB), "1,5 MB"),
        (20 * MB, "20 MB"),
        (int(25.3 * MB), "25,3 MB"),
        (1023 * 1024, "1 MB"),
        (3 * 1024 * MB, "3 GB"),
    ],
)
def test_human_size(size, expected):
    assert human_size(size) == expected


def test_labels_and_accept_attribute_follow_the_allowed_kinds():
    assert files.kinds_label(["odt", "PDF", "jpg"]) == "PDF, JPG, ODT"
    assert files.accept_attribute(["pdf", "jpeg"]) == ".pdf,.jpg,.jpeg"
