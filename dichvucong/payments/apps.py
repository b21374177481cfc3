from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "dichvucong.payments"
    verbose_name = _("Thanh toán phí, lệ phí")

    def ready(self) -> None:
        from django.core.checks import register

        from dichvucong.payments.gateways.registry import check_gateways

        register(check_gateways)
