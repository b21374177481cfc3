from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "dichvucong.catalog"
    verbose_name = _("Thủ tục hành chính")
