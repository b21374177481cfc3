from django.contrib import admin

from dichvucong.core.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "beat_at", "hostname", "pid")
    readonly_fields = ("name", "beat_at", "hostname", "pid")

    def has_add_permission(self, request):
        return False
