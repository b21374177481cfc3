from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "ubnd_tinh", _("UBND tỉnh / thành phố")
    DEPARTMENT = "so_nganh", _("Sở, ban, ngành")
    SERVICE_CENTRE = "trung_tam_phvhcc", _("Trung tâm Phục vụ hành chính công")
    COMMUNE_COMMITTEE = "ubnd_xa", _("UBND xã, phường, đặc khu")
    POLICE = "cong_an", _("Công an")
    BRANCH = "chi_nhanh", _("Chi nhánh, đơn vị trực thuộc")
    OTHER = "khac", _("Cơ quan khác")


class UnitKind(models.TextChoices):
    ONE_STOP = "mot_cua", _("Bộ phận Một cửa")
    SPECIALIST = "chuyen_mon", _("Phòng chuyên môn")
    LEADERSHIP = "lanh_dao", _("Lãnh đạo cơ quan")
    CLERICAL = "van_thu", _("Văn thư")
    OTHER = "khac", _("Khác")


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


class TimeUnit(models.TextChoices):
    """How a time limit is counted: the unit is data on each procedure, never assumed."""

    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
