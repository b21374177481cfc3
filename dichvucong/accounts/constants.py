from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    OFFICER = "officer", _("Cán bộ")


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class OtpPurpose(models.TextChoices):
    REGISTRATION = "registration", _("Xác thực đăng ký tài khoản")
    PASSWORD_RESET = "password_reset", _("Lấy lại mật khẩu")
    PHONE_CHANGE = "phone_change", _("Đổi số điện thoại")
    EMAIL_VERIFICATION = "email_verification", _("Xác thực thư điện tử")
    IDENTITY_LINK = "identity_link", _("Liên kết định danh điện tử")


class OfficerRole(models.TextChoices):
    ONE_STOP = "mot_cua", _("Cán bộ một cửa")
    SPECIALIST = "chuyen_vien", _("Chuyên viên")
    HEAD_OF_DEPARTMENT = "lanh_dao_phong", _("Lãnh đạo phòng")
    # A context, because the same words name unit types ("Agency leadership", "Clerical office").
    AGENCY_LEADER = "lanh_dao_co_quan", pgettext_lazy("vai trò", "Lãnh đạo cơ quan")
    CLERK = "van_thu", pgettext_lazy("vai trò", "Văn thư")
    AGENCY_ADMIN = "quan_tri_don_vi", _("Quản trị đơn vị")
    SYSTEM_ADMIN = "quan_tri_he_thong", _("Quản trị hệ thống")
