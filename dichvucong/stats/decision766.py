"""Decision 766/QĐ-TTg (23/6/2022): Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người
dân, doanh nghiệp trong thực hiện TTHC, DVC theo thời gian thực trên môi trường điện tử.

The indicator list, formulas and points as data. Only what the portal's own dossiers can give is
computed (`source` names the Report/Figures attribute); everything else is listed as
"không tính được từ dữ liệu của Cổng" rather than invented. Every entry carries a "verify against
the decision" note. (The issue text says 2023; the decision is dated 23/6/2022.)

What we could read (public pages found with the project's search tool, not the appendix itself):
- The decision's heading, number and date: the full text page
  https://thuviennhadat.vn/vbpl/quyet-dinh-766-qd-ttg-2022-bo-chi-so-danh-gia-chat-luong-phuc-vu-thu-tuc-hanh-chinh-dien-tu-518821.html
  (only its first part was readable here: the appendix with the per-indicator tables was not).
- The five groups and their maximum points, 18 + 20 + 22 + 22 + 18 = 100: Sở Nội vụ Nam Định,
  https://sonoivu.namdinh.gov.vn/cai-cach-hanh-chinh/thu-tuong-chinh-phu-phe-duyet-bo-chi-so-chi-dao-dieu-hanh-va-danh-gia-chat-luong-phuc-vu-nguoi-dan-doanh-nghiep-trong-2373
- Three per-indicator points, from a summary (baocaotaichinh.vn, "Quyết định 766/QĐ-TTg 2022"):
  "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC" up to 6 of the group's 18 points when the
  target of each stage set by Nghị quyết 76/NQ-CP (15/7/2021) is met; TTHC published on time 4 of
  18; on-time processing up to 20.

So the only points scale the portal applies is the satisfaction one: 6 points at or above the
stage target (90 %, the 2021–2025 target of Nghị quyết 76/NQ-CP as we read it: verify), and no
points shown below it, because the summary does not say what a lower share earns. No other
indicator gets a scale until someone reads the appendix: `scale` stays empty and the page shows
"—" for its points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

VERIFY = "Đối chiếu với Phụ lục Quyết định 766/QĐ-TTg trước khi công bố."


@dataclass(frozen=True)
class Threshold:
    """`points` for a share (in %) of at least `at_least`."""

    at_least: float
    points: float


@dataclass(frozen=True)
class Indicator:
    group: Any
    name: Any
    formula: Any
    source: str | None  # attribute of Figures or Report; None: the portal's data cannot compute it
    max_points: float | None = None  # None: not read from the decision yet (verify)
    note: str = VERIFY
    # Points by share, highest threshold first; a share below every threshold, or an empty scale,
    # gives no points (None: not known), never an invented 0.
    scale: tuple[Threshold, ...] = ()

    def points(self, share: float | None) -> float | None:
        if share is None:
            return None
        for step in sorted(self.scale, key=lambda t: t.at_least, reverse=True):
            if share >= step.at_least:
                return step.points
        return None


# Group maximum points (total 100), as listed by the Nam Định page cited above: verify.
GROUPS: tuple[tuple[Any, float], ...] = (
    (_("Công khai, minh bạch"), 18),
    (_("Tiến độ, kết quả giải quyết"), 20),
    (_("Cung cấp dịch vụ trực tuyến"), 22),
    (_("Số hóa hồ sơ"), 22),
    (_("Mức độ hài lòng"), 18),
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        _("Công khai, minh bạch"),
        _("Tỷ lệ TTHC được công bố, công khai đúng hạn"),
        _("Số TTHC công bố, công khai đúng hạn / Tổng số TTHC phải công bố × 100%"),
        None,
        4,
    ),
    Indicator(
        _("Công khai, minh bạch"),
        _("Tỷ lệ hồ sơ được đồng bộ, công khai trạng thái trên Cổng Dịch vụ công quốc gia"),
        _("Số hồ sơ đồng bộ trạng thái / Tổng số hồ sơ tiếp nhận × 100%"),
        None,
    ),
    Indicator(
        _("Tiến độ, kết quả giải quyết"),
        _("Tỷ lệ hồ sơ giải quyết đúng hạn"),
        _("(Số hồ sơ giải quyết trước hạn + đúng hạn) / Tổng số hồ sơ đã giải quyết × 100%"),
        "in_time_share",
        20,
    ),
    Indicator(
        _("Cung cấp dịch vụ trực tuyến"),
        _("Tỷ lệ hồ sơ trực tuyến"),
        _("Số hồ sơ tiếp nhận trực tuyến / Tổng số hồ sơ tiếp nhận × 100%"),
        "online_share",
    ),
    Indicator(
        _("Cung cấp dịch vụ trực tuyến"),
        _("Tỷ lệ hồ sơ trực tuyến toàn trình"),
        _("Số hồ sơ trực tuyến của thủ tục toàn trình / Tổng số hồ sơ tiếp nhận × 100%"),
        "full_online_share",
    ),
    Indicator(
        _("Cung cấp dịch vụ trực tuyến"),
        _("Tỷ lệ thanh toán trực tuyến"),
        _("Số hồ sơ thanh toán trực tuyến / Tổng số hồ sơ có phí, lệ phí × 100%"),
        "paid_online_share",
    ),
    Indicator(
        _("Số hóa hồ sơ"),
        _("Tỷ lệ số hóa hồ sơ tiếp nhận trực tiếp, qua bưu chính"),
        _("Số hồ sơ trực tiếp, bưu chính có tệp số hóa / Tổng số hồ sơ trực tiếp, bưu chính × 100%"),
        "digitised_share",
    ),
    Indicator(
        _("Số hóa hồ sơ"),
        _("Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa"),
        _("Số hồ sơ có thành phần tái sử dụng / Tổng số hồ sơ tiếp nhận × 100%"),
        "reuse_share",
    ),
    Indicator(
        _("Số hóa hồ sơ"),
        _("Tỷ lệ cấp kết quả giải quyết TTHC điện tử"),
        _("Số hồ sơ có kết quả điện tử / Tổng số hồ sơ đã giải quyết × 100%"),
        None,
    ),
    Indicator(
        _("Mức độ hài lòng"),
        _("Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn"),
        _("Số phản ánh, kiến nghị xử lý đúng hoặc trước hạn / Tổng số phản ánh, kiến nghị × 100%"),
        None,
    ),
    Indicator(
        _("Mức độ hài lòng"),
        _("Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị"),
        _("(Tổng số phản ánh, kiến nghị − số không hài lòng hoặc xử lý quá hạn) / Tổng số × 100%"),
        None,
    ),
    Indicator(
        _("Mức độ hài lòng"),
        _("Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"),
        _("Số hồ sơ được đánh giá hài lòng / Tổng số hồ sơ được đánh giá × 100%"),
        "satisfied_share",
        6,
        "Tối đa 6 điểm khi đạt mục tiêu từng giai đoạn của Nghị quyết 76/NQ-CP (đến 2025: 90%). " + VERIFY,
        (Threshold(90, 6),),
    ),
)


def indicator_values(report: Any) -> list[tuple[Indicator, float | None, bool, float | None]]:
    """(indicator, value in %, computable, points) for a report; a computable one with nothing to
    divide has value None; points are None where the decision's scale is not known."""
    values = []
    for indicator in INDICATORS:
        if indicator.source is None:
            values.append((indicator, None, False, None))
            continue
        holder = report if hasattr(report, indicator.source) else report.total
        share = getattr(holder, indicator.source)
        values.append((indicator, share, True, indicator.points(share)))
    return values
