"""The sandbox's clients and keys in the admin, for a developer registering another relying party."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin

from dichvucong.idp_sandbox.models import Client, SigningKey


class ClientAdmin(admin.ModelAdmin):
    list_display = ("client_id", "tenant", "name")
    list_filter = ("tenant",)
    search_fields = ("client_id", "name")


class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created_at")
    fields = ("kid", "created_at")
    readonly_fields = ("kid", "created_at")

    def has_add_permission(self, request) -> bool:  # keys come from signing_key_rotate(), never typed
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# Only where the sandbox runs: a production admin has nothing to do with it.
if settings.OIDC_SANDBOX_ENABLED:
    admin.site.register(Client, ClientAdmin)
    admin.site.register(SigningKey, SigningKeyAdmin)
