from django.db import models
from django.utils.translation import gettext_lazy as _


class ImplementingLevel(models.TextChoices):
    PROVINCIAL = "tinh", _("Cấp tỉnh")
    COMMUNE = "xa", _("Cấp xã")
    DISTRICT = "huyen", _("Cấp huyện (trước 01/7/2025)")
    CENTRAL = "trung_uong", _("Cấp trung ương")


class OnlineLevel(models.TextChoices):
    """Decree 42/2022/NĐ-CP: fully online, or partly online (anything else)."""

    FULL = "toan_trinh", _("Toàn trình")
    PARTIAL = "mot_phan", _("Một phần")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Hết hiệu lực")


class FeeKind(models.TextChoices):
    FIXED = "fixed", _("Mức cố định")
    PER_UNIT = "per_unit", _("Theo số lượng")


class FeeType(models.TextChoices):
    FEE = "phi", _("Phí")
    CHARGE = "le_phi", _("Lệ phí")
