from __future__ import annotations

import datetime as dt

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dichvucong.agencies.constants import AgencyKind, CalendarDayKind, UnitKind
from dichvucong.core.models import TimeStampedModel

# Decision 20/2020/QĐ-TTg: four groups separated by dots, e.g. 000.00.00.H57 (a province's
# People's Committee), 000.00.12.H57 (one of its departments), 000.20.33.H57 (a commune).
agency_code_validator = RegexValidator(
    r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$",
    _("Mã định danh điện tử có dạng 000.00.00.H57 (Quyết định 20/2020/QĐ-TTg)."),
)


class Agency(TimeStampedModel):
    code = models.CharField(_("mã định danh điện tử"), max_length=20, unique=True, validators=[agency_code_validator])
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại cơ quan"), max_length=32, choices=AgencyKind)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province_code = models.PositiveIntegerField(_("mã tỉnh/thành phố"), null=True, blank=True)
    ward_code = models.PositiveIntegerField(_("mã xã/phường"), null=True, blank=True)
    street_address = models.CharField(_("địa chỉ (số nhà, đường)"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("trang thông tin"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), default=dt.date(2025, 7, 1))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("Cơ quan nhận hồ sơ mới sau khi cơ quan này hết hiệu lực (sắp xếp đơn vị hành chính 2025)."),
    )
    # Working hours (DESIGN §4): two periods a day; one working day is their total length.
    morning_start = models.TimeField(_("buổi sáng từ"), default=dt.time(7, 30))
    morning_end = models.TimeField(_("buổi sáng đến"), default=dt.time(11, 30))
    afternoon_start = models.TimeField(_("buổi chiều từ"), default=dt.time(13, 0))
    afternoon_end = models.TimeField(_("buổi chiều đến"), default=dt.time(17, 0))
    is_demo = models.BooleanField(_("dữ liệu mẫu"), default=False)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(morning_start__lt=models.F("morning_end"))
                & Q(morning_end__lte=models.F("afternoon_start"))
                & Q(afternoon_start__lt=models.F("afternoon_end")),
                name="agency_working_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def ancestors_and_self(self) -> list[Agency]:
        """This agency and every agency above it (a short chain: province → department → unit)."""
        chain, current, seen = [self], self, {self.pk}
        while current.parent_id and current.parent_id not in seen:
            current = Agency.objects.get(pk=current.parent_id)
            chain.append(current)
            seen.add(current.pk)
        return chain

    @property
    def working_periods(self) -> tuple[tuple[dt.time, dt.time], ...]:
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))


class Unit(TimeStampedModel):
    """A department (phòng) or desk inside an agency; officers and process steps belong to units."""

    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("mã đơn vị"), max_length=32)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    kind = models.CharField(_("loại đơn vị"), max_length=16, choices=UnitKind, default=UnitKind.SPECIALIST)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị (phòng)")
        verbose_name_plural = _("đơn vị (phòng)")
        ordering = ("agency__code", "code")
        constraints = [models.UniqueConstraint(fields=("agency", "code"), name="unit_code_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.name} — {self.agency.short_name or self.agency.name}"


class CalendarDay(TimeStampedModel):
    """A day an administrator marks against the national holiday list.

    Extra days off (a provincial holiday, a storm) and make-up working days (a Saturday worked
    in exchange for a bridge day), which the `holidays` package does not know. Without an
    agency the row applies to every agency.
    """

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=16, choices=CalendarDayKind)
    name = models.CharField(_("lý do"), max_length=255)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("chỉ áp dụng cho cơ quan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_days",
    )

    class Meta:
        verbose_name = _("ngày nghỉ / ngày làm bù")
        verbose_name_plural = _("ngày nghỉ / ngày làm bù")
        ordering = ("-date",)
        constraints = [
            models.UniqueConstraint(
                fields=("date",), condition=Q(agency__isnull=True), name="calendar_day_unique_global"
            ),
            models.UniqueConstraint(
                fields=("date", "agency"), condition=Q(agency__isnull=False), name="calendar_day_unique_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()}: {self.name}"
