from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dichvucong.agencies.forms import AgencyForm
from dichvucong.agencies.models import Agency, CalendarDay, Unit
from dichvucong.core.addresses import format_address


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("code", "name", "kind", "is_active")


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ("date", "kind", "name")
    verbose_name = _("ngày nghỉ / làm bù riêng của cơ quan")
    verbose_name_plural = _("ngày nghỉ / làm bù riêng của cơ quan")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to", "successor", "is_demo")
    list_filter = ("kind", "is_demo", "valid_to")
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent", "successor")
    autocomplete_fields = ("parent", "successor")
    inlines = (UnitInline, CalendarDayInline)
    readonly_fields = ("full_address",)
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "kind", "parent", "is_demo")}),
        (
            _("Địa chỉ và liên hệ"),
            {
                "fields": ("province_code", "ward_code", "street_address", "full_address", "phone", "email", "website"),
            },
        ),
        (_("Hiệu lực (sắp xếp đơn vị hành chính)"), {"fields": ("valid_from", "valid_to", "successor")}),
        (_("Giờ làm việc"), {"fields": ("morning_start", "morning_end", "afternoon_start", "afternoon_end")}),
    )

    @admin.display(description=_("địa chỉ đầy đủ"))
    def full_address(self, obj: Agency) -> str:
        return format_address(obj.street_address, obj.ward_code, obj.province_code)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "agency", "is_active")
    list_filter = ("kind", "is_active", "agency")
    search_fields = ("code", "name", "agency__name")
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "agency")
    list_filter = ("kind", "agency")
    date_hierarchy = "date"
    search_fields = ("name",)
    autocomplete_fields = ("agency",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarDay]:
        return super().get_queryset(request).select_related("agency")
