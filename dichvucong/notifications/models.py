from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dichvucong.notifications.constants import Channel, Language, NotificationEvent, NotificationStatus
from dichvucong.notifications.defaults import template_checksum


class NotificationTemplate(models.Model):
    """The words of one event on one channel in one language, in Django template syntax.

    Rows are data an administrator edits. `default_checksum` is the fingerprint of the default text
    the row was last written from, so resetting the defaults can tell an edited row (leave it) from
    an untouched one (safe to refresh) without anyone having to remember to tick a box.
    """

    event = models.CharField(_("sự kiện"), max_length=64, help_text=_("Mã sự kiện, ví dụ otp_registration."))
    channel = models.CharField(_("kênh"), max_length=16, choices=Channel)
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=Language, default=Language.VI)
    subject = models.CharField(
        _("tiêu đề"), max_length=255, blank=True, help_text=_("Tiêu đề thư điện tử hoặc thông báo; SMS không dùng.")
    )
    body_text = models.TextField(_("nội dung (văn bản)"))
    body_html = models.TextField(
        _("nội dung (HTML)"), blank=True, help_text=_("Chỉ dùng cho thư điện tử; để trống thì chỉ gửi văn bản.")
    )
    default_checksum = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mẫu thông báo")
        verbose_name_plural = _("mẫu thông báo")
        ordering = ("event", "channel", "language")
        constraints = [
            models.UniqueConstraint(fields=("event", "channel", "language"), name="notification_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.get_channel_display()} · {self.language}"

    @property
    def is_edited(self) -> bool:
        return template_checksum(self.subject, self.body_text, self.body_html) != self.default_checksum


class Notification(models.Model):
    """One message to one recipient on one channel: the outbox row and the record of what was sent.

    The text is rendered when the message is queued, so a later template edit never changes a
    message already on its way. `idempotency_key` is what makes "one event never sends twice" a
    database rule rather than a hope.
    """

    event = models.CharField(_("sự kiện"), max_length=64, db_index=True)
    channel = models.CharField(_("kênh"), max_length=16, choices=Channel)
    recipient = models.CharField(
        _("người nhận"), max_length=255, help_text=_("Số điện thoại (+84…), thư điện tử hoặc mã tài khoản.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.SET_NULL,
        related_name="notifications",
        null=True,
        blank=True,
    )
    language = models.CharField(_("ngôn ngữ"), max_length=8, choices=Language, default=Language.VI)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    body_text = models.TextField(_("nội dung"))
    body_html = models.TextField(_("nội dung (HTML)"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=NotificationStatus, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần đã thử"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)
    idempotency_key = models.CharField(_("khóa chống gửi trùng"), max_length=255, unique=True)
    # One-time codes and verification links must not outlive their delivery in readable form
    # (DESIGN §12): once a real provider has taken the message, its text is wiped.
    sensitive = models.BooleanField(_("chứa mã bảo mật"), default=False)
    provider_message_id = models.CharField(_("mã tin của nhà cung cấp"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ("-created_at", "-pk")
        indexes = [
            # The worker's sweep: pending rows that are due.
            models.Index(fields=("status", "next_attempt_at"), name="notification_due"),
            # The bell: a user's unread in-app messages, counted on every page.
            models.Index(
                fields=("user", "created_at"),
                condition=Q(channel="in_app", read_at__isnull=True),
                name="notification_in_app_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.get_status_display()})"

    @property
    def event_label(self) -> str:
        try:
            return str(NotificationEvent(self.event).label)
        except ValueError:
            return self.event


class SmsOutboxMessage(Notification):
    """The development SMS outbox: every SMS with its full text, where a tester reads the OTP."""

    class Meta:
        proxy = True
        verbose_name = _("tin nhắn SMS (hộp thư phát triển)")
        verbose_name_plural = _("hộp thư SMS (môi trường phát triển)")
        ordering = ("-created_at", "-pk")
