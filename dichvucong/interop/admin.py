from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dichvucong.interop.models import NationalSyncEvent, SandboxReceipt
from dichvucong.interop.services import national_sync_retry_now


@admin.register(NationalSyncEvent)
class NationalSyncEventAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "state", "attempts", "next_attempt_at", "answer_code", "sent_at", "created_at")
    list_filter = ("state",)
    search_fields = ("idempotency_key", "dossier__code")
    list_select_related = ("dossier",)
    readonly_fields = [field.name for field in NationalSyncEvent._meta.fields]
    actions = ("retry_now",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Gửi lại ngay"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[NationalSyncEvent]) -> None:
        from dichvucong.interop.tasks import send_national_sync

        ids = list(queryset.values_list("pk", flat=True))
        count = national_sync_retry_now(row_ids=ids)
        for dossier_id in set(queryset.values_list("dossier_id", flat=True)):
            send_national_sync(dossier_id)
        self.message_user(
            request,
            ngettext("Đã đưa %(count)d sự kiện vào hàng gửi lại.", "Đã đưa %(count)d sự kiện vào hàng gửi lại.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SandboxReceipt)
class SandboxReceiptAdmin(admin.ModelAdmin):
    list_display = ("idempotency_key", "dossier_code", "sequence", "status_code", "received_at")
    search_fields = ("dossier_code",)
    readonly_fields = ("idempotency_key", "dossier_code", "sequence", "status_code", "payload", "received_at")
