from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from dichvucong.stats.constants import Category


class _FlowCounts(models.Model):
    """What a daily and a monthly snapshot share: the (agency, procedure) key and the flow counts,
    which add up over days (the stocks are DailySnapshot's own)."""

    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        "catalog.Procedure", verbose_name=_("thủ tục"), on_delete=models.CASCADE, related_name="+"
    )
    received_online = models.PositiveIntegerField(Category.RECEIVED_ONLINE.label, default=0)
    received_in_person = models.PositiveIntegerField(Category.RECEIVED_IN_PERSON.label, default=0)
    received_post = models.PositiveIntegerField(Category.RECEIVED_POST.label, default=0)
    processed_early = models.PositiveIntegerField(Category.PROCESSED_EARLY.label, default=0)
    processed_on_time = models.PositiveIntegerField(Category.PROCESSED_ON_TIME.label, default=0)
    processed_late = models.PositiveIntegerField(Category.PROCESSED_LATE.label, default=0)
    refused = models.PositiveIntegerField(Category.REFUSED.label, default=0)
    withdrawn = models.PositiveIntegerField(Category.WITHDRAWN.label, default=0)
    received_full_online = models.PositiveIntegerField(Category.RECEIVED_FULL_ONLINE.label, default=0)
    received_with_payment = models.PositiveIntegerField(Category.RECEIVED_WITH_PAYMENT.label, default=0)
    received_paid_online = models.PositiveIntegerField(Category.RECEIVED_PAID_ONLINE.label, default=0)
    received_reusing = models.PositiveIntegerField(Category.RECEIVED_REUSING.label, default=0)
    received_digitised = models.PositiveIntegerField(Category.RECEIVED_DIGITISED.label, default=0)
    computed_at = models.DateTimeField(_("tính lúc"), auto_now=True)

    class Meta:
        abstract = True


class DailySnapshot(_FlowCounts):
    """The report categories of one (day, agency, procedure), so pages sum rows instead of dossiers.

    Filled by the nightly job (tasks.stats_snapshot_yesterday) and `manage.py stats_snapshot`; a day
    is recomputed whole, so re-running it is harmless. Rows with every count zero are not stored.
    """

    day = models.DateField(_("ngày"))
    in_progress_on_time = models.PositiveIntegerField(Category.IN_PROGRESS_ON_TIME.label, default=0)
    in_progress_overdue = models.PositiveIntegerField(Category.IN_PROGRESS_OVERDUE.label, default=0)
    paused = models.PositiveIntegerField(Category.PAUSED.label, default=0)

    class Meta:
        verbose_name = _("số liệu thống kê theo ngày")
        verbose_name_plural = _("số liệu thống kê theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=("day", "agency", "procedure"), name="stats_snapshot_unique_day_agency_procedure"
            )
        ]
        indexes = [models.Index(fields=("day", "agency"), name="stats_snapshot_day_agency")]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.procedure_id}"


class MonthlySnapshot(_FlowCounts):
    """The flow categories of one (month, agency, procedure): the sum of that month's DailySnapshot rows.

    A long period reads its whole months here and only its edge days from DailySnapshot, so a year
    sums ~12 rows per (agency, procedure) instead of ~365. Only flows (received, processed, refused …)
    are rolled up: they add up over days. Stocks (in progress, paused) are values at an instant, so a
    period takes them from the DailySnapshot of its last day and the day before its first, never from
    a sum. Kept consistent by services.snapshot_store: storing a day rebuilds its month's rows in the
    same transaction, so a recomputed day updates its month.
    """

    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))

    class Meta:
        verbose_name = _("số liệu thống kê theo tháng")
        verbose_name_plural = _("số liệu thống kê theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=("month", "agency", "procedure"), name="stats_monthly_unique_month_agency_procedure"
            )
        ]
        indexes = [models.Index(fields=("month", "agency"), name="stats_monthly_month_agency")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agency_id} {self.procedure_id}"


class SatisfactionRating(models.Model):
    """The applicant's rating of a returned dossier: one per dossier, editable for a few days.

    `answers` maps each criterion key of satisfaction.CRITERIA to a level (1–3); `satisfied` is
    stored so the indicator counts rows without reading JSON: no criterion rated "Không hài lòng".
    `returned_at` and `procedure` are the dossier's, copied on save so the statistics count a
    period's ratings from this table alone (at 1M dossiers the join to the dossiers cost ~0.5 s).
    """

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    agency = models.ForeignKey("agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(_("đánh giá theo tiêu chí"))
    satisfied = models.BooleanField(_("hài lòng"))
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, editable=False)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name=_("thủ tục"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        editable=False,
    )
    comment = models.TextField(_("góp ý"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("đánh giá lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        indexes = [
            models.Index(fields=("agency", "created_at"), name="stats_rating_agency_created"),
            models.Index(fields=("returned_at", "agency"), name="stats_rating_returned_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.satisfied}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.returned_at is None or self.procedure_id is None:
            dossier = self.dossier
            self.returned_at = dossier.returned_at
            self.procedure_id = dossier.procedure_version.procedure_id
        super().save(*args, **kwargs)
