from __future__ import annotations

import datetime as dt

import factory

from dichvucong.agencies.constants import AgencyKind, CalendarDayKind, UnitKind
from dichvucong.agencies.models import Agency, CalendarDay, Unit


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.00.{n % 100:02d}.T{n // 100 % 100:02d}")
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm số {n}")
    kind = AgencyKind.DEPARTMENT
    province_code = 46
    valid_from = dt.date(2025, 7, 1)

    class Params:
        commune = factory.Trait(
            kind=AgencyKind.COMMUNE_COMMITTEE, name=factory.Sequence(lambda n: f"UBND xã Thử nghiệm {n}")
        )
        centre = factory.Trait(kind=AgencyKind.SERVICE_CENTRE)
        expired = factory.Trait(valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2025, 6, 30))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Phòng Thử nghiệm {n}")
    kind = UnitKind.SPECIALIST

    class Params:
        one_stop = factory.Trait(kind=UnitKind.ONE_STOP, name="Bộ phận Một cửa")


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    date = dt.date(2026, 3, 17)
    kind = CalendarDayKind.DAY_OFF
    name = "Ngày nghỉ thử nghiệm"

    class Params:
        makeup = factory.Trait(kind=CalendarDayKind.WORKING_DAY, name="Ngày làm bù thử nghiệm")
