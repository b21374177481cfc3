from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "dichvucong.agencies"
    verbose_name = _("Cơ quan và lịch làm việc")
