from __future__ import annotations

import factory

from dichvucong.accounts.constants import AccountKind
from dichvucong.accounts.models import User

DEFAULT_PASSWORD = "Mk-Thu-Nghiem-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"nguoidung{n:04d}")
    full_name = factory.Faker("name", locale="vi_VN")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    kind = AccountKind.CITIZEN
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    class Params:
        officer = factory.Trait(kind=AccountKind.OFFICER)
        sysadmin = factory.Trait(kind=AccountKind.OFFICER, is_staff=True, is_superuser=True)
        enterprise = factory.Trait(kind=AccountKind.ENTERPRISE)
        organisation = factory.Trait(kind=AccountKind.ORGANISATION)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save(update_fields=["password"])
