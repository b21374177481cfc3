"""Reading back the PDFs we render: text as a person would copy it, the fonts, the QR code.

Nothing here renders: these helpers only look at bytes, with pypdf and fontTools (both installed
with WeasyPrint), so a test checks the file a citizen gets, not our intentions.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import segno
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from dichvucong.documents.pdf import QR_BORDER, QR_ERROR_LEVEL

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "documents"
FOOTER = re.compile(r"Trang \d+/\d+\s*$")


def reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def body_text(pdf: bytes) -> str:
    """The text of every page, running footers removed, whitespace collapsed: what was written,
    whatever the line and page breaks."""
    parts = []
    for text in page_texts(pdf):
        lines = text.splitlines()
        # The margin boxes (note + "Trang i/n") come last on each page.
        while lines and FOOTER.search(lines[-1]):
            lines.pop()
        parts.append("\n".join(lines))
    return " ".join(" ".join(parts).split())


def squeezed(text: str) -> str:
    """Text without any whitespace, to find a value that was wrapped in the middle of a word."""
    return "".join(text.split())


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    """Base font name → the embedded font program, for every font of every page."""
    fonts: dict[str, TTFont] = {}
    for page in reader(pdf).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
            assert program is not None, f"{font['/BaseFont']} is not embedded"
            fonts[str(font["/BaseFont"])] = TTFont(io.BytesIO(program.get_object().get_data()))
    return fonts


def characters_with_glyphs(pdf: bytes) -> set[str]:
    """Every character some embedded font draws with a real glyph (not the empty box .notdef)."""
    covered: set[str] = set()
    for font in embedded_fonts(pdf).values():
        for codepoint, glyph in (font.getBestCmap() or {}).items():
            if glyph != ".notdef":
                covered.add(chr(codepoint))
    return covered


def images(pdf: bytes, page: int = 0) -> list[Image.Image]:
    return [image.image for image in reader(pdf).pages[page].images]


def qr_modules(text: str) -> list[list[bool]]:
    """The dark/light modules of the QR code we print for `text`, quiet zone included."""
    code = segno.make(text, error=QR_ERROR_LEVEL, micro=False)
    return [[bool(bit) for bit in row] for row in code.matrix_iter(scale=1, border=QR_BORDER)]


def image_modules(image: Image.Image, size: int) -> list[list[bool]]:
    """Reads a QR image back module by module (the centre pixel of each module)."""
    grey = image.convert("L")
    step = grey.width / size
    return [
        [grey.getpixel((int((x + 0.5) * step), int((y + 0.5) * step))) < 128 for x in range(size)] for y in range(size)
    ]


def data_uri_image(uri: str) -> Image.Image:
    header, _, payload = uri.partition(",")
    assert header == "data:image/png;base64", header
    return Image.open(io.BytesIO(base64.b64decode(payload)))


def save_artifact(name: str, pdf: bytes) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(pdf)
    return path
