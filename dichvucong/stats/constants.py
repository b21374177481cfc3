"""The report categories as the pages, the snapshot and the export name them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Columns of the daily snapshot. Flows are counted per day and summed over a period; stocks
    are counted at the end of a day, and a period takes its last day's value."""

    RECEIVED_ONLINE = "received_online", _("Tiếp nhận trực tuyến")
    RECEIVED_IN_PERSON = "received_in_person", _("Tiếp nhận trực tiếp")
    RECEIVED_POST = "received_post", _("Tiếp nhận qua bưu chính")
    PROCESSED_EARLY = "processed_early", _("Giải quyết trước hạn")
    PROCESSED_ON_TIME = "processed_on_time", _("Giải quyết đúng hạn")
    PROCESSED_LATE = "processed_late", _("Giải quyết trễ hạn")
    REFUSED = "refused", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    RECEIVED_FULL_ONLINE = "received_full_online", _("Tiếp nhận trực tuyến toàn trình")
    RECEIVED_WITH_PAYMENT = "received_with_payment", _("Có phí, lệ phí")
    RECEIVED_PAID_ONLINE = "received_paid_online", _("Thanh toán trực tuyến")
    RECEIVED_REUSING = "received_reusing", _("Tái sử dụng giấy tờ")
    RECEIVED_DIGITISED = "received_digitised", _("Số hóa hồ sơ trực tiếp, bưu chính")
    IN_PROGRESS_ON_TIME = "in_progress_on_time", _("Đang giải quyết trong hạn")
    IN_PROGRESS_OVERDUE = "in_progress_overdue", _("Đang giải quyết quá hạn")
    PAUSED = "paused", _("Tạm dừng")


STOCK_CATEGORIES: frozenset[str] = frozenset(
    {Category.IN_PROGRESS_ON_TIME, Category.IN_PROGRESS_OVERDUE, Category.PAUSED}
)
# Category.values builds a new list on every access; pages read these names thousands of times.
CATEGORIES: tuple[str, ...] = tuple(Category.values)
FLOW_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c not in STOCK_CATEGORIES)
