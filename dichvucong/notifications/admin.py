from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template import Template, TemplateSyntaxError
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dichvucong.core.errors import ApplicationError
from dichvucong.notifications.channels.registry import sms_provider_name
from dichvucong.notifications.constants import Channel, NotificationStatus
from dichvucong.notifications.models import Notification, NotificationTemplate, SmsOutboxMessage
from dichvucong.notifications.services import (
    notification_cancel,
    notification_render,
    notification_requeue,
    notification_templates_reset,
)

# The failed-message count on the admin home page. Only when nobody else has replaced the home
# page template: the site object is shared, and the count is a nicety, not a feature to fight for.
if admin.site.index_template is None:
    admin.site.index_template = "notifications/admin/index.html"

PREVIEW_CONTEXT = {
    "code": "123456",
    "minutes": 5,
    "link": "https://dichvucong.example.gov.vn/tai-khoan/xac-thuc/mau/",
    "full_name": "Nguyễn Văn An",
}


class NotificationTemplateForm(forms.ModelForm):
    class Meta:
        model = NotificationTemplate
        fields = ("event", "channel", "language", "subject", "body_text", "body_html")

    def _clean_template(self, name: str) -> str:
        source = self.cleaned_data.get(name, "")
        try:
            Template(source)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(
                gettext("Cú pháp mẫu không hợp lệ: %(error)s") % {"error": exc}, code="template_syntax"
            ) from exc
        return source

    def clean_subject(self) -> str:
        return self._clean_template("subject")

    def clean_body_text(self) -> str:
        return self._clean_template("body_text")

    def clean_body_html(self) -> str:
        return self._clean_template("body_html")


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    form = NotificationTemplateForm
    list_display = ("event", "channel", "language", "subject", "edited", "updated_at")
    list_filter = ("channel", "language", "event")
    search_fields = ("event", "subject", "body_text")
    readonly_fields = ("preview", "updated_at")
    fieldsets = (
        (None, {"fields": ("event", "channel", "language")}),
        (
            _("Nội dung"),
            {
                "fields": ("subject", "body_text", "body_html"),
                "description": _(
                    "Cú pháp mẫu Django. Biến dùng được: {{ code }}, {{ minutes }}, {{ link }}, {{ full_name }}, "
                    "{{ portal_name }}, {{ portal_hotline }}. Sửa mẫu không làm thay đổi thông báo đã xếp hàng."
                ),
            },
        ),
        (_("Xem trước"), {"fields": ("preview", "updated_at")}),
    )
    actions = ("restore_defaults",)

    @admin.display(description=_("đã chỉnh sửa"), boolean=True)
    def edited(self, obj: NotificationTemplate) -> bool:
        return obj.is_edited

    @admin.display(description=_("xem trước với dữ liệu mẫu"))
    def preview(self, obj: NotificationTemplate) -> str:
        if obj.pk is None:
            return "—"
        try:
            rendered = notification_render(template=obj, context=PREVIEW_CONTEXT)
        except ApplicationError as exc:
            return str(exc)
        return format_html("<strong>{}</strong><br>{}", rendered["subject"], linebreaksbr(rendered["body_text"]))

    @admin.action(description=_("Khôi phục nội dung mặc định"), permissions=("change",))
    def restore_defaults(self, request: HttpRequest, queryset: QuerySet[NotificationTemplate]) -> None:
        keys = [(row.event, row.channel, row.language) for row in queryset]
        report = notification_templates_reset(force=True, keys=keys)
        self.message_user(
            request,
            gettext("Đã khôi phục %(count)d mẫu về nội dung mặc định.") % {"count": len(report.updated)},
            messages.SUCCESS,
        )


class _ReadOnlyOutboxAdmin(admin.ModelAdmin):
    """Rows of the outbox are records: nobody adds, edits or deletes them by hand."""

    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(_ReadOnlyOutboxAdmin):
    list_display = ("created_at", "event", "channel", "recipient", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient", "idempotency_key", "provider_message_id")
    fieldsets = (
        (None, {"fields": ("event", "channel", "recipient", "user", "language", "idempotency_key", "created_at")}),
        (_("Nội dung"), {"fields": ("subject", "body_text", "body_html")}),
        (
            _("Gửi"),
            {
                "fields": (
                    "status",
                    "attempts",
                    "next_attempt_at",
                    "last_error",
                    "sent_at",
                    "provider_message_id",
                    "read_at",
                )
            },
        ),
    )
    readonly_fields = tuple(field for fieldset in fieldsets for field in fieldset[1]["fields"])
    actions = ("resend", "cancel")

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description=_("Gửi lại"), permissions=("resend",))
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = sum(
            notification_requeue(notification=item) for item in queryset.filter(status=NotificationStatus.FAILED)
        )
        self.message_user(
            request,
            gettext("Đã xếp %(count)d thông báo gửi thất bại vào hàng đợi để gửi lại.") % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description=_("Hủy gửi"), permissions=("resend",))
    def cancel(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = sum(
            notification_cancel(notification=item) for item in queryset.filter(status=NotificationStatus.PENDING)
        )
        self.message_user(
            request,
            gettext("Đã hủy %(count)d thông báo chờ gửi.") % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(SmsOutboxMessage)
class SmsOutboxAdmin(_ReadOnlyOutboxAdmin):
    """The development SMS outbox: every SMS, newest first, with its full text (the OTP)."""

    list_display = ("created_at", "recipient", "status", "text")
    list_filter = ("status", "event")
    search_fields = ("recipient",)
    fields = ("created_at", "recipient", "event", "status", "sent_at", "body_text", "last_error")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SmsOutboxMessage]:
        return super().get_queryset(request).filter(channel=Channel.SMS)

    @admin.display(description=_("nội dung tin nhắn"))
    def text(self, obj: SmsOutboxMessage) -> str:
        return obj.body_text

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "sms_provider": sms_provider_name()}
        return super().changelist_view(request, extra_context=extra_context)
