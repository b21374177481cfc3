"""Bodies of the slips written by administrators (SlipTemplate): what they may contain, how they are
rendered, and the sample data they are checked and previewed with.

An edited body is Django template text, rendered by an engine of its own that knows only the i18n
and document_tags libraries and can include only our documents/ templates; the checks below refuse,
with a message that says why and where, whatever could read files, turn autoescaping off (citizens'
names and reasons would become markup) or run script in an HTML preview. Fetching is the PDF
renderer's concern: it serves our static files and data: URIs and nothing else (pdf.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.template import Context, Engine, TemplateDoesNotExist, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.template.loaders import filesystem
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dichvucong.documents import slips
from dichvucong.documents.constants import SlipKind, Timeliness

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ALLOWED_LIBRARIES = {
    "i18n": "django.templatetags.i18n",
    "document_tags": "dichvucong.documents.templatetags.document_tags",
}
ALLOWED_TEMPLATE_PREFIX = "documents/"
FORBIDDEN_TAGS = {
    "debug": gettext_lazy("in ra toàn bộ dữ liệu và cấu hình của máy chủ"),
    "autoescape": gettext_lazy("tắt việc thoát ký tự HTML của dữ liệu người dân nhập"),
}
FORBIDDEN_FILTERS = {"safe", "safeseq"}
FORBIDDEN_HTML = re.compile(r"<\s*/?\s*(script|iframe|frame|frameset|object|embed|applet|link|meta|base|form)\b", re.I)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
FORBIDDEN_URL = re.compile(r"\b(javascript|vbscript|file)\s*:", re.I)
SAFE_FILTER = re.compile(r"\|\s*(safe|safeseq)\b")


class DocumentsOnlyLoader(filesystem.Loader):
    """Loads templates from this app's templates/documents/ only, whatever name is asked for."""

    def get_template_sources(self, template_name: str):  # type: ignore[override]
        if not is_allowed_template_name(template_name):
            return
        yield from super().get_template_sources(template_name)


def is_allowed_template_name(name: str) -> bool:
    return (
        isinstance(name, str)
        and name.startswith(ALLOWED_TEMPLATE_PREFIX)
        and "\\" not in name
        and "\x00" not in name
        and posixpath.normpath(name) == name
    )


@functools.cache
def slip_template_engine(*, debug: bool = False) -> Engine:
    """The engine of edited bodies (with `debug`, errors carry their line number)."""
    loader = (f"{DocumentsOnlyLoader.__module__}.{DocumentsOnlyLoader.__qualname__}", [str(TEMPLATES_DIR)])
    return Engine(
        loaders=[("django.template.loaders.cached.Loader", [loader])],
        libraries=ALLOWED_LIBRARIES,
        debug=debug,
        autoescape=True,
        string_if_invalid="",
    )


def render_slip_template(source: str, context: Mapping[str, Any]) -> str:
    """An edited body rendered with `context` (call `slip_template_problems` first: it is what an
    administrator's form does before saving)."""
    return slip_template_engine().from_string(source).render(Context(dict(context), autoescape=True))


def slip_template_problems(source: str, *, kind: SlipKind | str | None = None) -> list[str]:
    """Why an edited body cannot be used, in words for the administrator (empty: it can).

    Beyond the syntax, the body must render with the sample data of its kind, so that a mistake
    shows up when it is saved rather than when a citizen's slip is printed."""
    if not source.strip():
        return [_("Nội dung mẫu không được để trống.")]
    problems = _static_problems(source)
    if problems:
        return problems
    try:
        template = slip_template_engine(debug=True).from_string(source)
    except TemplateSyntaxError as exc:
        return [_("Cú pháp mẫu không hợp lệ%(where)s: %(error)s") % {"where": _where(exc), "error": exc}]
    if kind is None:
        return []
    try:
        template.render(Context(sample_context(kind), autoescape=True))
    except TemplateDoesNotExist as exc:
        return [_("Không tìm thấy mẫu “%(name)s” trong thư mục documents/.") % {"name": exc}]
    except Exception as exc:  # any error of a filter or tag: the message is for the administrator
        return [
            _("Mẫu không hiển thị được với dữ liệu mẫu%(where)s: %(error)s")
            % {"where": _where(exc), "error": f"{type(exc).__name__}: {exc}"}
        ]
    return []


def _where(exc: Exception) -> str:
    info = getattr(exc, "template_debug", None)
    return _(" (dòng %(line)s)") % {"line": info["line"]} if info else ""


def _static_problems(source: str) -> list[str]:
    problems: list[str] = []
    for token in Lexer(source).tokenize():
        line = token.lineno
        if token.token_type == TokenType.TEXT:
            problems.extend(_html_problems(token.contents, line))
            continue
        if token.token_type == TokenType.COMMENT:
            continue
        if SAFE_FILTER.search(token.contents):
            problems.append(_safe_filter_problem(line))
        if token.token_type != TokenType.BLOCK:
            continue
        bits = token.split_contents()
        tag = bits[0] if bits else ""
        if tag in FORBIDDEN_TAGS:
            problems.append(
                _("Dòng %(line)s: không được dùng thẻ {%% %(tag)s %%}: thẻ này %(why)s.")
                % {"line": line, "tag": tag, "why": FORBIDDEN_TAGS[tag]}
            )
        elif tag == "load":
            libraries = bits[-1:] if "from" in bits else bits[1:]
            for library in libraries:
                if library not in ALLOWED_LIBRARIES:
                    problems.append(
                        _(
                            "Dòng %(line)s: không được nạp thư viện thẻ “%(library)s”; chỉ được dùng "
                            "{%% load i18n %%} và {%% load document_tags %%}."
                        )
                        % {"line": line, "library": library}
                    )
        elif tag in ("include", "extends"):
            problems.extend(_template_name_problems(tag, bits[1] if len(bits) > 1 else "", line))
        elif tag == "filter" and FORBIDDEN_FILTERS & {part.split(":")[0] for part in "".join(bits[1:]).split("|")}:
            problems.append(_safe_filter_problem(line))
    return problems


def _safe_filter_problem(line: int) -> str:
    return _(
        "Dòng %(line)s: không được dùng bộ lọc “safe”/“safeseq”: dữ liệu người dân nhập phải luôn được thoát "
        "ký tự HTML."
    ) % {"line": line}


def _template_name_problems(tag: str, argument: str, line: int) -> list[str]:
    quoted = len(argument) >= 2 and argument[0] == argument[-1] and argument[0] in "\"'"
    name = argument[1:-1] if quoted else argument
    if quoted and is_allowed_template_name(name):
        return []
    return [
        _(
            "Dòng %(line)s: {%% %(tag)s %%} chỉ được dùng với tên một mẫu trong thư mục documents/, viết trong "
            'dấu ngoặc kép (ví dụ "documents/slips/receipt.html"); “%(name)s” không được phép.'
        )
        % {"line": line, "tag": tag, "name": name}
    ]


def _html_problems(text: str, line: int) -> list[str]:
    problems = []
    if match := FORBIDDEN_HTML.search(text):
        problems.append(
            _("Dòng %(line)s: không được dùng thẻ HTML <%(tag)s>.")
            % {"line": line + text[: match.start()].count("\n"), "tag": match.group(1).lower()}
        )
    if match := EVENT_ATTRIBUTE.search(text):
        problems.append(
            _("Dòng %(line)s: không được dùng thuộc tính sự kiện (onclick, onload…) trong HTML.")
            % {"line": line + text[: match.start()].count("\n")}
        )
    if match := FORBIDDEN_URL.search(text):
        problems.append(
            _("Dòng %(line)s: không được dùng địa chỉ “%(scheme)s:” (chỉ ảnh data: và tệp tĩnh của cổng).")
            % {"line": line + text[: match.start()].count("\n"), "scheme": match.group(1).lower()}
        )
    return problems


def default_body_source(kind: SlipKind | str) -> str:
    """The file template of a kind's body: where an administrator starts editing from."""
    return (TEMPLATES_DIR / slips.BODY_TEMPLATES[SlipKind(kind)]).read_text(encoding="utf-8")


# --- Sample data: for checking an edited body and for the administrator's preview -----------------

_VN = ZoneInfo("Asia/Ho_Chi_Minh")
_CODE = "000.00.19.H56-261122-0007"
_COMMON = {
    "agency_name": "Ủy ban nhân dân phường An Cựu",
    "parent_agency_name": "Ủy ban nhân dân thành phố Huế",
    "place": "Huế",
    "dossier_code": _CODE,
    "qr_url": f"https://dichvucong.example.gov.vn/tra-cuu/?ma={_CODE}",
    "procedure_name": "Đăng ký khai sinh",
    "procedure_code": "1.001193",
    "applicant_name": "Nguyễn Văn Ấn",
    "printed_at": dt.datetime(2026, 11, 30, 8, 15, tzinfo=_VN),
}
_ADDRESS = "12 Lê Lợi, phường An Cựu, thành phố Huế"


def sample_context(kind: SlipKind | str) -> dict[str, Any]:
    """A filled context of the kind, made by its own builder, with demo data (no real person)."""
    kind = SlipKind(kind)
    received_at = dt.datetime(2026, 11, 22, 9, 41, tzinfo=_VN)
    appointment_at = dt.datetime(2026, 11, 27, 16, 0, tzinfo=_VN)
    if kind == SlipKind.RECEIPT:
        return slips.receipt_slip_context(
            **_COMMON,
            owner_name="Nguyễn Thị Bảo Ngọc",
            id_number="046090000123",
            phone="0912 345 678",
            address=_ADDRESS,
            components=[("Tờ khai đăng ký khai sinh", 1, 0), ("Giấy chứng sinh", 1, 0)],
            received_at=received_at,
            appointment_at=appointment_at,
            delivery_method="Tại Bộ phận Một cửa",
            officer_name="Trần Thị Hường",
            processing_time="03 ngày làm việc",
        )
    if kind == SlipKind.SUPPLEMENT:
        return slips.supplement_slip_context(
            **_COMMON,
            address=_ADDRESS,
            phone="0912 345 678",
            items=[("Giấy chứng sinh", "Bản chụp bị mờ, không đọc được họ tên người mẹ.")],
            officer_note="Đề nghị nộp bản chụp rõ nét.",
            deadline_note="Trước ngày 05/12/2026",
            officer_name="Trần Thị Hường",
            contact_phone="0234 3822 000",
            issued_at=received_at,
        )
    if kind == SlipKind.REFUSAL:
        return slips.refusal_slip_context(
            **_COMMON,
            address=_ADDRESS,
            submitted_at=received_at,
            reason="Hồ sơ không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường An Cựu.",
            officer_name="Trần Thị Hường",
            issued_at=received_at,
        )
    if kind == SlipKind.APOLOGY:
        return slips.apology_letter_context(
            **_COMMON,
            address=_ADDRESS,
            received_at=received_at,
            original_appointment_at=appointment_at,
            delay_reason="Cần xác minh thông tin nơi cư trú của người mẹ.",
            new_appointment_at=dt.datetime(2026, 12, 2, 16, 0, tzinfo=_VN),
            signer_name="Lê Văn Đức",
            signer_title="Chủ tịch",
            issued_at=dt.date(2026, 11, 26),
        )
    if kind == SlipKind.STOP_NOTICE:
        return slips.stop_notice_context(
            **_COMMON,
            address=_ADDRESS,
            received_at=received_at,
            reason="Người yêu cầu đề nghị rút hồ sơ.",
            signer_name="Lê Văn Đức",
            signer_title="Chủ tịch",
            issued_at=dt.date(2026, 11, 25),
        )
    if kind == SlipKind.PAYMENT_RECEIPT:
        return slips.payment_receipt_context(
            **_COMMON,
            payer_name="Nguyễn Văn Ấn",
            receipt_number="2026-000123",
            lines=[("Lệ phí cấp Phiếu lý lịch tư pháp", 1, 200_000), ("Phí cấp bản sao", 2, 10_000)],
            total=210_000,
            method="Ngân hàng / ví điện tử qua VNPay",
            transaction_no="14234567",
            order_id="5f2c8e1d9a7b4c3e8d1f0a2b3c4d5e6f",
            paid_at=dt.datetime(2026, 11, 22, 10, 5, tzinfo=_VN),
        )
    if kind == SlipKind.CONTROL:
        return slips.control_slip_context(
            **_COMMON,
            received_at=received_at,
            appointment_at=appointment_at,
            handling_unit="Công chức Tư pháp - Hộ tịch",
            hand_offs=[
                slips.HandOff(
                    "Chuyển xử lý",
                    "Trần Thị Hường",
                    "Bộ phận Một cửa",
                    "Phạm Văn Ửng",
                    "Tư pháp - Hộ tịch",
                    dt.datetime(2026, 11, 22, 10, 0, tzinfo=_VN),
                    dt.datetime(2026, 11, 22, 16, 0, tzinfo=_VN),
                    Timeliness.EARLY,
                ),
                slips.HandOff(
                    "Trình ký",
                    "Phạm Văn Ửng",
                    "Tư pháp - Hộ tịch",
                    "Lê Văn Đức",
                    "Lãnh đạo Ủy ban",
                    dt.datetime(2026, 11, 25, 16, 0, tzinfo=_VN),
                    dt.datetime(2026, 11, 25, 16, 0, tzinfo=_VN),
                    Timeliness.ON_TIME,
                ),
            ],
        )
    return slips.tracking_book_context(
        agency_name=_COMMON["agency_name"],
        parent_agency_name=_COMMON["parent_agency_name"],
        place=_COMMON["place"],
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        rows=[
            slips.TrackingRow(
                _CODE, "Đăng ký khai sinh", "Nguyễn Văn Ấn", received_at, appointment_at, None, "Đang xử lý"
            ),
        ],
        book_name="Quyển số 01",
        printed_at=_COMMON["printed_at"],
    )
