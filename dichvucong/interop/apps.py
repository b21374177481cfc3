from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "dichvucong.interop"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")

    def ready(self) -> None:
        from django.core.checks import register

        from dichvucong.interop.providers import check_provider

        register(check_provider)
