from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ORGANISATION = "organisation", _("Tổ chức")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    OFFICER = "officer", _("Cán bộ")
