from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("Thư điện tử")
    IN_APP = "in_app", _("Thông báo trên cổng")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi thất bại")
    CANCELLED = "cancelled", _("Đã hủy")


class Language(models.TextChoices):
    VI = "vi", _("Tiếng Việt")
    EN = "en", _("English")


class NotificationEvent(models.TextChoices):
    """The events that have templates today.

    Not used as the `event` field's choices: each later issue adds its events with their templates
    as data, and the outbox must accept them without a schema change. This is for code that queues
    (no string typos) and for labels in the admin.
    """

    OTP_REGISTRATION = "otp_registration", _("Mã OTP đăng ký tài khoản")
    OTP_PASSWORD_RESET = "otp_password_reset", _("Mã OTP lấy lại mật khẩu")
    OTP_PHONE_CHANGE = "otp_phone_change", _("Mã OTP đổi số điện thoại")
    OTP_IDENTITY_LINK = "otp_identity_link", _("Mã OTP liên kết định danh điện tử")
    EMAIL_VERIFICATION = "email_verification", _("Xác thực thư điện tử")
    ACCOUNT_CREATED = "account_created", _("Tài khoản đã được tạo")
    DOSSIER_SUBMITTED = "dossier_submitted", _("Hồ sơ đã được gửi")
    DOSSIER_UPDATED = "dossier_updated", _("Hồ sơ có cập nhật")
    OFFICER_DEADLINE = "officer_deadline", _("Hạn xử lý hồ sơ của cán bộ")
    INTEGRITY_ALERT = "integrity_alert", _("Cảnh báo toàn vẹn dữ liệu")
