from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dichvucong.agencies.constants import TimeUnit
from dichvucong.catalog.constants import FeeKind, FeeType, ImplementingLevel, OnlineLevel, VersionStatus
from dichvucong.core.models import TimeStampedModel


class ProcedureField(TimeStampedModel):
    """Lĩnh vực: the subject area a procedure belongs to (Hộ tịch, Chứng thực, Lý lịch tư pháp …)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=32, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=255)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Procedure(TimeStampedModel):
    """The lasting identity of an administrative procedure: its code in the national database.

    What the procedure says (name, time limit, fees, components, e-form) lives in versions; a
    published version is never edited, so a dossier keeps meaning what it meant when it was filed.
    The search columns copy the current version, folded (see search.fold), so the search page reads
    one table.
    """

    code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)
    current_version = models.OneToOneField(
        "ProcedureVersion",
        verbose_name=_("phiên bản đang áp dụng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    popularity = models.PositiveIntegerField(
        _("mức độ sử dụng"), default=0, help_text=_("Số hồ sơ đã nộp; dùng để xếp các thủ tục hay dùng.")
    )
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)
    name_folded = models.CharField(_("tên (không dấu)"), max_length=1000, blank=True, editable=False)
    search_folded = models.TextField(_("nội dung tìm kiếm (không dấu)"), blank=True, editable=False)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ("code",)
        indexes = [models.Index(F("popularity").desc(), "code", name="procedure_popular")]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalog:detail", args=[self.code])


class ProcedureVersion(TimeStampedModel):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(_("trạng thái"), max_length=16, choices=VersionStatus, default=VersionStatus.DRAFT)
    published_at = models.DateTimeField(_("áp dụng từ"), null=True, blank=True)
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    field = models.ForeignKey(
        ProcedureField, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="versions"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=ImplementingLevel)
    competent_agency = models.CharField(_("cơ quan có thẩm quyền"), max_length=500, blank=True)
    receiving_agencies = models.ManyToManyField(
        "agencies.Agency", verbose_name=_("cơ quan tiếp nhận"), related_name="procedure_versions", blank=True
    )
    online_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"), max_length=16, choices=OnlineLevel, default=OnlineLevel.PARTIAL
    )
    legacy_level = models.PositiveSmallIntegerField(_("mức độ (cũ, 1–4)"), null=True, blank=True)
    processing_time = models.PositiveIntegerField(_("thời hạn giải quyết"), default=0)
    processing_time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=TimeUnit, default=TimeUnit.WORKING_DAYS
    )
    same_day_cutoff = models.TimeField(
        _("giờ tiếp nhận cuối trong ngày"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ giải quyết trong ngày nhận sau giờ này được trả vào ngày làm việc tiếp theo."),
    )
    processing_time_note = models.TextField(_("ghi chú thời hạn"), blank=True)
    applicants = models.TextField(_("đối tượng thực hiện"), blank=True)
    steps = models.TextField(_("trình tự thực hiện"), blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    fee_note = models.TextField(_("ghi chú phí, lệ phí"), blank=True)
    eform = models.JSONField(_("tờ khai điện tử"), default=dict, blank=True)
    content_hash = models.CharField(_("mã băm nội dung"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ("procedure__code", "-number")
        constraints = [
            models.UniqueConstraint(fields=("procedure", "number"), name="procedure_version_number_unique"),
            models.UniqueConstraint(
                fields=("procedure",),
                condition=Q(status=VersionStatus.PUBLISHED),
                name="procedure_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class FeeLine(models.Model):
    """One line of fees or charges; amounts are integer đồng, never floats.

    Fixed: `amount`. Per unit, for a quantity q taken from the e-form field `quantity_field`:
    amount + first_unit_amount × min(q, first_units) + next_unit_amount × (q − first_units beyond),
    capped at `cap_amount`. That covers the real schedules: a certified copy (Circular 226/2016:
    2,000đ a page for the first two pages, 1,000đ from the third, at most 200,000đ a copy) and a
    criminal record certificate (Circular 244/2016: 200,000đ for up to two certificates, 5,000đ
    each from the third).
    """

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fee_lines")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    fee_type = models.CharField(_("loại"), max_length=8, choices=FeeType, default=FeeType.CHARGE)
    name = models.CharField(_("nội dung"), max_length=500)
    kind = models.CharField(_("cách tính"), max_length=16, choices=FeeKind, default=FeeKind.FIXED)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"), default=0)
    first_unit_amount = models.PositiveBigIntegerField(_("đơn vị đầu (đồng)"), default=0)
    first_units = models.PositiveSmallIntegerField(_("số đơn vị tính giá đầu"), default=1)
    next_unit_amount = models.PositiveBigIntegerField(_("mỗi đơn vị tiếp theo (đồng)"), default=0)
    cap_amount = models.PositiveBigIntegerField(_("mức thu tối đa (đồng)"), null=True, blank=True)
    unit_label = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    quantity_field = models.CharField(_("trường số lượng trên tờ khai"), max_length=64, blank=True)
    exemption = models.TextField(_("miễn, giảm"), blank=True)

    class Meta:
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")
        ordering = ("version", "order", "pk")

    def __str__(self) -> str:
        return self.name

    def total_for(self, quantity: int = 1) -> int:
        if self.kind == FeeKind.FIXED:
            return self.amount
        if quantity <= 0:
            return 0
        first = min(quantity, self.first_units)
        total = self.amount + self.first_unit_amount * first + self.next_unit_amount * (quantity - first)
        return min(total, self.cap_amount) if self.cap_amount is not None else total


class DossierComponent(models.Model):
    """Thành phần hồ sơ: a document the applicant provides."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.TextField(_("tên giấy tờ"))
    required = models.BooleanField(_("bắt buộc"), default=True)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    template_name = models.CharField(_("tên mẫu đơn"), max_length=255, blank=True)
    template_file = models.FileField(_("tệp mẫu đơn"), upload_to="catalog/templates/", blank=True)
    signature_required = models.BooleanField(_("yêu cầu ký số"), default=False)
    # The declaration itself, when the version has an e-form: filled online, not uploaded.
    is_eform = models.BooleanField(
        _("là tờ khai điện tử"),
        default=False,
        help_text=_("Công dân điền tờ khai trực tuyến thay cho việc đính kèm tệp."),
    )
    document_type = models.CharField(
        _("loại giấy tờ (để dùng lại)"),
        max_length=64,
        blank=True,
        help_text=_("Giấy tờ cùng loại công dân đã nộp trong hồ sơ trước có thể được dùng lại."),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ("version", "order", "pk")

    def __str__(self) -> str:
        return self.name[:80]
