from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dichvucong.core"
    verbose_name = _("Nền tảng")

    def ready(self) -> None:
        from dichvucong.core import checks  # noqa: F401 - registers the deploy checks
