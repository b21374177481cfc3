from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dichvucong.accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from django.core.checks import Tags, register

        from dichvucong.accounts.oidc import check_providers

        register(check_providers, Tags.security, deploy=True)
