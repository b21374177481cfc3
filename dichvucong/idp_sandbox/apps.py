from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdpSandboxConfig(AppConfig):
    name = "dichvucong.idp_sandbox"
    verbose_name = _("Nhà cung cấp định danh thử nghiệm")
