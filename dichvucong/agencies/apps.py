from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "dichvucong.agencies"
    verbose_name = _("Cơ quan và lịch làm việc")

    def ready(self) -> None:
        from dichvucong.agencies.models import Agency
        from dichvucong.agencies.selectors import forget_agency_tree

        post_save.connect(forget_agency_tree, sender=Agency, dispatch_uid="agencies.forget_tree.save")
        post_delete.connect(forget_agency_tree, sender=Agency, dispatch_uid="agencies.forget_tree.delete")
